"""Tell the digitalization officers about overdue measures, once per measure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import User
from rathaus.accounts.selectors import active_emails
from rathaus.core.links import site_url
from rathaus.monitor.models import Measure


def officer_addresses() -> list[str]:
    group = Group.objects.filter(name=roles.DIGITAL_OFFICER).first()
    if group is None:
        return []
    return active_emails(User.objects.filter(groups=group))


def overdue_measure_mail() -> tuple[EmailMessage | None, list[int]]:
    """The mail about measures that became overdue and were not reported yet."""
    today = timezone.localdate()
    measures = list(
        Measure.objects.overdue(today)
        .filter(overdue_alert_sent_on__isnull=True)
        .select_related("owner")
        .order_by("due_date", "title")
    )
    recipients = officer_addresses()
    if not measures or not recipients:
        return None, []
    lines = [
        f"- {m.title} ({m.owner.name}), fällig am {m.due_date:%d.%m.%Y}, "
        f"Stand: {m.get_status_display()}"
        for m in measures
    ]
    body = (
        "Guten Tag,\n\nfolgende Maßnahmen der Digitalisierungsstrategie haben ihren Termin "
        "überschritten:\n\n"
        + "\n".join(lines)
        + "\n\nDie Roadmap: "
        + site_url("/digitalisierung/strategie/")
        + "\n"
    )
    subject = f"{len(measures)} Maßnahme(n) überfällig"
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return message, [m.pk for m in measures]


def send_overdue_alerts() -> int:
    """Send the mail and mark the measures, so each is reported once; returns the count."""
    message, ids = overdue_measure_mail()
    if message is None:
        return 0
    with transaction.atomic():
        # Marked only after the server accepted the mail: a failure means a retry tomorrow.
        message.send()
        Measure.objects.filter(pk__in=ids).update(overdue_alert_sent_on=timezone.localdate())
    return len(ids)
