"""Every write to a case goes through here, with its audit-trail entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, CaseEvent, Channel, ReferenceCounter, State
from rathaus.cases.workflow import can_move
from rathaus.core.errors import Conflict

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


@transaction.atomic
def transition(
    case: Case,
    target: str,
    *,
    actor: User | None,
    expected_version: int | None = None,
    reason: str = "",
) -> Case:
    """Move a case to `target` if the state machine allows it; refuses a stale version.

    `expected_version` is the version the actor saw; if someone else changed the case since,
    nothing is written and Conflict names the clash (no lost update).
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Der Vorgang %(reference)s wurde inzwischen geändert. Bitte neu laden.")
            % {"reference": locked.reference}
        )
    if not can_move(locked.state, target):
        raise Conflict(
            _("Von „%(current)s“ kann der Vorgang nicht nach „%(target)s“ wechseln.")
            % {"current": State(locked.state).label, "target": State(target).label}
        )
    before = {"state": locked.state}
    now = timezone.now()
    locked.state = target
    if target == State.DECIDED and locked.decided_at is None:
        locked.decided_at = now
    if target == State.CLOSED:
        locked.closed_at = now
    locked.version += 1
    locked.save()
    summary = f"Status: {State(before['state']).label} → {State(target).label}"
    record_event(
        locked,
        actor=actor,
        action="state",
        summary=f"{summary} ({reason})" if reason else summary,
        before=before,
        after={"state": target},
    )
    return locked
