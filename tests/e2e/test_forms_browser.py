"""A citizen fills in a small online form with the keyboard only; axe-core finds nothing on
any step, the error page or the summary; the application is submitted."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rathaus.accounts.models import Office
from rathaus.forms.models import Draft, FormDefinition, FormVersion
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vorname": {"type": "string", "title": "Vorname", "maxLength": 100},
        "nachname": {"type": "string", "title": "Nachname", "maxLength": 100},
        "email": {"type": "string", "title": "E-Mail-Adresse", "format": "email"},
        "art": {
            "type": "string",
            "title": "Worum geht es?",
            "oneOf": [
                {"const": "laerm", "title": "Lärm"},
                {"const": "muell", "title": "Müll"},
            ],
        },
        "ort": {
            "type": "string",
            "title": "Wo genau?",
            "description": "Straße und Hausnummer oder eine Beschreibung.",
        },
        "dringend": {"type": "boolean", "title": "Es ist dringend"},
        "bemerkung": {"type": "string", "title": "Bemerkung", "maxLength": 500},
    },
    "required": ["vorname", "nachname", "email", "art"],
    "allOf": [
        {
            "if": {"properties": {"art": {"const": "muell"}}, "required": ["art"]},
            "then": {"required": ["ort"]},
        }
    ],
}
UI: dict[str, Any] = {
    "applicant": {"name": ["vorname", "nachname"], "email": "email"},
    "subject": "Hinweis: {art}",
    "steps": [
        {
            "id": "person",
            "title": "Ihre Angaben",
            "fields": [{"name": "vorname"}, {"name": "nachname"}, {"name": "email"}],
        },
        {
            "id": "hinweis",
            "title": "Ihr Hinweis",
            "intro": "Was sollen wir uns ansehen?",
            "fields": [
                {"name": "art", "widget": "radio"},
                {"name": "ort", "show_if": {"field": "art", "equals": "muell"}},
                {"name": "dringend"},
                {"name": "bemerkung", "widget": "textarea"},
            ],
        },
    ],
}


@pytest.fixture
def hint_form(office: Office) -> FormDefinition:
    definition = FormDefinition.objects.create(slug="hinweis", title="Hinweis geben", office=office)
    FormVersion.objects.create(
        definition=definition, number=1, schema=SCHEMA, ui=UI, status=FormVersion.Status.PUBLISHED
    )
    return definition


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus, like a keyboard user."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_fill_in_with_the_keyboard_only(
    page: Page, live_server: Any, hint_form: FormDefinition, external_requests: list[str]
) -> None:
    page.goto(live_server.url + "/antraege/hinweis/")
    expect(page.locator("h1")).to_have_text("Hinweis geben")
    assert axe_violations(page) == []
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/person/")
    draft = Draft.objects.get()

    # Step 1, first with a mistake: the error summary links to the field.
    expect(page.locator("h1")).to_have_text("Ihre Angaben")
    type_into(page, "#feld-vorname", "Anna")
    type_into(page, "#feld-email", "anna@")
    page.keyboard.press("Enter")  # implicit submission: "Weiter"
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Bitte füllen Sie „Nachname“ aus.")
    expect(summary).to_contain_text("gültige E-Mail-Adresse")
    expect(page.locator("#feld-nachname")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    tab_to(page, "#error-summary a[href='#feld-nachname']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "feld-nachname"
    page.keyboard.type("Muster")
    tab_to(page, "#feld-email")
    page.keyboard.press("Control+A")
    page.keyboard.type("anna@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hinweis/")

    # Step 2: radio group, the conditional field, a checkbox, a textarea.
    expect(page.locator("h1")).to_have_text("Ihr Hinweis")
    expect(page.locator("#feld-ort-hinweis")).to_contain_text("Nur auszufüllen, wenn")
    assert axe_violations(page) == []
    tab_to(page, "#feld-art-1")
    page.keyboard.press("ArrowDown")  # moves to and selects "Müll"
    expect(page.locator("#feld-art-2")).to_be_checked()
    type_into(page, "#feld-ort", "Bahnhofstraße 7")
    tab_to(page, "#feld-dringend")
    page.keyboard.press("Space")
    type_into(page, "#feld-bemerkung", "Seit einer Woche.")
    tab_to(page, "main button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zusammenfassung/")

    expect(page.locator("h1")).to_have_text("Ihre Angaben prüfen")
    main = page.locator("main")
    expect(main).to_contain_text("Müll")
    expect(main).to_contain_text("Bahnhofstraße 7")
    expect(main).to_contain_text("Ja")
    assert axe_violations(page) == []
    tab_to(page, "#declaration")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/antraege/eingegangen/**")
    draft.refresh_from_db()
    assert draft.submitted_at is not None
    assert draft.case is not None
    assert draft.case.subject == "Hinweis: Müll"
    assert draft.case.applicant_name == "Anna Muster"
    assert external_requests == []


def test_save_page_and_expired_page_are_accessible(
    page: Page, live_server: Any, hint_form: FormDefinition
) -> None:
    page.goto(live_server.url + "/antraege/hinweis/")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/person/")
    page.locator("button[value=save]").click()
    page.wait_for_url("**/gespeichert/")
    expect(page.locator("h1")).to_have_text("Ihr Antrag ist zwischengespeichert")
    assert axe_violations(page) == []
    page.locator("main form button[type=submit]").first.click()  # no address: error
    expect(page.locator("#error-summary")).to_be_visible()
    assert axe_violations(page) == []
