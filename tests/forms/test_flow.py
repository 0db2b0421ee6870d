"""The whole citizen journey with the Django test client: start, steps, errors, summary."""

from __future__ import annotations

import re

from django.test import Client

from rathaus.forms.models import Draft, FormDefinition
from tests.forms.conftest import step_post

HALTER = {"vorname": "Anna", "nachname": "Muster", "email": "anna@example.org", "plz": "21614"}
HUND = {
    "hund_name": "Bello",
    "geburtsdatum": "2020-05-01",
    "rasse": "dackel",
    "gefaehrlich": "false",
}


def begin(client: Client, slug: str = "hund-anmelden") -> Draft:
    response = client.post(f"/antraege/{slug}/")
    assert response.status_code == 302
    draft = Draft.objects.latest("pk")
    assert response["Location"] == f"/antraege/entwurf/{draft.resume_token}/halter/"
    return draft


def test_start_page_explains_the_form(client: Client, dog_form: FormDefinition) -> None:
    response = client.get("/antraege/hund-anmelden/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Hund anmelden</h1>" in html
    assert "Halterin oder Halter" in html
    assert "Der Hund" in html
    assert "keine Gebühr" in html
    assert "Antrag beginnen" in html
    assert 'href="/leistungen/hundesteuer-anmelden/"' in html  # the service, in the crumbs too
    assert "Set-Cookie" not in str(response.headers)
    assert not response.cookies


def test_full_flow_with_errors_and_summary(client: Client, dog_form: FormDefinition) -> None:
    draft = begin(client)
    base = f"/antraege/entwurf/{draft.resume_token}"
    page = client.get(f"{base}/halter/")
    html = page.content.decode()
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="email"' in html
    assert "Schritt 1 von 3" in html

    response = client.post(
        f"{base}/halter/", step_post(vorname="", nachname="M", email="x@", plz="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Bitte prüfen Sie Ihre Angaben" in html
    assert '<a href="#feld-vorname">Bitte füllen Sie „Vorname“ aus.</a>' in html
    assert "„Nachname“ muss mindestens 2 Zeichen lang sein." in html
    assert "gültige E-Mail-Adresse" in html
    assert "Bitte geben Sie eine fünfstellige Postleitzahl an." in html
    assert re.search(
        r'id="feld-vorname"[^>]*aria-describedby="feld-vorname-fehler"[^>]*aria-invalid="true"',
        html,
    )
    assert "<title>Fehler:" in html

    response = client.post(f"{base}/halter/", step_post(**HALTER))
    assert response["Location"] == f"{base}/hund/"
    html = client.get(f"{base}/hund/").content.decode()
    assert "<legend><span>Gilt der Hund als gefährlich?</span></legend>" in html
    assert "Nur auszufüllen, wenn Sie bei „Gilt der Hund als gefährlich?“ „Ja“ angeben." in html

    # Dangerous dog: the proof number becomes required.
    response = client.post(f"{base}/hund/", step_post(**{**HUND, "gefaehrlich": "true"}))
    assert response.status_code == 200
    assert "Bitte füllen Sie „Nummer des Sachkundenachweises“ aus." in response.content.decode()
    response = client.post(f"{base}/hund/", step_post(**HUND, sachkunde="S-1"))
    assert response["Location"] == f"{base}/sonstiges/"
    response = client.post(f"{base}/sonstiges/", step_post(bemerkung="Er ist lieb."))
    assert response["Location"] == f"{base}/zusammenfassung/"

    html = client.get(f"{base}/zusammenfassung/").content.decode()
    assert "Ihre Angaben prüfen" in html
    assert "01.05.2020" in html
    assert "Dackel" in html
    assert "Nein" in html
    assert "S-1" not in html  # hidden by its condition, dropped
    assert f'href="{base}/hund/#feld-rasse"' in html
    assert 'name="declaration"' in html
    draft.refresh_from_db()
    assert draft.data["gefaehrlich"] is False


def test_back_keeps_answers_without_validation(client: Client, dog_form: FormDefinition) -> None:
    draft = begin(client)
    base = f"/antraege/entwurf/{draft.resume_token}"
    client.post(f"{base}/halter/", step_post(**HALTER))
    response = client.post(f"{base}/hund/", {"action": "back", "hund_name": "Rex"})
    assert response["Location"] == f"{base}/halter/"
    draft.refresh_from_db()
    assert draft.data["hund_name"] == "Rex"


def test_english_pages_keep_their_language_and_mark_german_content(
    client: Client, dog_form: FormDefinition
) -> None:
    response = client.post("/en/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    assert response["Location"] == f"/en/antraege/entwurf/{draft.resume_token}/halter/"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    assert '<h1 lang="de">Halterin oder Halter</h1>' in html
    assert '<span lang="de">Vorname</span>' in html
    response = client.post(response["Location"], step_post(**HALTER))
    assert response["Location"] == f"/en/antraege/entwurf/{draft.resume_token}/hund/"
