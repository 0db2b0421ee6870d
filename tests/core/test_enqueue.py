from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string
from django_tasks.base import Task

from rathaus.core.schedule import SCHEDULES

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.mark.parametrize("path", [p for group in SCHEDULES.values() for p in group])
def test_every_scheduled_name_is_a_task(path: str) -> None:
    assert isinstance(import_string(path), Task)


@pytest.mark.usefixtures("stored_tasks")
def test_schedule_group_enqueues_its_tasks() -> None:
    from django_tasks import default_task_backend

    out = StringIO()
    call_command("enqueue", "--schedule", "daily", stdout=out)
    names = [r.task.name for r in default_task_backend.results]  # type: ignore[attr-defined]
    # Every task of the group, in its order (the list grows as pillars add daily work).
    assert names == [path.rsplit(".", 1)[1] for path in SCHEDULES["daily"]]
    assert "send_alert_digests: eingereiht" in out.getvalue()


@pytest.mark.usefixtures("stored_tasks")
def test_bad_names_are_refused_before_anything_is_queued() -> None:
    from django_tasks import default_task_backend

    with pytest.raises(CommandError, match="keine solche Aufgabe"):
        call_command("enqueue", "rathaus.core.tasks.ping", "rathaus.core.tasks.nope")
    with pytest.raises(CommandError, match="keine Hintergrundaufgabe"):
        call_command("enqueue", "rathaus.core.schedule.SCHEDULES")
    assert default_task_backend.results == []  # type: ignore[attr-defined]
