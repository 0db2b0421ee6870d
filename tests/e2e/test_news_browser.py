"""News, events and the site search in a real Chromium: the header search finds the service,
the online form and the council paper for "Hundesteuer"; axe-core finds nothing on the news,
event and search pages."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from rathaus.accounts.models import Office
from rathaus.council import services as council_services
from rathaus.council.models import Body, Paper
from rathaus.news import services as news_services
from rathaus.news.models import Announcement, Category, Topic
from tests.conftest import make_service
from tests.core.test_site_search import make_form
from tests.e2e.conftest import axe_violations
from tests.news.conftest import make_announcement, make_event, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town(office: Office, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    culture = Category.objects.create(name="Kultur und Freizeit", slug="kultur")
    topic = Topic.objects.create(name="Kultur", slug="kultur")
    service = make_service(
        leika_key="99105001001000",
        name="Hundesteuer: Hund anmelden",
        summary="Wer in Buxtehude einen Hund hält, meldet ihn zur Hundesteuer an.",
        office=office,
    )
    form = make_form(office, "Hund zur Hundesteuer anmelden")
    body = Body.objects.create(name="Hansestadt Buxtehude")
    paper = Paper.objects.create(
        body=body,
        reference="2026/230",
        name="Änderung der Hundesteuersatzung",
        paper_type="Beschlussvorlage",
        date=timezone.localdate(),
    )
    council_services.sync_search_index(papers=[paper])
    news = Announcement(
        title="Stadtbibliothek öffnet sonntags",
        summary="Ab sofort auch sonntags von 11 bis 17 Uhr.",
        body=(
            "<p>Ausleihe und Rückgabe mit dem Bibliotheksausweis.</p>"
            "<h2>Zeiten</h2><ul><li>Sonntag 11–17 Uhr</li></ul>"
        ),
        category=culture,
        image_alt="Lesesaal der Stadtbibliothek mit hohen Fenstern",
        status="published",
        publish_at=timezone.now() - datetime.timedelta(days=1),
    )
    news_services.save_item(
        item=news, topics=[topic], image=SimpleUploadedFile("saal.png", png_bytes((320, 200)))
    )
    notice = make_announcement(
        "Bebauungsplan Nr. 112 „Giselbertstraße“",
        kind=Announcement.Kind.NOTICE,
        legal_effect_date=timezone.localdate(),
    )
    start = timezone.now() + datetime.timedelta(days=3)
    event = make_event(
        "Jazz am Hafen",
        category=culture,
        topics=[topic],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )
    return {
        "service": service,
        "form": form,
        "paper": paper,
        "news": news,
        "notice": notice,
        "event": event,
    }


def test_header_search_finds_service_form_and_paper(
    page: Page, live_server: Any, town: dict[str, Any], external_requests: list[str]
) -> None:
    page.goto(live_server.url + "/aktuelles/")
    box = page.locator("header [role=search] input[type=search]")
    box.fill("Hundesteuer")
    box.press("Enter")
    page.wait_for_url("**/suche/?q=Hundesteuer")

    for group, link in (
        ("leistungen", town["service"].get_absolute_url()),
        ("antraege", "/antraege/hund-anmelden/"),
        ("ratsdokumente", town["paper"].get_absolute_url()),
    ):
        section = page.locator(f"#treffer-{group}")
        expect(section).to_be_visible()
        expect(section.locator(f"a[href='{link}']")).to_be_visible()
    expect(page.locator("#treffer-leistungen h2")).to_contain_text("Leistungen")
    expect(page.locator("#treffer-antraege h2")).to_contain_text("Online-Anträge")
    expect(page.locator("#treffer-ratsdokumente h2")).to_contain_text("Ratsdokumente")
    assert axe_violations(page) == []

    # "alle Treffer dieser Art" lists one group on its own.
    page.locator("#treffer-ratsdokumente a", has_text="Alle Treffer dieser Art").click()
    page.wait_for_url("**/suche/?q=Hundesteuer&art=ratsdokumente")
    expect(page.locator("h1")).to_have_text("Suche: Ratsdokumente")
    assert axe_violations(page) == []

    page.goto(live_server.url + "/suche/?q=Hundestuer")
    expect(page.locator(".suggestion a")).to_have_text("Hundesteuer")
    page.goto(live_server.url + "/suche/?q=xqzzvvkk")
    expect(page.locator(".empty-state")).to_contain_text("nichts gefunden")
    assert axe_violations(page) == []
    page.goto(live_server.url + "/suche/")
    assert axe_violations(page) == []
    assert external_requests == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("news list", "/aktuelles/"),
        ("news list filtered", "/aktuelles/?rubrik=kultur&art=news"),
        ("notices", "/aktuelles/bekanntmachungen/"),
        ("events", "/aktuelles/veranstaltungen/"),
        ("event month", "/aktuelles/veranstaltungen/kalender/"),
    ],
)
def test_news_pages_have_no_axe_violations(
    page: Page,
    live_server: Any,
    town: dict[str, Any],
    external_requests: list[str],
    name: str,
    path: str,
) -> None:
    page.goto(live_server.url + path)
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == [], name
    assert external_requests == []


def test_news_detail_with_image_and_event_detail(
    page: Page, live_server: Any, town: dict[str, Any], external_requests: list[str]
) -> None:
    page.goto(live_server.url + town["news"].get_absolute_url())
    image = page.locator("main figure img")
    expect(image).to_have_attribute("alt", "Lesesaal der Stadtbibliothek mit hohen Fenstern")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320
    assert axe_violations(page) == []

    page.goto(live_server.url + town["notice"].get_absolute_url())
    expect(page.locator("main dl.facts")).to_contain_text("rechtswirksam ab")
    assert axe_violations(page) == []

    page.goto(live_server.url + town["event"].get_absolute_url())
    expect(page.locator("main dl.facts")).to_contain_text("Ebenerdiger Zugang")
    with page.expect_download() as download:
        page.get_by_role("link", name="In Kalender übernehmen").click()
    assert download.value.suggested_filename == "jazz-am-hafen.ics"
    assert axe_violations(page) == []
    assert external_requests == []
