"""Submitting, paying with the test provider and downloading the receipt in a real Chromium;
axe-core finds nothing on the payment, checkout and "received" pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rathaus.accounts.models import Office
from rathaus.cases.models import Case
from tests.e2e.conftest import axe_violations
from tests.forms.helpers import make_draft, make_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    settings.RATHAUS_PAYMENT_PROVIDER = "test"
    settings.RATHAUS_CLAMAV_URL = ""


def test_submit_pay_and_download_the_receipt(
    page: Page, live_server: Any, office: Office, external_requests: list[str], tmp_path: Path
) -> None:
    draft = make_draft(make_form(office, fee_cents=2500))
    page.goto(f"{live_server.url}/antraege/entwurf/{draft.resume_token}/zusammenfassung/")

    # Without the declaration: back to the summary with the reason.
    page.get_by_role("button", name="Antrag absenden und Gebühr bezahlen").click()
    expect(page.get_by_text("Bitte bestätigen Sie, dass Ihre Angaben vollständig")).to_be_visible()
    assert not Case.objects.exists()

    page.get_by_label("Ich versichere, dass meine Angaben richtig und vollständig sind.").check()
    page.get_by_role("button", name="Antrag absenden und Gebühr bezahlen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebühr bezahlen")
    case = Case.objects.get()
    expect(page.get_by_text(case.reference)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Weiter zur Zahlung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testzahlung")
    expect(page.get_by_text("25,00 €")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Fehlschlag simulieren").click()
    expect(page.get_by_text("Die Zahlung ist fehlgeschlagen.")).to_be_visible()
    page.get_by_role("button", name="Weiter zur Zahlung").click()
    page.get_by_role("button", name="Bezahlen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Antrag ist eingegangen")
    expect(page.get_by_text("Vielen Dank, die Gebühr ist bezahlt.")).to_be_visible()
    assert axe_violations(page) == []
    case.refresh_from_db()
    assert case.payment_state == "paid"

    with page.expect_download() as info:
        page.get_by_role("link", name="Eingangsbestätigung herunterladen").click()
    download = info.value
    assert download.suggested_filename == f"Eingangsbestaetigung-{case.reference}.pdf"
    target = tmp_path / "receipt.pdf"
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert external_requests == []
