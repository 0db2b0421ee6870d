"""Fees: the test payment provider end to end, and callbacks nobody can forge."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import Office
from rathaus.cases.models import Case
from rathaus.core.errors import Conflict
from rathaus.forms import payments
from rathaus.forms.models import Draft, Payment
from rathaus.integrations.payments import InvalidCallback, get_provider
from rathaus.integrations.payments.testprovider.provider import RESULT_SALT
from tests.forms.helpers import make_draft, make_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _test_provider(settings: Any, tmp_path: Path) -> None:
    settings.RATHAUS_PAYMENT_PROVIDER = "test"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def submitted(client: Client, office: Office, fee_cents: int = 2500) -> tuple[Case, Draft]:
    draft = make_draft(make_form(office, fee_cents=fee_cents))
    response = client.post(
        reverse("forms:submit", kwargs={"token": draft.resume_token}), {"declaration": "1"}
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("forms:payment", kwargs={"reference": case.reference})
    return case, draft


def to_checkout(client: Client, case: Case) -> str:
    """Open the fee page, press "Weiter zur Zahlung"; returns the test platform's address."""
    page = client.get(reverse("forms:payment", kwargs={"reference": case.reference}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "25,00 €" in html
    assert "Hundesteuer-Anmeldegebühr" in html
    response = client.post(reverse("forms:payment", kwargs={"reference": case.reference}))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("forms:testpayment") + "?t=")
    return location


def press(client: Client, checkout: str, action: str) -> str:
    """Press a button on the test platform; returns where it sends the citizen back."""
    page = client.get(checkout)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Testzahlung" in html
    assert "Es wird kein Geld bewegt." in html
    token = parse_qs(urlsplit(checkout).query)["t"][0]
    response = client.post(reverse("forms:testpayment"), {"t": token, "action": action})
    assert response.status_code == 302
    back = response["Location"]
    assert back.startswith("http://testserver" + reverse("forms:payment_return") + "?result=")
    return back


def test_paid(client: Client, office: Office) -> None:
    case, draft = submitted(client, office)
    assert case.payment_state == "open"
    back = press(client, to_checkout(client, case), "pay")
    response = client.get(back)
    assert response["Location"] == reverse("forms:done", kwargs={"reference": case.reference})
    case.refresh_from_db()
    assert case.payment_state == "paid"
    payment = Payment.objects.get()
    assert payment.state == "paid"
    assert payment.case == case
    assert payment.draft == draft
    assert payment.amount_cents == 2500
    assert payment.provider == "test"
    event = case.events.get(action="payment")
    assert event.before == {"payment_state": "open", "payment": "open"}
    assert event.after["payment_state"] == "paid"
    assert event.after["reference"] == payment.reference
    assert "25,00 €" in event.summary
    done = client.get(response["Location"]).content.decode()
    assert "Vielen Dank, die Gebühr ist bezahlt." in done
    assert "bezahlt" in done
    # Paid: the fee page sends the citizen on, and no second payment can be started.
    page = client.get(reverse("forms:payment", kwargs={"reference": case.reference}))
    assert page["Location"] == reverse("forms:done", kwargs={"reference": case.reference})
    with pytest.raises(Conflict):
        payments.start_payment(case, return_url="http://testserver/")


def test_failed_then_paid_on_the_second_try(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    response = client.get(press(client, to_checkout(client, case), "fail"))
    pay_url = reverse("forms:payment", kwargs={"reference": case.reference})
    assert response["Location"] == pay_url
    case.refresh_from_db()
    assert case.payment_state == "failed"
    page = client.get(pay_url).content.decode()
    assert "Die Zahlung ist fehlgeschlagen." in page
    assert "Der letzte Zahlungsversuch ist fehlgeschlagen." in page

    client.get(press(client, to_checkout(client, case), "pay"))
    case.refresh_from_db()
    assert case.payment_state == "paid"
    assert list(Payment.objects.order_by("pk").values_list("state", flat=True)) == [
        "failed",
        "paid",
    ]
    assert [e.after["payment_state"] for e in case.events.filter(action="payment")] == [
        "failed",
        "paid",
    ]


def test_cancelled_leaves_the_fee_open(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    response = client.get(press(client, to_checkout(client, case), "cancel"))
    assert response["Location"] == reverse("forms:payment", kwargs={"reference": case.reference})
    case.refresh_from_db()
    assert case.payment_state == "open"
    assert Payment.objects.get().state == "cancelled"
    event = case.events.get(action="payment")
    assert event.after["payment"] == "cancelled"
    done = client.get(reverse("forms:done", kwargs={"reference": case.reference})).content
    assert "Gebühr jetzt bezahlen" in done.decode()


def test_forged_callbacks_are_refused(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    to_checkout(client, case)
    payment = Payment.objects.get()
    return_url = reverse("forms:payment_return")
    forged = [
        {},
        {"result": "paid"},
        {"ref": payment.reference, "state": "paid"},
        # Signed, but with someone else's key / another salt.
        {"result": signing.dumps({"ref": payment.reference, "state": "paid"}, salt="x")},
        {
            "result": signing.dumps(
                {"ref": payment.reference, "state": "paid"}, key="guessed", salt=RESULT_SALT
            )
        },
        # Correctly signed, but a state that does not exist.
        {"result": signing.dumps({"ref": payment.reference, "state": "refund"}, salt=RESULT_SALT)},
        # Correctly signed, for a payment that does not exist.
        {"result": signing.dumps({"ref": "BUX-0000-1", "state": "paid"}, salt=RESULT_SALT)},
    ]
    for params in forged:
        response = client.get(return_url, params)
        assert response.status_code == 400, params
        assert "Zahlung nicht bestätigt" in response.content.decode()
    case.refresh_from_db()
    assert case.payment_state == "open"
    assert Payment.objects.get().state == "open"
    assert not case.events.filter(action="payment").exists()


def test_tampered_checkout_link_is_refused(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    checkout = to_checkout(client, case)
    response = client.get(checkout[:-3] + "xyz")
    assert response.status_code == 400
    assert (
        client.post(reverse("forms:testpayment"), {"t": "nonsense", "action": "pay"}).status_code
        == 400
    )
    assert Payment.objects.get().state == "open"


def test_replayed_result_changes_nothing_twice(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    back = press(client, to_checkout(client, case), "pay")
    client.get(back)
    client.get(back)
    assert case.events.filter(action="payment").count() == 1
    # A stale "cancelled" from a second tab cannot undo a payment.
    payment = Payment.objects.get()
    stale = signing.dumps({"ref": payment.reference, "state": "cancelled"}, salt=RESULT_SALT)
    client.get(reverse("forms:payment_return"), {"result": stale})
    case.refresh_from_db()
    assert case.payment_state == "paid"
    assert Payment.objects.get().state == "paid"


def test_fee_page_is_only_for_the_applicant(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    url = reverse("forms:payment", kwargs={"reference": case.reference})
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404
    assert not Payment.objects.exists()


def test_without_online_payment_the_fee_stays_open(
    client: Client, office: Office, settings: Any
) -> None:
    settings.RATHAUS_PAYMENT_PROVIDER = "none"
    draft = make_draft(make_form(office, fee_cents=1200))
    response = client.post(
        reverse("forms:submit", kwargs={"token": draft.resume_token}), {"declaration": "1"}
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("forms:done", kwargs={"reference": case.reference})
    html = client.get(response["Location"]).content.decode()
    assert "Sie erhalten dazu eine Rechnung" in html
    assert case.payment_state == "open"


def test_free_forms_skip_payment(client: Client, office: Office) -> None:
    draft = make_draft(make_form(office))
    response = client.post(
        reverse("forms:submit", kwargs={"token": draft.resume_token}), {"declaration": "1"}
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("forms:done", kwargs={"reference": case.reference})
    assert case.payment_state == ""


def test_provider_setting(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    assert get_provider("none") is None
    assert get_provider("test") is not None
    with pytest.raises(ImproperlyConfigured, match="epaybl"):
        get_provider("epaybl")
    provider = get_provider("test")
    assert provider is not None
    with pytest.raises(InvalidCallback):
        provider.handle_return({"result": "x"})


def test_server_notification(client: Client, office: Office) -> None:
    case, _ = submitted(client, office)
    to_checkout(client, case)
    payment = Payment.objects.get()
    url = reverse("forms:payment_notification")
    platform = Client(enforce_csrf_checks=True)  # a server: no session, no CSRF token
    assert platform.post(url, {"result": "forged"}).status_code == 400
    assert platform.get(url).status_code == 405
    signed = signing.dumps({"ref": payment.reference, "state": "paid"}, salt=RESULT_SALT)
    assert platform.post(url, {"result": signed}).status_code == 204
    assert platform.post(url, {"result": signed}).status_code == 204  # retried: no change
    case.refresh_from_db()
    assert case.payment_state == "paid"
    assert case.events.filter(action="payment").count() == 1
