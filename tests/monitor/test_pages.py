"""The monitor's pages: public dashboard, questions, roadmap, downloads, API, staff views."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import html

from rathaus.accounts.models import Office, User
from rathaus.monitor.models import Goal, Measure, MetricSnapshot, ProgressNote, Strategy
from rathaus.monitor.registry import METRICS
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def history() -> None:
    today = timezone.localdate()
    for days_ago, value in [(300, 20.0), (200, 30.0), (100, 35.5), (0, 41.2)]:
        MetricSnapshot.objects.create(
            metric_id="q5.online_case_share",
            day=today - dt.timedelta(days=days_ago),
            value=value,
            detail={"by_channel": {"online": 4}},
        )


def test_public_overview_lists_every_question_with_its_latest_figure(
    client: Client, history: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = client.get("/digitalisierung/")
    assert response.status_code == 200
    page = html.fromstring(response.content)
    headings = [h.text_content().strip() for h in page.findall(".//h2")]
    assert headings[0].startswith("Q1")
    assert any(h.startswith("B3") for h in headings)
    assert "41,2 %" in response.content.decode()


def test_question_page_has_a_chart_with_its_data_table(client: Client, history: None) -> None:
    response = client.get("/digitalisierung/frage/q5/")
    assert response.status_code == 200
    page = html.fromstring(response.content)
    svg = page.find(".//svg")
    assert svg is not None
    assert svg.get("role") == "img"
    captions = [c.text_content() for c in page.findall(".//table/caption")]
    assert any("Anteil der online eingegangenen Anträge" in c for c in captions)
    rows = page.xpath("//table[caption[contains(., 'online eingegangenen')]]/tbody/tr")
    assert len(rows) == 4
    assert "+21,2 Prozentpunkte" in response.content.decode()
    assert client.get("/digitalisierung/frage/q9/").status_code == 404


def test_question_five_shows_the_online_share_per_service_and_month(client: Client) -> None:
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    cells: list[list[int] | None] = [None] * 12
    cells[0], cells[11] = [1, 4], [3, 3]
    MetricSnapshot.objects.create(
        metric_id="q5.online_case_share",
        day=timezone.localdate(),
        value=50.0,
        detail={
            "by_channel": {"online": 4},
            "by_service_month": {
                "months": months,
                "services": [
                    {"name": "Bewohnerparkausweis", "cells": cells, "online": 4, "total": 7}
                ],
            },
        },
    )
    page = html.fromstring(client.get("/digitalisierung/frage/q5/").content)
    table = page.xpath("//table[caption[contains(., 'je Leistung und Monat')]]")[0]
    assert table.getparent().get("role") == "region"
    heads = [th.text_content() for th in table.findall("./thead/tr/th")]
    assert heads[:2] == ["Leistung", "Jan 2026"]
    assert len(heads) == 14
    row = [cell.text_content().split() for cell in table.findall("./tbody/tr")[0]]
    assert row[0] == ["Bewohnerparkausweis"]
    assert row[1] == ["25", "%", "(1/4)"]
    assert row[2] == ["–"]
    assert row[12] == ["100", "%", "(3/3)"]
    assert row[13] == ["57,1", "%", "(4/7)"]
    # the other questions have no such table
    other = html.fromstring(client.get("/digitalisierung/frage/q6/").content)
    assert not other.xpath("//table[caption[contains(., 'je Leistung und Monat')]]")


def test_downloads_carry_every_snapshot(client: Client, history: None) -> None:
    response = client.get("/digitalisierung/kennzahlen.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["kennzahl", "frage", "einheit", "stichtag", "wert"]
    assert rows[-1][0] == "q5.online_case_share"
    assert rows[-1][4] == "41,2"
    data = json.loads(client.get("/digitalisierung/kennzahlen.json").content)
    assert len(data) == 4
    assert data[-1]["question"] == "Q5"


def test_metrics_api(client: Client, history: None) -> None:
    listing = client.get("/api/v1/metrics/").json()
    assert {m["id"] for m in listing} == set(METRICS)
    detail = client.get("/api/v1/metrics/q5.online_case_share/").json()
    assert detail["latest"]["value"] == 41.2
    assert [h["value"] for h in detail["history"]] == [20.0, 30.0, 35.5, 41.2]
    missing = client.get("/api/v1/metrics/gibt.es.nicht/")
    assert missing.status_code == 404
    assert "gibt.es.nicht" in missing.json()["message"]


def test_roadmap_shows_public_measures_with_progress(client: Client, office: Office) -> None:
    strategy = Strategy.objects.create(title="Digitale Stadt 2030")
    goal = Goal.objects.create(strategy=strategy, title="Alle Anträge online")
    public = Measure.objects.create(
        goal=goal,
        title="Online-Formulare für die zehn häufigsten Anliegen",
        owner=office,
        status=Measure.Status.IN_PROGRESS,
        due_date=timezone.localdate() - dt.timedelta(days=3),
        ozg=True,
    )
    ProgressNote.objects.create(
        measure=public, day=timezone.localdate(), text="Sechs von zehn", percent=60
    )
    Measure.objects.create(goal=goal, title="Interne Vorbereitung", owner=office, public=False)

    content = client.get("/digitalisierung/strategie/").content.decode()
    assert "Online-Formulare für die zehn häufigsten Anliegen" in content
    assert "60 %" in content
    assert "überfällig" in content
    assert "Interne Vorbereitung" not in content


def test_staff_dashboard_is_for_the_digital_officer(
    client: Client, digital_officer: User, clerk: User, history: None
) -> None:
    assert client.get("/verwaltung/digitalisierung/").status_code == 302
    verified_login(client, clerk)
    assert client.get("/verwaltung/digitalisierung/").status_code == 403
    client.logout()
    verified_login(client, digital_officer)
    response = client.get("/verwaltung/digitalisierung/")
    assert response.status_code == 200
    assert "Befunde der Barrierefreiheitsprüfung" in response.content.decode()
    assert client.get("/verwaltung/digitalisierung/barrierefreiheit/").status_code == 200


def test_recompute_enqueues_the_task(client: Client, digital_officer: User, settings: Any) -> None:
    from django_tasks import default_task_backend

    # The dummy backend keeps what was enqueued, whichever backend the run configures.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    verified_login(client, digital_officer)
    response = client.post("/verwaltung/digitalisierung/neu-berechnen/")
    assert response.status_code == 302
    names = [r.task.name for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert names == ["compute_metrics"]


def test_the_officer_keeps_strategy_and_devices_in_the_admin(
    client: Client, settings: Any, office: Office
) -> None:
    from tests.conftest import make_user

    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    read_only = ["metricsnapshot", "auditrun", "accessibilitystatement"]
    for name in ["strategy", "measure", "device", "headcount", *read_only]:
        assert client.get(f"/admin/monitor/{name}/").status_code == 200, name
    assert client.get("/admin/monitor/measure/add/").status_code == 200
    for name in read_only:
        assert client.get(f"/admin/monitor/{name}/add/").status_code == 403, name
