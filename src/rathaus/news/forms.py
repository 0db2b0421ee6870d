"""Forms of the news editor (staff). Writes go through `services.save_item`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.core.errors import ValidationFailed
from rathaus.news import services
from rathaus.news.models import Announcement, Event, Publishable

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, *, required: bool, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


BODY_HELP = _(
    "Erlaubt sind Absätze, Zwischenüberschriften (h2–h4), Listen, Links (http, https, mailto), "
    "fett, kursiv, Zitate und einfache Tabellen. Alles andere wird beim Speichern entfernt."
)


class PublishableForm(forms.ModelForm):
    """Common fields; the image is checked by its bytes in `services.check_image`."""

    image = forms.FileField(
        label=_("Bild"),
        required=False,
        help_text=_("JPEG, PNG, WebP oder GIF, höchstens 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_image = forms.BooleanField(label=_("Bild entfernen"), required=False)
    publish_at = _datetime_field(
        _("veröffentlichen ab"),
        required=True,
        help_text=_("Liegt der Zeitpunkt in der Zukunft, erscheint der Beitrag erst dann."),
    )
    expires_at = _datetime_field(
        _("sichtbar bis"),
        required=False,
        help_text=_("Leer lassen, wenn der Beitrag nicht abläuft."),
    )

    class Meta:
        model: type[Publishable]
        fields: list[str]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 70}),
            "body": forms.Textarea(attrs={"rows": 12, "cols": 70}),
            "topics": forms.CheckboxSelectMultiple,
            "accessibility": forms.Textarea(attrs={"rows": 3, "cols": 70}),
        }
        help_texts = {"body": BODY_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].help_text = _(
            "Nur freigegebene Beiträge erscheinen, und erst ab „veröffentlichen ab“."
        )

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if upload:
            try:
                services.check_image(upload)
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message) from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_image = bool(data.get("image")) or (
            bool(self.instance.image) and not data.get("remove_image")
        )
        if has_image and not (data.get("image_alt") or "").strip():
            self.add_error(
                "image_alt",
                _("Ein Bild braucht einen Alternativtext, der beschreibt, was es zeigt."),
            )
        return data


ANNOUNCEMENT_FIELDS = [
    "kind",
    "title",
    "summary",
    "body",
    "category",
    "topics",
    "legal_effect_date",
    "image_alt",
    "status",
    "publish_at",
    "expires_at",
]


class AnnouncementForm(PublishableForm):
    class Meta(PublishableForm.Meta):
        model = Announcement
        fields = ANNOUNCEMENT_FIELDS
        widgets = {
            **PublishableForm.Meta.widgets,
            "legal_effect_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            **PublishableForm.Meta.help_texts,
            "legal_effect_date": _("Pflicht bei amtlichen Bekanntmachungen."),
        }

    fieldsets: list[tuple[str | Promise, list[str]]] = [
        (_("Meldung"), ["kind", "title", "summary", "body", "legal_effect_date"]),
        (_("Einordnung"), ["category", "topics"]),
        (_("Bild"), ["image", "image_alt", "remove_image"]),
        (_("Veröffentlichung"), ["status", "publish_at", "expires_at"]),
    ]


EVENT_FIELDS = [
    "title",
    "summary",
    "body",
    "starts_at",
    "ends_at",
    "all_day",
    "place",
    "address",
    "accessibility",
    "organiser",
    "category",
    "topics",
    "image_alt",
    "status",
    "publish_at",
    "expires_at",
]


class EventForm(PublishableForm):
    starts_at = _datetime_field(_("Beginn"), required=True)
    ends_at = _datetime_field(_("Ende"), required=False)

    class Meta(PublishableForm.Meta):
        model = Event
        fields = EVENT_FIELDS

    fieldsets: list[tuple[str | Promise, list[str]]] = [
        (_("Veranstaltung"), ["title", "summary", "body"]),
        (_("Termin und Ort"), ["starts_at", "ends_at", "all_day", "place", "address", "organiser"]),
        (_("Barrierefreiheit"), ["accessibility"]),
        (_("Einordnung"), ["category", "topics"]),
        (_("Bild"), ["image", "image_alt", "remove_image"]),
        (_("Veröffentlichung"), ["status", "publish_at", "expires_at"]),
    ]


def bound_fieldsets(form: PublishableForm) -> list[tuple[str | Promise, list[forms.BoundField]]]:
    return [(legend, [form[name] for name in names]) for legend, names in form.fieldsets]  # type: ignore[attr-defined]
