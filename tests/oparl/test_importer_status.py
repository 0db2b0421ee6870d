"""Sync status for staff (role by role), the scheduled sync task and the stale-sync alert."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.council.models import Paper
from rathaus.oparl.importer import ImportOptions, import_system
from rathaus.oparl.models import RemoteSystem, SyncProblem, SyncRun
from rathaus.oparl.tasks import check_stale_syncs, sync_remote_systems
from tests.conftest import make_user
from tests.oparl.remote.server import RemoteState, remote_system

pytestmark = pytest.mark.django_db

LIST = "/verwaltung/oparl/"
FAST = {"timeout": 0.4, "retries": 1, "backoff": 0.01}


@pytest.fixture
def remote() -> Iterator[RemoteState]:
    with remote_system() as state:
        yield state


@pytest.fixture
def no_second_factor(settings: Any) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False


def imported(remote: RemoteState) -> SyncRun:
    return import_system(f"{remote.base}/v11/system", ImportOptions(**FAST))


def stale_system(hours_ago: int, *, name: str = "Kreistag Musterkreis") -> RemoteSystem:
    system = RemoteSystem.objects.create(
        system_url=f"https://ris.example.org/{name.split(maxsplit=1)[0].lower()}/system",
        name=name,
        oparl_version="1.1",
        stale_after_hours=26,
    )
    last = timezone.now() - datetime.timedelta(hours=hours_ago)
    RemoteSystem.objects.filter(pk=system.pk).update(
        last_success_at=last, created=last - datetime.timedelta(days=30)
    )
    system.refresh_from_db()
    return system


# --- the staff page ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.usefixtures("no_second_factor")
@pytest.mark.parametrize("role", [roles.CITIZEN, roles.CLERK, roles.COUNCIL_MEMBER])
def test_other_roles_get_403(client: Client, role: str) -> None:
    system = stale_system(1)
    client.force_login(make_user("jemand", role))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{system.pk}/").status_code == 403


def test_staff_page_needs_the_second_factor(client: Client) -> None:
    client.force_login(make_user("ratsbuero", roles.COUNCIL_OFFICE))
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


@pytest.mark.usefixtures("no_second_factor")
def test_council_office_sees_status_last_success_and_problems(
    client: Client, remote: RemoteState
) -> None:
    run = imported(remote)
    system = run.system
    client.force_login(make_user("ratsbuero", roles.COUNCIL_OFFICE))
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ratsinformationssystem Hansestadt Elbmünde" in html
    assert "mit Fehlern abgeschlossen" in html
    assert timezone.localtime(system.last_success_at).strftime("%d.%m.%Y") in html
    assert "veraltet" not in html
    first = run.problems.order_by("id").first()
    assert first is not None
    assert first.url in html
    assert first.kind in html

    detail = client.get(reverse("oparl_staff:detail", args=[system.pk])).content.decode()
    assert f"{run.error_count} Probleme" in detail
    timeout_problem = run.problems.get(kind="timeout")
    assert timeout_problem.url in detail
    assert "Zeitüberschreitung" in detail


@pytest.mark.usefixtures("no_second_factor")
def test_stale_system_is_marked(client: Client) -> None:
    stale = stale_system(30)
    fresh = stale_system(2, name="Samtgemeinde Beispiel")
    SyncRun.objects.create(
        system=stale,
        status=SyncRun.Status.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    client.force_login(make_user("admin", roles.ADMINISTRATOR))
    html = client.get(LIST).content.decode()
    assert html.count('class="badge badge-warn">veraltet') == 1
    assert "länger nicht vollständig abgeglichen" in html
    assert "abgebrochen" in html
    row = html[html.index(stale.name) :]
    assert "veraltet" in row[: row.index("</tr>")]
    assert fresh.name in html
    detail = client.get(reverse("oparl_staff:detail", args=[stale.pk])).content.decode()
    assert "seit mehr als 26 Stunden kein vollständiger Abgleich" in detail


@pytest.mark.usefixtures("no_second_factor")
def test_problems_are_paginated_and_runs_selectable(client: Client) -> None:
    system = stale_system(1)
    old = SyncRun.objects.create(
        system=system, status=SyncRun.Status.SUCCEEDED, started_at=timezone.now()
    )
    new = SyncRun.objects.create(
        system=system,
        status=SyncRun.Status.SUCCEEDED_WITH_ERRORS,
        started_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    SyncProblem.objects.bulk_create(
        SyncProblem(
            run=new, url=f"https://ris.example.org/paper/{i}", kind="missing_field", message="x"
        )
        for i in range(60)
    )
    client.force_login(make_user("ratsbuero", roles.COUNCIL_OFFICE))
    url = reverse("oparl_staff:detail", args=[system.pk])
    first = client.get(url).content.decode()
    assert "60 Probleme" in first
    assert "https://ris.example.org/paper/0<" in first
    assert "https://ris.example.org/paper/59<" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "https://ris.example.org/paper/59<" in second
    older = client.get(url, {"lauf": old.pk}).content.decode()
    assert "0 Probleme" in older
    assert client.get(url, {"lauf": 999999}).status_code == 404


# --- tasks ------------------------------------------------------------------------------------


def test_stale_sync_alerts_council_office_and_administrators(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_user("ratsbuero", roles.COUNCIL_OFFICE)
    make_user("admin", roles.ADMINISTRATOR)
    make_user("clerk", roles.CLERK)
    stale = stale_system(30)
    stale_system(2, name="Samtgemeinde Beispiel")

    with caplog.at_level(logging.ERROR, logger="rathaus.oparl.tasks"):
        assert check_stale_syncs.call() == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.url for r in errors] == [stale.system_url]  # type: ignore[attr-defined]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["admin@example.org", "ratsbuero@example.org"]
    assert message.subject == "OParl-Abgleich veraltet: Kreistag Musterkreis"
    assert stale.system_url in message.body
    assert "/verwaltung/oparl/" in message.body

    # The next check in the same period logs again but does not mail again.
    assert check_stale_syncs.call() == 0
    assert len(mail.outbox) == 1


def test_fresh_and_new_systems_raise_no_alert(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_user("ratsbuero", roles.COUNCIL_OFFICE)
    stale_system(25)
    # Never succeeded, but just added: it gets stale_after_hours for its first import.
    RemoteSystem.objects.create(system_url="https://neu.example.org/system")
    assert check_stale_syncs.call() == 0
    assert mail.outbox == []


def test_never_successful_system_becomes_stale() -> None:
    system = RemoteSystem.objects.create(system_url="https://kaputt.example.org/system")
    RemoteSystem.objects.filter(pk=system.pk).update(
        created=timezone.now() - datetime.timedelta(hours=27)
    )
    assert check_stale_syncs.call() == 1


def test_scheduled_sync_imports_incrementally(remote: RemoteState, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    imported(remote)
    broken = RemoteSystem.objects.create(system_url=f"{remote.base}/fault/500/system")
    results = sync_remote_systems.call(timeout=0.4, retries=0)
    assert results == {
        f"{remote.base}/v11/system": SyncRun.Status.SUCCEEDED_WITH_ERRORS,
        broken.system_url: "failed",
    }
    latest = SyncRun.objects.filter(system__system_url=f"{remote.base}/v11/system").first()
    assert latest is not None
    assert latest.incremental
    assert Paper.objects.get(origin_url=f"{remote.base}/v11/paper/4").deleted
