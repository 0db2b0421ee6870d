"""Background work of the back office (django-tasks; see settings.TASKS).

`send_deadline_reminders` runs daily (core/schedule.py); the notifications are enqueued by
`cases.services` after the transaction that caused them has committed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.cases import reminders
from rathaus.cases.models import Case, CaseMessage
from rathaus.cases.services import actor_label
from rathaus.core.links import site_url

logger = logging.getLogger(__name__)


def _account_case_url(case: Case) -> str:
    """Where the applicant reads the case in their account."""
    candidates: tuple[tuple[str, dict[str, str]], ...] = (
        ("my_cases:detail", {"reference": case.reference}),
        ("my_cases:index", {}),
    )
    for name, kwargs in candidates:
        try:
            return site_url(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return site_url("/konto/antraege/")


def new_message_mail(message: CaseMessage) -> EmailMessage | None:
    """The notice of a new message, without its content (that stays behind the sign-in)."""
    case = message.case
    applicant = case.applicant
    address = (applicant.email if applicant is not None else "") or case.applicant_email
    if not address or (applicant is not None and not applicant.is_active):
        return None
    language = applicant.preferred_language if applicant is not None else settings.LANGUAGE_CODE
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Neue Nachricht zu Ihrem Antrag %(reference)s") % {"reference": case.reference}
        body = render_to_string(
            "cases/mail/new_message.txt",
            {
                "case": case,
                "message": message,
                "url": _account_case_url(case),
                "municipality": settings.RATHAUS_MUNICIPALITY,
            },
        )
    mail = EmailMessage(subject=subject, body=body, to=[address])
    mail.extra_headers["Content-Language"] = language or settings.LANGUAGE_CODE
    return mail


@task(queue_name="mail")
def notify_applicant(message_id: int) -> bool:
    """Mail the applicant that a message waits in their account; False if none was sent."""
    message = (
        CaseMessage.objects.select_related("case", "case__applicant", "case__office")
        .filter(pk=message_id, direction=CaseMessage.Direction.TO_APPLICANT)
        .first()
    )
    if message is None:
        return False
    mail = new_message_mail(message)
    if mail is None:
        return False
    return bool(mail.send())


@task(queue_name="mail")
def notify_assignee(case_id: int) -> bool:
    """Tell a clerk that a colleague gave them a case."""
    case = Case.objects.select_related("assignee").filter(pk=case_id).first()
    if case is None or case.assignee is None or not case.assignee.email:
        return False
    last = case.events.filter(action="assigned").order_by("-at", "-pk").first()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Vorgang %(reference)s wurde Ihnen zugewiesen") % {"reference": case.reference}
        body = render_to_string(
            "cases/mail/assigned.txt",
            {
                "case": case,
                "actor_name": last.actor_name if last else actor_label(None),
                "url": site_url(case.get_absolute_url()),
            },
        )
    return bool(EmailMessage(subject=subject, body=body, to=[case.assignee.email]).send())


@task(queue_name="mail")
def send_deadline_reminders() -> int:
    """Daily: remind assignees (or the office) of cases due within two days or overdue."""
    return reminders.send_reminders()
