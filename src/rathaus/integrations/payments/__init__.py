"""Fee payments through a payment platform (ePayBL, pmPayment, …), behind one small interface.

See `base.PaymentProvider`. `RATHAUS_PAYMENT_PROVIDER` picks the provider: "test" (pages on
this site that pretend to be a platform; no money moves) or "none" (fees are recorded as open
and collected by invoice). Real platforms need contracts and test accounts that cannot be had
here; they plug in as further providers.
"""

from rathaus.integrations.payments.base import (
    InvalidCallback,
    PaymentOutcome,
    PaymentProvider,
    PaymentRequest,
    PaymentStart,
    get_provider,
)

__all__ = [
    "InvalidCallback",
    "PaymentOutcome",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentStart",
    "get_provider",
]
