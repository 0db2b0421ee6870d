"""Paying the fee of a received application, and coming back from the payment platform."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rathaus.core.errors import Conflict, NotFound
from rathaus.forms import payments
from rathaus.forms.models import Payment
from rathaus.forms.submission_views import case_for
from rathaus.integrations.payments import InvalidCallback, get_provider

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "HEAD", "POST"])
def payment(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    done_url = reverse("forms:done", kwargs={"reference": case.reference})
    provider = get_provider()
    if not payments.payment_due(case) or provider is None:
        return HttpResponseRedirect(done_url)
    if request.method == "POST":
        try:
            target = payments.start_payment(
                case,
                return_url=request.build_absolute_uri(reverse("forms:payment_return")),
                notify_url=request.build_absolute_uri(reverse("forms:payment_notification")),
                actor=None,
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(done_url)
        return HttpResponseRedirect(target)
    last = case.payments.order_by("-pk").first()
    context = {
        "case": case,
        "fee": payments.format_amount(case.fee_cents),
        "fee_label": case.form_version.fee_label if case.form_version else "",
        "provider": provider,
        "last_state": last.state if last else "",
        "done_url": done_url,
    }
    return render(request, "forms/payment.html", context)


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the platform sends the citizen back; believes only what the provider verifies."""
    provider = get_provider()
    if provider is None:
        return render(request, "forms/payment_invalid.html", status=400)
    try:
        outcome = provider.handle_return(request.GET)
        recorded = payments.record_outcome(outcome, provider=provider.name)
    except (InvalidCallback, NotFound):
        logger.warning("payment return refused", extra={"provider": provider.name})
        return render(request, "forms/payment_invalid.html", status=400)
    case = recorded.case
    if case is None:  # record_outcome refuses those; the type checker does not know
        return render(request, "forms/payment_invalid.html", status=400)
    done_url = reverse("forms:done", kwargs={"reference": case.reference})
    pay_url = reverse("forms:payment", kwargs={"reference": case.reference})
    if recorded.state == Payment.State.PAID:
        messages.success(request, _("Vielen Dank, die Gebühr ist bezahlt."))
        return HttpResponseRedirect(done_url)
    if recorded.state == Payment.State.FAILED:
        messages.error(
            request,
            _(
                "Die Zahlung ist fehlgeschlagen. Ihr Antrag ist trotzdem eingegangen; "
                "Sie können die Zahlung noch einmal versuchen."
            ),
        )
    elif recorded.state == Payment.State.CANCELLED:
        messages.warning(
            request,
            _(
                "Sie haben die Zahlung abgebrochen. Ihr Antrag ist eingegangen; die Gebühr ist "
                "noch offen."
            ),
        )
    return HttpResponseRedirect(pay_url)


# The platform calls this from its server, without a browser session or CSRF token; the
# provider's signature check is what protects it.
@csrf_exempt
@require_POST
def payment_notification(request: HttpRequest) -> HttpResponse:
    """Server-to-server notification of a payment result; 204 when recorded, 400 if refused."""
    provider = get_provider()
    if provider is None:
        return HttpResponse(status=400)
    try:
        outcome = provider.handle_return(request.POST)
        payments.record_outcome(outcome, provider=provider.name)
    except (InvalidCallback, NotFound):
        logger.warning("payment notification refused", extra={"provider": provider.name})
        return HttpResponse(status=400)
    return HttpResponse(status=204)
