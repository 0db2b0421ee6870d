"""A SAML 2.0 identity provider for tests, built on pysaml2's own IdP (saml2.server.Server).

It speaks like BundID: signed AuthnRequests arrive by HTTP-Redirect, the person signs in on
a form, and a Response with a signed assertion, a persistent NameID, the AuthnContextClassRef
of the sign-in (STORK-QAA-Level-n or eIDAS LoA) and name and email attributes (as OIDs) goes
back through an auto-submitting HTTP-POST form. A threaded wsgiref server serves it on a free
loopback port; key and certificate are made with `cryptography` in a temporary folder.

`misbehave` switches make it send what a broken or hostile provider would: an unsigned
assertion, an assertion for another audience or one whose validity has ended, a Response
addressed to another ACS; "encrypt" encrypts the assertion to the
service provider's key from its metadata, as BundID does.
"""

from __future__ import annotations

import datetime
import html
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.response import IncorrectlySigned
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.time_util import instant


@dataclass(frozen=True)
class SamlUser:
    username: str
    password: str
    subject: str  # the persistent NameID
    class_ref: str  # AuthnContextClassRef of this person's sign-in
    given_name: str
    surname: str
    email: str


def make_key_pair(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class AudiencePolicy(Policy):  # type: ignore[misc]
    """Names another audience, or a validity that ended, in the assertion's conditions."""

    wrong_audience: str = ""
    expired: bool = False

    def conditions(self, sp_entity_id: str) -> Any:
        conditions = super().conditions(self.wrong_audience or sp_entity_id)
        if self.expired:
            now = time.time()
            conditions.not_before = instant(time_stamp=now - 20 * 60)
            conditions.not_on_or_after = instant(time_stamp=now - 10 * 60)
        return conditions


@dataclass
class LoopbackIdP:
    base_url: str
    work_dir: Path
    users: dict[str, SamlUser]
    key_file: Path
    cert_file: Path
    sp_metadata_file: Path | None = None
    server: Server | None = None
    misbehave: set[str] = field(default_factory=set)
    requests: list[Any] = field(default_factory=list)
    _pending: dict[str, tuple[Any, str]] = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/idp/metadata"

    @property
    def metadata_file(self) -> Path:
        return self.work_dir / "idp-metadata.xml"

    def config(self) -> IdPConfig:
        conf: dict[str, Any] = {
            "entityid": self.entity_id,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "metadata": {"local": [str(self.sp_metadata_file)]} if self.sp_metadata_file else {},
            "service": {
                "idp": {
                    "name": "Test-BundID",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT)
                        ]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def write_metadata(self) -> Path:
        xml = create_metadata_string(None, config=self.config(), valid=24)
        self.metadata_file.write_bytes(xml if isinstance(xml, bytes) else str(xml).encode())
        return self.metadata_file

    def trust_sp(self, sp_metadata: bytes) -> None:
        """Load the service provider's metadata: from now on its requests are answered."""
        self.sp_metadata_file = self.work_dir / "sp-metadata.xml"
        self.sp_metadata_file.write_bytes(sp_metadata)
        self.server = Server(config=self.config())

    # --- WSGI -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/sso/redirect" and environ["REQUEST_METHOD"] == "GET":
                body = self._receive_request(parse_qs(environ.get("QUERY_STRING", "")))
            elif path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = parse_qs(environ["wsgi.input"].read(length).decode())
                body = self._sign_in({k: v[0] for k, v in form.items()})
            else:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
        except (PermissionError, IncorrectlySigned) as exc:
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [str(exc).encode()]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    def _receive_request(self, query: dict[str, list[str]]) -> str:
        assert self.server is not None, "the SP's metadata was not loaded"
        first = {k: v[0] for k, v in query.items()}
        parsed = self.server.parse_authn_request(
            first["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=first.get("RelayState"),
            sigalg=first.get("SigAlg"),
            signature=first.get("Signature"),
        )
        self.requests.append(parsed.message)
        key = secrets.token_urlsafe(16)
        self._pending[key] = (parsed.message, first.get("RelayState", ""))
        return (
            "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
            "<title>Test-BundID</title></head><body><h1>Test-BundID</h1>"
            "<form method='post' action='/sso/login'>"
            f"<input type='hidden' name='key' value='{key}'>"
            "<input name='username'><input type='password' name='password'>"
            "<button type='submit'>Anmelden</button></form></body></html>"
        )

    def _sign_in(self, form: dict[str, str]) -> str:
        assert self.server is not None
        message, relay_state = self._pending.pop(form.get("key", ""), (None, ""))
        user = self.users.get(form.get("username", ""))
        if message is None or user is None or user.password != form.get("password"):
            raise PermissionError("unknown request or wrong password")
        sp_entity_id = message.issuer.text
        _binding, destination = self.server.pick_binding(
            "assertion_consumer_service",
            bindings=[BINDING_HTTP_POST],
            entity_id=sp_entity_id,
            request=message,
        )
        policy = AudiencePolicy(
            {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
            self.server.metadata,
        )
        if "wrong_audience" in self.misbehave:
            policy.wrong_audience = "https://ein-anderer-dienst.example.org/saml"
        policy.expired = "expired" in self.misbehave
        if "wrong_destination" in self.misbehave:
            destination = destination.replace("/acs/", "/anderswo/")
        self.server.config.setattr("idp", "policy", policy)
        response = self.server.create_authn_response(
            identity={"givenName": [user.given_name], "sn": [user.surname], "mail": [user.email]},
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user.subject),
            authn={"class_ref": user.class_ref, "authn_auth": self.entity_id},
            sign_assertion="unsigned" not in self.misbehave,
            sign_response=False,
            # BundID encrypts the assertion to the SP's key from its metadata.
            encrypt_assertion="encrypt" in self.misbehave,
            encrypt_assertion_self_contained=True,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_POST, str(response), destination, relay_state, response=True
        )
        return str(info["data"])


def post_form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the provider's auto-submitting POST form."""
    from tests.idp.html import forms_of

    (form,) = forms_of(page)
    return html.unescape(form.action), form.fields


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_idp(work_dir: Path, users: list[SamlUser]) -> Iterator[LoopbackIdP]:
    """Serve a fresh provider; its metadata is written, the SP's is loaded by `trust_sp`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    httpd = make_server(
        "127.0.0.1",
        0,
        lambda e, s: [b""],
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    base_url = f"http://127.0.0.1:{httpd.server_port}"
    key_file, cert_file = make_key_pair(work_dir, "idp", "Test-BundID")
    idp = LoopbackIdP(base_url, work_dir, {u.username: u for u in users}, key_file, cert_file)
    idp.write_metadata()
    httpd.set_app(idp)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        httpd.shutdown()
        httpd.server_close()
