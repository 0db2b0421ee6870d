"""The released accessibility statement passes axe in a real Chromium, in German and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page

from rathaus.monitor.models import AuditFinding, AuditPage, AuditRun
from rathaus.monitor.statement import draft_from_audit, release
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def released(db: None) -> None:
    started = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
    run = AuditRun.objects.create(started_at=started, finished_at=started)
    for depth, reflows in enumerate([True, False]):
        page = AuditPage.objects.create(
            run=run,
            url=f"http://testserver/{depth}/",
            title=f"Seite {depth}",
            depth=depth,
            reflows=reflows,
        )
        AuditFinding.objects.create(
            page=page,
            rule="color-contrast",
            criteria=["1.4.3"],
            impact="serious",
            selector="p",
            help="Elements must meet minimum color contrast ratio thresholds",
        )
    release(draft_from_audit(run, None), user=None)


@pytest.mark.parametrize("language", ["", "/en"])
def test_released_statement_has_no_wcag_violations(
    page: Page, live_server: Any, released: None, external_requests: list[str], language: str
) -> None:
    response = page.goto(live_server.url + language + "/barrierefreiheit/")
    assert response is not None
    assert response.status == 200
    assert page.locator("main").inner_text().count("1.4.3 Kontrast (Minimum)") == 1
    assert axe_violations(page) == []
    assert external_requests == []
