"""Deadline reminders: once a day, mail who works a case when its deadline is near or past.

A case is reminded about at most once per day: the reminder is an event in the case's audit
trail ("reminder"), written before the mail is sent (at most once rather than twice when a
mail server fails halfway). Recipients are the assignee, or the office's address while
nobody has taken the case. A reminder changes nothing in the case, so it does not bump the
case's version (clerks' open forms stay valid).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, CaseEvent
from rathaus.cases.selectors import due_soon
from rathaus.cases.services import actor_label
from rathaus.core.links import site_url

logger = logging.getLogger(__name__)

REMIND_DAYS = 2


@dataclass(frozen=True)
class Item:
    case: Case
    url: str


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _recipient(case: Case) -> tuple[str, bool]:
    """(address, personal): the assignee's, else the office's; "" when there is none."""
    assignee: User | None = case.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        return assignee.email, True
    return case.office.email or "", False


@transaction.atomic
def claim_due_cases(today: dt.date | None = None) -> list[Case]:
    """The cases to remind about today, each recorded as a "reminder" event (once per day)."""
    day = today or timezone.localdate()
    start = _day_start(day)
    # Lock first, then look for today's reminders in a fresh statement: two runs at the same
    # time wait for each other here, and the second finds the first one's events.
    ids = list(
        due_soon(day, REMIND_DAYS).select_for_update().order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        return []
    reminded = set(
        CaseEvent.objects.filter(
            case_id__in=ids, action="reminder", at__gte=start, at__lt=start + dt.timedelta(days=1)
        ).values_list("case_id", flat=True)
    )
    cases = list(
        Case.objects.filter(pk__in=[pk for pk in ids if pk not in reminded])
        .select_related("assignee", "office")
        .order_by("due_date", "reference")
    )
    now = timezone.now()
    events = []
    for case in cases:
        overdue = case.due_date is not None and case.due_date < day
        address, _personal = _recipient(case)
        events.append(
            CaseEvent(
                case=case,
                at=now,
                actor=None,
                actor_name=actor_label(None),
                action="reminder",
                summary=(
                    _("Erinnerung: Frist überschritten") if overdue else _("Erinnerung: Frist naht")
                )
                + (f" ({address})" if address else ""),
                after={"due_date": case.due_date.isoformat() if case.due_date else None},
            )
        )
    CaseEvent.objects.bulk_create(events)
    return cases


def reminder_messages(cases: list[Case], today: dt.date | None = None) -> list[EmailMessage]:
    """One mail per recipient with their overdue and soon-due cases."""
    day = today or timezone.localdate()
    grouped: dict[tuple[str, bool, int], list[Case]] = defaultdict(list)
    for case in cases:
        address, personal = _recipient(case)
        if not address:
            logger.warning("deadline reminder without recipient", extra={"case": case.reference})
            continue
        grouped[(address, personal, case.office_id)].append(case)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        inbox_url = site_url(reverse("cases:inbox"))
        for (address, personal, _office_id), items in grouped.items():
            office: Office = items[0].office
            overdue = [
                Item(c, site_url(c.get_absolute_url()))
                for c in items
                if c.due_date is not None and c.due_date < day
            ]
            soon = [
                Item(c, site_url(c.get_absolute_url()))
                for c in items
                if c.due_date is not None and c.due_date >= day
            ]
            subject = ngettext(
                "Fristen: %(count)d Vorgang braucht Aufmerksamkeit",
                "Fristen: %(count)d Vorgänge brauchen Aufmerksamkeit",
                len(items),
            ) % {"count": len(items)}
            body = render_to_string(
                "cases/mail/reminder.txt",
                {
                    "personal": personal,
                    "office": office,
                    "overdue": overdue,
                    "soon": soon,
                    "inbox_url": inbox_url,
                },
            )
            messages.append(EmailMessage(subject=subject, body=body, to=[address]))
    return messages


def send_reminders(today: dt.date | None = None) -> int:
    """Claim today's due cases and mail them; returns the number of mails sent."""
    cases = claim_due_cases(today)
    messages = reminder_messages(cases, today)
    if not messages:
        return 0
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    logger.info("deadline reminders sent", extra={"cases": len(cases), "mails": sent})
    return sent
