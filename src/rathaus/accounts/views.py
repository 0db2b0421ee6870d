from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from rathaus.accounts import roles, selectors, services
from rathaus.accounts.forms import CodeForm, LoginForm, SetupCodeForm
from rathaus.accounts.trust import set_trust_level
from rathaus.catalog.maturity import TrustLevel
from rathaus.core.errors import ValidationFailed

# Fresh backup codes wait here between the POST that made them and the one page showing them.
BACKUP_CODES_SESSION_KEY = "rathaus_new_backup_codes"


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` address from the form or query, if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("accounts:home")


class SignInView(auth_views.LoginView):
    """Password first; staff then go on to the second factor before reaching `next`."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # A password sign-in proves no identity: level "niedrig" (staff still add a TOTP code).
        set_trust_level(self.request, TrustLevel.LOW)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from rathaus.integrations.oidc import config as oidc_config
        from rathaus.integrations.saml import sp as saml_sp

        context = super().get_context_data(**kwargs)
        context["providers"] = [
            {"url": reverse(name), "label": label}
            for name, label, on in (
                ("accounts:saml_login", saml_sp.label(), saml_sp.enabled()),
                ("accounts:oidc_login", oidc_config.label(), oidc_config.enabled()),
            )
            if on
        ]
        context["signup_enabled"] = settings.RATHAUS_SIGNUP
        return context

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if selectors.second_factor_required(user) and not selectors.is_verified(user):
            return selectors.second_factor_url(user, next_url=url)
        return url


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": selectors.role_labels(user),
        "areas": selectors.staff_areas_for(user),
        "second_factor": selectors.second_factor_status(user),
        "is_staff_member": user.is_staff_member,  # type: ignore[union-attr]
    }
    return render(request, "accounts/home.html", context)


def _elevate(request: HttpRequest, device: Any) -> None:
    """Mark the session as verified; a new session key guards against fixation."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = safe_next(request)
    if not selectors.has_confirmed_device(user):
        return redirect(selectors.second_factor_url(user, next_url=next_url))
    if selectors.is_verified(user):
        return HttpResponseRedirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            _elevate(request, device)
            left = selectors.backup_codes_left(user)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "Sie haben sich mit einem Sicherungscode angemeldet; %(n)d Codes sind "
                        "noch übrig. Erzeugen Sie bei Bedarf neue unter „Mein Konto“."
                    )
                    % {"n": left},
                )
            return HttpResponseRedirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _next_query(next_url: str) -> str:
    return urlencode({"next": next_url})


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = safe_next(request)
    # Council members need the second factor for the member area (council.member_views).
    is_member = user.groups.filter(name=roles.COUNCIL_MEMBER).exists()
    if not (user.is_staff_member or is_member):  # type: ignore[union-attr]
        raise PermissionDenied
    # With a device already in place, only a verified session may enrol a new one;
    # otherwise a stolen password would be enough to replace the second factor.
    if selectors.has_confirmed_device(user) and not selectors.is_verified(user):
        return redirect(selectors.second_factor_url(user, next_url=next_url))
    device = services.start_totp_setup(user=user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_totp_setup(user=user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            _elevate(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, _("Die Authenticator-App ist eingerichtet."))
            return redirect(f"{reverse('accounts:otp_backup_codes')}?{_next_query(next_url)}")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=_("QR-Code für die Authenticator-App")
    )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": qr_svg,
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "otpauth_uri": device.config_url,
        "replacing": selectors.has_confirmed_device(user),
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """Shows freshly made backup codes exactly once; POST makes a new set."""
    user = request.user
    next_url = safe_next(request)
    if request.method == "POST":
        if not selectors.is_verified(user):
            return redirect(selectors.second_factor_url(user, next_url=request.path))
        try:
            codes = services.regenerate_backup_codes(user=user)
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            request.session[BACKUP_CODES_SESSION_KEY] = codes
        return redirect(f"{request.path}?{_next_query(next_url)}")
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None) or []
    context = {
        "codes": [_grouped(code) for code in codes],
        "next": next_url,
        "can_regenerate": selectors.is_verified(user) and selectors.has_confirmed_device(user),
    }
    return render(request, "accounts/backup_codes.html", context)
