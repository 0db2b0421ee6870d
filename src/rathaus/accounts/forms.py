from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from rathaus.accounts import services


class LoginForm(AuthenticationForm):
    """Django's sign-in form with German labels and autocomplete hints for password managers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Benutzername")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].label = _("Passwort")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _(
                "Benutzername oder Passwort sind falsch. Beachten Sie Groß- und Kleinschreibung."
            ),
            "inactive": _("Dieses Konto ist gesperrt."),
            "throttled": _(
                "Zu viele falsche Anmeldeversuche für dieses Konto. Bitte warten Sie 15 Minuten "
                "und versuchen Sie es dann erneut."
            ),
        }

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username and services.sign_in_blocked(username):
            # Refused before the password is even checked, so guessing learns nothing.
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                services.record_failed_sign_in(username)
            raise
        services.clear_sign_in_failures(username)
        return cleaned


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "Sechs Ziffern aus Ihrer Authenticator-App oder einer Ihrer Sicherungscodes "
            "(acht Zeichen)."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code aus der App"),
        max_length=10,
        help_text=_("Die sechs Ziffern, die Ihre Authenticator-App jetzt anzeigt."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
