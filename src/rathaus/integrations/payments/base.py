"""The contract between Rathaus and a payment platform.

A payment goes: Rathaus asks the provider to `start` a payment (amount, purpose, where to send
the citizen back) and redirects the citizen to the URL it returns; the citizen pays (or not) on
the platform; the platform sends the citizen back, and usually also notifies the server
directly. Both arrive at Rathaus as request parameters, which only the provider can judge:
`handle_return` checks that they really come from the platform (signature) and says what
happened. Rathaus never trusts a state it cannot verify.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The states a provider can report; they match `forms.Payment.State`.
OPEN = "open"
PAID = "paid"
FAILED = "failed"
CANCELLED = "cancelled"
STATES = (OPEN, PAID, FAILED, CANCELLED)


class InvalidCallback(Exception):
    """A return or notification that does not verify (forged, altered, expired, unknown)."""


@dataclass(frozen=True)
class PaymentRequest:
    reference: str  # ours, unique; the platform hands it back
    amount_cents: int
    purpose: str  # shown to the citizen and on the bank statement
    return_url: str  # absolute; where the citizen comes back to
    notify_url: str = ""  # absolute; where the platform's server reports the result


@dataclass(frozen=True)
class PaymentStart:
    redirect_url: str  # where to send the citizen to pay


@dataclass(frozen=True)
class PaymentOutcome:
    reference: str
    state: str  # one of STATES


class PaymentProvider(abc.ABC):
    """One payment platform."""

    name: str = ""
    label: str = ""

    @abc.abstractmethod
    def start(self, request: PaymentRequest) -> PaymentStart:
        """Register the payment with the platform; return where the citizen pays."""

    @abc.abstractmethod
    def handle_return(self, params: Mapping[str, str]) -> PaymentOutcome:
        """Verify what came back (return URL or notification); raise InvalidCallback if forged."""


def get_provider(name: str | None = None) -> PaymentProvider | None:
    """The configured provider, or None when fees are not paid online ("none")."""
    chosen = (name if name is not None else settings.RATHAUS_PAYMENT_PROVIDER).strip().lower()
    if chosen in {"", "none"}:
        return None
    if chosen == "test":
        from rathaus.integrations.payments.testprovider import TestProvider

        return TestProvider()
    raise ImproperlyConfigured(
        f"RATHAUS_PAYMENT_PROVIDER={chosen!r} is not a payment provider: use 'test' or 'none'."
    )
