"""Reading the monitor: figures per question with their history, charts and tables."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from rathaus.council.models import Paper
from rathaus.monitor.charts import Point, line_chart
from rathaus.monitor.models import (
    AuditFinding,
    AuditPage,
    AuditRun,
    Goal,
    InquiryAnswer,
    Measure,
    MetricSnapshot,
    ProgressNote,
    Strategy,
)
from rathaus.monitor.registry import METRICS, QUESTIONS, Metric, metrics_for

HISTORY_DAYS = 365


@dataclass
class Figure:
    """One metric as shown: latest value, its history as chart and table."""

    metric: Metric
    latest: MetricSnapshot | None
    history: list[MetricSnapshot] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return self.latest.value if self.latest else None

    @property
    def day(self) -> dt.date | None:
        return self.latest.day if self.latest else None

    @property
    def detail(self) -> dict[str, Any]:
        return self.latest.detail if self.latest else {}

    @property
    def change(self) -> float | None:
        """Change against the value a year (or as long as recorded) ago."""
        values = [s.value for s in self.history if s.value is not None]
        if len(values) < 2:
            return None
        return round(values[-1] - values[0], 1)

    @property
    def table(self) -> list[MetricSnapshot]:
        """At most one row a month (the last day recorded in it), for the table beside the chart."""
        by_month: dict[tuple[int, int], MetricSnapshot] = {}
        for snapshot in self.history:
            by_month[(snapshot.day.year, snapshot.day.month)] = snapshot
        return list(by_month.values())

    def chart(self) -> SafeString:
        points = [Point(s.day, s.value) for s in self.history if s.value is not None]
        return line_chart(
            points,
            title=str(self.metric.title),
            description=str(self.metric.reading),
            unit=self.metric.unit,
        )


@dataclass
class QuestionBlock:
    code: str
    title: str
    figures: list[Figure]


def _history(metric_ids: list[str], since: dt.date) -> dict[str, list[MetricSnapshot]]:
    series: dict[str, list[MetricSnapshot]] = defaultdict(list)
    for snapshot in MetricSnapshot.objects.filter(
        metric_id__in=metric_ids, day__gte=since
    ).order_by("metric_id", "day"):
        series[snapshot.metric_id].append(snapshot)
    return series


def questions(codes: list[str] | None = None, *, days: int = HISTORY_DAYS) -> list[QuestionBlock]:
    """Every question (or those named) with its figures; one query for all snapshots."""
    chosen = [c for c in QUESTIONS if codes is None or c in codes]
    metric_ids = [m.id for code in chosen for m in metrics_for(code)]
    series = _history(metric_ids, timezone.localdate() - dt.timedelta(days=days))
    blocks = []
    for code in chosen:
        figures = []
        for metric in metrics_for(code):
            history = series.get(metric.id, [])
            figures.append(Figure(metric, history[-1] if history else None, history))
        blocks.append(QuestionBlock(code, QUESTIONS[code], figures))
    return blocks


def figure(metric_id: str) -> Figure | None:
    metric = METRICS.get(metric_id)
    if metric is None:
        return None
    history = _history([metric_id], timezone.localdate() - dt.timedelta(days=HISTORY_DAYS))
    snapshots = history.get(metric_id, [])
    return Figure(metric, snapshots[-1] if snapshots else None, snapshots)


def export_rows(days: int = HISTORY_DAYS) -> QuerySet[MetricSnapshot]:
    """Every snapshot of the period, for CSV and JSON downloads."""
    since = timezone.localdate() - dt.timedelta(days=days)
    return MetricSnapshot.objects.filter(day__gte=since).order_by("metric_id", "day")


def latest_audit() -> AuditRun | None:
    return AuditRun.objects.exclude(finished_at=None).order_by("-started_at").first()


def audit_pages(run: AuditRun) -> QuerySet[AuditPage]:
    """The pages of a run with their findings, worst first within each page."""
    return run.pages.prefetch_related(
        Prefetch("findings", queryset=AuditFinding.objects.order_by("impact", "rule"))
    ).order_by("depth", "url")


def roadmap(*, public: bool = True) -> QuerySet[Strategy]:
    measures = Measure.objects.select_related("owner").prefetch_related(
        Prefetch("notes", queryset=ProgressNote.objects.order_by("-day", "-pk"))
    )
    if public:
        measures = measures.filter(public=True)
    return Strategy.objects.prefetch_related(
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related(Prefetch("measures", queryset=measures)),
        )
    )


def inquiries_with_answers() -> QuerySet[Paper]:
    """Inquiries with questions, newest first, with their answers of the monitor."""
    return (
        Paper.objects.filter(deleted=False)
        .exclude(questions=[])
        .prefetch_related(
            Prefetch("monitor_answers", queryset=InquiryAnswer.objects.order_by("-created"))
        )
        .order_by("-date", "-pk")
    )


@dataclass(frozen=True)
class ShareCell:
    online: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.online / self.total if self.total else 0.0


@dataclass(frozen=True)
class ServiceMonths:
    """Question 5's table: online share of all cases per service (rows) and month (columns)."""

    months: list[dt.date]
    rows: list[tuple[str, list[ShareCell | None], ShareCell]]


def service_months(block: QuestionBlock) -> ServiceMonths | None:
    """The table from the latest snapshot of `q5.online_case_share`, if it has one."""
    for fig in block.figures:
        if fig.metric.id == "q5.online_case_share":
            data = fig.detail.get("by_service_month")
            break
    else:
        return None
    if not data or not data.get("services"):
        return None
    months = [dt.date.fromisoformat(f"{key}-01") for key in data["months"]]
    rows = [
        (
            entry["name"],
            [ShareCell(*cell) if cell else None for cell in entry["cells"]],
            ShareCell(entry["online"], entry["total"]),
        )
        for entry in data["services"]
    ]
    return ServiceMonths(months, rows)
