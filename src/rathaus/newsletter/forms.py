"""Forms of the newsletter pages (public and staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.news.models import Topic
from rathaus.newsletter import services


class TopicsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


def _topics_field(label: Any, help_text: Any = "") -> TopicsField:
    return TopicsField(
        queryset=Topic.objects.order_by("name"),
        label=label,
        help_text=help_text,
        error_messages={
            "required": _("Bitte wählen Sie mindestens ein Thema."),
            "invalid_choice": _("Bitte wählen Sie nur Themen aus der Liste."),
            "invalid_pk_value": _("Bitte wählen Sie nur Themen aus der Liste."),
        },
    )


class SubscribeForm(forms.Form):
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
    topics = _topics_field(_("Themen"))
    consent = forms.BooleanField(
        label=_("Ja, ich willige ein."),
        required=True,
        # The consent text stands above the box (see the template) and is stored verbatim.
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
        error_messages={
            "required": _(
                "Bitte willigen Sie ein, damit wir Ihnen den Newsletter schicken dürfen; ohne "
                "Einwilligung speichern wir nichts."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent_text = services.consent_text()


class PreferencesForm(forms.Form):
    topics = _topics_field(_("Themen"))


class IssueForm(forms.Form):
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    intro = forms.CharField(
        label=_("Einleitung"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Reiner Text; eine Leerzeile beginnt einen neuen Absatz."),
    )
    topics = _topics_field(
        _("Themen"),
        _("Die Ausgabe erhalten alle aktiven Abonnent*innen mindestens eines dieser Themen."),
    )


class TestSendForm(forms.Form):
    to = forms.EmailField(
        label=_("Testversand an"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
