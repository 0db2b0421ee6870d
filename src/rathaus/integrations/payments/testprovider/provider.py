"""The test provider: it plays the platform with pages of our own (`testprovider.views`).

Like a real platform it hands back a *signed* result: the return URL carries a token made with
Django's signing (HMAC over the secret key, its own salt, with a timestamp), so nobody can mark
a payment paid by typing a URL. The page to pay on is signed the same way, so only the person
sent there by `start` can open it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.integrations.payments.base import (
    CANCELLED,
    FAILED,
    PAID,
    InvalidCallback,
    PaymentOutcome,
    PaymentProvider,
    PaymentRequest,
    PaymentStart,
)

PAGE_SALT = "rathaus.payments.testprovider.page"
RESULT_SALT = "rathaus.payments.testprovider.result"
PAGE_MAX_AGE = 60 * 60  # an hour to decide
RESULT_MAX_AGE = 24 * 60 * 60
RESULTS = (PAID, FAILED, CANCELLED)


class TestProvider(PaymentProvider):
    name = "test"
    label = str(_("Testzahlung (es wird kein Geld bewegt)"))

    def start(self, request: PaymentRequest) -> PaymentStart:
        token = signing.dumps(
            {
                "ref": request.reference,
                "amount": request.amount_cents,
                "purpose": request.purpose,
                "return": request.return_url,
            },
            salt=PAGE_SALT,
            compress=True,
        )
        path = reverse("forms:testpayment")
        # On our own site, so a path is enough; a real platform answers with its own address.
        return PaymentStart(redirect_url=f"{path}?{urlencode({'t': token})}")

    def handle_return(self, params: Mapping[str, str]) -> PaymentOutcome:
        token = params.get("result", "")
        try:
            result = signing.loads(token, salt=RESULT_SALT, max_age=RESULT_MAX_AGE)
        except signing.BadSignature as exc:
            raise InvalidCallback("the payment result does not carry a valid signature") from exc
        if not isinstance(result, dict) or result.get("state") not in RESULTS:
            raise InvalidCallback("the payment result names no known state")
        return PaymentOutcome(reference=str(result["ref"]), state=str(result["state"]))


def read_page_token(token: str) -> dict[str, Any]:
    """What `start` put into the link to the test page; raises InvalidCallback if not ours."""
    try:
        data = signing.loads(token, salt=PAGE_SALT, max_age=PAGE_MAX_AGE)
    except signing.BadSignature as exc:
        raise InvalidCallback("the payment page link is not valid (any more)") from exc
    if not isinstance(data, dict):
        raise InvalidCallback("the payment page link is not valid")
    return data


def result_url(page: Mapping[str, Any], state: str) -> str:
    """Where the platform sends the citizen back, with the signed result."""
    if state not in RESULTS:
        raise ValueError(f"unknown payment result {state!r}")
    token = signing.dumps({"ref": page["ref"], "state": state}, salt=RESULT_SALT)
    separator = "&" if "?" in page["return"] else "?"
    return f"{page['return']}{separator}{urlencode({'result': token})}"
