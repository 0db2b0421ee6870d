from __future__ import annotations

from django_tasks import task

from rathaus.monitor.services import compute_all


@task()
def compute_metrics() -> int:
    """Daily: today's value of every metric (see `rathaus.core.schedule`)."""
    return compute_all()
