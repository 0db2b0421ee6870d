"""The back office in Chromium: inbox, case page (also with an error summary), registration.

axe-core finds no WCAG 2.1 A/AA violation, nothing is loaded from another host, and the
pages work without JavaScript (plain forms).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import LetterTemplate, MediaBreak
from tests.conftest import verified_login
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_server: Any, user: User) -> None:
    """The session of a password + TOTP sign-in, handed to the browser as its cookie."""
    client = Client()
    verified_login(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": cookie.value,
                "domain": urlsplit(live_server.url).hostname or "localhost",
                "path": "/",
            }
        ]
    )


def test_back_office_pages_are_accessible(
    page: Page,
    live_server: Any,
    external_requests: list[str],
    office: Office,
    clerk: User,
    citizen: User,
) -> None:
    case = services.create_case(
        office=office,
        channel="online",
        subject="Hundeanmeldung Bello",
        applicant=citizen,
        applicant_name="Erika Mustermann",
        data={"hund": "Bello"},
    )
    services.add_note(case, actor=clerk, text="Rückfrage zum Impfpass")
    services.record_media_break(case, actor=clerk, kind=MediaBreak.Kind.PRINTED)
    LetterTemplate.objects.create(
        name="Bestätigung", office=office, subject="Ihr Antrag {{ reference }}", body="Guten Tag."
    )
    sign_in(page, live_server, clerk)

    page.goto(f"{live_server.url}/verwaltung/vorgaenge/")
    expect(page.locator("h1")).to_have_text("Posteingang der Vorgänge")
    expect(page.locator("main table")).to_contain_text(case.reference)
    assert axe_violations(page) == []

    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("h1")).to_contain_text(case.reference)
    assert axe_violations(page) == []

    # A colleague changes the case meanwhile: the note form answers with an error summary.
    services.add_note(case, actor=None, text="dazwischen")
    page.fill("textarea[name='note-text']", "Mein Vermerk")
    page.get_by_role("button", name="Notiz speichern").click()
    expect(page.locator(".error-summary")).to_contain_text("inzwischen geändert")
    expect(page.locator("textarea[name='note-text']")).to_have_value("Mein Vermerk")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/verwaltung/vorgaenge/erfassen/")
    page.get_by_role("button", name="Vorgang anlegen").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []
    assert external_requests == []
