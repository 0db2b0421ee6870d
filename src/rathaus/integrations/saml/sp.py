"""This installation as a SAML 2.0 service provider (pysaml2), configured from RATHAUS_SAML_*.

pysaml2 checks what matters in a Response: the XML signature of the assertion (required here),
the audience, the recipient and destination, NotBefore/NotOnOrAfter and InResponseTo against
the requests we sent. It calls the xmlsec1 program for signatures and decryption.
"""

from __future__ import annotations

import datetime
import functools
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext

from rathaus.accounts.external import parse_levels
from rathaus.catalog.maturity import TrustLevel
from rathaus.core.errors import RathausError

logger = logging.getLogger(__name__)

KEY_BITS = 3072
CERT_DAYS = 10 * 365

# What to ask for when a form needs a given level, in the two vocabularies providers speak.
STORK_FOR_LEVEL = {
    TrustLevel.LOW: "STORK-QAA-Level-1",
    TrustLevel.SUBSTANTIAL: "STORK-QAA-Level-3",
    TrustLevel.HIGH: "STORK-QAA-Level-4",
}
EIDAS_FOR_LEVEL = {
    TrustLevel.LOW: "http://eidas.europa.eu/LoA/low",
    TrustLevel.SUBSTANTIAL: "http://eidas.europa.eu/LoA/substantial",
    TrustLevel.HIGH: "http://eidas.europa.eu/LoA/high",
}


class SamlUnavailable(RathausError):
    http_status = 502
    code = "saml_unavailable"


@dataclass(frozen=True)
class SamlSettings:
    idp_metadata: str
    sp_entity_id: str
    key_file: str
    cert_file: str
    label: str
    requested_context: str
    context_levels: tuple[tuple[str, str], ...]
    xmlsec_binary: str
    acs_url: str
    metadata_url: str


def enabled() -> bool:
    return bool(settings.RATHAUS_SAML_IDP_METADATA)


def label() -> str:
    return str(settings.RATHAUS_SAML_LABEL)


def _absolute(name: str) -> str:
    # One address for every page language: the provider knows exactly one.
    with translation.override("de"):
        return settings.SITE_URL + reverse(name)


def current() -> SamlSettings:
    metadata_url = _absolute("accounts:saml_metadata")
    levels = parse_levels(
        settings.RATHAUS_SAML_CONTEXT_LEVELS, setting="RATHAUS_SAML_CONTEXT_LEVELS"
    )
    return SamlSettings(
        idp_metadata=settings.RATHAUS_SAML_IDP_METADATA,
        sp_entity_id=settings.RATHAUS_SAML_SP_ENTITY_ID or metadata_url,
        key_file=settings.RATHAUS_SAML_KEY_FILE,
        cert_file=settings.RATHAUS_SAML_CERT_FILE,
        label=settings.RATHAUS_SAML_LABEL,
        requested_context=settings.RATHAUS_SAML_REQUESTED_CONTEXT
        or STORK_FOR_LEVEL[TrustLevel.LOW],
        context_levels=tuple(sorted(levels.items())),
        xmlsec_binary=settings.RATHAUS_SAML_XMLSEC_BINARY or shutil.which("xmlsec1") or "",
        acs_url=_absolute("accounts:saml_acs"),
        metadata_url=metadata_url,
    )


def ensure_key_pair(key_file: str, cert_file: str, *, common_name: str) -> None:
    """Make a key and a self-signed certificate on first use; existing files are kept.

    SAML uses the certificate only to carry the public key (trust comes from exchanging
    metadata), so self-signed is what identity providers expect.
    """
    key_path, cert_path = Path(key_file), Path(cert_file)
    if key_path.exists() and cert_path.exists():
        return
    if key_path.exists() != cert_path.exists():
        raise SamlUnavailable(
            _("Für SAML fehlt %(missing)s neben %(present)s; bitte beide Dateien hinterlegen.")
            % {
                "missing": cert_path.name if key_path.exists() else key_path.name,
                "present": key_path.name if key_path.exists() else cert_path.name,
            }
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    logger.info("SAML key pair created", extra={"cert_file": cert_path.name})


def _metadata_source(value: str) -> dict[str, Any]:
    if value.startswith(("https://", "http://")):
        return {"remote": [{"url": value}]}
    path = Path(value)
    if not path.is_file():
        raise SamlUnavailable(
            _("RATHAUS_SAML_IDP_METADATA: die Datei %(path)s gibt es nicht.") % {"path": value}
        )
    return {"local": [str(path)]}


def sp_config_dict(conf: SamlSettings) -> dict[str, Any]:
    return {
        "entityid": conf.sp_entity_id,
        "xmlsec_binary": conf.xmlsec_binary or None,
        "key_file": conf.key_file,
        "cert_file": conf.cert_file,
        # BundID encrypts assertions to the key published in our metadata.
        "encryption_keypairs": [{"key_file": conf.key_file, "cert_file": conf.cert_file}],
        "metadata": _metadata_source(conf.idp_metadata),
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,  # seconds of clock skew between the two servers
        "service": {
            "sp": {
                "name": conf.label,
                "endpoints": {
                    "assertion_consumer_service": [(conf.acs_url, BINDING_HTTP_POST)],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "name_id_format_allow_create": True,
            }
        },
    }


@functools.lru_cache(maxsize=4)
def _client(conf: SamlSettings, metadata_stamp: float) -> Saml2Client:
    config = SPConfig()
    config.load(sp_config_dict(conf))
    return Saml2Client(config=config)


def client(conf: SamlSettings | None = None) -> Saml2Client:
    """A pysaml2 client; rebuilt when the settings or the metadata file change."""
    conf = conf or current()
    if not conf.xmlsec_binary:
        raise SamlUnavailable(_("Das Programm xmlsec1 fehlt; SAML-Anmeldungen sind nicht möglich."))
    ensure_key_pair(conf.key_file, conf.cert_file, common_name=conf.sp_entity_id)
    path = Path(conf.idp_metadata)
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    try:
        return _client(conf, stamp)
    except RathausError:
        raise
    except Exception as exc:
        raise SamlUnavailable(
            _("Die Metadaten des Anmeldedienstes %(label)s sind nicht lesbar (%(error)s).")
            % {"label": conf.label, "error": exc.__class__.__name__}
        ) from exc


def idp_entity_id(saml_client: Saml2Client) -> str:
    idps = list(saml_client.metadata.identity_providers())
    if len(idps) != 1:
        raise SamlUnavailable(
            _("Die Metadaten müssen genau einen Identitätsanbieter beschreiben, nicht %(n)d.")
            % {"n": len(idps)}
        )
    return str(idps[0])


def requested_context(conf: SamlSettings, minimum: str = "") -> RequestedAuthnContext:
    """RequestedAuthnContext with comparison "minimum": the weakest sign-in accepted."""
    ref = conf.requested_context
    if minimum in STORK_FOR_LEVEL:
        table = EIDAS_FOR_LEVEL if ref.startswith("http://eidas") else STORK_FOR_LEVEL
        ref = table[TrustLevel(minimum)]
    return RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=ref)], comparison="minimum"
    )


def metadata_xml(conf: SamlSettings | None = None) -> bytes:
    conf = conf or current()
    saml_client = client(conf)
    xml = create_metadata_string(None, config=saml_client.config, valid=24 * 7)
    return xml if isinstance(xml, bytes) else str(xml).encode()


def authn_redirect(
    conf: SamlSettings, *, relay_state: str, minimum: str = ""
) -> tuple[str, str, str]:
    """(request id, IdP entity id, address to send the browser to) for a new AuthnRequest."""
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    saml_client = client(conf)
    idp = idp_entity_id(saml_client)
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=idp,
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        requested_authn_context=requested_context(conf, minimum),
    )
    location = dict(info["headers"])["Location"]
    return str(request_id), idp, str(location)
