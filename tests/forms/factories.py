"""A small dog-registration form used throughout the forms tests."""

from __future__ import annotations

import copy
from typing import Any

from rathaus.accounts.models import Office
from rathaus.forms.models import FormDefinition, FormVersion

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vorname": {"type": "string", "title": "Vorname", "maxLength": 100},
        "nachname": {"type": "string", "title": "Nachname", "minLength": 2, "maxLength": 100},
        "email": {"type": "string", "title": "E-Mail-Adresse", "format": "email"},
        "plz": {
            "type": "string",
            "title": "Postleitzahl",
            "pattern": "^[0-9]{5}$",
            "x-patternMessage": "Bitte geben Sie eine fünfstellige Postleitzahl an.",
        },
        "hund_name": {"type": "string", "title": "Name des Hundes"},
        "geburtsdatum": {
            "type": "string",
            "title": "Geburtsdatum des Hundes",
            "format": "date",
            "description": "Ungefähr genügt.",
        },
        "anzahl": {"type": "integer", "title": "Anzahl Hunde", "minimum": 1, "maximum": 5},
        "rasse": {
            "type": "string",
            "title": "Rasse",
            "oneOf": [
                {"const": "mischling", "title": "Mischling"},
                {"const": "dackel", "title": "Dackel"},
                {"const": "pudel", "title": "Pudel"},
            ],
        },
        "gefaehrlich": {"type": "boolean", "title": "Gilt der Hund als gefährlich?"},
        "sachkunde": {"type": "string", "title": "Nummer des Sachkundenachweises"},
        "merkmale": {
            "type": "array",
            "title": "Merkmale",
            "items": {
                "type": "string",
                "oneOf": [
                    {"const": "chip", "title": "gechippt"},
                    {"const": "kastriert", "title": "kastriert"},
                ],
            },
            "uniqueItems": True,
            "maxItems": 2,
        },
        "bemerkung": {"type": "string", "title": "Bemerkung", "maxLength": 500},
    },
    "required": ["vorname", "nachname", "email", "hund_name", "rasse", "gefaehrlich"],
    "allOf": [
        {
            "if": {"properties": {"gefaehrlich": {"const": True}}, "required": ["gefaehrlich"]},
            "then": {"required": ["sachkunde"]},
        }
    ],
}

UI: dict[str, Any] = {
    "applicant": {"name": ["vorname", "nachname"], "email": "email"},
    "subject": "Hundeanmeldung {hund_name}",
    "steps": [
        {
            "id": "halter",
            "title": "Halterin oder Halter",
            "intro": "Wer hält den Hund?",
            "fields": [
                {"name": "vorname"},
                {"name": "nachname"},
                {"name": "email"},
                {"name": "plz"},
            ],
        },
        {
            "id": "hund",
            "title": "Der Hund",
            "fields": [
                {"name": "hund_name"},
                {"name": "geburtsdatum", "widget": "date"},
                {"name": "anzahl"},
                {"name": "rasse", "widget": "select"},
                {"name": "gefaehrlich", "widget": "radio"},
                {"name": "sachkunde", "show_if": {"field": "gefaehrlich", "equals": True}},
                {"name": "merkmale", "widget": "checkboxes"},
            ],
        },
        {
            "id": "sonstiges",
            "title": "Sonstiges",
            "fields": [{"name": "bemerkung", "widget": "textarea"}],
        },
    ],
}


def schema() -> dict[str, Any]:
    return copy.deepcopy(SCHEMA)


def ui() -> dict[str, Any]:
    return copy.deepcopy(UI)


def make_form(
    office: Office,
    *,
    slug: str = "hund-anmelden",
    title: str = "Hund anmelden",
    publish: bool = True,
    **fields: Any,
) -> FormDefinition:
    """A definition with version 1 (published unless `publish=False`)."""
    version_fields = {
        key: fields.pop(key) for key in ("fee_cents", "fee_label", "schema", "ui") if key in fields
    }
    definition = FormDefinition.objects.create(slug=slug, title=title, office=office, **fields)
    FormVersion.objects.create(
        definition=definition,
        number=1,
        schema=version_fields.get("schema", schema()),
        ui=version_fields.get("ui", ui()),
        fee_cents=version_fields.get("fee_cents", 0),
        fee_label=version_fields.get("fee_label", ""),
        status=FormVersion.Status.PUBLISHED if publish else FormVersion.Status.DRAFT,
    )
    return definition
