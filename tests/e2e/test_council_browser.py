"""Council information system in a real Chromium: find a paper by a word from its PDF, follow
it through its consultations to a meeting, and axe-core finds nothing on the citizen pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.council.conftest import PDF_ONLY_WORD, Council, build_council
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def council(transactional_db: None, settings: Any, tmp_path: Path) -> Council:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_council()


def test_find_a_paper_by_a_word_of_its_pdf_and_follow_it_to_a_meeting(
    page: Page, live_server: Any, council: Council, external_requests: list[str]
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Ratsinformation"
    ).click()
    page.wait_for_url("**/rat/")
    page.get_by_label("Drucksachen, Tagesordnungen und Dokumente durchsuchen").fill(PDF_ONLY_WORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/rat/suche/?q={PDF_ONLY_WORD}")

    results = page.locator("ol.results > li")
    expect(results).to_have_count(1)
    expect(results.first.locator("mark")).to_have_text(PDF_ONLY_WORD)
    results.first.get_by_role("link", name="Beschlussvorlage 2026/041", exact=True).click()
    page.wait_for_url(f"**{council.vorlage.get_absolute_url()}")

    expect(page.locator("h1")).to_contain_text("Regenrückhaltebecken am Geestrand")
    history = page.get_by_role("table", name="Beratungen der Drucksache 2026/041")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(2)  # the Verwaltungsausschuss met in private
    expect(rows.nth(0)).to_contain_text("empfohlen")
    expect(rows.nth(1)).to_contain_text("beschlossen")
    rows.nth(1).get_by_role("link", name=council.rat_past.name).click()
    page.wait_for_url(f"**{council.rat_past.get_absolute_url()}#top-*")

    expect(page.locator("h1")).to_have_text(council.rat_past.name)
    item = page.locator(f"#top-{council.items['rat_vorlage'].pk}")
    expect(item).to_contain_text("Der Rat beschließt den Neubau")
    expect(item.get_by_role("table", name="Abstimmung nach Fraktionen")).to_be_visible()
    # And back to the paper from the agenda.
    item.get_by_role("link", name="2026/041 Regenrückhaltebecken am Geestrand").click()
    page.wait_for_url(f"**{council.vorlage.get_absolute_url()}")
    assert external_requests == []


def test_calendar_works_without_javascript(
    browser: Any, live_server: Any, council: Council
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    start = timezone.localtime(council.bau_next.start)
    page.goto(f"{live_server.url}/rat/kalender/{start.year}/{start.month}/")
    calendar = page.locator("table.calendar")
    expect(calendar.get_by_role("link", name=council.bau_next.name)).to_be_visible()
    page.select_option("#filter-gremium", str(council.schule.pk))
    page.locator("form.council-filter button[type=submit]").click()
    expect(calendar.get_by_role("link", name=council.bau_next.name)).to_have_count(0)
    page.locator(".month-nav a[rel=next]").click()
    expect(page.locator("caption")).to_contain_text(
        str(start.year if start.month < 12 else start.year + 1)
    )
    assert f"gremium={council.schule.pk}" in page.url
    context.close()


def pages(council: Council) -> list[tuple[str, str]]:
    start = timezone.localtime(council.bau_past.start)
    return [
        ("index", "/rat/"),
        ("calendar month", f"/rat/kalender/{start.year}/{start.month}/"),
        ("meeting list", "/rat/sitzungen/"),
        ("past meetings", "/rat/sitzungen/?zeit=vergangen"),
        ("meeting", council.bau_past.get_absolute_url()),
        ("meeting with votes", council.rat_past.get_absolute_url()),
        ("paper", council.vorlage.get_absolute_url()),
        ("inquiry", council.anfrage.get_absolute_url()),
        ("person", council.clara.get_absolute_url()),
        ("persons", "/rat/personen/"),
        ("organization", council.bau.get_absolute_url()),
        ("organizations", "/rat/gremien/"),
        ("search", "/rat/suche/?q=Regenr%C3%BCckhaltebecken"),
        ("papers", "/rat/suche/"),
    ]


@pytest.mark.parametrize("language", ["", "/en"], ids=["de", "en"])
def test_axe_finds_no_wcag_violations_on_council_pages(
    page: Page,
    live_server: Any,
    council: Council,
    external_requests: list[str],
    language: str,
) -> None:
    found: dict[str, list[str]] = {}
    for name, path in pages(council):
        response = page.goto(live_server.url + language + path)
        assert response is not None
        assert response.status == 200, f"{name}: HTTP {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language.strip("/") or "de")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}
    assert external_requests == []


def test_calendar_scrolls_inside_its_region_on_a_phone(
    browser: Any, live_server: Any, council: Council
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    for path in ("/rat/", "/rat/kalender/", council.vorlage.get_absolute_url()):
        page.goto(live_server.url + path)
        # not window.innerWidth: a phone zooms out to fit wide content, and it grows with it
        overflow = page.evaluate("document.documentElement.scrollWidth") - 320
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px width"
    context.close()
