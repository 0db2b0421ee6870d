"""Background tasks of the catalog (django-tasks; database backend or RQ, see settings.TASKS)."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.accounts.selectors import active_emails
from rathaus.catalog import services
from rathaus.catalog.models import Service
from rathaus.core.links import site_url

logger = logging.getLogger(__name__)


@task(queue_name="default")
def rebuild_search_index() -> int:
    """Re-index every service (after a restore or a change of the search rules)."""
    return services.rebuild_search_index()


@task(queue_name="mail")
def notify_overdue_reviews() -> int:
    """Mail each office the services whose review is overdue; returns the number of mails."""
    messages = overdue_review_messages()
    if not messages:
        return 0
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    logger.info("overdue review notices sent", extra={"mails": sent})
    return sent


def review_recipients(office: Office | None) -> list[str]:
    """Who answers for the services of `office`.

    Its office leads; else the leads of the office above it (a Fachbereich leads its
    Fachgruppen); else the office's own address. Services without an office go to the
    digitalization officers, who act for the whole administration.
    """
    if office is None:
        return active_emails(User.objects.filter(groups__name=roles.DIGITAL_OFFICER))
    current: Office | None = office
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        leads = active_emails(User.objects.filter(office=current, groups__name=roles.OFFICE_LEAD))
        if leads:
            return leads
        current = current.parent
    return [office.email] if office.email else []


def overdue_review_messages(today: datetime.date | None = None) -> list[EmailMessage]:
    """One message per office with overdue reviews (nothing is sent here)."""
    overdue = (
        Service.objects.review_overdue(today)
        .select_related("office", "office__parent")
        .order_by("review_due", "name")
    )
    by_office: dict[Office | None, list[Service]] = defaultdict(list)
    for service in overdue:
        by_office[service.office].append(service)
    messages = []
    # Staff mails are German, like the staff pages they point to.
    with translation.override(settings.LANGUAGE_CODE):
        for office, items in sorted(by_office.items(), key=lambda kv: kv[0].name if kv[0] else ""):
            recipients = review_recipients(office)
            office_name = office.name if office else _("ohne zuständige Stelle")
            if not recipients:
                logger.warning(
                    "overdue reviews without recipient",
                    extra={"office": office_name, "services": len(items)},
                )
                continue
            subject = ngettext(
                "Prüfung überfällig: %(count)d Leistung (%(office)s)",
                "Prüfung überfällig: %(count)d Leistungen (%(office)s)",
                len(items),
            ) % {"count": len(items), "office": office_name}
            lines = [
                _("Guten Tag,"),
                "",
                _(
                    "für die folgenden Leistungen von {office} ist die regelmäßige Prüfung der "
                    "Texte überfällig. Bitte prüfen Sie Inhalte, Gebühren und Links und "
                    "bestätigen Sie die Prüfung in der Verwaltung."
                ).format(office=office_name),
                "",
            ]
            for service in items:
                due = (
                    date_format(service.review_due, "SHORT_DATE_FORMAT")
                    if service.review_due
                    else ""
                )
                lines.append(
                    _("- {name} (LeiKa {key}), fällig seit {due}").format(
                        name=service.name, key=service.leika_key, due=due
                    )
                )
                lines.append(f"  {site_url(service.get_absolute_url())}")
            lines += [
                "",
                _("Übersicht in der Verwaltung: {url}").format(
                    url=site_url(reverse("catalog_staff:list"))
                ),
                "",
            ]
            lines.append(_("Diese Nachricht wurde automatisch von Rathaus erzeugt."))
            messages.append(EmailMessage(subject=subject, body="\n".join(lines), to=recipients))
    return messages
