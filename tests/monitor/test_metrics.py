"""The metric registry and the daily snapshots, computed from real records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.cases.models import Case, Channel, MediaBreak, State
from rathaus.cases.services import create_case
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service
from rathaus.monitor.models import MetricSnapshot
from rathaus.monitor.registry import METRICS, QUESTIONS, Measurement, metric
from rathaus.monitor.services import compute_all

pytestmark = pytest.mark.django_db


def test_every_metric_is_fully_defined() -> None:
    assert len(METRICS) >= 7
    for item in METRICS.values():
        assert item.question in QUESTIONS
        assert str(item.title)
        assert str(item.formula)
        assert str(item.source)
        assert str(item.reading)
        assert item.unit in {"percent", "count", "days", "score", "euro"}


def test_a_metric_id_cannot_be_defined_twice() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        metric(
            "q2.online_share",
            question="Q2",
            title="x",
            unit="count",
            formula="x",
            source="x",
            reading="x",
        )(lambda day: Measurement(None))


def _case(office: Office, channel: str, received: dt.datetime, **extra: Any) -> Case:
    case = create_case(office=office, channel=channel, subject="Test", received_at=received)
    if extra:
        Case.objects.filter(pk=case.pk).update(**extra)
        case.refresh_from_db()
    return case


def test_online_share_of_cases_counts_the_last_30_days(office: Office) -> None:
    today = timezone.localdate()
    now = timezone.now()
    _case(office, Channel.ONLINE, now - dt.timedelta(days=1))
    _case(office, Channel.PORTAL, now - dt.timedelta(days=2))
    _case(office, Channel.POST, now - dt.timedelta(days=3))
    _case(office, Channel.IN_PERSON, now - dt.timedelta(days=40))  # outside the window

    compute_all(today, only=["q5.online_case_share"])

    snapshot = MetricSnapshot.objects.get(metric_id="q5.online_case_share", day=today)
    assert snapshot.value == pytest.approx(66.7)
    assert snapshot.detail["by_channel"] == {"online": 1, "portal": 1, "post": 1}


def test_online_share_per_service_and_month_cuts_months_in_town_time(
    office: Office, service_factory: Any
) -> None:
    parking = service_factory(name="Bewohnerparkausweis", slug="parken", leika_key="99001001001000")
    dogs = service_factory(name="Hundesteuer", slug="hunde", leika_key="99001001002000")
    berlin = timezone.get_current_timezone()

    def at(*args: int) -> dt.datetime:
        return dt.datetime(*args, tzinfo=berlin)

    def case(service: Any, channel: str, received: dt.datetime) -> None:
        create_case(
            office=office,
            channel=channel,
            subject="Test",
            service_id=service.pk if service else None,
            received_at=received,
        )

    case(parking, Channel.ONLINE, at(2026, 1, 10, 9))
    case(parking, Channel.POST, at(2026, 1, 20, 9))
    case(parking, Channel.PORTAL, at(2026, 3, 31, 23, 30))  # 21:30 UTC: still March here
    case(dogs, Channel.IN_PERSON, at(2026, 3, 2, 8))
    case(None, Channel.EMAIL, at(2026, 2, 2, 8))
    case(parking, Channel.ONLINE, at(2025, 3, 31, 12))  # thirteen months back: outside
    case(dogs, Channel.ONLINE, at(2026, 4, 1, 0, 30))  # after the day: outside

    compute_all(dt.date(2026, 3, 31), only=["q5.online_case_share"])

    detail = MetricSnapshot.objects.get(metric_id="q5.online_case_share").detail
    table = detail["by_service_month"]
    assert table["months"][0] == "2025-04"
    assert table["months"][-1] == "2026-03"
    assert len(table["months"]) == 12
    rows = {row["name"]: row for row in table["services"]}
    assert [row["name"] for row in table["services"]] == ["Bewohnerparkausweis", "", "Hundesteuer"]
    january, february, march = (table["months"].index(m) for m in ("2026-01", "2026-02", "2026-03"))
    assert rows["Bewohnerparkausweis"]["cells"][january] == [1, 2]
    assert rows["Bewohnerparkausweis"]["cells"][march] == [1, 1]
    assert rows["Bewohnerparkausweis"]["cells"][february] is None
    assert (rows["Bewohnerparkausweis"]["online"], rows["Bewohnerparkausweis"]["total"]) == (2, 3)
    assert rows["Hundesteuer"]["cells"][march] == [0, 1]
    assert rows[""]["cells"][february] == [0, 1]


def test_catalog_figures_of_a_past_day_read_the_catalog_as_it_stood(
    service_factory: Any,
) -> None:
    parking = service_factory(
        name="Bewohnerparkausweis", slug="parken", leika_key="99001001001000", annual_cases=900
    )
    parking.channel_online = True
    parking.online_service_url = "https://service.example.org/parken"
    parking.maturity_level = 3
    catalog_services.save_service(service=parking)
    gone = service_factory(
        name="Alte Leistung", slug="alt", leika_key="99001001002000", annual_cases=100
    )
    gone_id = gone.pk
    gone.delete()
    service_factory(name="Neue Leistung", slug="neu", leika_key="99001001003000")

    now = timezone.now()
    versions = Service.history.model.objects
    offline, online = versions.filter(id=parking.pk).order_by("history_date")
    versions.filter(pk=offline.pk).update(history_date=now - dt.timedelta(days=200))
    versions.filter(pk=online.pk).update(history_date=now - dt.timedelta(days=100))
    created, deleted = versions.filter(id=gone_id).order_by("history_date")
    versions.filter(pk=created.pk).update(history_date=now - dt.timedelta(days=300))
    versions.filter(pk=deleted.pk).update(history_date=now - dt.timedelta(days=120))

    today = timezone.localdate()
    for days_ago in (150, 50, 0):
        compute_all(
            today - dt.timedelta(days=days_ago),
            only=["q2.online_share", "q2.ozg_obligation_share", "q2.missing_demand"],
        )

    def figure(metric_id: str, days_ago: int) -> MetricSnapshot:
        day = today - dt.timedelta(days=days_ago)
        return MetricSnapshot.objects.get(metric_id=metric_id, day=day)

    # 150 days ago: the parking permit offline, the old service still published
    assert figure("q2.online_share", 150).detail == {"online": 0, "total": 2}
    assert figure("q2.missing_demand", 150).value == 900 + 100
    # 50 days ago: the permit online, the old service deleted, the new one not yet there
    assert figure("q2.online_share", 50).detail == {"online": 1, "total": 1}
    assert figure("q2.ozg_obligation_share", 50).value == 100.0
    assert figure("q2.missing_demand", 50).value == 0
    # today: the live catalog
    assert figure("q2.online_share", 0).detail == {"online": 1, "total": 2}


def test_paper_free_share_counts_cases_without_media_breaks(office: Office) -> None:
    now = timezone.now()
    digital = _case(office, Channel.ONLINE, now, state=State.DECIDED, decided_at=now)
    printed = _case(office, Channel.ONLINE, now, state=State.DECIDED, decided_at=now)
    paper = _case(office, Channel.POST, now, state=State.DECIDED, decided_at=now)
    _case(office, Channel.ONLINE, now)  # still open: not counted
    MediaBreak.objects.create(case=printed, kind=MediaBreak.Kind.PRINTED, at=now)
    MediaBreak.objects.create(case=paper, kind=MediaBreak.Kind.PAPER_RECEIVED, at=now)
    MediaBreak.objects.create(case=paper, kind=MediaBreak.Kind.SCANNED, at=now)

    compute_all(only=["q6.paper_free_share"])

    snapshot = MetricSnapshot.objects.get(metric_id="q6.paper_free_share")
    assert snapshot.value == pytest.approx(33.3)
    assert snapshot.detail["cases"] == 3
    assert snapshot.detail["paper_free"] == 1
    assert snapshot.detail["media_breaks"] == {"printed": 1, "paper_in": 1, "scanned": 1}
    assert digital.media_breaks.count() == 0


def test_nothing_to_measure_is_none_not_zero() -> None:
    compute_all(only=["q5.online_case_share", "b2.video_share"])
    assert set(MetricSnapshot.objects.values_list("value", flat=True)) == {None}


def test_recomputing_a_day_replaces_its_snapshot(office: Office) -> None:
    today = timezone.localdate()
    compute_all(today, only=["q5.online_case_share"])
    _case(office, Channel.ONLINE, timezone.now())
    compute_all(today, only=["q5.online_case_share"])
    assert MetricSnapshot.objects.filter(metric_id="q5.online_case_share").count() == 1
    assert MetricSnapshot.objects.get(metric_id="q5.online_case_share").value == 100.0


def test_all_metrics_compute_on_an_empty_town() -> None:
    assert compute_all() == len(METRICS)
    assert MetricSnapshot.objects.count() == len(METRICS)


def test_a_failing_metric_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = METRICS["q2.online_share"]

    def fail(day: dt.date) -> Measurement:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(METRICS, broken.id, type(broken)(**{**broken.__dict__, "compute": fail}))
    with pytest.raises(RuntimeError, match=r"q2\.online_share"):
        compute_all()
    assert MetricSnapshot.objects.count() == len(METRICS) - 1
    assert not MetricSnapshot.objects.filter(metric_id="q2.online_share").exists()


def test_home_office_readiness_counts_people_not_devices(office: Office) -> None:
    from rathaus.monitor.models import Device, Headcount

    today = timezone.localdate()
    bought = today - dt.timedelta(days=400)
    Headcount.objects.create(office=office, as_of=today - dt.timedelta(days=800), staff=99)
    Headcount.objects.create(office=office, as_of=today - dt.timedelta(days=30), staff=10)
    for number, holder, capable, retired in [
        ("N-1", "P1", True, None),
        ("N-2", "P1", True, None),  # a second device of the same person
        ("N-3", "P2", True, today - dt.timedelta(days=1)),  # retired
        ("N-4", "P3", False, None),  # a desktop
        ("N-5", "P4", True, None),
    ]:
        Device.objects.create(
            inventory_number=number,
            kind=Device.Kind.LAPTOP if capable else Device.Kind.DESKTOP,
            office=office,
            holder=holder,
            home_office_capable=capable,
            purchased_on=bought,
            warranty_until=today + dt.timedelta(days=10),
            retired_on=retired,
        )

    compute_all(today, only=["b1.home_office_readiness", "b1.devices_out_of_warranty"])

    readiness = MetricSnapshot.objects.get(metric_id="b1.home_office_readiness")
    assert readiness.value == 20.0  # P1 and P4 of 10 staff
    assert readiness.detail["equipped_staff"] == 2
    assert readiness.detail["staff"] == 10
    assert MetricSnapshot.objects.get(metric_id="b1.devices_out_of_warranty").value == 0.0


def test_measures_done_ignores_cancelled_ones_and_counts_overdue(office: Office) -> None:
    from rathaus.monitor.models import Goal, Measure, Strategy

    goal = Goal.objects.create(strategy=Strategy.objects.create(title="Digital 2030"), title="Z")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for status, due in [
        (Measure.Status.DONE, yesterday),
        (Measure.Status.IN_PROGRESS, yesterday),  # overdue
        (Measure.Status.PLANNED, None),
        (Measure.Status.CANCELLED, yesterday),
    ]:
        Measure.objects.create(goal=goal, title=status, owner=office, status=status, due_date=due)

    compute_all(only=["q1.measures_done"])

    snapshot = MetricSnapshot.objects.get(metric_id="q1.measures_done")
    assert snapshot.value == pytest.approx(33.3)
    assert snapshot.detail["overdue"] == 1


def test_readability_of_service_texts(service_factory: Any) -> None:
    service_factory(
        name="Hund anmelden",
        summary="Sie haben einen Hund. Melden Sie ihn an. Das geht online.",
        description="",
    )
    service_factory(
        leika_key="99010004002000",
        slug="amtsdeutsch",
        name="Amtsdeutsch",
        summary=(
            "Die Inanspruchnahme der Verwaltungsleistung setzt die Vorlage eines gültigen "
            "Identitätsnachweises sowie die vollständige Beibringung sämtlicher "
            "entscheidungserheblicher Unterlagen voraus."
        ),
        description="",
    )

    compute_all(only=["q3.service_texts_readable"])

    snapshot = MetricSnapshot.objects.get(metric_id="q3.service_texts_readable")
    assert snapshot.value == 50.0
    assert snapshot.detail["texts"] == 2
    assert snapshot.detail["hardest"][0]["name"] == "Amtsdeutsch"


def test_audit_metrics_read_the_latest_finished_run(office: Office) -> None:
    from rathaus.monitor.models import AuditFinding, AuditPage, AuditRun

    now = timezone.now()
    old = AuditRun.objects.create(
        started_at=now - dt.timedelta(days=9), finished_at=now - dt.timedelta(days=9)
    )
    AuditPage.objects.create(run=old, url="https://a.example/", depth=0, reflows=False)
    run = AuditRun.objects.create(started_at=now, finished_at=now)
    clean = AuditPage.objects.create(run=run, url="https://a.example/", depth=0, reflows=True)
    bad = AuditPage.objects.create(run=run, url="https://a.example/b", depth=1, reflows=True)
    AuditPage.objects.create(run=run, url="https://a.example/c", depth=1, reflows=False)
    AuditFinding.objects.create(page=bad, rule="image-alt", impact="critical", selector="img")
    AuditFinding.objects.create(page=clean, rule="region", impact="moderate", selector="p")

    compute_all(only=["q3.pages_without_serious_barriers", "q3.mobile_reflow"])

    barriers = MetricSnapshot.objects.get(metric_id="q3.pages_without_serious_barriers")
    assert barriers.value == pytest.approx(66.7)
    assert barriers.detail["by_impact"] == {"critical": 1, "moderate": 1}
    assert MetricSnapshot.objects.get(metric_id="q3.mobile_reflow").value == pytest.approx(66.7)


def test_newsletter_reach_counts_confirmed_active_subscribers() -> None:
    from rathaus.newsletter.models import Issue, Subscriber

    now = timezone.now()
    for i, (confirmed, unsubscribed) in enumerate(
        [(True, False), (True, False), (True, True), (False, False)]
    ):
        Subscriber.objects.create(
            email=f"leser{i}@example.org",
            token=f"t{i}",
            consent_text="Ja, bitte.",
            consent_at=now,
            confirmed_at=now if confirmed else None,
            unsubscribed_at=now if unsubscribed else None,
        )
    Issue.objects.create(subject="Ausgabe 1", status="sent", sent_at=now, recipient_count=2)

    compute_all(only=["b3.newsletter_subscribers"])

    snapshot = MetricSnapshot.objects.get(metric_id="b3.newsletter_subscribers")
    assert snapshot.value == 2.0
    assert snapshot.detail == {"issues_30_days": 1, "mails_30_days": 2}
