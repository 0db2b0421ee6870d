"""The OZG maturity a service reaches through its own online form, by a documented rule.

Publishing a form makes the catalog entry say what the form and the case flow behind it
support; nobody has to remember to update the catalog. The rule (see docs/forms.md):

Model 1.1 (0-4)
- 3 "Online-Leistung": a published, active form; application and evidence (uploads) are
  submitted online and reach the office as a case.
- 4 "Online-Transaktion": additionally the decision reaches the citizen digitally and any fee
  can be paid online. Rathaus delivers messages and decision letters into the citizen's
  account, so this needs a form that requires signing in (a minimum trust level); and a form
  with a fee needs an online payment provider (RATHAUS_PAYMENT_PROVIDER not "none").

Model 2.0 (0-7), cumulative
- 3 "Online-Antrag": as 1.1 level 3.
- 4 "Nachweise digital": the form takes its evidence as uploads (at least one file field).
- 5 "Digitaler Bescheid": and the decision reaches the account (sign-in required).
- 6 "Ende-zu-Ende digital": and any fee is paid online; the back office works the case
  paper-free with status messages to the applicant, which Rathaus's case flow does.
- 7 (once-only, proactive) is never reached by a form alone.

Levels only go up on publishing: a higher level an editor set by hand (for example for an
external service that does more) is kept. Retiring the last published form of a service
caps both levels at 1 ("Information") again, since nothing digital of ours is left.
"""

from __future__ import annotations

from dataclasses import dataclass

from rathaus.catalog.maturity import MaturityV1, MaturityV2
from rathaus.forms import engine
from rathaus.forms.models import FormVersion


@dataclass(frozen=True)
class Maturity:
    v1: int
    v2: int


def online_payment_available() -> bool:
    """The same answer the payment step gives (RATHAUS_PAYMENT_PROVIDER names a provider)."""
    from rathaus.forms.payments import online_payment_available as available

    return available()


def maturity_for(version: FormVersion) -> Maturity:
    """The levels a published version of an active form supports (see the module docstring)."""
    definition = version.definition
    account = bool(definition.min_trust_level)
    fee_ok = version.fee_cents == 0 or online_payment_available()
    uploads = any(f.widget == "file" for f in engine.all_fields(version))

    v1 = MaturityV1.TRANSACTION if account and fee_ok else MaturityV1.ONLINE
    v2 = MaturityV2.APPLICATION
    if uploads:
        v2 = MaturityV2.EVIDENCE
        if account:
            v2 = MaturityV2.NOTICE
            if fee_ok:
                v2 = MaturityV2.END_TO_END
    return Maturity(v1=int(v1), v2=int(v2))


# What is left when the service's own online form is gone.
WITHOUT_FORM = Maturity(v1=int(MaturityV1.INFORMATION), v2=int(MaturityV2.INFORMATION))
