"""Reading the strategy for the staff pages: every measure, public or not, with its state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet

from rathaus.accounts.models import Office
from rathaus.monitor.models import Goal, Measure, ProgressNote, Strategy


@dataclass(frozen=True)
class MeasureFilters:
    status: str = ""
    office: Office | None = None

    @property
    def active(self) -> bool:
        return bool(self.status or self.office)


def _overdue(today: dt.date) -> ExpressionWrapper:
    # Same rule as `MeasureQuerySet.overdue`, as a column so the table needs no extra query.
    return ExpressionWrapper(
        Q(due_date__lt=today, status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS]),
        output_field=BooleanField(),
    )


def measures(filters: MeasureFilters, *, today: dt.date) -> QuerySet[Measure]:
    queryset = (
        Measure.objects.select_related("owner")
        .prefetch_related(Prefetch("notes", queryset=ProgressNote.objects.order_by("-day", "-pk")))
        .annotate(is_overdue=_overdue(today))
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.office is not None:
        queryset = queryset.filter(owner=filters.office)
    return queryset


def overview(filters: MeasureFilters, *, today: dt.date) -> QuerySet[Strategy]:
    """Strategies with goals and the measures passing `filters`: four queries however many."""
    goals = Goal.objects.prefetch_related(
        Prefetch("measures", queryset=measures(filters, today=today))
    )
    return Strategy.objects.prefetch_related(Prefetch("goals", queryset=goals))


def measure_with_notes(pk: int, *, today: dt.date) -> QuerySet[Measure]:
    """One measure for its page, with goal, strategy and notes (newest first, with author)."""
    return (
        Measure.objects.filter(pk=pk)
        .select_related("goal__strategy", "owner")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=ProgressNote.objects.select_related("author").order_by("-day", "-pk"),
            )
        )
        .annotate(is_overdue=_overdue(today))
    )
