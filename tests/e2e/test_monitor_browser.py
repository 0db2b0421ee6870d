"""The digitalization officer follows question 3 to the audit findings, writes the answer to
the inquiry and downloads it as PDF and DOCX; the public monitor pages pass axe-core."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from rathaus.accounts import roles
from rathaus.monitor.models import AuditFinding, AuditPage, AuditRun, MetricSnapshot
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import axe_violations
from tests.monitor.conftest import seed_like_inquiry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def monitor_data(settings: Any, office: Any) -> None:
    from django.utils import timezone

    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    make_user("digi", roles.DIGITAL_OFFICER, office=office)
    today = timezone.localdate()
    for days_ago, value in [(330, 28.0), (200, 36.5), (60, 44.0)]:
        MetricSnapshot.objects.create(
            metric_id="q5.online_case_share", day=today - dt.timedelta(days=days_ago), value=value
        )
    run = AuditRun.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    page = AuditPage.objects.create(
        run=run, url="https://rathaus.example/leistungen/hund/", title="Hund anmelden", depth=1
    )
    AuditFinding.objects.create(
        page=page,
        rule="image-alt",
        criteria=["1.1.1"],
        impact="critical",
        selector="#wappen",
        help="Images must have alternate text",
    )


def test_public_monitor_pages_pass_axe(page: Page, live_server: Any, monitor_data: None) -> None:
    for path in ["/digitalisierung/", "/digitalisierung/frage/Q5/", "/digitalisierung/strategie/"]:
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        assert axe_violations(page) == [], path
    page.goto(live_server.url + "/en/digitalisierung/frage/Q5/")
    assert axe_violations(page) == []


def test_officer_follows_q3_and_writes_the_answer(
    page: Page, live_server: Any, monitor_data: None
) -> None:
    seed_like_inquiry()
    page.goto(live_server.url + "/verwaltung/digitalisierung/")
    page.fill("input[name=username]", "digi")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/verwaltung/digitalisierung/")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Befunde der Barrierefreiheitsprüfung").click()
    expect(page.locator("main")).to_contain_text("image-alt")
    expect(page.locator("main")).to_contain_text("#wappen")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Antworten auf Anfragen").click()
    page.get_by_role("button", name="Antwort zu 2020/123 erstellen").click()
    expect(page.locator("h1")).to_have_text("Antwort der Verwaltung")
    assert axe_violations(page) == []
    page.fill("#section-0", "Die Strategie koordiniert die Stabsstelle Digitalisierung.")
    page.get_by_role("button", name="Text speichern").click()
    expect(page.locator(".message-success")).to_be_visible()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").click()
    pdf = PdfReader(io.BytesIO(Path(pdf_download.value.path()).read_bytes()))
    pdf_text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Frage 1" in pdf_text
    assert "koordiniert die Stabsstelle Digitalisierung" in pdf_text

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Word (DOCX)").click()
    document = Document(io.BytesIO(Path(docx_download.value.path()).read_bytes()))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    assert "Frage 8: Wie bewertet die Verwaltung das Bürgerinformationssystem?" in docx_text
    assert "koordiniert die Stabsstelle Digitalisierung" in docx_text


def test_officer_keeps_strategy_devices_and_statement_in_accessible_pages(
    page: Page, live_server: Any, monitor_data: None
) -> None:
    page.goto(live_server.url + "/verwaltung/digitalisierung/strategie/")
    page.fill("input[name=username]", "digi")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/verwaltung/digitalisierung/strategie/")
    assert axe_violations(page) == []

    # A new strategy, first refused without a title (error summary), then stored.
    page.goto(live_server.url + "/verwaltung/digitalisierung/strategie/neu/")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    assert axe_violations(page) == []
    page.fill("input[name=title]", "Digitale Hansestadt 2030")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Digitale Hansestadt 2030")

    for path in [
        "/verwaltung/digitalisierung/geraete/",
        "/verwaltung/digitalisierung/geraete/neu/",
        "/verwaltung/digitalisierung/geraete/import/",
        "/verwaltung/digitalisierung/geraete/personalstand/",
    ]:
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        assert axe_violations(page) == [], path

    # The statement, drafted from the audit run of the fixture, edited in an accessible form.
    page.goto(live_server.url + "/verwaltung/digitalisierung/barrierefreiheit/")
    page.get_by_role("button", name="Entwurf aus der letzten Prüfung erstellen").click()
    expect(page.locator("h1")).to_contain_text("Erklärung zur Barrierefreiheit")
    assert "1.1.1 Nicht-Text-Inhalte" in page.content()  # the entry's editable title
    assert axe_violations(page) == []
