"""Forms of the citizen sign-up: register, and ask for the confirmation link again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import User


class SignupForm(forms.Form):
    first_name = forms.CharField(
        label=_("Vorname"), max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nachname"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=150,
        help_text=_("Wir schicken Ihnen einen Link, mit dem Sie die Adresse bestätigen."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        help_text=_(
            "Mindestens zehn Zeichen, nicht nur Ziffern, kein häufiges Passwort und nicht "
            "ähnlich zu Ihrem Namen oder Ihrer E-Mail-Adresse."
        ),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    privacy = forms.BooleanField(
        label=_(
            "Ich habe den Datenschutzhinweis gelesen und bin mit der Verarbeitung einverstanden."
        ),
        error_messages={
            "required": _("Bitte bestätigen Sie, dass Sie den Datenschutzhinweis gelesen haben.")
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif first:
            # Django's validators, with the name and address typed into this form.
            probe = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=150,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
