"""End to end, in Chromium: a residents' parking permit from the application to the decision.

The citizen signs in and applies with the keyboard only (Tab, Shift+Tab, Enter, Space, arrow
keys and typing; the file is set on the focused file input, since the operating system's file
dialog cannot be driven); axe-core finds nothing on any step, the error page or the summary.
A clerk with a verified second factor takes the case and asks for a document; the citizen
answers in "Meine Anträge" with a file; the clerk decides. The case's audit trail shows each
step, in order.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, CaseDocument, State
from rathaus.core.demo import load_demo
from tests.conftest import PASSWORD, make_user, verified_login
from tests.e2e.conftest import axe_violations
from tests.forms.helpers import minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "/antraege/bewohnerparkausweis/"


def tab_to(page: Page, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `selector` has the focus, like a keyboard user."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} key presses")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def session_cookie(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")


def use_session(page: Page, live_server: Any, value: str) -> None:
    host = urlsplit(live_server.url).hostname or "localhost"
    page.context.add_cookies([{"name": "sessionid", "value": value, "domain": host, "path": "/"}])


def staff_session(user: User) -> str:
    """The session of a password + TOTP sign-in (see tests.conftest.verified_login)."""
    client = Client()
    verified_login(client, user)
    return str(client.cookies["sessionid"].value)


@pytest.fixture
def demo(settings: Any) -> dict[str, User]:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    load_demo(accounts=False, council_scale=0)
    citizen = make_user("erika", roles.CITIZEN, first_name="Erika", last_name="Mustermann")
    office = Office.objects.get(slug="ordnung-verkehr")
    clerk = make_user("petersen", roles.CLERK, office=office, first_name="Jana")
    clerk.last_name = "Petersen"
    clerk.save()
    return {"citizen": citizen, "clerk": clerk}


def test_parking_permit_from_application_to_decision(
    page: Page, live_server: Any, demo: dict[str, User], external_requests: list[str]
) -> None:
    clerk = demo["clerk"]

    # --- the citizen signs in and starts -------------------------------------------------
    login = reverse("accounts:login")
    page.goto(f"{live_server.url}{login}?{urlencode({'next': FORM})}")
    type_into(page, "input[name=username]", "erika")
    type_into(page, "input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{FORM}")
    expect(page.locator("h1")).to_have_text("Bewohnerparkausweis beantragen")
    expect(page.locator("main")).to_contain_text("Fahrzeugschein")
    assert axe_violations(page) == []
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/person/")

    # --- step 1: the person --------------------------------------------------------------
    expect(page.locator("h1")).to_have_text("Ihre Angaben")
    assert axe_violations(page) == []
    type_into(page, "#feld-vorname", "Erika")
    type_into(page, "#feld-nachname", "Mustermann")
    type_into(page, "#feld-strasse", "Westfleth 12")
    type_into(page, "#feld-plz", "2161")  # one digit short
    type_into(page, "#feld-ort", "Buxtehude")
    type_into(page, "#feld-email", "erika@example.org")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("fünfstellige Postleitzahl")
    expect(page.locator("#feld-plz")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    tab_to(page, "#error-summary a[href='#feld-plz']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "feld-plz"
    page.keyboard.press("End")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fahrzeug/")

    # --- step 2: zone and vehicle (a company car: the employer's certificate comes next) ---
    expect(page.locator("h1")).to_have_text("Zone und Fahrzeug")
    assert axe_violations(page) == []
    tab_to(page, "#feld-zone")
    page.keyboard.type("Zone B")  # a select's type-ahead
    expect(page.locator("#feld-zone")).to_have_value("B")
    type_into(page, "#feld-kennzeichen", "STD AB 123")  # no hyphen: the pattern's message
    tab_to(page, "#feld-beginn")
    page.keyboard.type("01012027")
    tab_to(page, "#feld-nutzung-1")
    page.keyboard.press("ArrowDown")  # "ein Firmenwagen …"
    expect(page.locator("#feld-nutzung-2")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_contain_text("z. B. STD-AB 123")
    assert axe_violations(page) == []
    # Back up through the form with Shift+Tab to the plate and correct it.
    tab_to(page, "#feld-kennzeichen", backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("STD-AB 123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nachweise/")

    # --- step 3: the evidence ----------------------------------------------------------
    expect(page.locator("h1")).to_have_text("Nachweise")
    expect(page.locator("main")).to_contain_text("Bescheinigung des Arbeitgebers")
    assert axe_violations(page) == []
    pdf = minimal_pdf("Zulassungsbescheinigung Teil I")
    for name, title in (
        ("fahrzeugschein", "fahrzeugschein.pdf"),
        ("bescheinigung_arbeitgeber", "arbeitgeber.pdf"),
    ):
        tab_to(page, f"#feld-{name}")
        page.locator(f"#feld-{name}").set_input_files(
            files=[{"name": title, "mimeType": "application/pdf", "buffer": pdf}]
        )
    tab_to(page, "main .form-actions button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zusammenfassung/")

    # --- the summary and submission ----------------------------------------------------
    expect(page.locator("h1")).to_have_text("Ihre Angaben prüfen")
    main = page.locator("main")
    for text in ("STD-AB 123", "Zone B – Bahnhofsviertel", "fahrzeugschein.pdf", "60,00"):
        expect(main).to_contain_text(text)
    assert axe_violations(page) == []
    tab_to(page, "#declaration")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/antraege/eingegangen/"))
    case = Case.objects.get()
    assert case.subject == "Bewohnerparkausweis STD-AB 123"
    assert case.applicant == demo["citizen"]
    assert case.office.slug == "ordnung-verkehr"
    assert case.documents.filter(kind=CaseDocument.Kind.APPLICATION).count() == 2
    citizen_session = session_cookie(page)

    # --- the clerk takes the case and asks for a document ---------------------------------
    use_session(page, live_server, staff_session(clerk))
    page.goto(f"{live_server.url}/verwaltung/vorgaenge/")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("h1")).to_contain_text(case.reference)
    page.get_by_role("button", name="Vorgang übernehmen").click()
    expect(page.locator("main")).to_contain_text("Jana Petersen")
    page.fill("#id_request-body", "Bitte laden Sie die Bescheinigung mit Unterschrift hoch.")
    page.get_by_role("button", name="Unterlagen anfordern").click()
    case.refresh_from_db()
    assert case.state == State.WAITING
    assert case.assignee == clerk
    assert axe_violations(page) == []

    # --- the citizen answers in "Meine Anträge" ------------------------------------------
    use_session(page, live_server, citizen_session)
    page.goto(f"{live_server.url}/konto/antraege/")
    expect(page.locator("main")).to_contain_text(case.reference)
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile(case.reference)).first.click()
    expect(page.locator("main")).to_contain_text("Bescheinigung mit Unterschrift")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Unterlagen nachreichen").click()
    assert axe_violations(page) == []
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "bescheinigung-unterschrieben.pdf",
                "mimeType": "application/pdf",
                "buffer": minimal_pdf("Bescheinigung"),
            }
        ]
    )
    page.locator("textarea").fill("Anbei die unterschriebene Bescheinigung.")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator("main")).to_contain_text("bescheinigung-unterschrieben.pdf")
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW
    assert case.documents.filter(kind=CaseDocument.Kind.CITIZEN).count() == 1

    # --- the clerk decides; the trail shows every step -----------------------------------
    use_session(page, live_server, staff_session(clerk))
    page.goto(f"{live_server.url}/verwaltung/vorgaenge/{case.reference}/")
    page.select_option("#id_decide-outcome", "approved")
    page.get_by_role("button", name="Entscheidung speichern").click()
    case.refresh_from_db()
    assert case.state == State.DECIDED
    assert case.outcome == "approved"
    assert axe_violations(page) == []
    actions = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    for earlier, later in [
        ("created", "submitted"),
        ("submitted", "assigned"),
        ("assigned", "message"),
        ("message", "citizen_answer"),
        ("citizen_answer", "decided"),
    ]:
        assert actions.index(earlier) < actions.index(later), actions
    main = page.locator("main")
    for text in (
        "Eingang über online (Rathaus)",
        "Online-Antrag „Bewohnerparkausweis beantragen“",
        "Vorgang übernommen",
        "Unterlagen angefordert",
        "Antwort auf Anforderung mit 1 Datei(en)",
        "Entschieden: bewilligt",
    ):
        expect(main).to_contain_text(text)
    assert external_requests == []
