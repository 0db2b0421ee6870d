"""Writes of the digitalization strategy: strategies, goals, measures and progress notes.

Each function checks the user's permission, validates and writes in one transaction, so the
staff pages stay thin and every caller gets the same rules. Validation errors are
raised as Django `ValidationError` keyed by field, so a form can show them at the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rathaus.core.errors import PermissionDenied
from rathaus.monitor.models import Goal, Measure, ProgressNote, Strategy

MAX_PERCENT = 100


def _require(user: Any, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(_("Es fehlt die Berechtigung „%(perm)s“.") % {"perm": perm})


def measure_errors(
    *, start_date: dt.date | None, due_date: dt.date | None, budget_eur: Decimal | None
) -> dict[str, list[str]]:
    """The rules beyond single fields, by field name; empty when all is well."""
    errors: dict[str, list[str]] = {}
    if start_date and due_date and due_date < start_date:
        errors["due_date"] = [_("„fällig am“ darf nicht vor „Beginn“ liegen.")]
    if budget_eur is not None and budget_eur < 0:
        errors["budget_eur"] = [_("„Budget in Euro“ darf nicht negativ sein.")]
    return errors


def percent_errors(percent: int | None) -> dict[str, list[str]]:
    if percent is None:
        return {}
    if percent > MAX_PERCENT:
        return {"percent": [_("„Fortschritt in Prozent“ darf höchstens 100 sein.")]}
    if percent < 0:
        return {"percent": [_("„Fortschritt in Prozent“ darf nicht negativ sein.")]}
    return {}


@transaction.atomic
def save_strategy(strategy: Strategy, *, user: Any = None) -> Strategy:
    _require(user, f"monitor.{'change' if strategy.pk else 'add'}_strategy")
    strategy.title = strategy.title.strip()
    strategy.full_clean()
    strategy.save()
    return strategy


@transaction.atomic
def save_goal(goal: Goal, *, user: Any = None) -> Goal:
    _require(user, f"monitor.{'change' if goal.pk else 'add'}_goal")
    goal.title = goal.title.strip()
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def save_measure(measure: Measure, *, user: Any = None) -> Measure:
    """Validate and store a measure; a new due date re-arms the overdue alert."""
    _require(user, f"monitor.{'change' if measure.pk else 'add'}_measure")
    measure.title = measure.title.strip()
    errors = measure_errors(
        start_date=measure.start_date, due_date=measure.due_date, budget_eur=measure.budget_eur
    )
    if errors:
        raise ValidationError(errors)
    measure.full_clean()
    if measure.pk:
        stored_due = (
            Measure.objects.filter(pk=measure.pk).values_list("due_date", flat=True).first()
        )
        # The alert is sent once per measure; a postponed measure that slips again must be
        # reported again, so a changed due date forgets the earlier alert.
        if stored_due != measure.due_date:
            measure.overdue_alert_sent_on = None
    measure.save()
    return measure


@transaction.atomic
def add_progress_note(
    measure: Measure,
    *,
    day: dt.date,
    text: str,
    percent: int,
    user: Any = None,
    mark_done: bool = False,
) -> ProgressNote:
    """Record the state of a measure; with 100 % and `mark_done` the measure becomes done."""
    _require(user, "monitor.add_progressnote")
    if mark_done:
        _require(user, "monitor.change_measure")
    errors = percent_errors(percent)
    if mark_done and percent != MAX_PERCENT and "percent" not in errors:
        errors["mark_done"] = [
            _("Als umgesetzt markieren geht nur mit „Fortschritt in Prozent“ 100.")
        ]
    if errors:
        raise ValidationError(errors)
    author = user if user is not None and getattr(user, "is_authenticated", False) else None
    note = ProgressNote(measure=measure, day=day, text=text.strip(), percent=percent, author=author)
    note.full_clean()
    note.save()
    if mark_done and measure.status != Measure.Status.DONE:
        measure.status = Measure.Status.DONE
        measure.save(update_fields=["status", "modified"])
    return note


@transaction.atomic
def delete_strategy(strategy: Strategy, *, user: Any = None) -> None:
    """Deletes the strategy with its goals, measures and notes."""
    _require(user, "monitor.delete_strategy")
    strategy.delete()


@transaction.atomic
def delete_goal(goal: Goal, *, user: Any = None) -> None:
    """Deletes the goal with its measures and notes."""
    _require(user, "monitor.delete_goal")
    goal.delete()


@transaction.atomic
def delete_measure(measure: Measure, *, user: Any = None) -> None:
    """Deletes the measure with its notes."""
    _require(user, "monitor.delete_measure")
    measure.delete()
