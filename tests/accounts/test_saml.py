"""SAML 2.0 sign-in end to end against a real identity provider on loopback.

The provider is pysaml2's own IdP (tests/idp/saml/) served over HTTP on a free port with its
own key and certificate; metadata goes both ways (its file to us, our metadata endpoint to
it). Our AuthnRequest is signed and sent by HTTP-Redirect; the browser's part at the provider
is driven with httpx; its signed Response is posted to our ACS by the Django test client.
"""

from __future__ import annotations

import base64
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from saml2.samlp import AuthnRequest

from rathaus.accounts import roles
from rathaus.accounts.models import ExternalIdentity, SamlRequest
from rathaus.accounts.trust import SESSION_KEY
from tests.conftest import make_user
from tests.idp.html import forms_of
from tests.idp.saml.server import LoopbackIdP, SamlUser, post_form_fields, running_idp

HANNA = SamlUser(
    "hanna", "Hanna-BundID-1", "bPK2-hanna-7f3a9c", "STORK-QAA-Level-4",
    "Hanna", "Hinrichs", "hanna@example.org",
)  # fmt: skip
IVO = SamlUser(
    "ivo", "Ivo-BundID-1", "bPK2-ivo-51d0e2", "http://eidas.europa.eu/LoA/substantial",
    "Ivo", "Ipsen", "ivo@example.org",
)  # fmt: skip
JOST = SamlUser(
    "jost", "Jost-BundID-1", "bPK2-jost-0a0b0c", "urn:example:unbekanntes-niveau",
    "Jost", "Janssen", "jost@example.org",
)  # fmt: skip


@pytest.fixture(scope="module")
def saml_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("saml")


@pytest.fixture(scope="module")
def idp(saml_dir: Path) -> Iterator[LoopbackIdP]:
    with running_idp(saml_dir / "idp", [HANNA, IVO, JOST]) as running:
        yield running


@pytest.fixture
def saml(settings: Any, idp: LoopbackIdP, saml_dir: Path) -> LoopbackIdP:
    settings.SITE_URL = "http://testserver"
    settings.RATHAUS_SAML_IDP_METADATA = str(idp.metadata_file)
    settings.RATHAUS_SAML_SP_ENTITY_ID = ""
    settings.RATHAUS_SAML_KEY_FILE = str(saml_dir / "sp" / "sp.key")
    settings.RATHAUS_SAML_CERT_FILE = str(saml_dir / "sp" / "sp.crt")
    settings.RATHAUS_SAML_LABEL = "BundID"
    settings.RATHAUS_SAML_REQUESTED_CONTEXT = ""
    settings.RATHAUS_SAML_CONTEXT_LEVELS = ""
    if idp.server is None:
        response = Client().get(reverse("accounts:saml_metadata"))
        assert response.status_code == 200
        idp.trust_sp(response.content)
    idp.misbehave.clear()
    return idp


def start(client: Client, query: dict[str, str] | None = None) -> str:
    response = client.get(reverse("accounts:saml_login"), {"next": "/konto/", **(query or {})})
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def at_provider(location: str, user: SamlUser) -> tuple[str, dict[str, str]]:
    """The browser at the provider: sign in; returns the POST form addressed to our ACS."""
    with httpx.Client(timeout=10) as browser:
        page = browser.get(location)
        assert page.status_code == 200, page.text
        (login,) = forms_of(page.text)
        base = location.split("/sso/", maxsplit=1)[0]
        answer = browser.post(
            base + login.action,
            data={**login.fields, "username": user.username, "password": user.password},
        )
        assert answer.status_code == 200, answer.text
        return post_form_fields(answer.text)


def post_to_acs(client: Client, action: str, fields: dict[str, str]) -> Any:
    assert action == "http://testserver/konto/saml/acs/"
    return client.post(urlsplit(action).path, fields)


def sign_in(client: Client, user: SamlUser, query: dict[str, str] | None = None) -> Any:
    return post_to_acs(client, *at_provider(start(client, query), user))


def retamper(fields: dict[str, str], old: str, new: str) -> dict[str, str]:
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert old in xml
    return {**fields, "SAMLResponse": base64.b64encode(xml.replace(old, new).encode()).decode()}


def test_metadata_and_key_pair_made_on_first_use(saml: LoopbackIdP, saml_dir: Path) -> None:
    response = Client().get(reverse("accounts:saml_metadata"))
    xml = response.content.decode()
    assert response["Content-Type"] == "application/samlmetadata+xml"
    assert 'entityID="http://testserver/konto/saml/metadaten/"' in xml
    assert 'Location="http://testserver/konto/saml/acs/"' in xml
    assert 'AuthnRequestsSigned="true"' in xml
    assert 'WantAssertionsSigned="true"' in xml
    assert 'use="signing"' in xml
    assert 'use="encryption"' in xml
    key = saml_dir / "sp" / "sp.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (saml_dir / "sp" / "sp.crt").read_text().startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.django_db
def test_sign_in_with_eid_gives_level_high(
    client: Client, saml: LoopbackIdP, settings: Any
) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Anmelden mit BundID" in page

    location = start(client)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{saml.base_url}/sso/redirect?")
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"]
    # The provider checks that signature: a changed one is turned away there.
    forged = location.replace("Signature=", "Signature=AAAA")
    assert httpx.get(forged, timeout=10).status_code == 403
    action, fields = at_provider(location, HANNA)
    request: AuthnRequest = saml.requests[-1]
    assert request.requested_authn_context.comparison == "minimum"
    assert [ref.text for ref in request.requested_authn_context.authn_context_class_ref] == [
        "STORK-QAA-Level-1"
    ]
    assert request.protocol_binding == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

    response = post_to_acs(client, action, fields)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/konto/"
    assert client.session[SESSION_KEY] == "hoch"
    identity = ExternalIdentity.objects.get()
    assert (identity.protocol, identity.issuer, identity.subject) == (
        "saml",
        saml.entity_id,
        "bPK2-hanna-7f3a9c",
    )
    assert identity.last_trust_level == "hoch"
    assert identity.last_authn_context == "STORK-QAA-Level-4"
    user = identity.user
    assert (user.first_name, user.last_name, user.email) == (
        "Hanna",
        "Hinrichs",
        "hanna@example.org",
    )
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert SamlRequest.objects.get().consumed_at is not None

    # Support sees the link in the admin (read only).
    admin = Client()
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    admin.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = admin.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert "bPK2-hanna-7f3a9c" in page
    assert "hoch" in page

    # The next sign-in finds the same account by issuer and NameID.
    other = Client()
    assert sign_in(other, HANNA).status_code == 302
    assert int(other.session["_auth_user_id"]) == user.pk
    assert ExternalIdentity.objects.count() == 1


@pytest.mark.django_db
def test_eidas_levels_a_requested_minimum_and_own_mappings(
    client: Client, saml: LoopbackIdP, settings: Any
) -> None:
    response = sign_in(client, IVO, {"niveau": "hoch"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "substantiell"
    refs = [ref.text for ref in saml.requests[-1].requested_authn_context.authn_context_class_ref]
    assert refs == ["STORK-QAA-Level-4"]

    # An unknown class reference gives no level, unless the installation maps it.
    other = Client()
    assert sign_in(other, JOST).status_code == 302
    assert other.session[SESSION_KEY] == ""
    settings.RATHAUS_SAML_CONTEXT_LEVELS = "urn:example:unbekanntes-niveau=substantiell"
    settings.RATHAUS_SAML_REQUESTED_CONTEXT = "http://eidas.europa.eu/LoA/low"
    third = Client()
    assert sign_in(third, JOST, {"niveau": "substantiell"}).status_code == 302
    assert third.session[SESSION_KEY] == "substantiell"
    refs = [ref.text for ref in saml.requests[-1].requested_authn_context.authn_context_class_ref]
    assert refs == ["http://eidas.europa.eu/LoA/substantial"]


@pytest.mark.django_db
def test_encrypted_assertion_as_bundid_sends_it(client: Client, saml: LoopbackIdP) -> None:
    saml.misbehave.add("encrypt")
    action, fields = at_provider(start(client), IVO)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in xml
    assert "Ipsen" not in xml
    response = post_to_acs(client, action, fields)
    assert response.status_code == 302, response.content.decode()
    assert client.session[SESSION_KEY] == "substantiell"
    assert ExternalIdentity.objects.get().user.last_name == "Ipsen"


def refused(response: Any, client: Client, words: str) -> None:
    page = response.content.decode()
    assert response.status_code == 400, page
    assert "Anmeldung nicht möglich" in page
    assert words in page
    assert "Traceback" not in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_tampered_response_is_refused(client: Client, saml: LoopbackIdP) -> None:
    action, fields = at_provider(start(client), HANNA)
    response = post_to_acs(client, action, retamper(fields, "Hinrichs", "Hinrichsen"))
    refused(response, client, "Signatur der Antwort ist ungültig")
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_unsigned_assertion_is_refused(client: Client, saml: LoopbackIdP) -> None:
    saml.misbehave.add("unsigned")
    response = sign_in(client, HANNA)
    refused(response, client, "nicht signiert")
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_assertion_for_another_audience_is_refused(client: Client, saml: LoopbackIdP) -> None:
    saml.misbehave.add("wrong_audience")
    response = sign_in(client, HANNA)
    refused(response, client, "Audience")
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_expired_assertion_is_refused(client: Client, saml: LoopbackIdP) -> None:
    saml.misbehave.add("expired")
    refused(sign_in(client, HANNA), client, "abgelaufen")


@pytest.mark.django_db
def test_response_for_another_address_is_refused(client: Client, saml: LoopbackIdP) -> None:
    saml.misbehave.add("wrong_destination")
    action, fields = at_provider(start(client), HANNA)
    # The browser posts where the provider says, but a form can be sent anywhere.
    response = post_to_acs(client, action.replace("/anderswo/", "/acs/"), fields)
    refused(response, client, "an eine andere Adresse gerichtet")


@pytest.mark.django_db
def test_replayed_and_unsolicited_responses_are_refused(client: Client, saml: LoopbackIdP) -> None:
    action, fields = at_provider(start(client), HANNA)
    assert post_to_acs(client, action, fields).status_code == 302
    thief = Client()
    refused(post_to_acs(thief, action, fields), thief, "bereits verwendet")

    # A response to a request this site never sent (or forgot) is unsolicited.
    action, fields = at_provider(start(Client()), IVO)
    SamlRequest.objects.filter(consumed_at__isnull=True).delete()
    stranger = Client()
    refused(post_to_acs(stranger, action, fields), stranger, "keiner offenen Anmeldung")


@pytest.mark.django_db
def test_garbage_and_missing_responses_get_a_clear_page(client: Client, saml: LoopbackIdP) -> None:
    acs = reverse("accounts:saml_acs")
    refused(client.post(acs, {}), client, "keine SAML-Antwort")
    refused(client.post(acs, {"SAMLResponse": "kein-saml"}), client, "keine lesbare SAML-Antwort")
    assert client.get(acs).status_code == 405


def test_off_without_metadata(client: Client, settings: Any) -> None:
    settings.RATHAUS_SAML_IDP_METADATA = ""
    assert client.get(reverse("accounts:saml_login")).status_code == 404
    assert client.get(reverse("accounts:saml_metadata")).status_code == 404
