"""Two clerks at the same moment, in two threads with their own database connections.

The row lock plus the version check let exactly one of them through; the other gets
Conflict and writes nothing. Runs on PostgreSQL (row locks) and SQLite (one writer at a
time, `transaction_mode=IMMEDIATE`) alike.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import Case, CaseEvent, CaseNote
from rathaus.core.errors import Conflict
from tests.cases.conftest import new_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_threads_same_version_one_wins(office: Office, clerk: User, colleague: User) -> None:
    case = new_case(office)
    seen = case.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def work(name: str, actor: User, text: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.add_note(case.pk, actor=actor, text=text, expected_version=seen)
            outcomes[name] = "ok"
        except Conflict:
            outcomes[name] = "conflict"
        except Exception as exc:  # reported below, never swallowed
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=("a", clerk, "Notiz A")),
        threading.Thread(target=work, args=("b", colleague, "Notiz B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes.values())) == ["conflict", "ok"], outcomes
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == seen + 1
    assert CaseNote.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="note").count() == 1
