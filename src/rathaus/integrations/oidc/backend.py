"""mozilla-django-oidc's backend, configured from RATHAUS_OIDC_* and matching by (iss, sub).

The library exchanges the code (with PKCE), fetches the provider's keys, checks the ID token's
signature, expiry and nonce. It checks neither issuer nor audience, so `verify_token` adds
both; and it matches users by email, which `get_or_create_user` replaces with the
(issuer, subject) rule of `accounts.external`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from rathaus.accounts import external
from rathaus.accounts.models import ExternalIdentity, User
from rathaus.integrations.oidc.config import Endpoints, OidcConfig

CALLBACK_URL_NAME = "accounts:oidc_callback"


class Refused(Exception):
    """The provider's answer failed a check; the message says which, for the error page."""


def library_settings(config: OidcConfig, endpoints: Endpoints) -> dict[str, Any]:
    """The settings mozilla-django-oidc asks for, from our configuration."""
    extra = {"acr_values": config.acr_values} if config.acr_values else {}
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": endpoints.authorization,
        "OIDC_OP_TOKEN_ENDPOINT": endpoints.token,
        "OIDC_OP_USER_ENDPOINT": endpoints.userinfo,
        "OIDC_OP_JWKS_ENDPOINT": endpoints.jwks,
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SIGN_ALGO": config.sign_algo,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": extra,
        "OIDC_TIMEOUT": config.timeout,
        "OIDC_VERIFY_SSL": True,
        "OIDC_PROXY": None,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "OIDC_CREATE_USER": True,
    }


def _lookup(values: dict[str, Any], attr: str, *default: Any) -> Any:
    if attr in values:
        return values[attr]
    if default:
        return default[0]
    raise KeyError(attr)


class Backend(OIDCAuthenticationBackend):
    """Not listed in AUTHENTICATION_BACKENDS: only the callback view calls it."""

    def __init__(self, config: OidcConfig, endpoints: Endpoints) -> None:
        self._values = library_settings(config, endpoints)
        self.config = config
        self.asserted: external.Asserted | None = None
        super().__init__()

    def get_settings(self, attr: str, *default: Any) -> Any:
        return _lookup(self._values, attr, *default)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except SuspiciousOperation as exc:
            raise Refused(_library_reason(str(exc))) from exc
        if payload.get("iss") != self.config.issuer:
            raise Refused(f"ISSUER: {payload.get('iss')!r} != {self.config.issuer!r}")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences:
            raise Refused("AUDIENCE")
        if len(audiences) > 1 and payload.get("azp") != self.config.client_id:
            raise Refused("AUDIENCE")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: the UserInfo sub must be the ID token's sub.
        if claims.get("sub") not in (None, payload.get("sub")):
            raise Refused("SUBJECT")
        acr = str(payload.get("acr") or "")
        self.asserted = external.Asserted(
            protocol=ExternalIdentity.Protocol.OIDC,
            issuer=str(payload["iss"]),
            subject=str(payload.get("sub") or ""),
            trust_level=external.level_for(
                acr, extra=self.config.acr_levels, default=self.config.default_level
            ),
            authn_context=acr,
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            email=str(claims.get("email") or "") if claims.get("email_verified", True) else "",
        )
        return external.link(self.asserted)


def _library_reason(message: str) -> str:
    """Turn the library's English exception texts into one of our reason codes."""
    lowered = message.lower()
    if "nonce" in lowered:
        return "NONCE"
    if "alg" in lowered:
        return "ALGORITHM"
    if "jwks" in lowered:
        return "KEY"
    return "SIGNATURE"


class RequestView(OIDCAuthenticationRequestView):
    """The library's authorization request (state, nonce, PKCE in the session)."""

    def __init__(self, *, config: OidcConfig, endpoints: Endpoints) -> None:
        self._values = library_settings(config, endpoints)
        super().__init__()

    def get_settings(self, attr: str, *default: Any) -> Any:
        return _lookup(self._values, attr, *default)
