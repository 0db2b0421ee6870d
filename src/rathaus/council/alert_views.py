"""Alert pages: subscribe, check your mail, confirm, unsubscribe. No account, no state on GET.

Links in mails carry the subscription's random token, which alone authorises confirming and
unsubscribing; those POSTs need no CSRF token (mail programs send the RFC 8058 one-click POST
without one), so these pages set no cookie. Only the subscribe form, which takes an address,
is CSRF-protected.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rathaus.core import errors
from rathaus.council import alerts
from rathaus.council.models import AlertSubscription


class SubscribeForm(forms.Form):
    art = forms.ChoiceField(choices=AlertSubscription.Kind.choices, widget=forms.HiddenInput)
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Suchbegriff"),
        required=False,
        max_length=alerts.MAX_QUERY_LENGTH,
        help_text=_("Sie erhalten neue Drucksachen, Tagesordnungspunkte und Dateien dazu."),
    )
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        max_length=254,
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse an."),
            "invalid": _(
                "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@example.org."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(
        label=_("Ja, ich willige ein."),
        required=True,
        # The consent text itself stands above the box (see the template) and is stored.
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
        error_messages={
            "required": _(
                "Bitte willigen Sie ein, damit wir Ihnen E-Mails schicken dürfen; ohne "
                "Einwilligung speichern wir nichts."
            )
        },
    )

    def __init__(self, *args: Any, target: alerts.Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target.kind != AlertSubscription.Kind.SEARCH:
            del self.fields["q"]
        self.consent_text = alerts.consent_text(target)


def _problems_to_form(form: SubscribeForm, exc: errors.RathausError) -> None:
    if not exc.problems:
        form.add_error(None, exc.message)
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.message)


def _unknown_target(request: HttpRequest, exc: errors.RathausError) -> HttpResponse:
    return render(
        request, "council/alerts/unknown_target.html", {"message": exc.message}, status=404
    )


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    kind, target_id, query = data.get("art", ""), data.get("id", ""), data.get("q", "")
    target_error: errors.ValidationFailed | None = None
    try:
        target = alerts.resolve_target(kind=kind, target_id=target_id, query=query)
    except errors.NotFound as exc:
        return _unknown_target(request, exc)
    except errors.ValidationFailed as exc:
        # Only a search term can be invalid: still to be typed in, or to be corrected.
        target, target_error = _blank_search(), exc

    if request.method == "POST":
        form = SubscribeForm(request.POST, target=target)
        valid = form.is_valid()
        if target_error is not None:
            _problems_to_form(form, target_error)
            valid = False
        if valid:
            try:
                alerts.subscribe(
                    email=form.cleaned_data["email"],
                    kind=kind,
                    target_id=target_id,
                    query=form.cleaned_data.get("q", ""),
                    language=get_language() or "de",
                    consent=form.consent_text,
                )
            except errors.NotFound as exc:
                return _unknown_target(request, exc)
            except errors.ValidationFailed as exc:
                _problems_to_form(form, exc)
            else:
                return redirect("council_alerts:requested")
    else:
        form = SubscribeForm(
            initial={"art": kind, "id": target_id, "q": alerts.normalize_query(query)},
            target=target,
        )
    return render(
        request,
        "council/alerts/subscribe.html",
        {"form": form, "target": target, "retention_days": alerts.UNCONFIRMED_RETENTION.days},
    )


def _blank_search() -> alerts.Target:
    return alerts.Target(
        kind=AlertSubscription.Kind.SEARCH,
        key="",
        label="",
        path=alerts.search_path(""),
    )


@require_GET
def requested(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "council/alerts/requested.html",
        {"retention_days": alerts.UNCONFIRMED_RETENTION.days},
    )


def _unknown_link(request: HttpRequest) -> HttpResponse:
    return render(request, "council/alerts/unknown_link.html", status=404)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: link checkers and mail scanners open links, people press buttons.
    try:
        if request.method == "POST":
            subscription = alerts.confirm(token=token)
            template = "council/alerts/confirmed.html"
        else:
            subscription = alerts.get_subscription(token=token)
            template = "council/alerts/confirm.html"
    except errors.NotFound:
        return _unknown_link(request)
    return render(
        request,
        template,
        {"subscription": subscription, "target": alerts.target_of(subscription)},
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = alerts.unsubscribe(token=token)
            template = "council/alerts/unsubscribed.html"
        else:
            subscription = alerts.get_subscription(token=token)
            template = "council/alerts/unsubscribe.html"
    except errors.NotFound:
        return _unknown_link(request)
    return render(request, template, {"targets": [alerts.target_of(subscription)]})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_all(request: HttpRequest, signed: str) -> HttpResponse:
    """The List-Unsubscribe address of a digest: every subscription the mail was sent for."""
    try:
        if request.method == "POST":
            subscriptions = alerts.unsubscribe_batch(signed=signed)
            template = "council/alerts/unsubscribed.html"
        else:
            subscriptions = alerts.subscriptions_of_batch(signed=signed)
            template = "council/alerts/unsubscribe.html"
    except errors.NotFound:
        return _unknown_link(request)
    if not subscriptions:
        return _unknown_link(request)
    return render(request, template, {"targets": [alerts.target_of(s) for s in subscriptions]})
