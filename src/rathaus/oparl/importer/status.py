"""How the mirrors stand: last run, last success, staleness (read by the staff page and tasks)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from rathaus.oparl.models import RemoteSystem, SyncProblem, SyncRun

PROBLEMS_SHOWN = 5


def stale_since(system: RemoteSystem) -> datetime.datetime:
    """The time after which a system counts as stale: its last success (or its creation)."""
    reference = system.last_success_at or system.created
    return reference + datetime.timedelta(hours=system.stale_after_hours)


def is_stale(system: RemoteSystem, now: datetime.datetime | None = None) -> bool:
    """No complete run for longer than `stale_after_hours` (a new system gets that long)."""
    return (now or timezone.now()) > stale_since(system)


def stale_systems(now: datetime.datetime | None = None) -> list[RemoteSystem]:
    now = now or timezone.now()
    return [s for s in RemoteSystem.objects.order_by("name", "system_url") if is_stale(s, now)]


@dataclass
class SystemStatus:
    system: RemoteSystem
    last_run: SyncRun | None
    stale: bool
    problems: list[SyncProblem] = field(default_factory=list)


def system_statuses(now: datetime.datetime | None = None) -> list[SystemStatus]:
    """Every remote system with its latest run and the first problems of that run."""
    now = now or timezone.now()
    systems = list(RemoteSystem.objects.order_by("name", "system_url"))
    latest: dict[int, SyncRun] = {}
    # Few systems, many runs: one query per system reads only what the page shows.
    for system in systems:
        run = system.runs.order_by("-started_at").first()
        if run is not None:
            latest[system.pk] = run
    return [
        SystemStatus(
            system=system,
            last_run=latest.get(system.pk),
            stale=is_stale(system, now),
            problems=list(latest[system.pk].problems.order_by("id")[:PROBLEMS_SHOWN])
            if system.pk in latest
            else [],
        )
        for system in systems
    ]
