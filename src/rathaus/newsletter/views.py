"""Public newsletter pages: subscribe, check your mail, confirm, preferences, unsubscribe.

No account. Links in mails carry the subscriber's random token (or, to confirm, that token
signed with a timestamp), which alone authorises the action; those POSTs need no CSRF token
(mail programs send the RFC 8058 one-click POST without one), so these pages set no
cookie. Only the subscribe form, which takes an address, is CSRF-protected. GET never
changes anything: link checkers and mail scanners open links, people press buttons.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rathaus.core import errors
from rathaus.newsletter import selectors, services
from rathaus.newsletter.forms import PreferencesForm, SubscribeForm


def _problems_to_form(form: SubscribeForm | PreferencesForm, exc: errors.RathausError) -> None:
    if not exc.problems:
        form.add_error(None, exc.message)
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.message)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            try:
                services.subscribe(
                    email=form.cleaned_data["email"],
                    topic_ids=[t.pk for t in form.cleaned_data["topics"]],
                    language=get_language() or "de",
                    consent=form.consent_text,
                )
            except errors.ValidationFailed as exc:
                _problems_to_form(form, exc)
            else:
                # The same answer for every address: nobody learns who is subscribed.
                return redirect("newsletter:requested")
    else:
        form = SubscribeForm(initial={"topics": request.GET.getlist("thema")})
    return render(
        request,
        "newsletter/subscribe.html",
        {
            "form": form,
            "has_topics": selectors.topics().exists(),
            "valid_days": services.CONFIRMATION_MAX_AGE.days,
            "retention_days": services.UNCONFIRMED_RETENTION.days,
        },
    )


@require_GET
def requested(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "newsletter/requested.html",
        {"interval_minutes": int(services.CONFIRMATION_INTERVAL.total_seconds() // 60)},
    )


def _dead_link(request: HttpRequest, exc: errors.RathausError) -> HttpResponse:
    return render(
        request,
        "newsletter/unknown_link.html",
        {"message": exc.message},
        status=exc.http_status,
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscriber = services.confirm(code=code)
            template = "newsletter/confirmed.html"
        else:
            subscriber = services.subscriber_for_code(code)
            template = "newsletter/confirm.html"
    except (errors.NotFound, errors.Conflict) as exc:
        return _dead_link(request, exc)
    return render(
        request,
        template,
        {"subscriber": subscriber, "topics": subscriber.topics.order_by("name")},
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = services.get_subscriber(token=token)
    except errors.NotFound as exc:
        return _dead_link(request, exc)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                subscriber = services.update_preferences(
                    token=token,
                    topic_ids=[t.pk for t in form.cleaned_data["topics"]],
                    language=get_language(),
                )
            except errors.Conflict as exc:
                return _dead_link(request, exc)
            except errors.ValidationFailed as exc:
                _problems_to_form(form, exc)
            else:
                saved = True
    else:
        form = PreferencesForm(initial={"topics": list(subscriber.topics.all())})
    return render(
        request,
        "newsletter/manage.html",
        {"form": form, "subscriber": subscriber, "saved": saved},
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button. POST: unsubscribe (RFC 8058 one-click, or that button)."""
    try:
        if request.method == "POST":
            subscriber = services.unsubscribe(token=token)
            template = "newsletter/unsubscribed.html"
        else:
            subscriber = services.get_subscriber(token=token)
            template = "newsletter/unsubscribe.html"
    except errors.NotFound as exc:
        return _dead_link(request, exc)
    return render(request, template, {"subscriber": subscriber})
