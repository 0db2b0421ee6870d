"""Sign-up and sign-in pages in Chromium: no axe findings, errors reachable, nothing external."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_and_sign_in_pages(
    page: Page, live_server: Any, settings: Any, external_requests: list[str]
) -> None:
    settings.RATHAUS_OIDC_ISSUER = "https://servicekonto.example.org"
    settings.RATHAUS_OIDC_CLIENT_ID = "rathaus"
    settings.RATHAUS_OIDC_LABEL = "Servicekonto Niedersachsen"

    page.goto(live_server.url + "/konto/anmelden/")
    expect(page.get_by_role("link", name="Anmelden mit Servicekonto Niedersachsen")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Konto anlegen").click()
    expect(page.locator("h1")).to_have_text("Konto anlegen")
    assert axe_violations(page) == []

    # Sent empty: the summary at the top links to each field with its message.
    page.get_by_role("button", name="Konto anlegen").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="E-Mail-Adresse").click()
    expect(page.locator("#id_email")).to_be_focused()
    assert axe_violations(page) == []

    page.fill("#id_first_name", "Greta")
    page.fill("#id_last_name", "Behrens")
    page.fill("#id_email", "greta@example.org")
    page.fill("#id_password1", "Laterne-Schwimmbad-42")
    page.fill("#id_password2", "Laterne-Schwimmbad-42")
    page.check("#id_privacy")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.locator("h1")).to_have_text("Bitte bestätigen Sie Ihre E-Mail-Adresse")
    expect(page.locator("[role=status]")).to_contain_text("greta@example.org")
    assert axe_violations(page) == []

    page.goto(live_server.url + "/konto/registrieren/bestaetigen/kaputt/")
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()
    expect(page.locator("[role=alert]")).to_contain_text("ungültig")
    assert axe_violations(page) == []
    assert external_requests == []
