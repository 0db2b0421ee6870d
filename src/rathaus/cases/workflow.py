"""The case state machine: which state may follow which, and nothing else."""

from __future__ import annotations

from rathaus.cases.models import State

TRANSITIONS: dict[str, frozenset[str]] = {
    State.RECEIVED: frozenset({State.IN_REVIEW, State.WAITING, State.DECIDED, State.CLOSED}),
    State.IN_REVIEW: frozenset({State.WAITING, State.DECIDED, State.CLOSED}),
    State.WAITING: frozenset({State.IN_REVIEW, State.DECIDED, State.CLOSED}),
    State.DECIDED: frozenset({State.CLOSED, State.IN_REVIEW}),
    State.CLOSED: frozenset(),
}


def allowed_next(state: str) -> frozenset[str]:
    return TRANSITIONS.get(state, frozenset())


def can_move(current: str, target: str) -> bool:
    return target in allowed_next(current)
