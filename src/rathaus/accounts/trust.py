"""The trust level (Vertrauensniveau) of the current sign-in, and comparisons between levels.

A local password account is "niedrig"; an identity provider may assert more (BundID with the
eID card: "hoch"). The level belongs to the sign-in, not the person, so it lives in the session.
"""

from __future__ import annotations

from django.http import HttpRequest

from rathaus.catalog.maturity import TrustLevel

SESSION_KEY = "rathaus_trust_level"

_ORDER = [TrustLevel.NONE, TrustLevel.LOW, TrustLevel.SUBSTANTIAL, TrustLevel.HIGH]


def rank(level: str) -> int:
    return _ORDER.index(TrustLevel(level or ""))


def meets(level: str, minimum: str) -> bool:
    """Whether a sign-in of `level` is good enough for a form requiring `minimum`."""
    return rank(level) >= rank(minimum)


def trust_level(request: HttpRequest) -> str:
    """The level of this request's sign-in; "" when nobody is signed in."""
    if not request.user.is_authenticated:
        return TrustLevel.NONE
    return str(request.session.get(SESSION_KEY, TrustLevel.LOW))


def set_trust_level(request: HttpRequest, level: str) -> None:
    request.session[SESSION_KEY] = str(TrustLevel(level))
