"""A head of department signs in with password and TOTP code, edits and publishes a service."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.accounts import roles
from rathaus.catalog.models import Service
from tests.accounts.conftest import device_code
from tests.conftest import PASSWORD, make_service, make_user
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office_lead(office: Any, settings: Any) -> tuple[Any, TOTPDevice]:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    user = make_user("fbl", roles.OFFICE_LEAD, office=office)
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    return user, device


def test_sign_in_with_second_factor_edit_and_publish(
    page: Page, live_server: Any, office: Any, office_lead: tuple[Any, TOTPDevice]
) -> None:
    _user, device = office_lead
    draft = make_service(
        office=office,
        name="Bewohnerparkausweis",
        leika_key="99018001001000",
        status=Service.Status.DRAFT,
        published_at=None,
    )

    page.goto(live_server.url + "/verwaltung/leistungen/")
    expect(page.locator("h1")).to_contain_text("Anmelden")
    assert axe_violations(page) == []
    page.fill("input[name=username]", "fbl")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()

    expect(page.locator("h1")).to_have_text("Anmeldung bestätigen")
    assert axe_violations(page) == []
    page.fill("input[name=code]", "000000" if device_code(device) != "000000" else "111111")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    page.fill("input[name=code]", device_code(device))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/verwaltung/leistungen/")
    expect(page.locator("main")).to_contain_text("Bewohnerparkausweis")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/verwaltung/leistungen/{draft.pk}/")
    page.fill(
        "textarea[name=summary]", "Anwohnerinnen und Anwohner parken mit Ausweis in ihrer Zone."
    )
    page.fill("input[name=name]", "")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []
    page.fill("input[name=name]", "Bewohnerparkausweis beantragen")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".message-success")).to_be_visible()

    page.locator("form[action$='/veroeffentlichen/'] button").first.click()
    expect(page.locator(".message-success")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == Service.Status.PUBLISHED
    assert draft.name == "Bewohnerparkausweis beantragen"

    page.goto(f"{live_server.url}/verwaltung/leistungen/{draft.pk}/verlauf/")
    expect(page.locator("main")).to_contain_text("veröffentlicht")
    assert axe_violations(page) == []

    page.goto(live_server.url + "/leistungen/?q=Bewohnerparkausweis")
    expect(page.locator("main")).to_contain_text("Bewohnerparkausweis beantragen")
