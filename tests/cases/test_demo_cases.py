"""The demo year of cases: counts, channels, timings and audit trails consistent, idempotent."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import User
from rathaus.cases import demo
from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseTerm,
    Channel,
    MediaBreak,
    Outcome,
    PaymentState,
    ReferenceCounter,
    State,
)
from rathaus.cases.services import create_case
from rathaus.cases.workflow import can_move
from rathaus.core.demo import load_demo
from rathaus.forms.models import FormDefinition

pytestmark = pytest.mark.django_db

# A fixed moment, so the year looks the same on every run (a Wednesday afternoon).
NOW = dt.datetime(2026, 11, 25, 14, 30, tzinfo=dt.UTC)  # 15:30 in Buxtehude


def working_days_between(start: dt.date, end: dt.date) -> int:
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += demo.is_working_day(day)
    return n


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


@pytest.fixture(scope="module")
def year(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """One demo year for every test of this module (about ten seconds to make).

    Made inside a transaction that is rolled back after the module; each test runs in a
    savepoint inside it, so what a test writes is gone before the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo(council_scale=0, cases=0)
        assert result.cases is None
        loaded = demo.load_cases_demo(count=2000, now=NOW)
        cases = list(
            Case.objects.select_related("service", "form_version__definition", "office").order_by(
                "received_at"
            )
        )
        trails: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in CaseEvent.objects.order_by("at", "pk"):
            trails[event.case_id].append(event)
        breaks: dict[int, list[str]] = defaultdict(list)
        for case_id, kind in MediaBreak.objects.values_list("case_id", "kind"):
            breaks[case_id].append(kind)
        yield {"result": loaded, "cases": cases, "trails": trails, "breaks": breaks}
        transaction.set_rollback(True)


def test_two_thousand_cases_over_a_year_on_every_channel(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    result = year["result"]
    # 2,000 for the year and the demo citizen's own four.
    assert result.cases == len(cases) == 2004
    assert result.events == CaseEvent.objects.count()
    assert not CaseDocument.objects.exists()  # historic cases keep no files
    first, last = local(cases[0].received_at), local(cases[-1].received_at)
    assert (NOW - first).days >= 350
    assert last < NOW
    channels = Counter(c.channel for c in cases)
    assert set(channels) == {c.value for c in Channel}
    assert channels[Channel.PORTAL] < channels[Channel.ONLINE] / 4
    assert channels[Channel.PHONE] < 60

    # The online share rises: about a third in the first quarter, over half in the last.
    def share(part: list[Case]) -> float:
        return sum(c.is_online for c in part) / len(part)

    early = [c for c in cases if (NOW - c.received_at).days > 273]
    late = [c for c in cases if (NOW - c.received_at).days <= 91]
    assert 0.25 < share(early) < 0.42
    assert share(late) > 0.5
    # Forms and services: demand follows annual_cases; some services have no form.
    forms = FormDefinition.objects.count()
    assert len({c.form_version_id for c in cases if c.form_version_id}) == forms
    without = [c for c in cases if c.service and not c.service.forms.exists()]
    assert 150 < len(without) < 900
    per_service = Counter(c.service.name for c in cases if c.service)
    assert per_service.most_common(1)[0][0] == "Bewohnerparkausweis beantragen"
    assert all(c.office_id == c.service.office_id for c in cases if c.service)
    # Online cases carry the form's data; paper and portal cases do not.
    online = [c for c in cases if c.channel == Channel.ONLINE]
    assert all(c.form_version_id and c.data for c in online)
    assert not any(c.data for c in cases if c.channel != Channel.ONLINE)
    parking = next(c for c in online if c.form_version.definition.slug == "bewohnerparkausweis")
    assert parking.subject == f"Bewohnerparkausweis {parking.data['kennzeichen']}"
    assert parking.data["plz"] == "21614"


def test_arrival_times_follow_the_channel(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    evenings = weekends = 0
    for case in cases:
        at = local(case.received_at)
        hour = at.hour + at.minute / 60
        if case.channel == Channel.IN_PERSON:
            assert demo.is_working_day(at.date()), case.reference
            hours = (
                demo.BUERGERBUERO_HOURS
                if case.office.slug == "buergerbuero"
                else (demo.OFFICE_HOURS)
            )
            assert any(start <= hour < end for start, end in hours[at.weekday()]), case.reference
        elif case.channel == Channel.POST:
            assert demo.is_working_day(at.date())
            assert 8 <= hour < 11
        elif case.channel == Channel.ONLINE:
            evenings += hour >= 18
            weekends += at.weekday() >= 5
    online = sum(c.channel == Channel.ONLINE for c in cases)
    assert evenings > online / 5
    assert weekends > online / 20


def test_audit_trails_match_the_cases(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    trails: dict[int, list[CaseEvent]] = year["trails"]
    clerks_by_office: dict[int, set[int]] = defaultdict(set)
    for user in User.objects.filter(groups__name=roles.CLERK):
        clerks_by_office[user.office_id].add(user.pk)
    review_lags = Counter()
    for case in cases:
        trail = trails[case.pk]
        assert trail[0].action == "created"
        assert trail[0].at == case.received_at
        assert trail[0].after["demo"] is True
        assert [e.at for e in trail] == sorted(e.at for e in trail)
        assert trail[-1].at <= NOW
        state = State.RECEIVED
        assignee = None
        for event in trail:
            if event.action in {"state", "decided"}:
                target = event.after["state"]
                assert event.before["state"] == state, (case.reference, event.summary)
                assert can_move(state, target), (case.reference, state, target)
                state = target
            if event.action == "assigned":
                assignee = event.after["assignee"]["id"]
            if event.action == "deadline":
                # Moved on by the time the applicant was asked for documents.
                assert event.before["due_date"] < event.after["due_date"]
                assert event.after["due_date"] == case.due_date.isoformat()
        assert case.state == state, case.reference
        assert case.assignee_id == assignee
        if assignee:
            assert assignee in clerks_by_office[case.office_id]
        review = next((e for e in trail if e.after.get("state") == State.IN_REVIEW), None)
        if review is not None:
            lag = working_days_between(local(case.received_at).date(), local(review.at).date())
            review_lags[lag] += 1
        decided = [e for e in trail if e.action == "decided"]
        if case.state in (State.DECIDED, State.CLOSED):
            assert case.decided_at == decided[0].at
            assert case.outcome == decided[0].after["outcome"]
        else:
            assert not decided
            assert case.decided_at is None
            assert case.outcome == ""
        if case.state == State.CLOSED:
            assert case.closed_at == trail[-1].at
            assert case.retention_until > local(case.closed_at).date()
            assert trail[-1].after["retention_until"] == case.retention_until.isoformat()
        else:
            assert case.closed_at is None
        assert case.created == case.received_at
        assert case.modified == trail[-1].at
        assert case.version >= 1
    assert set(review_lags) <= {1, 2, 3}
    assert review_lags[1] > review_lags[3] > 0


def test_decisions_mostly_in_time_some_late_recent_ones_open(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    decided = [c for c in cases if c.decided_at]
    on_time = [c for c in decided if local(c.decided_at).date() <= c.due_date]
    assert 0.65 < len(on_time) / len(decided) < 0.92
    today = local(NOW).date()
    open_cases = [c for c in cases if c.state in (State.RECEIVED, State.IN_REVIEW, State.WAITING)]
    overdue_old = [c for c in open_cases if (today - c.due_date).days > 7]
    assert 5 <= len(overdue_old) <= 80
    recent = [c for c in cases if (NOW - c.received_at) < dt.timedelta(days=2)]
    assert recent
    assert all(c.state != State.CLOSED for c in recent)
    assert Counter(c.state for c in cases)[State.WAITING] > 0
    outcomes = Counter(c.outcome for c in decided)
    assert outcomes[Outcome.APPROVED] > len(decided) * 0.7
    assert outcomes[Outcome.REJECTED] > 0
    assert outcomes[Outcome.WITHDRAWN] > 0


def test_media_breaks_and_payments(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    breaks: dict[int, list[str]] = year["breaks"]
    for case in cases:
        kinds = breaks[case.pk]
        if case.channel in (Channel.POST, Channel.IN_PERSON):
            assert MediaBreak.Kind.PAPER_RECEIVED in kinds
            # Scanned on the day or the next working day (unless that is still to come).
            assert MediaBreak.Kind.SCANNED in kinds or (NOW - case.received_at).days < 4
        if case.channel in (Channel.ONLINE, Channel.PORTAL):
            assert MediaBreak.Kind.SCANNED not in kinds or MediaBreak.Kind.POSTED in kinds
    online = [c for c in cases if c.channel == Channel.ONLINE]
    printed = [c for c in online if MediaBreak.Kind.PRINTED in breaks[c.pk]]
    assert 0.02 < len(printed) / len(online) < 0.2
    assert sum(MediaBreak.Kind.POSTED in breaks[c.pk] for c in cases) > 200
    # Every break has its audit line, at the same moment.
    logged = CaseEvent.objects.filter(action="media_break")
    assert logged.count() == MediaBreak.objects.count()
    for event in logged[:200]:
        entry = MediaBreak.objects.get(pk=event.after["media_break"])
        assert entry.case_id == event.case_id
        assert entry.at == event.at
    fee_cases = [c for c in cases if c.fee_cents]
    assert fee_cases
    for case in fee_cases:
        if case.state == State.CLOSED and case.outcome != Outcome.WITHDRAWN:
            assert case.payment_state == PaymentState.PAID, case.reference
    assert all(c.payment_state == PaymentState.NOT_REQUIRED for c in cases if not c.fee_cents)
    assert any(c.payment_state == PaymentState.OPEN for c in fee_cases)


def test_references_run_per_year_and_new_cases_continue(year: dict[str, Any]) -> None:
    cases: list[Case] = year["cases"]
    by_year: dict[int, list[int]] = defaultdict(list)
    for case in cases:
        prefix, ref_year, number = case.reference.split("-")
        assert prefix == "BUX"
        assert int(ref_year) == local(case.received_at).year
        by_year[int(ref_year)].append(int(number))
    for ref_year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert ReferenceCounter.objects.get(year=ref_year).last == len(numbers)
    assert CaseTerm.objects.filter(term="bewohnerparkausweis").exists()
    newest = max(by_year)
    office = cases[-1].office
    fresh = create_case(
        office=office, channel=Channel.POST, subject="Neu", received_at=timezone.now()
    )
    year_now = local(fresh.received_at).year
    expected = len(by_year.get(year_now, [])) + 1
    assert fresh.reference == f"BUX-{year_now}-{expected:06d}"
    assert newest <= year_now


def test_the_demo_citizen_has_cases_in_every_state(year: dict[str, Any]) -> None:
    citizen = User.objects.get(username="buerger")
    own = Case.objects.filter(applicant=citizen)
    assert own.count() == 4
    assert {c.channel for c in own} == {Channel.ONLINE}
    states = Counter(own.values_list("state", flat=True))
    assert states[State.CLOSED] == 2
    assert states[State.WAITING] == 1
    waiting = own.get(state=State.WAITING)
    assert waiting.form_version.definition.slug == "bewohnerparkausweis"
    request = CaseMessage.objects.get(case=waiting)
    assert request.requests_documents
    assert request.answered_at is None
    assert request.direction == CaseMessage.Direction.TO_APPLICANT
    assert waiting.events.filter(action="message", after__message=request.pk).exists()


def test_loading_again_changes_nothing(year: dict[str, Any]) -> None:
    counts = (Case.objects.count(), CaseEvent.objects.count(), MediaBreak.objects.count())
    users = User.objects.count()
    again = demo.load_cases_demo(count=2000, now=NOW)
    assert again.skipped
    result = load_demo(council_scale=0)
    assert result.cases is not None
    assert result.cases.skipped
    assert (Case.objects.count(), CaseEvent.objects.count(), MediaBreak.objects.count()) == counts
    assert User.objects.count() == users


def test_the_same_seed_plans_the_same_year(year: dict[str, Any]) -> None:
    clerks, leads, _ = demo.demo_clerks()

    def plan() -> list[tuple[Any, ...]]:
        plans = demo.plan_year(
            count=150, now=NOW, rng=random.Random(7), clerks=clerks, leads=leads, citizen=None
        )
        return [
            (p.channel, p.received, p.subject, p.applicant_name, [e.summary for e in p.events])
            for p in plans
        ]

    assert plan() == plan()
