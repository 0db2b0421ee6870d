"""Citizen sign-up pages: register, confirm the email address, ask for a new link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from rathaus.accounts import signup
from rathaus.accounts.signup_forms import ResendForm, SignupForm
from rathaus.core.errors import ValidationFailed

DONE_SESSION_KEY = "rathaus_signup_done"


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if not settings.RATHAUS_SIGNUP:
        raise Http404
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup.sign_up(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            password=data["password1"],
            language=get_language() or "de",
        )
        # The same page for a new and a known address: nobody learns who has an account.
        request.session[DONE_SESSION_KEY] = signup.normalize_email(data["email"])
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(DONE_SESSION_KEY, "")
    return render(
        request,
        "accounts/signup_done.html",
        {"email": email, "hours": signup.link_max_age() // 3600},
    )


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    if request.method == "POST":
        try:
            result = signup.verify(token=token)
        except ValidationFailed as exc:
            return render(
                request,
                "accounts/signup_verify.html",
                {"error": exc.message, "resend_form": ResendForm()},
                status=400,
            )
        if result.already:
            messages.info(request, _("Ihre E-Mail-Adresse war bereits bestätigt."))
        else:
            messages.success(
                request,
                _("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."),
            )
        return redirect(reverse("accounts:login"))
    return render(request, "accounts/signup_verify.html", {"token": token})


@never_cache
def resend(request: HttpRequest) -> HttpResponse:
    if not settings.RATHAUS_SIGNUP:
        raise Http404
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup.resend(email=form.cleaned_data["email"])
        request.session[DONE_SESSION_KEY] = signup.normalize_email(form.cleaned_data["email"])
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup_resend.html", {"form": form})
