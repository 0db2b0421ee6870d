"""The OpenID Connect provider as configured (RATHAUS_OIDC_*), and its discovered endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from rathaus.accounts.external import parse_levels
from rathaus.core.errors import RathausError

DISCOVERY_CACHE_SECONDS = 3600


class ProviderUnavailable(RathausError):
    """The provider could not be reached or answered something unusable."""

    http_status = 502
    code = "identity_provider_unavailable"


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    sign_algo: str
    label: str
    acr_levels: dict[str, str]
    acr_values: str
    default_level: str
    timeout: float
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    userinfo_endpoint: str = ""
    jwks_uri: str = ""


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str


def enabled() -> bool:
    return bool(settings.RATHAUS_OIDC_ISSUER and settings.RATHAUS_OIDC_CLIENT_ID)


def label() -> str:
    return str(settings.RATHAUS_OIDC_LABEL)


def current() -> OidcConfig:
    """Read from settings on every use, so a changed environment needs no code change."""
    return OidcConfig(
        issuer=settings.RATHAUS_OIDC_ISSUER,
        client_id=settings.RATHAUS_OIDC_CLIENT_ID,
        client_secret=settings.RATHAUS_OIDC_CLIENT_SECRET,
        scopes=settings.RATHAUS_OIDC_SCOPES,
        sign_algo=settings.RATHAUS_OIDC_SIGN_ALGO,
        label=settings.RATHAUS_OIDC_LABEL,
        acr_levels=parse_levels(
            settings.RATHAUS_OIDC_ACR_LEVELS, setting="RATHAUS_OIDC_ACR_LEVELS"
        ),
        acr_values=settings.RATHAUS_OIDC_ACR_VALUES,
        default_level=settings.RATHAUS_OIDC_DEFAULT_LEVEL,
        timeout=settings.RATHAUS_OIDC_TIMEOUT,
        authorization_endpoint=settings.RATHAUS_OIDC_AUTHORIZATION_ENDPOINT,
        token_endpoint=settings.RATHAUS_OIDC_TOKEN_ENDPOINT,
        userinfo_endpoint=settings.RATHAUS_OIDC_USERINFO_ENDPOINT,
        jwks_uri=settings.RATHAUS_OIDC_JWKS_URI,
    )


def _discover(config: OidcConfig) -> dict[str, Any]:
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    key = f"oidc:discovery:{url}"
    document = cache.get(key)
    if document is not None:
        return dict(document)
    try:
        response = httpx.get(url, timeout=config.timeout, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(
            _("Der Anmeldedienst %(label)s ist nicht erreichbar (%(url)s: %(error)s).")
            % {"label": config.label, "url": url, "error": exc.__class__.__name__}
        ) from exc
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the same issuer.
    if not isinstance(document, dict) or document.get("issuer") != config.issuer:
        raise ProviderUnavailable(
            _(
                "Der Anmeldedienst %(label)s nennt in seiner Konfiguration einen anderen "
                "Aussteller als RATHAUS_OIDC_ISSUER (%(issuer)s)."
            )
            % {"label": config.label, "issuer": config.issuer}
        )
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def endpoints(config: OidcConfig) -> Endpoints:
    """The explicitly configured endpoints; the missing ones from the discovery document."""
    explicit = {
        "authorization_endpoint": config.authorization_endpoint,
        "token_endpoint": config.token_endpoint,
        "userinfo_endpoint": config.userinfo_endpoint,
        "jwks_uri": config.jwks_uri,
    }
    if not all(explicit.values()):
        document = _discover(config)
        explicit = {
            name: value or str(document.get(name) or "") for name, value in explicit.items()
        }
    missing = [name for name, value in explicit.items() if not value]
    if missing:
        raise ProviderUnavailable(
            _("Für den Anmeldedienst %(label)s fehlt die Adresse von: %(missing)s.")
            % {"label": config.label, "missing": ", ".join(missing)}
        )
    return Endpoints(
        authorization=explicit["authorization_endpoint"],
        token=explicit["token_endpoint"],
        userinfo=explicit["userinfo_endpoint"],
        jwks=explicit["jwks_uri"],
    )
