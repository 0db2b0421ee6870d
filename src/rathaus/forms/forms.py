"""Django forms of the staff editor: a definition's settings and a version's documents."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition

JSON_TEXTAREA = forms.Textarea(attrs={"rows": 24, "cols": 70, "spellcheck": "false"})


class DefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = [
            "title",
            "slug",
            "service",
            "office",
            "min_trust_level",
            "processing_days",
            "retention_days",
            "is_active",
        ]
        help_texts = {
            "slug": _("Teil der Internetadresse: /antraege/<Kennung>/. Nur a–z, 0–9 und -."),
            "service": _("Die Leistung im Katalog; ihre Seite verlinkt das Formular."),
            "office": _("Die Stelle, die die eingehenden Anträge bearbeitet."),
            "processing_days": _("Frist für die Bearbeitung eines Antrags, ab Eingang."),
            "is_active": _("Nur aktive Formulare mit veröffentlichter Version sind erreichbar."),
        }

    def __init__(self, *args: Any, offices: QuerySet[Office] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_field = self.fields["service"]
        service_field.queryset = Service.objects.exclude(  # type: ignore[attr-defined]
            status=Service.Status.ARCHIVED
        ).order_by("name")
        office_field = self.fields["office"]
        if offices is not None:
            # The choice list is the permission: office leads see only their own office.
            office_field.queryset = offices  # type: ignore[attr-defined]
            if not self.instance.pk:
                office_field.initial = offices.first()


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("%(what)s ist kein gültiges JSON (Zeile %(line)d, Spalte %(column)d): %(error)s.")
            % {"what": what, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    if not isinstance(value, dict):
        raise forms.ValidationError(
            _("%(what)s muss ein JSON-Objekt sein, also mit { beginnen.") % {"what": what}
        )
    return value


class VersionForm(forms.Form):
    schema = forms.CharField(
        label=_("Datenschema (JSON Schema 2020-12)"),
        widget=JSON_TEXTAREA,
        help_text=_('Ein Feld je Eigenschaft unter "properties"; Pflichtfelder unter "required".'),
    )
    ui = forms.CharField(
        label=_("Oberfläche (Schritte, Reihenfolge, Bedingungen)"),
        widget=JSON_TEXTAREA,
        help_text=_('"steps" mit "id", "title" und "fields"; siehe docs/forms.md.'),
    )
    fee_cents = forms.IntegerField(
        label=_("Gebühr in Cent"),
        min_value=0,
        max_value=10_000_000,
        initial=0,
        help_text=_("0 für gebührenfrei; 1250 für 12,50 €."),
    )
    fee_label = forms.CharField(
        label=_("Gebühr, Erläuterung"),
        required=False,
        max_length=200,
        help_text=_("Zum Beispiel „Gebühr nach § 3 der Verwaltungskostensatzung“."),
    )

    def clean_schema(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["schema"], str(_("Das Datenschema")))

    def clean_ui(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["ui"], str(_("Die Oberfläche")))

    @staticmethod
    def initial_for(schema: Any, ui: Any, fee_cents: int, fee_label: str) -> dict[str, Any]:
        return {
            "schema": json.dumps(schema, ensure_ascii=False, indent=2),
            "ui": json.dumps(ui, ensure_ascii=False, indent=2),
            "fee_cents": fee_cents,
            "fee_label": fee_label,
        }
