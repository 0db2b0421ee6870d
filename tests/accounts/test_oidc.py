"""OpenID Connect sign-in end to end against a real provider on loopback.

The provider is django-oauth-toolkit with OpenID Connect in its own process (tests/idp/oidc/):
its own database, RSA key, users and registered client. Our side runs in the Django test
client; the browser's part at the provider (sign in, consent) is driven with httpx. The code
exchange, the provider's keys (JWKS) and the UserInfo call are real HTTP requests from our
backend to the provider.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import roles
from rathaus.accounts.models import ExternalIdentity, User
from rathaus.accounts.trust import SESSION_KEY
from tests.conftest import make_user
from tests.idp.html import forms_of
from tests.idp.oidc.server import IdpUser, Provider, running_provider

CALLBACK = "http://testserver/konto/oidc/rueckkehr/"
ANNA = IdpUser(
    "anna", "Anna-IdP-Passwort-1", "Anna", "Albers", "anna@example.org",
    acr="http://eidas.europa.eu/LoA/substantial",
)  # fmt: skip
BERND = IdpUser(
    "bernd", "Bernd-IdP-Passwort-1", "Bernd", "Brandt", "bernd@example.org",
    acr="http://eidas.europa.eu/LoA/high",
)  # fmt: skip
CARLA = IdpUser("carla", "Carla-IdP-Passwort-1", "Carla", "Claußen", "carla@example.org")


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(
        tmp_path_factory.mktemp("oidc-idp"),
        users=[ANNA, BERND, CARLA],
        client_id="rathaus-test",
        client_secret="rathaus-test-secret-0123456789",
        redirect_uris=[CALLBACK],
    ) as running:
        yield running


@pytest.fixture
def oidc(settings: Any, provider: Provider) -> Provider:
    settings.RATHAUS_OIDC_ISSUER = provider.issuer
    settings.RATHAUS_OIDC_CLIENT_ID = provider.client_id
    settings.RATHAUS_OIDC_CLIENT_SECRET = provider.client_secret
    settings.RATHAUS_OIDC_LABEL = "Servicekonto Niedersachsen"
    for name in ("AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "USERINFO_ENDPOINT", "JWKS_URI"):
        setattr(settings, f"RATHAUS_OIDC_{name}", "")
    return provider


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def authorize_at_provider(authorize_url: str, user: IdpUser) -> str:
    """The browser at the provider: sign in, confirm the consent page; returns our callback."""
    with httpx.Client(timeout=10) as browser:
        response = browser.get(authorize_url)
        assert response.status_code == 302, response.text
        login_url = urljoin(authorize_url, response.headers["location"])
        page = browser.get(login_url)
        (login,) = forms_of(page.text)
        response = browser.post(
            login_url,
            data={**login.fields, "username": user.username, "password": user.password},
        )
        assert response.status_code == 302, "sign-in at the provider failed"
        consent_url = urljoin(login_url, response.headers["location"])
        page = browser.get(consent_url)
        assert page.status_code == 200, page.text
        (consent,) = forms_of(page.text)
        assert "allow" in consent.buttons
        response = browser.post(consent_url, data={**consent.fields, "allow": "Authorize"})
        assert response.status_code == 302, response.text
        return str(response.headers["location"])


def start(client: Client, next_url: str = "/konto/") -> str:
    response = client.get(reverse("accounts:oidc_login"), {"next": next_url})
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def come_back(client: Client, callback_url: str) -> Any:
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path, parse_qs(parts.query))


def sign_in(client: Client, user: IdpUser) -> Any:
    return come_back(client, authorize_at_provider(start(client), user))


@pytest.mark.django_db
def test_sign_in_creates_a_citizen_with_the_asserted_level(client: Client, oidc: Provider) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Anmelden mit Servicekonto Niedersachsen" in page
    assert reverse("accounts:oidc_login") in page

    authorize_url = start(client, next_url="/konto/")
    query = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(oidc.endpoint("authorization"))
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"]
    assert query["state"]

    response = come_back(client, authorize_at_provider(authorize_url, ANNA))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/konto/"
    assert client.session[SESSION_KEY] == "substantiell"
    identity = ExternalIdentity.objects.get()
    user = identity.user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert identity.protocol == "oidc"
    assert identity.issuer == oidc.issuer
    assert identity.last_trust_level == "substantiell"
    assert identity.last_authn_context == "http://eidas.europa.eu/LoA/substantial"
    assert identity.last_sign_in_at is not None
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Albers", "anna@example.org")
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert not user.has_usable_password()
    assert client.get("/konto/").status_code == 200

    # Again, in a new browser: the same account, by issuer and subject.
    other = Client()
    assert sign_in(other, ANNA).status_code == 302
    assert ExternalIdentity.objects.count() == 1
    assert int(other.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_levels_follow_acr_and_the_email_never_links_an_account(
    client: Client, oidc: Provider, settings: Any
) -> None:
    local = make_user("bernd", roles.CITIZEN)  # bernd@example.org, a local account
    assert sign_in(client, BERND).status_code == 302
    assert client.session[SESSION_KEY] == "hoch"
    identity = ExternalIdentity.objects.get()
    assert identity.user != local  # same address, still a separate account
    assert User.objects.filter(email=BERND.email).count() == 2

    # No acr at all: the configured default; an own mapping wins over the built-in one.
    other = Client()
    assert sign_in(other, CARLA).status_code == 302
    assert other.session[SESSION_KEY] == "niedrig"
    settings.RATHAUS_OIDC_ACR_LEVELS = "http://eidas.europa.eu/LoA/high=substantiell"
    third = Client()
    assert sign_in(third, BERND).status_code == 302
    assert third.session[SESSION_KEY] == "substantiell"


@pytest.mark.django_db
def test_forged_or_replayed_state_is_refused(client: Client, oidc: Provider) -> None:
    callback_url = authorize_at_provider(start(client), ANNA)
    forged = callback_url.replace("state=", "state=x")
    response = come_back(client, forged)
    assert response.status_code == 400
    assert "state" in response.content.decode()
    assert "_auth_user_id" not in client.session

    assert come_back(client, callback_url).status_code == 302
    client.post(reverse("accounts:logout"))
    replayed = come_back(client, callback_url)
    assert replayed.status_code == 400
    assert "schon verwendet" in replayed.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_token_for_another_sign_in_is_refused(client: Client, oidc: Provider) -> None:
    authorize_url = start(client)
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "eine-andere-Anmeldung"
    session.save()
    response = come_back(client, authorize_at_provider(authorize_url, ANNA))
    assert response.status_code == 400
    assert "nonce" in response.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_token_from_another_issuer_is_refused(
    client: Client, oidc: Provider, settings: Any
) -> None:
    # Endpoints given one by one, and an issuer that is not the one signing the tokens.
    settings.RATHAUS_OIDC_ISSUER = oidc.base_url + "/ein-anderer-aussteller"
    settings.RATHAUS_OIDC_AUTHORIZATION_ENDPOINT = oidc.endpoint("authorization")
    settings.RATHAUS_OIDC_TOKEN_ENDPOINT = oidc.endpoint("token")
    settings.RATHAUS_OIDC_USERINFO_ENDPOINT = oidc.endpoint("userinfo")
    settings.RATHAUS_OIDC_JWKS_URI = oidc.endpoint("jwks")
    response = sign_in(client, ANNA)
    assert response.status_code == 400
    assert "anderen Aussteller" in response.content.decode()
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_a_provider_that_is_down_gets_a_clear_page(
    client: Client, oidc: Provider, settings: Any
) -> None:
    settings.RATHAUS_OIDC_ISSUER = f"http://127.0.0.1:{closed_port()}/o"
    response = client.get(reverse("accounts:oidc_login"))
    assert response.status_code == 502
    page = response.content.decode()
    assert "Anmeldung nicht möglich" in page
    assert "nicht erreichbar" in page
    assert "Traceback" not in page

    # Down between the redirect and the code exchange.
    settings.RATHAUS_OIDC_ISSUER = oidc.issuer
    settings.RATHAUS_OIDC_TOKEN_ENDPOINT = f"http://127.0.0.1:{closed_port()}/o/token/"
    response = sign_in(client, ANNA)
    assert response.status_code == 502
    assert "nicht erreichbar" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_cancel_at_the_provider_and_off_when_not_configured(
    client: Client, oidc: Provider, settings: Any
) -> None:
    start(client)
    response = client.get(reverse("accounts:oidc_callback"), {"error": "access_denied"})
    assert response.status_code == 400
    assert "abgebrochen" in response.content.decode()
    settings.RATHAUS_OIDC_ISSUER = ""
    assert client.get(reverse("accounts:oidc_login")).status_code == 404
    assert "Servicekonto" not in client.get(reverse("accounts:login")).content.decode()
