"""A citizen finds a service with the keyboard alone, in a real Chromium, and axe finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rathaus.catalog.models import Service
from tests.conftest import make_service
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog(office: Any, life_situation: Any) -> list[Service]:
    return [
        make_service(
            office=office,
            life_situations=[life_situation],
            description="Der Personalausweis ist bis zu zehn Jahre gültig.",
            documents="Altes Ausweisdokument, ein biometrisches Passfoto",
            fees="37,00 Euro",
            keywords="Ausweis, Perso",
            channel_phone=True,
        ),
        make_service(
            leika_key="99108001001000",
            name="Hundesteuer – Anmeldung",
            summary="Wer in Buxtehude einen Hund hält, meldet ihn zur Hundesteuer an.",
            office=office,
            maturity_level=3,
            channel_online=True,
            online_service_url="https://service.example.org/hundesteuer",
            online_service_name="Hundesteuer online",
        ),
        make_service(
            leika_key="99115001001000",
            name="Meldebescheinigung",
            summary="Eine Bescheinigung über Ihre gemeldete Wohnung.",
            office=office,
        ),
    ]


def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus, like a keyboard user."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_search_open_and_switch_language_with_keyboard_only(
    page: Page, live_server: Any, catalog: list[Service], external_requests: list[str]
) -> None:
    page.goto(live_server.url + "/")
    tab_to(page, "header [role=search] input[type=search]")
    page.keyboard.type("Personalausweis")
    page.keyboard.press("Enter")
    # The header box searches the whole site; services come first among its groups.
    page.wait_for_url("**/suche/?q=Personalausweis")

    first_result = page.locator("main a[href$='/leistungen/personalausweis-beantragen/']").first
    expect(first_result).to_be_visible()
    tab_to(page, "main a[href$='/leistungen/personalausweis-beantragen/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leistungen/personalausweis-beantragen/")

    expect(page.locator("h1")).to_have_text("Personalausweis beantragen")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("a[hreflang=en]")).to_have_text("English")
    tab_to(page, "a[hreflang=en]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/leistungen/personalausweis-beantragen/")

    assert page.url.endswith("/en/leistungen/personalausweis-beantragen/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Personalausweis beantragen")
    assert external_requests == []


def test_skip_link_is_first_and_moves_focus_to_main(
    page: Page, live_server: Any, catalog: list[Service]
) -> None:
    page.goto(live_server.url + "/leistungen/a-z/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    expect(page.locator(".skip-link")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_finder_works_without_javascript(
    browser: Any, live_server: Any, catalog: list[Service]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/leistungen/")
    page.fill("main input[name=q]", "Hund")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Hundesteuer – Anmeldung")
    page.check("main input[name=online]")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Hundesteuer – Anmeldung")
    expect(page.locator("main")).not_to_contain_text("Meldebescheinigung")
    context.close()


PAGES = [
    ("home", "/"),
    ("finder", "/leistungen/"),
    ("results", "/leistungen/?q=Personalausweis"),
    ("detail", "/leistungen/personalausweis-beantragen/"),
    ("a-z", "/leistungen/a-z/"),
    ("office", "/leistungen/dienststellen/buergerservice/"),
    ("maturity", "/leistungen/reifegrade/"),
    ("accessibility statement", "/barrierefreiheit/"),
]


@pytest.mark.parametrize("language", ["", "/en"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_wcag_violations(
    page: Page,
    live_server: Any,
    catalog: list[Service],
    external_requests: list[str],
    language: str,
    name: str,
    path: str,
) -> None:
    response = page.goto(live_server.url + language + path)
    assert response is not None
    assert response.status == 200, f"{name}: HTTP {response.status}"
    assert axe_violations(page) == []
    assert external_requests == []


def test_mobile_viewport_has_no_horizontal_scrolling(
    browser: Any, live_server: Any, catalog: list[Service], office: Any
) -> None:
    # WCAG 1.4.10 asks for 320 CSS pixels; a long compound in a heading once broke it.
    long_word = make_service(
        leika_key="99001001099000",
        name="Wohnungsgeberbestätigungsformular ausstellen",
        summary="Vermieter bestätigen den Einzug.",
        office=office,
    )
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    for path in (
        "/",
        "/leistungen/?q=Hund",
        "/leistungen/personalausweis-beantragen/",
        long_word.get_absolute_url(),
        "/leistungen/?q=Wohnungsgeber",
    ):
        page.goto(live_server.url + path)
        # not window.innerWidth: a phone zooms out to fit wide content, and it grows with it
        overflow = page.evaluate("document.documentElement.scrollWidth") - 320
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px width"
    context.close()
