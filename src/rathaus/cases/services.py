"""Every write to a case goes through here, with its audit-trail entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, CaseEvent, Channel, ReferenceCounter, State

REFERENCE_PREFIX = "BUX"


def next_reference(year: int) -> str:
    """The next free case reference of a year, e.g. BUX-2026-000123 (gap-free per year)."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = ReferenceCounter.objects.select_for_update().get(year=year).last
    return f"{REFERENCE_PREFIX}-{year}-{last:06d}"


def actor_label(user: User | None) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def record_event(
    case: Case,
    *,
    actor: User | None,
    action: str,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Append one line to the case's audit trail."""
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor_label(actor),
        action=action,
        summary=summary,
        before=before or {},
        after=after or {},
    )


@transaction.atomic
def create_case(
    *,
    office: Office,
    channel: str,
    subject: str,
    data: dict[str, Any] | None = None,
    service_id: int | None = None,
    form_version_id: int | None = None,
    applicant: User | None = None,
    applicant_name: str = "",
    applicant_email: str = "",
    trust_level: str = "",
    fee_cents: int = 0,
    payment_state: str = "",
    due_date: dt.date | None = None,
    received_at: dt.datetime | None = None,
    actor: User | None = None,
) -> Case:
    """Open a case in state "received" and write its first audit entry."""
    received = received_at or timezone.now()
    case = Case.objects.create(
        reference=next_reference(timezone.localtime(received).year),
        office=office,
        channel=Channel(channel),
        state=State.RECEIVED,
        subject=subject,
        data=data or {},
        service_id=service_id,
        form_version_id=form_version_id,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_email=applicant_email,
        trust_level=trust_level,
        fee_cents=fee_cents,
        payment_state=payment_state,
        due_date=due_date,
        received_at=received,
    )
    record_event(
        case,
        actor=actor or applicant,
        action="created",
        summary=f"Eingang über {Channel(channel).label}",
        after={"state": State.RECEIVED, "channel": channel},
        at=received,
    )
    return case
