"""The state machine: every allowed transition works, everything else is refused."""

from __future__ import annotations

import pytest

from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import Case, CaseEvent, State
from rathaus.cases.workflow import TRANSITIONS, allowed_next, can_move
from rathaus.core.errors import Conflict, ValidationFailed
from tests.cases.conftest import new_case

ALLOWED = [(src, dst) for src, targets in TRANSITIONS.items() for dst in sorted(targets)]
FORBIDDEN = [
    (src, dst)
    for src in State.values
    for dst in State.values
    if dst not in TRANSITIONS.get(src, frozenset())
]


def case_in(office: Office, state: str) -> Case:
    """A case brought into `state` along allowed transitions."""
    case = new_case(office)
    path = {
        State.RECEIVED: [],
        State.IN_REVIEW: [State.IN_REVIEW],
        State.WAITING: [State.WAITING],
        State.DECIDED: [State.DECIDED],
        State.CLOSED: [State.CLOSED],
    }[state]
    for step in path:
        case = services.transition(case, step, actor=None)
    return case


def test_the_table_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(State.values)
    assert allowed_next(State.CLOSED) == frozenset()
    assert not can_move(State.CLOSED, State.IN_REVIEW)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition(office: Office, clerk: User, source: str, target: str) -> None:
    case = case_in(office, source)
    version = case.version
    moved = services.transition(case, target, actor=clerk, expected_version=version)
    moved.refresh_from_db()
    assert moved.state == target
    assert moved.version == version + 1
    last = CaseEvent.objects.filter(case=case).latest("at", "pk")
    assert last.action == "state"
    assert last.before["state"] == source
    assert last.after["state"] == target
    assert last.actor == clerk


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(office: Office, source: str, target: str) -> None:
    case = case_in(office, source)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(Conflict):
        services.transition(case, target, actor=None, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == source
    assert CaseEvent.objects.filter(case=case).count() == events


def test_clerks_decide_with_an_outcome_only(office: Office, clerk: User) -> None:
    case = new_case(office)
    with pytest.raises(ValidationFailed):
        services.change_state(case, State.DECIDED, actor=clerk, expected_version=case.version)
    decided = services.decide(case, actor=clerk, outcome="approved", expected_version=case.version)
    assert decided.state == State.DECIDED
    assert decided.outcome == "approved"
    assert decided.decided_at is not None
