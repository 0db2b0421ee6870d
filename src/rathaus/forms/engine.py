"""The form engine: a FormVersion's two JSON documents turned into steps, fields and answers.

`schema` (JSON Schema 2020-12) says what valid data is; `ui` says how it is asked for (steps,
order, widgets, conditions). This module only reads: versions, data and, for the summary, the
names of uploaded files.

- `steps(version)`: the steps and their fields (label, help, widget, choices, condition).
- `parse_step(fields, post, data)`: POSTed strings to JSON-typed values, per widget.
- `visible_names(version, data)`: `show_if` evaluated on the server (no JavaScript needed).
- `validate_step` / `validate_all`: jsonschema errors as German, translatable messages, one
  per field, only for fields the citizen was actually asked.
- `visible_data`, `summary_rows`, `subject_for`, `applicant_for`: what submission, the summary
  page and the receipt need.
- `check_definition(schema, ui)`: whether a definition can be published at all.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaValidationError

from rathaus.core.errors import Problem
from rathaus.forms.models import FormVersion

WIDGETS = (
    "text",
    "textarea",
    "date",
    "email",
    "number",
    "checkbox",
    "radio",
    "select",
    "checkboxes",
    "file",
)
# Step ids become path segments next to these pages of a draft.
RESERVED_STEP_IDS = frozenset({"zusammenfassung", "gespeichert", "absenden", "abgelaufen"})
STEP_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GERMAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
MIME_RE = re.compile(r"^[a-z]+/[a-z0-9.+*-]+$")
SUBJECT_MAX = 300

# Names citizens' browsers know how to fill in (WCAG 1.3.5 "Identify Input Purpose").
AUTOCOMPLETE = {
    "vorname": "given-name",
    "nachname": "family-name",
    "familienname": "family-name",
    "name": "name",
    "email": "email",
    "mail": "email",
    "telefon": "tel",
    "telefonnummer": "tel",
    "mobil": "tel",
    "strasse": "street-address",
    "straße": "street-address",
    "anschrift": "street-address",
    "adresse": "street-address",
    "plz": "postal-code",
    "postleitzahl": "postal-code",
    "ort": "address-level2",
    "wohnort": "address-level2",
    "stadt": "address-level2",
    "geburtsdatum": "bday",
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- format checks ------------------------------------------------------------------------

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not DATE_RE.fullmatch(instance):
        return False
    datetime.date.fromisoformat(instance)
    return True


@FORMAT_CHECKER.checks("email", raises=DjangoValidationError)
def _is_email(instance: object) -> bool:
    # jsonschema's own check only looks for an "@"; this is the check Django uses everywhere.
    if isinstance(instance, str):
        validate_email(instance)
    return True


# --- steps and fields ---------------------------------------------------------------------


def encode(value: Any) -> str:
    """The string a choice travels as in HTML: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str

    @property
    def key(self) -> str:
        return encode(self.value)


@dataclass
class Field:
    name: str
    step_id: str
    label: str
    help: str
    widget: str
    schema: dict[str, Any]
    required: bool = False
    show_if: dict[str, Any] | None = None
    accept: tuple[str, ...] = ()
    max_mb: float = 0
    choices: list[Choice] = field(default_factory=list)
    autocomplete: str = ""

    @property
    def json_type(self) -> str:
        kind = self.schema.get("type", "")
        return kind if isinstance(kind, str) else ""

    @property
    def html_id(self) -> str:
        return f"feld-{self.name}"

    @property
    def is_group(self) -> bool:
        """Radio buttons and checkbox lists are grouped in a fieldset with a legend."""
        return self.widget in ("radio", "checkboxes")

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    def choice_label(self, value: Any) -> str:
        for choice in self.choices:
            if choice.value == value and type(choice.value) is type(value):
                return choice.label
        return str(value)


@dataclass
class Step:
    id: str
    title: str
    intro: str
    fields: list[Field]
    position: int


def _choices(schema: Mapping[str, Any]) -> list[Choice]:
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list):
        found = [
            Choice(option["const"], str(option.get("title", option["const"])))
            for option in options
            if isinstance(option, dict) and "const" in option
        ]
        if found:
            return found
    if isinstance(schema.get("enum"), list):
        return [Choice(value, str(value)) for value in schema["enum"]]
    if schema.get("type") == "boolean":
        return [Choice(True, _("Ja")), Choice(False, _("Nein"))]
    return []


def _default_widget(schema: Mapping[str, Any], choices: list[Choice]) -> str:
    kind = schema.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "array":
        items = _dict(schema.get("items"))
        return "file" if items.get("type") == "integer" else "checkboxes"
    if choices:
        return "radio" if len(choices) <= 5 else "select"
    if schema.get("format") in ("date", "email"):
        return str(schema["format"])
    return "text"


def _autocomplete(name: str, ui: Mapping[str, Any]) -> str:
    applicant = _dict(ui.get("applicant"))
    names = applicant.get("name")
    names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
    if name in names:
        if len(names) == 1:
            return "name"
        return "given-name" if names.index(name) == 0 else "family-name"
    if name == applicant.get("email"):
        return "email"
    for token in reversed(name.lower().split("_")):
        if token in AUTOCOMPLETE:
            return AUTOCOMPLETE[token]
    return ""


def _always_required(schema: Mapping[str, Any]) -> set[str]:
    required = schema.get("required")
    return {str(n) for n in required} if isinstance(required, list) else set()


def _sometimes_required(schema: Mapping[str, Any]) -> set[str]:
    """Fields the `allOf: [{if, then: {required}}]` rules can require."""
    found: set[str] = set()
    rules = schema.get("allOf")
    for rule in rules if isinstance(rules, list) else []:
        then = rule.get("then") if isinstance(rule, dict) else None
        if isinstance(then, dict):
            found |= _always_required(then)
    return found


def steps(version: FormVersion) -> list[Step]:
    """The steps of a version, tolerant of broken definitions (the editor previews those)."""
    cache_key = (id(version.schema), id(version.ui))
    cached = getattr(version, "_engine_steps", None)
    if cached is not None and cached[0] == cache_key:
        return list(cached[1])
    schema = _dict(version.schema)
    ui = _dict(version.ui)
    properties = _dict(schema.get("properties"))
    required = _always_required(schema) | _sometimes_required(schema)
    result: list[Step] = []
    raw_steps = _list(ui.get("steps"))
    for position, raw in enumerate(raw_steps):
        if not isinstance(raw, dict):
            continue
        step_id = str(raw.get("id") or f"schritt-{position + 1}")
        fields: list[Field] = []
        raw_fields = _list(raw.get("fields"))
        for item in raw_fields:
            entry = {"name": item} if isinstance(item, str) else item
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            name = entry["name"]
            prop = _dict(properties.get(name))
            is_array = prop.get("type") == "array" and isinstance(prop.get("items"), dict)
            choices = _choices(prop["items"] if is_array else prop)
            widget = str(entry.get("widget") or _default_widget(prop, choices))
            accept = _list(entry.get("accept"))
            max_mb = entry.get("max_mb")
            fields.append(
                Field(
                    name=name,
                    step_id=step_id,
                    label=str(entry.get("label") or prop.get("title") or name),
                    help=str(entry.get("help") or prop.get("description") or ""),
                    widget=widget,
                    schema=prop,
                    required=name in required,
                    show_if=_dict(entry.get("show_if")) or None,
                    accept=tuple(str(a) for a in accept),
                    max_mb=float(max_mb) if isinstance(max_mb, (int, float)) else 0,
                    choices=choices,
                    autocomplete=str(entry.get("autocomplete") or _autocomplete(name, ui)),
                )
            )
        result.append(
            Step(
                id=step_id,
                title=str(raw.get("title") or step_id),
                intro=str(raw.get("intro") or ""),
                fields=fields,
                position=position,
            )
        )
    version._engine_steps = (cache_key, result)  # type: ignore[attr-defined]
    return list(result)


def all_fields(version: FormVersion) -> list[Field]:
    return [f for step in steps(version) for f in step.fields]


def fields_by_name(version: FormVersion) -> dict[str, Field]:
    return {f.name: f for f in all_fields(version)}


def step_by_id(version: FormVersion, step_id: str) -> Step | None:
    return next((s for s in steps(version) if s.id == step_id), None)


# --- conditions ---------------------------------------------------------------------------


def condition_holds(show_if: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    name = show_if.get("field")
    if not isinstance(name, str) or name not in data:
        return False
    value = data[name]
    if "equals" in show_if:
        return _same(value, show_if["equals"])
    options = show_if.get("in")
    if isinstance(options, list):
        return any(_same(value, option) for option in options)
    return False


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a yes/no answer must not match the number 1.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def visible_names(version: FormVersion, data: Mapping[str, Any]) -> set[str]:
    """Fields asked for, given the answers: a field whose condition fails is left out, and so
    is one whose condition names a field that is itself left out."""
    shown: set[str] = set()
    for f in all_fields(version):
        if f.show_if is None:
            shown.add(f.name)
            continue
        depends_on = f.show_if.get("field")
        if depends_on in shown and condition_holds(f.show_if, data):
            shown.add(f.name)
    return shown


def visible_data(version: FormVersion, data: Mapping[str, Any]) -> dict[str, Any]:
    """The data to submit: answers of fields left out by a condition (and unknown keys) go."""
    shown = visible_names(version, data)
    return {
        name: data[name]
        for name in (f.name for f in all_fields(version))
        if name in shown and name in data
    }


def rendered_fields(step: Step, data: Mapping[str, Any]) -> list[Field]:
    """The fields a step's page shows: a condition on a field of the same step cannot be
    evaluated before the page is sent (no JavaScript), so such a field is shown with a note;
    a condition on an earlier step is evaluated and the field shown or left out."""
    own = {f.name for f in step.fields}
    shown: list[Field] = []
    names: set[str] = set()
    for f in step.fields:
        if f.show_if is None:
            shown.append(f)
            names.add(f.name)
            continue
        depends_on = f.show_if.get("field")
        if depends_on in own:
            if depends_on in names:
                shown.append(f)
                names.add(f.name)
        elif condition_holds(f.show_if, data):
            shown.append(f)
            names.add(f.name)
    return shown


def visible_steps(version: FormVersion, data: Mapping[str, Any]) -> list[Step]:
    """Steps with at least one field to show; a step whose fields are all left out is skipped."""
    return [s for s in steps(version) if rendered_fields(s, data)]


def condition_note(f: Field, fields: Mapping[str, Field]) -> str:
    """ "Nur auszufüllen, wenn …" for a field shown before its condition can be known."""
    if f.show_if is None:
        return ""
    source = fields.get(str(f.show_if.get("field")))
    if source is None:
        return ""
    if "equals" in f.show_if:
        return _("Nur auszufüllen, wenn Sie bei „%(field)s“ „%(value)s“ angeben.") % {
            "field": source.label,
            "value": source.choice_label(f.show_if["equals"]),
        }
    values = _list(f.show_if.get("in"))
    return _(
        "Nur auszufüllen, wenn Sie bei „%(field)s“ eine dieser Antworten geben: %(values)s."
    ) % {
        "field": source.label,
        "values": ", ".join(f"„{source.choice_label(v)}“" for v in values),
    }


# --- parsing posted values ----------------------------------------------------------------


def parse_date(text: str) -> str:
    """ISO dates pass; "24.12.2026" (typed where the browser has no date picker) is converted.
    Anything else is kept as typed, so the format check names it."""
    text = text.strip()
    german = GERMAN_DATE_RE.fullmatch(text)
    if german:
        day, month, year = (int(part) for part in german.groups())
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


def parse_number(text: str, kind: str) -> Any:
    """ "1.234,5" and "1234.5" alike; what is no number stays text and fails the type check."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif kind == "integer" and THOUSANDS_RE.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "")  # "1.234" is a German thousand and more
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return text.strip()
    if not number.is_finite():
        return text.strip()
    if number == number.to_integral_value():
        return int(number)
    return text.strip() if kind == "integer" else float(number)


def _from_key(f: Field, key: str) -> Any:
    for choice in f.choices:
        if choice.key == key:
            return choice.value
    return key  # not one of the choices: kept, so validation names it


def parse_step(fields: Iterable[Field], post: QueryDict, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with the posted answers of `fields` (those shown on the page) merged in.

    An empty answer removes the field's key, so "required" catches it; file fields are left
    alone (their values are the ids of uploads, managed by the upload code).
    """
    result = dict(data)
    for f in fields:
        value: Any
        if f.widget == "file":
            continue
        if f.widget == "checkbox":
            result[f.name] = post.get(f.name, "") not in ("", "0", "false", "nein")
            continue
        if f.widget == "checkboxes":
            keys = [k for k in post.getlist(f.name) if k]
            if keys:
                result[f.name] = [_from_key(f, k) for k in keys]
            else:
                result.pop(f.name, None)
            continue
        raw = post.get(f.name, "")
        raw = raw.replace("\r\n", "\n").strip() if f.widget == "textarea" else raw.strip()
        if not raw:
            result.pop(f.name, None)
            continue
        if f.widget in ("radio", "select") or (f.choices and f.json_type != "string"):
            value = _from_key(f, raw)
        elif f.widget == "date":
            value = parse_date(raw)
        elif f.widget == "number" or f.json_type in ("integer", "number"):
            value = parse_number(raw, f.json_type)
        else:
            value = raw
        result[f.name] = value
    return result


# --- validation ---------------------------------------------------------------------------


def _quoted(f: Field) -> str:
    return f"„{f.label}“"


def _number(value: Any) -> str:
    return str(formats.number_format(value, use_l10n=True))


def _message(error: SchemaValidationError, f: Field, missing: bool) -> str:
    label = _quoted(f)
    kind = error.validator
    is_item = len(error.absolute_path) > 1
    if missing:
        if f.widget == "file":
            return _("Bitte laden Sie %(label)s hoch.") % {"label": label}
        if f.widget in ("radio", "select", "checkboxes"):
            return _("Bitte wählen Sie bei %(label)s eine Antwort aus.") % {"label": label}
        if f.widget == "checkbox":
            return _("Bitte bestätigen Sie %(label)s.") % {"label": label}
        return _("Bitte füllen Sie %(label)s aus.") % {"label": label}
    if kind == "type":
        expected = error.validator_value
        if expected == "integer":
            return _("%(label)s: Bitte geben Sie eine ganze Zahl ein, zum Beispiel 3.") % {
                "label": label
            }
        if expected == "number":
            return _("%(label)s: Bitte geben Sie eine Zahl ein, zum Beispiel 2,5.") % {
                "label": label
            }
        if expected == "boolean":
            return _("Bitte wählen Sie bei %(label)s „Ja“ oder „Nein“.") % {"label": label}
        return _("%(label)s: Diese Angabe hat nicht die erwartete Form.") % {"label": label}
    if kind == "format":
        if error.validator_value == "date":
            return _(
                "%(label)s: Bitte geben Sie ein gültiges Datum an, zum Beispiel 24.12.2026."
            ) % {"label": label}
        if error.validator_value == "email":
            return _(
                "%(label)s: Bitte geben Sie eine gültige E-Mail-Adresse an, "
                "zum Beispiel name@example.org."
            ) % {"label": label}
        return _("%(label)s: Diese Angabe hat nicht die erwartete Form.") % {"label": label}
    if kind == "minLength":
        n = int(error.validator_value)
        return ngettext(
            "%(label)s muss mindestens %(n)d Zeichen lang sein.",
            "%(label)s muss mindestens %(n)d Zeichen lang sein.",
            n,
        ) % {"label": label, "n": n}
    if kind == "maxLength":
        n = int(error.validator_value)
        return ngettext(
            "%(label)s darf höchstens %(n)d Zeichen lang sein.",
            "%(label)s darf höchstens %(n)d Zeichen lang sein.",
            n,
        ) % {"label": label, "n": n}
    if kind == "minimum":
        return _("%(label)s muss mindestens %(n)s sein.") % {
            "label": label,
            "n": _number(error.validator_value),
        }
    if kind == "maximum":
        return _("%(label)s darf höchstens %(n)s sein.") % {
            "label": label,
            "n": _number(error.validator_value),
        }
    if kind == "exclusiveMinimum":
        return _("%(label)s muss größer als %(n)s sein.") % {
            "label": label,
            "n": _number(error.validator_value),
        }
    if kind == "exclusiveMaximum":
        return _("%(label)s muss kleiner als %(n)s sein.") % {
            "label": label,
            "n": _number(error.validator_value),
        }
    if kind == "pattern":
        custom = f.schema.get("x-patternMessage")
        if custom:
            return f"{label}: {custom}"
        return _("%(label)s: Diese Angabe hat nicht die erwartete Form.") % {"label": label}
    if kind == "const" and error.validator_value is True and not is_item:
        return _("Bitte bestätigen Sie %(label)s.") % {"label": label}
    if kind in ("oneOf", "anyOf", "enum", "const"):
        return _("Bitte wählen Sie bei %(label)s eine der angebotenen Antworten.") % {
            "label": label
        }
    if kind == "minItems":
        n = int(error.validator_value)
        if f.widget == "file":
            return ngettext(
                "%(label)s: Bitte laden Sie mindestens %(n)d Datei hoch.",
                "%(label)s: Bitte laden Sie mindestens %(n)d Dateien hoch.",
                n,
            ) % {"label": label, "n": n}
        return ngettext(
            "%(label)s: Bitte wählen Sie mindestens %(n)d Antwort aus.",
            "%(label)s: Bitte wählen Sie mindestens %(n)d Antworten aus.",
            n,
        ) % {"label": label, "n": n}
    if kind == "maxItems":
        n = int(error.validator_value)
        if f.widget == "file":
            return ngettext(
                "%(label)s: Bitte laden Sie höchstens %(n)d Datei hoch.",
                "%(label)s: Bitte laden Sie höchstens %(n)d Dateien hoch.",
                n,
            ) % {"label": label, "n": n}
        return ngettext(
            "%(label)s: Bitte wählen Sie höchstens %(n)d Antwort aus.",
            "%(label)s: Bitte wählen Sie höchstens %(n)d Antworten aus.",
            n,
        ) % {"label": label, "n": n}
    if kind == "uniqueItems":
        if f.widget == "file":
            return _("%(label)s: Dieselbe Datei ist mehrfach angegeben.") % {"label": label}
        return _("%(label)s: Jede Antwort darf nur einmal gewählt werden.") % {"label": label}
    return _("%(label)s: Diese Angabe ist ungültig.") % {"label": label}


def _validator(version: FormVersion) -> Draft202012Validator:
    return Draft202012Validator(version.schema, format_checker=FORMAT_CHECKER)


def _problems(version: FormVersion, data: Mapping[str, Any], only: set[str]) -> list[Problem]:
    """One problem per field in `only` (the first error found), in the order of the form."""
    known = fields_by_name(version)
    submitted = visible_data(version, data)
    found: dict[str, Problem] = {}
    for error in _validator(version).iter_errors(submitted):
        if error.validator == "required":
            instance = _dict(error.instance)
            names = [str(n) for n in error.validator_value if n not in instance]
            missing = True
        elif error.absolute_path:
            names, missing = [str(error.absolute_path[0])], False
        else:
            continue  # about the object as a whole; the definition check prevents these
        for name in names:
            if name in only and name not in found and name in known:
                found[name] = Problem(_message(error, known[name], missing), field=name)
    order = [f.name for f in all_fields(version)]
    return [found[name] for name in order if name in found]


def validate_step(version: FormVersion, step: Step, data: Mapping[str, Any]) -> list[Problem]:
    """Problems of the fields on this step's page whose answers count (conditions hold)."""
    shown = visible_names(version, data)
    return _problems(version, data, {f.name for f in step.fields if f.name in shown})


def validate_all(version: FormVersion, data: Mapping[str, Any]) -> list[Problem]:
    """Problems of the whole application, for the summary page and submission."""
    return _problems(version, data, visible_names(version, data))


# --- displaying answers -------------------------------------------------------------------


def _upload_names(ids: Iterable[int]) -> dict[int, str]:
    from rathaus.forms.models import Upload

    wanted = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    if not wanted:
        return {}
    return dict(Upload.objects.filter(pk__in=wanted).values_list("pk", "original_name"))


def display_value(f: Field, value: Any, uploads: Mapping[int, str] | None = None) -> str:
    """An answer as a person reads it: dates in local format, choices by their label."""
    if value is None or value in ("", []):
        return ""
    if f.widget == "file":
        names = uploads or {}
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.get(v, str(v)) if isinstance(v, int) else str(v) for v in items)
    if isinstance(value, list):
        return ", ".join(f.choice_label(v) for v in value)
    if f.choices:
        return f.choice_label(value)
    if isinstance(value, bool):
        return _("Ja") if value else _("Nein")
    if f.widget == "date" or f.schema.get("format") == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return str(formats.date_format(day, "SHORT_DATE_FORMAT"))
    if isinstance(value, (int, float)):
        return _number(value)
    return str(value)


@dataclass(frozen=True)
class SummaryRow:
    field: Field
    label: str
    value: str


@dataclass(frozen=True)
class SummaryStep:
    step: Step
    rows: list[SummaryRow]


def summary(
    version: FormVersion, data: Mapping[str, Any], uploads: Mapping[int, str] | None = None
) -> list[SummaryStep]:
    """Every answer that counts, per step; unanswered optional fields show as empty."""
    shown = visible_names(version, data)
    if uploads is None:
        ids = [
            v
            for f in all_fields(version)
            if f.widget == "file" and isinstance(data.get(f.name), list)
            for v in data[f.name]
        ]
        uploads = _upload_names(ids)
    result = []
    for step in steps(version):
        rows = [
            SummaryRow(f, f.label, display_value(f, data.get(f.name), uploads))
            for f in step.fields
            if f.name in shown
        ]
        if rows:
            result.append(SummaryStep(step, rows))
    return result


def summary_rows(
    version: FormVersion, data: Mapping[str, Any]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(step title, [(label, display value)]) for the summary page and the receipt PDF."""
    return [
        (item.step.title, [(row.label, row.value) for row in item.rows])
        for item in summary(version, data)
    ]


def subject_for(version: FormVersion, data: Mapping[str, Any]) -> str:
    """The case subject: `ui.subject` with `{field}` filled in, else the form's title."""
    title = str(version.definition.title)
    ui = _dict(version.ui)
    template = ui.get("subject")
    if not isinstance(template, str) or not template.strip():
        return title[:SUBJECT_MAX]
    known = fields_by_name(version)

    def fill(match: re.Match[str]) -> str:
        f = known.get(match.group(1))
        return display_value(f, data.get(f.name)) if f else ""

    text = " ".join(PLACEHOLDER_RE.sub(fill, template).split())
    return (text or title)[:SUBJECT_MAX]


def applicant_for(version: FormVersion, data: Mapping[str, Any]) -> tuple[str, str]:
    """(name, email) of the applicant as `ui.applicant` names them; "" where not given."""
    ui = _dict(version.ui)
    applicant = _dict(ui.get("applicant"))
    names = applicant.get("name")
    names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
    name = " ".join(str(data[n]).strip() for n in names if isinstance(data.get(n), str))
    email_field = applicant.get("email")
    email = data.get(email_field) if isinstance(email_field, str) else ""
    return " ".join(name.split())[:200], email.strip() if isinstance(email, str) else ""


# --- checking definitions -----------------------------------------------------------------


def _schema_path(error: SchemaValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or _("(oberste Ebene)")


def check_definition(schema: Any, ui: Any) -> list[Problem]:
    """Everything that stops a definition from being published, each naming where it is."""
    problems: list[Problem] = []

    def schema_problem(message: str) -> None:
        problems.append(Problem(message, field="schema"))

    def ui_problem(message: str) -> None:
        problems.append(Problem(message, field="ui"))

    if not isinstance(schema, dict):
        schema_problem(_("Das Datenschema muss ein JSON-Objekt sein ({…})."))
        return problems
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for error in sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path))):
        schema_problem(
            _("Kein gültiges JSON Schema (2020-12) bei %(path)s: %(message)s")
            % {"path": _schema_path(error), "message": error.message}
        )
    if problems:
        return problems
    if schema.get("type") != "object":
        schema_problem(_('Das Datenschema braucht "type": "object" auf oberster Ebene.'))
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        schema_problem(_('Das Datenschema braucht unter "properties" mindestens ein Feld.'))
        return problems
    for name, prop in properties.items():
        if not FIELD_NAME_RE.fullmatch(name):
            schema_problem(
                _("Feldname „%(name)s“: nur Buchstaben, Ziffern und _ (höchstens 64 Zeichen).")
                % {"name": name}
            )
        if isinstance(prop, dict) and isinstance(prop.get("pattern"), str):
            try:
                re.compile(prop["pattern"])
            except re.error as exc:
                schema_problem(
                    _("Feld „%(name)s“: Das Muster (pattern) ist kein gültiger Ausdruck: %(error)s")
                    % {"name": name, "error": exc}
                )
    for name in sorted(_always_required(schema) | _sometimes_required(schema)):
        if name not in properties:
            schema_problem(
                _('„%(name)s“ ist als Pflichtfeld genannt, steht aber nicht unter "properties".')
                % {"name": name}
            )

    if not isinstance(ui, dict):
        ui_problem(_("Die Oberfläche muss ein JSON-Objekt sein ({…})."))
        return problems
    raw_steps = ui.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        ui_problem(_('Die Oberfläche braucht unter "steps" mindestens einen Schritt.'))
        return problems
    seen_steps: set[str] = set()
    placed: dict[str, str] = {}  # field name -> step id, in order
    for index, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, dict):
            ui_problem(_("Schritt %(n)d ist kein JSON-Objekt.") % {"n": index})
            continue
        step_id = raw.get("id")
        where = _("Schritt %(n)d („%(id)s“)") % {"n": index, "id": step_id}
        if not isinstance(step_id, str) or not STEP_ID_RE.fullmatch(step_id):
            ui_problem(
                _('%(where)s: "id" muss aus Kleinbuchstaben, Ziffern und Bindestrichen bestehen.')
                % {"where": where}
            )
        elif step_id in RESERVED_STEP_IDS:
            ui_problem(
                _("%(where)s: Die Kennung „%(id)s“ ist für eine andere Seite reserviert.")
                % {"where": where, "id": step_id}
            )
        elif step_id in seen_steps:
            ui_problem(_("%(where)s: Die Kennung gibt es schon einmal.") % {"where": where})
        if isinstance(step_id, str):
            seen_steps.add(step_id)
        if not isinstance(raw.get("title"), str) or not raw["title"].strip():
            ui_problem(_('%(where)s: Es fehlt ein Titel ("title").') % {"where": where})
        raw_fields = raw.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            ui_problem(_('%(where)s: Es fehlen Felder ("fields").') % {"where": where})
            continue
        for item in raw_fields:
            entry = {"name": item} if isinstance(item, str) else item
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                ui_problem(
                    _('%(where)s: Jedes Feld braucht einen Namen ("name").') % {"where": where}
                )
                continue
            name = entry["name"]
            at = _("%(where)s, Feld „%(name)s“") % {"where": where, "name": name}
            if name not in properties:
                ui_problem(_("%(at)s: Das Feld gibt es im Datenschema nicht.") % {"at": at})
                continue
            if name in placed:
                ui_problem(
                    _("%(at)s: Das Feld steht schon in Schritt „%(step)s“.")
                    % {"at": at, "step": placed[name]}
                )
                continue
            problems.extend(
                Problem(message, field="ui")
                for message in _check_field(at, entry, properties[name], properties, placed)
            )
            placed[name] = str(step_id)
    for name in properties:
        if name not in placed:
            ui_problem(
                _("Das Feld „%(name)s“ aus dem Datenschema steht in keinem Schritt.")
                % {"name": name}
            )
    problems.extend(Problem(m, field="ui") for m in _check_extras(ui, properties))
    return problems


def _check_field(
    at: str,
    entry: Mapping[str, Any],
    prop: Any,
    properties: Mapping[str, Any],
    earlier: Mapping[str, str],
) -> list[str]:
    messages: list[str] = []
    prop = _dict(prop)
    kind = prop.get("type")
    is_array = kind == "array" and isinstance(prop.get("items"), dict)
    choices = _choices(prop["items"] if is_array else prop)
    widget = entry.get("widget") or _default_widget(prop, choices)
    if widget not in WIDGETS:
        messages.append(
            _("%(at)s: Unbekanntes Eingabeelement „%(widget)s“; möglich sind: %(widgets)s.")
            % {"at": at, "widget": widget, "widgets": ", ".join(WIDGETS)}
        )
        return messages
    fits = {
        "text": kind == "string",
        "textarea": kind == "string",
        "date": kind == "string",
        "email": kind == "string",
        "number": kind in ("integer", "number"),
        "checkbox": kind == "boolean",
        "radio": bool(choices) and not is_array,
        "select": bool(choices) and not is_array,
        "checkboxes": is_array and bool(choices),
        "file": is_array and prop["items"].get("type") == "integer",
    }
    if not fits[widget]:
        needs = {
            "text": _('ein Feld mit "type": "string"'),
            "textarea": _('ein Feld mit "type": "string"'),
            "date": _('ein Feld mit "type": "string" und "format": "date"'),
            "email": _('ein Feld mit "type": "string" und "format": "email"'),
            "number": _('ein Feld mit "type": "integer" oder "number"'),
            "checkbox": _('ein Feld mit "type": "boolean"'),
            "radio": _('Auswahlmöglichkeiten ("oneOf" mit "const", oder ein boolean)'),
            "select": _('Auswahlmöglichkeiten ("oneOf" mit "const", oder ein boolean)'),
            "checkboxes": _('ein Feld mit "type": "array" und "items" mit "oneOf"'),
            "file": _('ein Feld mit "type": "array" und "items": {"type": "integer"}'),
        }
        messages.append(
            _("%(at)s: Das Eingabeelement „%(widget)s“ braucht %(needs)s.")
            % {"at": at, "widget": widget, "needs": needs[widget]}
        )
    if widget == "file":
        accept = entry.get("accept")
        if (
            not isinstance(accept, list)
            or not accept
            or not all(isinstance(a, str) and MIME_RE.fullmatch(a) for a in accept)
        ):
            messages.append(
                _(
                    '%(at)s: Ein Datei-Feld braucht "accept", eine Liste von Dateitypen wie '
                    '["application/pdf", "image/jpeg"].'
                )
                % {"at": at}
            )
        max_mb = entry.get("max_mb")
        if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)) or max_mb <= 0:
            messages.append(
                _('%(at)s: Ein Datei-Feld braucht "max_mb", die höchste Dateigröße in MB (> 0).')
                % {"at": at}
            )
    show_if = entry.get("show_if")
    if show_if is not None:
        if not isinstance(show_if, dict) or not isinstance(show_if.get("field"), str):
            messages.append(
                _(
                    '%(at)s: "show_if" braucht {"field": …, "equals": …} oder {"field": …, '
                    '"in": […]}.'
                )
                % {"at": at}
            )
        else:
            source = show_if["field"]
            if source not in properties:
                messages.append(
                    _("%(at)s: Die Bedingung nennt das Feld „%(source)s“, das es nicht gibt.")
                    % {"at": at, "source": source}
                )
            elif source not in earlier:
                messages.append(
                    _(
                        "%(at)s: Die Bedingung nennt „%(source)s“; das muss ein Feld sein, das "
                        "vorher gefragt wird."
                    )
                    % {"at": at, "source": source}
                )
            if "equals" not in show_if and not isinstance(show_if.get("in"), list):
                messages.append(
                    _('%(at)s: "show_if" braucht "equals" (ein Wert) oder "in" (eine Liste).')
                    % {"at": at}
                )
    return messages


def _check_extras(ui: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    messages: list[str] = []
    applicant = ui.get("applicant")
    if applicant is not None:
        if not isinstance(applicant, dict):
            return [_('"applicant" muss ein JSON-Objekt sein.')]
        names = applicant.get("name", [])
        names = [names] if isinstance(names, str) else names
        for name in names if isinstance(names, list) else []:
            if name not in properties:
                messages.append(
                    _('"applicant.name" nennt „%(name)s“; das Feld gibt es nicht.') % {"name": name}
                )
        email = applicant.get("email")
        if email is not None and email not in properties:
            messages.append(
                _('"applicant.email" nennt „%(name)s“; das Feld gibt es nicht.') % {"name": email}
            )
    subject = ui.get("subject")
    if subject is not None:
        if not isinstance(subject, str):
            messages.append(_('"subject" muss ein Text sein.'))
        else:
            for name in PLACEHOLDER_RE.findall(subject):
                if name not in properties:
                    messages.append(
                        _('"subject" nennt {%(name)s}; das Feld gibt es nicht.') % {"name": name}
                    )
    return messages
