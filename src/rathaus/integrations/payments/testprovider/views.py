"""The test platform's page: "Bezahlen", "Fehlschlag simulieren", "Abbrechen".

It stands in for a real platform's checkout in the demo and in tests; it changes nothing in
Rathaus itself but sends the citizen back with a signed result, exactly as a platform would.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from rathaus.integrations.payments.base import CANCELLED, FAILED, PAID, InvalidCallback
from rathaus.integrations.payments.testprovider.provider import read_page_token, result_url

ACTIONS = {"pay": PAID, "fail": FAILED, "cancel": CANCELLED}


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("t") or request.GET.get("t", "")
    try:
        page = read_page_token(token)
    except InvalidCallback:
        return render(request, "forms/payment_testprovider_invalid.html", status=400)
    if request.method == "POST":
        state = ACTIONS.get(request.POST.get("action", ""))
        if state is not None:
            return HttpResponseRedirect(result_url(page, state))
    euros, cents = divmod(int(page["amount"]), 100)
    return render(
        request,
        "forms/payment_testprovider.html",
        {
            "token": token,
            "reference": page["ref"],
            "purpose": page["purpose"],
            "amount": f"{euros:,}".replace(",", ".") + f",{cents:02d} €",
        },
    )
