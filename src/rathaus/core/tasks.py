"""Background tasks of the core (django-tasks; database backend or RQ, see settings.TASKS)."""

from __future__ import annotations

from django_tasks import task

PONG = "pong"


@task()
def ping() -> str:
    """Does nothing but answer: ops and tests enqueue it to see that a worker runs."""
    return PONG
