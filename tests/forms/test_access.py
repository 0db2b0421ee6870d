"""Who may open a draft, trust levels, expired and submitted drafts, a lapsed session."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.accounts.trust import SESSION_KEY
from rathaus.catalog.maturity import TrustLevel
from rathaus.forms.models import Draft, FormDefinition
from tests.conftest import PASSWORD, make_user
from tests.forms.factories import make_form


def test_anonymous_draft_is_reached_by_its_token_only(
    client: Client, dog_form: FormDefinition
) -> None:
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    assert draft.owner is None
    other = Client()
    assert other.get(f"/antraege/entwurf/{draft.resume_token}/halter/").status_code == 200
    assert other.get("/antraege/entwurf/falsch/halter/").status_code == 404
    assert other.get(f"/antraege/entwurf/{draft.resume_token}/gibts-nicht/").status_code == 404


def test_owned_draft_is_hidden_from_other_accounts(
    client: Client, dog_form: FormDefinition, citizen: Any
) -> None:
    client.force_login(citizen)
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    assert draft.owner == citizen
    assert draft.trust_level == TrustLevel.LOW
    assert draft.expires_at > timezone.now() + datetime.timedelta(days=29)
    url = f"/antraege/entwurf/{draft.resume_token}/halter/"
    assert client.get(url).status_code == 200

    stranger = Client()
    stranger.force_login(make_user("fremd"))
    assert stranger.get(url).status_code == 404
    assert (
        stranger.get(f"/antraege/entwurf/{draft.resume_token}/zusammenfassung/").status_code == 404
    )


def test_lapsed_session_keeps_the_answers_and_continues_after_sign_in(
    client: Client, dog_form: FormDefinition, citizen: Any
) -> None:
    client.force_login(citizen)
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    url = f"/antraege/entwurf/{draft.resume_token}/halter/"
    client.post(url, {"action": "save", "vorname": "Anna"})

    # The session ends (timeout) while the citizen is typing the next answers.
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.post(url, {"action": "next", "vorname": "Anna", "nachname": "Muster"})
    assert response.status_code == 302
    assert response["Location"] == f"/konto/anmelden/?next={url.replace('/', '%2F')}"
    draft.refresh_from_db()
    assert draft.data == {"vorname": "Anna"}  # stored answers untouched, nobody else's write

    response = client.post(
        "/konto/anmelden/", {"username": "buerger", "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert 'value="Muster"' in html
    assert "Ihre zuletzt eingegebenen Angaben sind übernommen." in html
    draft.refresh_from_db()
    assert draft.data == {"vorname": "Anna", "nachname": "Muster"}


def test_stashed_answers_never_reach_another_account(
    client: Client, dog_form: FormDefinition, citizen: Any
) -> None:
    client.force_login(citizen)
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    url = f"/antraege/entwurf/{draft.resume_token}/halter/"
    attacker = Client()
    attacker.post(url, {"action": "next", "vorname": "Mallory"})
    attacker.force_login(make_user("mallory"))
    assert attacker.get(url).status_code == 404
    draft.refresh_from_db()
    assert "vorname" not in draft.data


def test_trust_level_is_explained_and_enforced(
    client: Client, office: Office, citizen: Any
) -> None:
    make_form(office, slug="ausweis", min_trust_level=TrustLevel.HIGH)
    html = client.get("/antraege/ausweis/").content.decode()
    assert "Vertrauensniveau <strong>hoch (Online-Ausweisfunktion)</strong>" in html
    assert 'href="/konto/anmelden/?next=%2Fantraege%2Fausweis%2F"' in html
    assert "Antrag beginnen</button>" not in html
    response = client.post("/antraege/ausweis/")
    assert response["Location"].startswith("/konto/anmelden/")
    assert not Draft.objects.exists()

    client.force_login(citizen)  # a password account is "niedrig": not enough
    html = client.get("/antraege/ausweis/").content.decode()
    assert "Ihre Anmeldung reicht für dieses Formular nicht aus." in html
    session = client.session
    session[SESSION_KEY] = TrustLevel.HIGH
    session.save()
    response = client.post("/antraege/ausweis/")
    draft = Draft.objects.get()
    assert draft.trust_level == TrustLevel.HIGH
    assert client.get(response["Location"]).status_code == 200

    # The same account signed in again with a weaker method may not continue.
    session = client.session
    session[SESSION_KEY] = TrustLevel.LOW
    session.save()
    assert client.get(response["Location"]).status_code == 302


def test_expired_draft_gets_a_clear_page(client: Client, dog_form: FormDefinition) -> None:
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    response = client.get(f"/antraege/entwurf/{draft.resume_token}/halter/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "Dieser Antrag ist abgelaufen" in html
    assert 'href="/antraege/hund-anmelden/"' in html


def test_inactive_or_unpublished_forms_cannot_be_started(client: Client, office: Office) -> None:
    make_form(office, slug="entwurf", publish=False)
    make_form(office, slug="inaktiv", is_active=False)
    assert client.get("/antraege/entwurf/").status_code == 404
    assert client.get("/antraege/inaktiv/").status_code == 404
    assert client.post("/antraege/inaktiv/").status_code == 404
