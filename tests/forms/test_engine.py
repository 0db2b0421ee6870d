"""The form engine on its own: messages for every kind of error, conditions, parsing,
summary, subject and applicant, and the check of definitions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import translation

from rathaus.forms import engine
from rathaus.forms.models import FormDefinition, FormVersion
from tests.forms.factories import schema, ui

VALID = {
    "vorname": "Anna",
    "nachname": "Muster",
    "email": "anna@example.org",
    "hund_name": "Bello",
    "rasse": "dackel",
    "gefaehrlich": False,
}


def version(s: dict[str, Any] | None = None, u: dict[str, Any] | None = None) -> FormVersion:
    return FormVersion(
        definition=FormDefinition(title="Hund anmelden"), schema=s or schema(), ui=u or ui()
    )


def messages(data: dict[str, Any], v: FormVersion | None = None) -> dict[str, str]:
    return {p.field or "": p.message for p in engine.validate_all(v or version(), data)}


def test_valid_data_has_no_problems() -> None:
    assert engine.validate_all(version(), VALID) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"vorname": None}, "vorname", "Bitte füllen Sie „Vorname“ aus."),
        ({"rasse": None}, "rasse", "Bitte wählen Sie bei „Rasse“ eine Antwort aus."),
        (
            {"anzahl": "drei"},
            "anzahl",
            "„Anzahl Hunde“: Bitte geben Sie eine ganze Zahl ein, zum Beispiel 3.",
        ),
        (
            {"geburtsdatum": "2026-02-30"},
            "geburtsdatum",
            (
                "„Geburtsdatum des Hundes“: Bitte geben Sie ein gültiges Datum an, "
                "zum Beispiel 24.12.2026."
            ),
        ),
        (
            {"email": "anna@"},
            "email",
            (
                "„E-Mail-Adresse“: Bitte geben Sie eine gültige E-Mail-Adresse an, "
                "zum Beispiel name@example.org."
            ),
        ),
        ({"nachname": "M"}, "nachname", "„Nachname“ muss mindestens 2 Zeichen lang sein."),
        ({"vorname": "A" * 101}, "vorname", "„Vorname“ darf höchstens 100 Zeichen lang sein."),
        ({"anzahl": 0}, "anzahl", "„Anzahl Hunde“ muss mindestens 1 sein."),
        ({"anzahl": 6}, "anzahl", "„Anzahl Hunde“ darf höchstens 5 sein."),
        (
            {"plz": "2161"},
            "plz",
            "„Postleitzahl“: Bitte geben Sie eine fünfstellige Postleitzahl an.",
        ),
        (
            {"rasse": "katze"},
            "rasse",
            "Bitte wählen Sie bei „Rasse“ eine der angebotenen Antworten.",
        ),
        (
            {"merkmale": ["chip", "chip"]},
            "merkmale",
            "„Merkmale“: Jede Antwort darf nur einmal gewählt werden.",
        ),
        (
            {"merkmale": ["wolf"]},
            "merkmale",
            "Bitte wählen Sie bei „Merkmale“ eine der angebotenen Antworten.",
        ),
        (
            {"gefaehrlich": "vielleicht"},
            "gefaehrlich",
            "Bitte wählen Sie bei „Gilt der Hund als gefährlich?“ „Ja“ oder „Nein“.",
        ),
    ],
)
def test_each_error_kind_has_a_german_message(
    changes: dict[str, Any], field: str, message: str
) -> None:
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    assert messages(data)[field] == message


def test_pattern_without_explanation_and_enum_and_type_boolean() -> None:
    s = schema()
    del s["properties"]["plz"]["x-patternMessage"]
    s["properties"]["rasse"] = {"type": "string", "title": "Rasse", "enum": ["a", "b"]}
    found = messages({**VALID, "plz": "x", "rasse": "c"}, version(s))
    assert found["plz"] == "„Postleitzahl“: Diese Angabe hat nicht die erwartete Form."
    assert found["rasse"] == "Bitte wählen Sie bei „Rasse“ eine der angebotenen Antworten."


def test_file_counts_and_confirmation_checkbox() -> None:
    s = schema()
    s["properties"]["nachweis"] = {
        "type": "array",
        "title": "Nachweis",
        "items": {"type": "integer"},
        "minItems": 2,
        "maxItems": 3,
        "uniqueItems": True,
    }
    s["properties"]["zustimmung"] = {"type": "boolean", "title": "Einwilligung", "const": True}
    u = ui()
    u["steps"][2]["fields"] += [
        {"name": "nachweis", "widget": "file", "accept": ["application/pdf"], "max_mb": 2},
        {"name": "zustimmung"},
    ]
    v = version(s, u)
    assert messages({**VALID, "nachweis": [1], "zustimmung": False}, v) == {
        "nachweis": "„Nachweis“: Bitte laden Sie mindestens 2 Dateien hoch.",
        "zustimmung": "Bitte bestätigen Sie „Einwilligung“.",
    }
    assert messages({**VALID, "nachweis": [1, 2, 3, 4], "zustimmung": True}, v)["nachweis"] == (
        "„Nachweis“: Bitte laden Sie höchstens 3 Dateien hoch."
    )
    assert messages({**VALID, "nachweis": [1, 1], "zustimmung": True}, v)["nachweis"] == (
        "„Nachweis“: Dieselbe Datei ist mehrfach angegeben."
    )
    s["required"].append("nachweis")
    assert messages({**VALID, "zustimmung": True}, version(s, u))["nachweis"] == (
        "Bitte laden Sie „Nachweis“ hoch."
    )


def test_messages_are_translatable() -> None:
    # English comes from the .po file later; until then the German text is the fallback,
    # and the label always stays as the definition spells it.
    with translation.override("en"):
        text = messages({k: v for k, v in VALID.items() if k != "vorname"})["vorname"]
    assert "„Vorname“" in text


def test_condition_requires_only_when_it_holds_and_hidden_data_is_dropped() -> None:
    v = version()
    dangerous = {**VALID, "gefaehrlich": True}
    assert (
        messages(dangerous)["sachkunde"] == "Bitte füllen Sie „Nummer des Sachkundenachweises“ aus."
    )
    assert "sachkunde" not in messages({**VALID, "sachkunde": ""})
    data = {**VALID, "sachkunde": "S-1", "unbekannt": "x"}
    assert engine.visible_data(v, data) == VALID  # hidden by its condition, unknown key gone
    assert engine.visible_data(v, {**data, "gefaehrlich": True})["sachkunde"] == "S-1"


def test_conditions_in_and_chains_and_step_rendering() -> None:
    s = schema()
    s["properties"]["maulkorb"] = {"type": "boolean", "title": "Maulkorb"}
    u = ui()
    u["steps"][1]["fields"][5]["show_if"] = {"field": "rasse", "in": ["dackel", "pudel"]}
    u["steps"][2]["fields"].append(
        {"name": "maulkorb", "show_if": {"field": "sachkunde", "equals": "S"}}
    )
    v = version(s, u)
    assert "sachkunde" in engine.visible_names(v, {"rasse": "pudel"})
    assert "sachkunde" not in engine.visible_names(v, {"rasse": "mischling"})
    # A chain: maulkorb depends on sachkunde, which is hidden, so maulkorb is hidden too.
    assert "maulkorb" not in engine.visible_names(v, {"rasse": "mischling", "sachkunde": "S"})
    assert "maulkorb" in engine.visible_names(v, {"rasse": "dackel", "sachkunde": "S"})
    hund = engine.step_by_id(v, "hund")
    assert hund is not None
    # Same-step condition: shown with a note whatever the answers.
    assert "sachkunde" in [f.name for f in engine.rendered_fields(hund, {})]
    note = engine.condition_note(hund.fields[5], engine.fields_by_name(v))
    assert (
        note
        == "Nur auszufüllen, wenn Sie bei „Rasse“ eine dieser Antworten geben: „Dackel“, „Pudel“."
    )
    # Earlier-step condition: decided; a step with nothing to show is skipped.
    sonstiges = engine.step_by_id(v, "sonstiges")
    assert sonstiges is not None
    assert [f.name for f in engine.rendered_fields(sonstiges, {"sachkunde": "X"})] == ["bemerkung"]


def test_true_is_not_one() -> None:
    assert engine.condition_holds({"field": "a", "equals": True}, {"a": True})
    assert not engine.condition_holds({"field": "a", "equals": True}, {"a": 1})
    assert not engine.condition_holds({"field": "a", "equals": 1}, {"a": True})


def test_parsing_per_widget() -> None:
    v = version()
    post = QueryDict(mutable=True)
    post.update(
        {
            "hund_name": "  Bello ",
            "geburtsdatum": "1.5.2020",
            "anzahl": "2",
            "rasse": "pudel",
            "gefaehrlich": "true",
        }
    )
    post.setlist("merkmale", ["chip", "kastriert"])
    hund = engine.step_by_id(v, "hund")
    assert hund is not None
    data = engine.parse_step(hund.fields, post, {"vorname": "Anna", "sachkunde": "alt"})
    assert data == {
        "vorname": "Anna",
        "hund_name": "Bello",
        "geburtsdatum": "2020-05-01",
        "anzahl": 2,
        "rasse": "pudel",
        "gefaehrlich": True,
        "merkmale": ["chip", "kastriert"],
    }  # an emptied field loses its key, so "required" can name it
    assert engine.parse_number("2,5", "number") == 2.5
    assert engine.parse_number("1.234", "integer") == 1234
    assert engine.parse_number("1,5", "integer") == "1,5"  # stays text: the type check names it
    assert engine.parse_number("drei", "integer") == "drei"
    assert engine.parse_date("31.2.2026") == "31.2.2026"
    assert engine.parse_date("2026-12-24") == "2026-12-24"


def test_summary_subject_and_applicant() -> None:
    v = version()
    data = {**VALID, "geburtsdatum": "2020-05-01", "merkmale": ["chip", "kastriert"], "anzahl": 2}
    rows = engine.summary_rows(v, data)
    assert [title for title, _rows in rows] == ["Halterin oder Halter", "Der Hund", "Sonstiges"]
    hund = dict(rows[1][1])
    assert hund["Geburtsdatum des Hundes"] == "01.05.2020"
    assert hund["Rasse"] == "Dackel"
    assert hund["Gilt der Hund als gefährlich?"] == "Nein"
    assert hund["Merkmale"] == "gechippt, kastriert"
    assert "Nummer des Sachkundenachweises" not in hund
    assert dict(rows[0][1])["Postleitzahl"] == ""
    assert engine.subject_for(v, data) == "Hundeanmeldung Bello"
    assert engine.subject_for(v, {}) == "Hundeanmeldung"
    no_subject = ui()
    del no_subject["subject"]
    assert engine.subject_for(version(u=no_subject), data) == "Hund anmelden"
    assert engine.applicant_for(v, data) == ("Anna Muster", "anna@example.org")
    assert engine.applicant_for(v, {}) == ("", "")


def test_fields_carry_labels_help_widgets_and_autocomplete() -> None:
    fields = engine.fields_by_name(version())
    assert fields["geburtsdatum"].help == "Ungefähr genügt."
    assert fields["gefaehrlich"].choices == [
        engine.Choice(True, "Ja"),
        engine.Choice(False, "Nein"),
    ]
    assert fields["rasse"].widget == "select"
    assert fields["anzahl"].widget == "number"
    assert fields["merkmale"].widget == "checkboxes"
    assert fields["vorname"].autocomplete == "given-name"
    assert fields["nachname"].autocomplete == "family-name"
    assert fields["email"].autocomplete == "email"
    assert fields["plz"].autocomplete == "postal-code"
    assert fields["sachkunde"].required  # required by a condition
    assert not fields["bemerkung"].required


def test_check_definition_accepts_the_example() -> None:
    assert engine.check_definition(schema(), ui()) == []


def broken(path: str, value: Any, base: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    *parents, last = path.split(".")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    ("which", "path", "value", "expected"),
    [
        (
            "schema",
            "properties.anzahl.type",
            "zahl",
            "Kein gültiges JSON Schema (2020-12) bei properties/anzahl/type",
        ),
        ("schema", "type", "array", '"type": "object"'),
        (
            "schema",
            "properties.plz.pattern",
            "([0-9",
            "Das Muster (pattern) ist kein gültiger Ausdruck",
        ),
        (
            "schema",
            "required",
            ["vorname", "gibtsnicht"],
            "„gibtsnicht“ ist als Pflichtfeld genannt",
        ),
        (
            "ui",
            "steps.0.fields.0.name",
            "vornahme",
            "Feld „vornahme“: Das Feld gibt es im Datenschema nicht.",
        ),
        (
            "ui",
            "steps.2",
            KeyError,
            "Das Feld „bemerkung“ aus dem Datenschema steht in keinem Schritt.",
        ),
        (
            "ui",
            "steps.1.fields.5.show_if",
            {"field": "gibtsnicht", "equals": 1},
            "Die Bedingung nennt das Feld „gibtsnicht“, das es nicht gibt.",
        ),
        (
            "ui",
            "steps.0.fields.0.show_if",
            {"field": "nachname", "equals": "x"},
            "das muss ein Feld sein, das vorher gefragt wird",
        ),
        ("ui", "steps.1.fields.5.show_if", {"field": "gefaehrlich"}, '"show_if" braucht "equals"'),
        ("ui", "steps.1.fields.0.widget", "slider", "Unbekanntes Eingabeelement „slider“"),
        ("ui", "steps.1.fields.2.widget", "date", "Das Eingabeelement „date“ braucht"),
        ("ui", "steps.1.fields.6.widget", "file", 'Ein Datei-Feld braucht "accept"'),
        ("ui", "steps.1.id", "halter", "Die Kennung gibt es schon einmal."),
        ("ui", "steps.1.id", "zusammenfassung", "ist für eine andere Seite reserviert"),
        ("ui", "steps.1.id", "Der Hund", '"id" muss aus Kleinbuchstaben'),
        ("ui", "subject", "Hund {name}", '"subject" nennt {name}; das Feld gibt es nicht.'),
        ("ui", "applicant.email", "mail", '"applicant.email" nennt „mail“'),
    ],
)
def test_check_definition_names_each_problem(
    which: str, path: str, value: Any, expected: str
) -> None:
    s, u = schema(), ui()
    if which == "schema":
        s = broken(path, value, s)
    else:
        u = broken(path, value, u)
    problems = engine.check_definition(s, u)
    assert any(expected in p.message for p in problems), [p.message for p in problems]
    assert all(p.field in ("schema", "ui") for p in problems)


def test_check_definition_file_field_needs_accept_and_size() -> None:
    s = schema()
    s["properties"]["nachweis"] = {"type": "array", "title": "N", "items": {"type": "integer"}}
    u = ui()
    u["steps"][2]["fields"].append({"name": "nachweis", "widget": "file", "accept": ["pdf"]})
    found = [p.message for p in engine.check_definition(s, u)]
    assert any('"accept"' in m for m in found)
    assert any('"max_mb"' in m for m in found)


def test_check_definition_of_non_objects() -> None:
    assert engine.check_definition([], {})[0].message.startswith("Das Datenschema muss")
    assert engine.check_definition(schema(), "x")[0].message.startswith("Die Oberfläche muss")
    assert "mindestens einen Schritt" in engine.check_definition(schema(), {"steps": []})[0].message


def test_steps_tolerate_broken_definitions() -> None:
    v = version(u={"steps": [{"id": "a", "fields": [{"name": "fehlt"}, 3, "vorname"]}, "x"]})
    (only,) = engine.steps(v)
    assert [f.name for f in only.fields] == ["fehlt", "vorname"]
    assert only.fields[0].label == "fehlt"
