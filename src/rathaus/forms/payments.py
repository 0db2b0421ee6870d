"""Fees of online applications: starting a payment and recording what the platform reports.

The application is received (a case exists) before any money moves; paying is a second step
the citizen may repeat after a failure. The case's `payment_state` follows the platform's
verified answers, and every change is an audit-trail entry.
"""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from rathaus.accounts.models import User
from rathaus.cases.models import Case, PaymentState
from rathaus.cases.services import record_event
from rathaus.core.errors import Conflict, NotFound
from rathaus.forms.models import Payment
from rathaus.integrations.payments import PaymentOutcome, PaymentRequest, get_provider

logger = logging.getLogger(__name__)

# What a payment's outcome means for the case: a cancelled attempt leaves the fee open.
_CASE_STATE = {
    Payment.State.PAID: PaymentState.PAID,
    Payment.State.FAILED: PaymentState.FAILED,
    Payment.State.CANCELLED: PaymentState.OPEN,
    Payment.State.OPEN: PaymentState.OPEN,
}


def payment_due(case: Case) -> bool:
    """Whether the applicant still has a fee to pay online."""
    return case.fee_cents > 0 and case.payment_state in {PaymentState.OPEN, PaymentState.FAILED}


def online_payment_available() -> bool:
    return get_provider() is not None


def format_amount(cents: int) -> str:
    """25,00 € (German notation; the amount is the same in every language)."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d} €"


def start_payment(
    case: Case, *, return_url: str, notify_url: str = "", actor: User | None = None
) -> str:
    """Open a payment for the case's fee; returns the URL to send the citizen to."""
    provider = get_provider()
    if provider is None:
        raise Conflict(_("Die Gebühr kann hier nicht online bezahlt werden."))
    if not payment_due(case):
        raise Conflict(_("Für diesen Antrag ist keine Zahlung offen."))
    payment = Payment.objects.create(
        case=case,
        draft=getattr(case, "draft", None),
        provider=provider.name,
        reference=f"{case.reference}-{secrets.token_hex(4).upper()}",
        amount_cents=case.fee_cents,
    )
    started = provider.start(
        PaymentRequest(
            reference=payment.reference,
            amount_cents=payment.amount_cents,
            purpose=f"{case.reference} {case.subject}"[:140],
            return_url=return_url,
            notify_url=notify_url,
        )
    )
    logger.info("payment started", extra={"case": case.reference, "payment": payment.reference})
    return started.redirect_url


@transaction.atomic
def record_outcome(outcome: PaymentOutcome, *, provider: str) -> Payment:
    """Apply a verified result of the platform; safe to call twice with the same result.

    A paid payment stays paid (a later "cancelled" from a second browser tab changes nothing);
    a failed or cancelled one may still turn out paid (platforms confirm late).
    """
    payment = (
        Payment.objects.select_for_update()
        .filter(reference=outcome.reference, provider=provider)
        .first()
    )
    if payment is None or payment.case_id is None:
        raise NotFound(_("Diese Zahlung ist nicht bekannt."))
    new_state = Payment.State(outcome.state)
    if payment.state in {new_state, Payment.State.PAID}:
        return payment
    before_payment = payment.state
    payment.state = new_state
    payment.save(update_fields=["state", "modified"])
    case = Case.objects.select_for_update().get(pk=payment.case_id)
    before = case.payment_state
    after = _CASE_STATE[new_state]
    if before == PaymentState.PAID:
        after = PaymentState.PAID  # another payment of the same case was paid already
    if after != before:
        case.payment_state = after
        case.version += 1
        case.save(update_fields=["payment_state", "version", "modified"])
    record_event(
        case,
        actor=None,
        action="payment",
        summary=(
            f"Zahlung {payment.reference} über {format_amount(payment.amount_cents)}: "
            f"{Payment.State(new_state).label}"
        ),
        before={"payment_state": before, "payment": before_payment},
        after={
            "payment_state": after,
            "payment": new_state,
            "reference": payment.reference,
            "amount_cents": payment.amount_cents,
            "provider": provider,
        },
    )
    return payment
