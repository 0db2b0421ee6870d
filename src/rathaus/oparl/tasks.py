"""Background tasks of the OParl importer: scheduled incremental sync and the stale alert.

Schedule `sync_remote_systems` (e.g. hourly from cron or the task scheduler of the
deployment: `sync_remote_systems.enqueue()`); it checks for stale mirrors after each round.
`check_stale_syncs` can also run on its own.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection, mail_admins
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.accounts import roles
from rathaus.accounts.models import User
from rathaus.accounts.selectors import active_emails
from rathaus.core.links import site_url
from rathaus.oparl.importer import ImportFailed, ImportOptions, import_system
from rathaus.oparl.importer.status import stale_systems
from rathaus.oparl.models import RemoteSystem

logger = logging.getLogger(__name__)

ALERT_ROLES = (roles.COUNCIL_OFFICE, roles.ADMINISTRATOR)


@task(queue_name="import")
def sync_remote_systems(
    system_id: int | None = None, timeout: float = 30.0, retries: int = 3
) -> dict[str, str]:
    """Incremental sync of every remote system (or one); returns the status per system URL.

    A system that fails is logged and the others go on; an interrupted run is resumed.
    """
    systems = RemoteSystem.objects.order_by("pk")
    if system_id is not None:
        systems = systems.filter(pk=system_id)
    results: dict[str, str] = {}
    for system in systems:
        try:
            run = import_system(system.system_url, ImportOptions(timeout=timeout, retries=retries))
        except ImportFailed as exc:
            logger.error(
                "OParl sync failed", extra={"url": system.system_url, "error": exc.message}
            )
            results[system.system_url] = "failed"
        else:
            results[system.system_url] = run.status
    _send_stale_alerts()
    return results


@task(queue_name="mail")
def check_stale_syncs() -> int:
    """Alert when a mirror's last complete sync is older than its `stale_after_hours`.

    Logs an error and mails the council office and the administrators (or, if none has an
    address, the ADMINS). One alert per system and period of `stale_after_hours`, so an
    hourly check does not mail every hour. Returns the number of systems alerted.
    """
    return _send_stale_alerts()


def alert_recipients() -> list[str]:
    return active_emails(User.objects.filter(groups__name__in=ALERT_ROLES))


def _send_stale_alerts() -> int:
    now = timezone.now()
    due: list[RemoteSystem] = []
    for system in stale_systems(now):
        last = system.last_success_at.isoformat() if system.last_success_at else "never"
        key = f"oparl:stale-alert:{system.pk}:{last}"
        if cache.add(key, now.isoformat(), timeout=system.stale_after_hours * 3600):
            due.append(system)
        logger.error(
            "OParl sync stale",
            extra={
                "url": system.system_url,
                "last_success": last,
                "stale_after_hours": system.stale_after_hours,
            },
        )
    if not due:
        return 0
    subject, body = _alert_text(due)
    recipients = alert_recipients()
    if recipients:
        with get_connection() as connection:
            EmailMessage(subject=subject, body=body, to=recipients, connection=connection).send()
    else:
        mail_admins(subject, body)
    return len(due)


def _alert_text(systems: list[RemoteSystem]) -> tuple[str, str]:
    # Staff mails are German, like the staff pages they point to.
    with translation.override(settings.LANGUAGE_CODE):
        if len(systems) == 1:
            subject = _("OParl-Abgleich veraltet: {name}").format(name=systems[0])
        else:
            subject = _("OParl-Abgleich veraltet: {count} Systeme").format(count=len(systems))
        lines: list[Any] = [
            _("Guten Tag,"),
            "",
            _(
                "die folgenden Ratsinformationssysteme wurden länger nicht vollständig "
                "abgeglichen. Bürgerinnen und Bürger sehen dort womöglich veraltete Sitzungen "
                "und Drucksachen."
            ),
            "",
        ]
        for system in systems:
            if system.last_success_at:
                when = timezone.localtime(system.last_success_at).strftime("%d.%m.%Y %H:%M")
                status = _("letzter erfolgreicher Abgleich: {when}").format(when=when)
            else:
                status = _("noch nie erfolgreich abgeglichen")
            lines.append(f"- {system} ({system.system_url}): {status}")
            lines.append(
                "  "
                + _("erwartet spätestens alle {hours} Stunden").format(
                    hours=system.stale_after_hours
                )
            )
        lines += [
            "",
            _("Status und Fehler der letzten Läufe: {url}").format(
                url=site_url(reverse("oparl_staff:list"))
            ),
            "",
            _("Diese Nachricht wurde automatisch von Rathaus erzeugt."),
        ]
    return subject, "\n".join(str(line) for line in lines)
