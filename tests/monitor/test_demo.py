"""The monitor's demo: strategy, devices, headcounts, an OParl check of our own endpoint, the
XZuFi export recorded for the portals, and an audit that finds the planted problems."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core.demo import load_demo
from rathaus.monitor.demo import (
    EXPORT_PORTAL,
    FAULTY_PAGES,
    give_catalog_a_past,
    load_monitor_demo,
    serve_site,
)
from rathaus.monitor.models import (
    AccessibilityStatement,
    AuditFinding,
    AuditPage,
    AuditRun,
    Device,
    Headcount,
    Measure,
    MetricSnapshot,
    OParlCheck,
    PortalStatus,
    Strategy,
)
from rathaus.monitor.services import compute_all


def _counts() -> dict[str, int]:
    return {
        "devices": Device.objects.count(),
        "measures": Measure.objects.count(),
        "headcounts": Headcount.objects.count(),
        "oparl_checks": OParlCheck.objects.count(),
        "portal": PortalStatus.objects.count(),
        "audits": AuditRun.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_loads_the_monitor_and_a_second_run_adds_nothing() -> None:
    result = load_demo(cases=0).monitor

    assert result.warnings == []
    assert 300 <= Device.objects.count() <= 450
    assert not Device.objects.filter(holder="").exists()
    assert not Device.objects.filter(office__isnull=True).exists()
    assert Device.objects.values("holder").distinct().count() >= 300
    strategy = Strategy.objects.get()
    assert Measure.objects.filter(goal__strategy=strategy).count() == result.measures >= 10
    assert Headcount.objects.values("office").distinct().count() >= 15

    check = OParlCheck.objects.get()
    assert check == result.oparl_check
    assert check.error == ""
    assert check.checked >= 10
    assert check.valid == check.checked
    assert {"System", "Body", "Organization", "Meeting", "Paper"} <= set(check.results)

    published = set(Service.objects.published().values_list("pk", flat=True))
    assert published
    assert result.exported == len(published)
    exported = PortalStatus.objects.filter(portal=EXPORT_PORTAL, exported_at__isnull=False)
    assert set(exported.values_list("service_id", flat=True)) == published
    xml = (Path(settings.DATA_DIR) / "exports" / "leistungen-xzufi.xml").read_bytes()
    assert xml.startswith(b"<?xml")
    assert b"xzufi" in xml.lower()
    assert AuditRun.objects.count() == 0  # switched off in tests (RATHAUS_DEMO_AUDIT)

    before = _counts()
    again = load_demo(cases=0).monitor
    assert _counts() == before
    assert again.oparl_check == check


@pytest.mark.django_db
def test_the_demo_catalog_gets_a_past_and_keeps_it() -> None:
    load_demo(cases=0)
    today = timezone.localdate()
    online_now = Service.objects.published().online().count()

    went_online = give_catalog_a_past(today, random.Random(1))

    assert 10 <= went_online < online_now
    year_ago, now = today - dt.timedelta(days=364), today
    compute_all(year_ago, only=["q2.online_share"])
    compute_all(now, only=["q2.online_share"])
    before = MetricSnapshot.objects.get(metric_id="q2.online_share", day=year_ago)
    after = MetricSnapshot.objects.get(metric_id="q2.online_share", day=now)
    assert after.detail["online"] == online_now
    assert before.detail["total"] == after.detail["total"]
    assert after.detail["online"] - before.detail["online"] == went_online
    # A second run (or a real catalog with a past) is left alone.
    versions = Service.history.model.objects.count()
    assert give_catalog_a_past(today, random.Random(1)) == 0
    assert Service.history.model.objects.count() == versions


@pytest.mark.django_db(transaction=True)
def test_the_demo_site_is_audited_with_its_stylesheet(settings: Any) -> None:
    # As in production: hashed names from the manifest, which only WhiteNoise serves (the
    # finders do not know them); an audit of unstyled pages would measure the wrong site.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    with serve_site() as site:
        page = httpx.get(f"{site}/leistungen/").text
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert stylesheets
        assert all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
        for href in stylesheets:
            response = httpx.get(f"{site}{href}")
            assert response.status_code == 200, href
            assert response.headers["content-type"].startswith("text/css")


@pytest.mark.django_db(transaction=True)
def test_the_demo_audit_finds_the_planted_problems(settings: Any) -> None:
    # Outside a transaction the audit runs at once: the demo site and the faulty pages are
    # served on loopback ports, Chromium with axe-core audits them, the servers stop.
    result = load_monitor_demo(history=True, audit=True, audit_pages=6)

    run = result.audit
    assert run is not None
    assert run.error == "", result.warnings
    assert result.warnings == []
    pages = {p.url.rsplit("/", 1)[-1]: p for p in AuditPage.objects.filter(run=run)}
    assert set(FAULTY_PAGES) <= set(pages)
    assert "" in pages  # the demo site's home page
    assert pages[""].status == 200
    for name, planted in FAULTY_PAGES.items():
        rules = set(AuditFinding.objects.filter(page=pages[name]).values_list("rule", flat=True))
        assert planted <= rules, (name, rules)
        assert rules - planted <= {"region", "landmark-one-main"}, (name, rules)
    assert pages["parkausweis.html"].reflows is False
    assert pages["sperrmuell.html"].reflows is True
    # The demo site is audited with its stylesheet (served as in production): its own pages
    # fit 320 px and have no serious finding.
    own = AuditPage.objects.filter(run=run).exclude(url__endswith=".html")
    assert own.count() >= 2
    assert not own.exclude(reflows=True).exists()
    assert not AuditFinding.objects.filter(page__in=own, impact__in=["serious", "critical"])
    # The figures of the day take the run into account.
    share = MetricSnapshot.objects.get(
        metric_id="q3.pages_without_serious_barriers", day=timezone.localdate()
    )
    assert share.detail["run"] == run.pk

    # The officer finds a draft of the accessibility statement from the run.
    statement = AccessibilityStatement.objects.get()
    assert statement == result.statement
    assert statement.run == run
    assert statement.status == AccessibilityStatement.Status.DRAFT
    criteria = {c for entry in statement.entries for c in entry["criteria"]}
    assert {"1.1.1", "1.4.3", "3.1.1", "1.4.10"} <= criteria

    # A second load keeps today's run and the draft.
    assert load_monitor_demo(history=False, audit=True, audit_pages=6).audit == run
    assert AuditRun.objects.count() == 1
    assert AccessibilityStatement.objects.count() == 1
