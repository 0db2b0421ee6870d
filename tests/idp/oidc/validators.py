"""Claims of the loopback provider: name, verified email and the assurance level (`acr`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class AcrValidator(OAuth2Validator):
    # `acr` belongs to every OpenID Connect sign-in, so it comes with the "openid" scope.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "acr": "openid"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        claims = {
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
        }
        acr = settings.IDP_ACR_BY_USER.get(user.username)
        if acr:
            claims["acr"] = acr
        return claims
