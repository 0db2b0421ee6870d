"""Forms of the catalog's staff UI (also used by the admin, so both validate alike)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.catalog.staff_selectors import StaffFilters

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 70})

# Legend and fields of each group in the edit form, in the order staff fill them in.
FIELDSETS: list[tuple[str | Promise, list[str]]] = [
    (
        _("Grunddaten"),
        ["name", "leika_key", "slug", "ozg_id", "ozg_name", "topic", "life_situations", "office"],
    ),
    (
        _("Reifegrad und Online-Dienst"),
        [
            "maturity_level",
            "maturity_level_v2",
            "online_service_url",
            "online_service_name",
            "online_service_own",
            "trust_level",
        ],
    ),
    (
        _("Zugangswege"),
        ["channel_online", "channel_in_person", "channel_post", "channel_email", "channel_phone"],
    ),
    (
        _("Texte für Bürgerinnen und Bürger"),
        [
            "summary",
            "description",
            "requirements",
            "documents",
            "fees",
            "deadlines",
            "processing_time",
            "legal_basis",
        ],
    ),
    (_("Suche, Nachfrage und Prüfung"), ["keywords", "annual_cases", "review_due"]),
]


class ServiceForm(forms.ModelForm):
    """All content fields of a service; status changes go through the publish actions."""

    online_service_url = forms.URLField(
        label=_("Adresse des Online-Dienstes"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_(
            "Vollständige Adresse mit https://; Pflicht, wenn der Zugangsweg „online“ gewählt ist."
        ),
    )
    change_reason = forms.CharField(
        label=_("Grund der Änderung"),
        required=False,
        max_length=100,
        help_text=_("Erscheint im Versionsverlauf, z. B. „Gebühren 2026 angepasst“."),
    )

    class Meta:
        model = Service
        fields = [name for _legend, names in FIELDSETS for name in names]
        widgets = {
            "life_situations": forms.CheckboxSelectMultiple,
            "review_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 70}),
            "description": forms.Textarea(attrs={"rows": 8, "cols": 70}),
            "requirements": TEXTAREA,
            "documents": TEXTAREA,
            "fees": TEXTAREA,
            "deadlines": TEXTAREA,
            "legal_basis": TEXTAREA,
        }
        help_texts = {
            "name": _("So, wie Bürgerinnen und Bürger die Leistung nennen würden."),
            "leika_key": _("14 Ziffern aus dem Leistungskatalog (LeiKa), z. B. 99010004001000."),
            "slug": _(
                "Teil der Internetadresse. Leer lassen, um ihn aus der Bezeichnung zu bilden."
            ),
            "ozg_id": _("Kennung der OZG-Leistung, z. B. 10348."),
            "maturity_level": _(
                "Reifegradmodell 1.1 (Stufen 0 bis 4); ab Stufe 3 gilt die OZG-Pflicht als erfüllt."
            ),
            "maturity_level_v2": _("Reifegradmodell 2.0 von 2025 (Stufen 0 bis 7)."),
            "trust_level": _("Vertrauensniveau der Identifizierung im Online-Dienst."),
            "summary": _("Zwei bis drei Sätze; erscheinen in Suchergebnissen."),
            "documents": _("Eine Unterlage pro Zeile."),
            "office": _("Die Stelle, bei der Bürgerinnen und Bürger die Leistung erhalten."),
            "review_due": _("Bis wann die Angaben erneut geprüft werden. Leer: in einem Jahr."),
        }

    def __init__(
        self, *args: Any, offices: Any = None, own_office_only: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The admin builds this form without fields the user may only read.
        if "slug" in self.fields:
            self.fields["slug"].required = False
        office_field = self.fields.get("office")
        if office_field is None:
            return
        if offices is not None:
            # The choice list is the permission: office leads see only their own office.
            office_field.queryset = offices  # type: ignore[attr-defined]
        if own_office_only:
            office_field.required = True
            office_field.empty_label = None  # type: ignore[attr-defined]
            if not self.instance.pk and offices is not None:
                office_field.initial = offices.first()

    @property
    def fieldsets(self) -> list[tuple[str | Promise, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel_online") and not data.get("online_service_url"):
            self.add_error(
                "online_service_url",
                _("Für den Zugangsweg „online“ fehlt die Adresse des Online-Dienstes."),
            )
        return data


class StaffFilterForm(forms.Form):
    """The filters above the staff list (GET, so a filtered list can be bookmarked)."""

    q = forms.CharField(label=_("Suchtext"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("alle")), *Service.Status.choices],
    )
    office = forms.ModelChoiceField(
        label=_("Dienststelle"),
        required=False,
        queryset=Office.objects.all(),
        to_field_name="slug",
        empty_label=_("alle"),
    )
    overdue = forms.BooleanField(label=_("nur mit überfälliger Prüfung"), required=False)

    def filters(self) -> StaffFilters:
        if not self.is_bound:
            return StaffFilters()
        self.is_valid()  # an invalid filter is dropped and named; the valid ones still apply
        data = self.cleaned_data
        office = data.get("office")
        return StaffFilters(
            text=data.get("q") or "",
            status=data.get("status") or "",
            office=office.slug if office else "",
            overdue=bool(data.get("overdue")),
        )
