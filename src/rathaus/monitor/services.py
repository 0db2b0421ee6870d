"""Computing the metrics into snapshots."""

from __future__ import annotations

import datetime as dt
import time

import structlog
from django.db import transaction
from django.utils import timezone

from rathaus.monitor.models import MetricSnapshot
from rathaus.monitor.registry import METRICS

log = structlog.get_logger(__name__)


def compute_all(day: dt.date | None = None, *, only: list[str] | None = None) -> int:
    """Compute every metric (or those named) as of `day` and store or replace its snapshot.

    One metric failing does not stop the others: it is logged with its id and left without
    a value for that day, and the error is raised after the rest have been stored.
    """
    day = day or timezone.localdate()
    failures: list[tuple[str, Exception]] = []
    stored = 0
    for metric in METRICS.values():
        if only and metric.id not in only:
            continue
        started = time.perf_counter()
        try:
            measurement = metric.compute(day)
        except Exception as exc:  # reported below; the other metrics still run
            log.exception("metric_failed", metric=metric.id, day=day.isoformat())
            failures.append((metric.id, exc))
            continue
        with transaction.atomic():
            MetricSnapshot.objects.update_or_create(
                metric_id=metric.id,
                day=day,
                defaults={"value": measurement.value, "detail": measurement.detail},
            )
        stored += 1
        log.info(
            "metric_computed",
            metric=metric.id,
            day=day.isoformat(),
            value=measurement.value,
            ms=round(1000 * (time.perf_counter() - started), 1),
        )
    if failures:
        names = ", ".join(name for name, _exc in failures)
        raise RuntimeError(f"metrics failed for {day.isoformat()}: {names}") from failures[0][1]
    return stored
