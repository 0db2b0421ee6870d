"""The demo forms: valid JSON Schema, UI consistent with it, accepted by the form engine, and
loaded idempotently (a changed file publishes a new version, never changes a published one)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from rathaus.cases.models import Case
from rathaus.catalog.models import Service
from rathaus.core.demo import DEMO_DIR, load_demo
from rathaus.core.errors import ValidationFailed
from rathaus.forms.demo import FORMS_DIR, load_forms_demo, read_form_files
from rathaus.forms.engine import check_definition
from rathaus.forms.models import FormDefinition, FormVersion

SPECS = read_form_files()
WIDGETS = {"text", "textarea", "date", "email", "number", "checkbox", "radio", "select"}
WIDGETS |= {"checkboxes", "file"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def ids(spec: dict[str, Any]) -> str:
    return str(spec["slug"])


def ui_fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for step in spec["ui"]["steps"] for f in step["fields"]]


def conditions(spec: dict[str, Any]) -> dict[str, tuple[str, set[Any]]]:
    """field -> (controlling field, values that make it required), from the schema's allOf."""
    out: dict[str, tuple[str, set[Any]]] = {}
    for rule in spec["schema"].get("allOf", []):
        ((name, test),) = rule["if"]["properties"].items()
        values = set(test["enum"]) if "enum" in test else {test["const"]}
        for required in rule["then"]["required"]:
            out[required] = (name, values)
    return out


def shown_when(field: dict[str, Any]) -> tuple[str, set[Any]] | None:
    show_if = field.get("show_if")
    if not show_if:
        return None
    values = set(show_if["in"]) if "in" in show_if else {show_if["equals"]}
    return show_if["field"], values


# --- the files -----------------------------------------------------------------------------


def test_about_ten_forms_for_existing_services() -> None:
    services = json.loads((DEMO_DIR / "services.json").read_text(encoding="utf-8"))["services"]
    offices = json.loads((DEMO_DIR / "offices.json").read_text(encoding="utf-8"))["offices"]
    by_key = {s["leika_key"]: s for s in services}
    assert 9 <= len(SPECS) <= 14
    assert len({s["slug"] for s in SPECS}) == len(SPECS)
    office_slugs = {o["slug"] for o in offices}
    for spec in SPECS:
        assert spec["service"] in by_key, spec["slug"]
        # The form is worked where the catalog says the service is handled.
        assert spec["office"] == by_key[spec["service"]]["office"], spec["slug"]
        assert spec["office"] in office_slugs
        assert spec["min_trust_level"] in {"", "niedrig", "substantiell", "hoch"}
        assert 1 <= spec["processing_days"] <= 60
    with_fee = [s for s in SPECS if s["fee_cents"] > 0]
    assert len(with_fee) >= 4
    assert all(s["fee_label"] for s in with_fee)
    titles = " ".join(s["title"] for s in SPECS)
    for wanted in ("Hund anmelden", "Hund abmelden", "Bewohnerparkausweis", "Sondernutzung"):
        assert wanted in titles
    for wanted in ("Fundsache", "Verlust", "Veranstaltung", "Gewerbe", "Baumfällung"):
        assert wanted in titles


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_schema_is_valid_json_schema_2020_12(spec: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(spec["schema"])
    schema = spec["schema"]
    assert schema["type"] == "object"
    properties = schema["properties"]
    for name, prop in properties.items():
        assert prop.get("title"), name
        if "pattern" in prop:
            assert prop["pattern"].startswith("^"), name
            assert prop.get("x-patternMessage", "").startswith("Bitte"), name
            re.compile(prop["pattern"])
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "integer":
            assert prop.get("maxItems"), f"{name}: uploads need a maximum number of files"
    assert set(schema["required"]) <= set(properties)


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_ui_mirrors_the_schema(spec: dict[str, Any]) -> None:
    properties = spec["schema"]["properties"]
    fields = ui_fields(spec)
    names = [f["name"] for f in fields]
    assert sorted(names) == sorted(properties), "every field asked exactly once"
    step_ids = [s["id"] for s in spec["ui"]["steps"]]
    assert len(set(step_ids)) == len(step_ids) >= 2
    seen: set[str] = set()
    rules = conditions(spec)
    for field in fields:
        prop = properties[field["name"]]
        widget = field.get("widget", "text")
        assert widget in WIDGETS, field
        is_upload = prop.get("type") == "array" and prop["items"].get("type") == "integer"
        assert (widget == "file") == is_upload, field
        if is_upload:
            assert set(field["accept"]) <= {"application/pdf", "image/jpeg", "image/png"}
            assert 1 <= field["max_mb"] <= 20
        if prop.get("type") == "boolean":
            assert widget == "checkbox", field
        if widget in {"radio", "select"}:
            assert len(prop["oneOf"]) >= 2, field
        if prop.get("format") == "date":
            assert widget == "date", field
        shown = shown_when(field)
        if shown:
            controller, _values = shown
            assert controller in seen, f"{field['name']} depends on a field asked before it"
            assert field["name"] not in spec["schema"]["required"], field["name"]
        # A field required only under a condition is asked under the same condition.
        if field["name"] in rules:
            assert shown == rules[field["name"]], field["name"]
        seen.add(field["name"])
    applicant = spec["ui"]["applicant"]
    required = set(spec["schema"]["required"])
    assert set(applicant["name"]) | {applicant["email"]} <= required
    placeholders = set(PLACEHOLDER.findall(spec["ui"]["subject"]))
    assert placeholders
    assert placeholders <= required


def sample_value(name: str, prop: dict[str, Any]) -> Any:
    if "oneOf" in prop:
        return prop["oneOf"][0]["const"]
    kind = prop.get("type")
    if kind == "boolean":
        return False
    if kind in {"integer", "number"}:
        return max(prop.get("minimum", 0), 1)
    if kind == "array":
        return [1]
    if prop.get("format") == "date":
        return "2026-05-04"
    if prop.get("format") == "email":
        return "erika.mustermann@example.org"
    examples = {
        "plz": "21614",
        "betrieb_plz": "21614",
        "kennzeichen": "STD-AB 123",
        "chipnummer": "276098106543210",
        "iban": "DE12 3456 7890 1234 5678 90",
        "telefon": "04161 501-0",
        "registernummer": "HRB 123456",
        "steuermarke": "4711",
    }
    return examples.get(name, "Beispiel")


def sample(spec: dict[str, Any]) -> dict[str, Any]:
    """The required answers, plus those a condition on them requires."""
    properties = spec["schema"]["properties"]
    data = {name: sample_value(name, properties[name]) for name in spec["schema"]["required"]}
    for name, (controller, values) in conditions(spec).items():
        if data.get(controller) in values:
            data[name] = sample_value(name, properties[name])
    return data


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_sample_data_validates_and_conditions_bite(spec: dict[str, Any]) -> None:
    validator = Draft202012Validator(spec["schema"], format_checker=FormatChecker())
    data = sample(spec)
    assert list(validator.iter_errors(data)) == []
    # Each conditional requirement: triggering its condition without the field is an error.
    properties = spec["schema"]["properties"]
    rules = conditions(spec)
    for name, (controller, values) in rules.items():
        # Fill the other fields of the same condition, leave out this one.
        siblings = [n for n, rule in rules.items() if rule == (controller, values) and n != name]
        triggered = {**data, controller: sorted(values, key=str)[0]}
        triggered.update({n: sample_value(n, properties[n]) for n in siblings})
        triggered.pop(name, None)
        messages = [e.message for e in validator.iter_errors(triggered)]
        assert messages == [f"'{name}' is a required property"], (name, messages)
        triggered[name] = sample_value(name, properties[name])
        assert list(validator.iter_errors(triggered)) == [], name


def test_patterns_accept_real_values_and_reject_typos() -> None:
    parking = next(s for s in SPECS if s["slug"] == "bewohnerparkausweis")
    props = parking["schema"]["properties"]
    plate = re.compile(props["kennzeichen"]["pattern"])
    for good in ("STD-AB 123", "STD-X 1", "HH-AB 1234", "STD-EL 42E", "BÖ-A 7"):
        assert plate.search(good), good
    for bad in ("STD AB 123", "std-ab 123", "STD-ABC 12", "STD-AB 0123", "STD-AB"):
        assert not plate.search(bad), bad
    plz = re.compile(props["plz"]["pattern"])
    assert plz.search("21614")
    assert not plz.search("2161")
    assert not plz.search("216140")
    assert not plz.search("2161a")


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_the_form_engine_accepts_the_definition(spec: dict[str, Any]) -> None:
    assert not check_definition(spec["schema"], spec["ui"])


# --- the loader ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_publishes_each_form_once_and_a_second_run_changes_nothing() -> None:
    load_demo(accounts=False, council_scale=0)
    assert FormDefinition.objects.count() == len(SPECS)
    versions = FormVersion.objects.all()
    assert versions.count() == len(SPECS)
    assert {v.status for v in versions} == {FormVersion.Status.PUBLISHED}
    assert all(v.number == 1 and v.published_at for v in versions)
    parking = FormDefinition.objects.get(slug="bewohnerparkausweis")
    assert parking.service is not None
    assert parking.service.leika_key == "99108001001000"
    assert parking.office.slug == "ordnung-verkehr"
    assert parking.published_version is not None
    assert parking.published_version.fee_cents == 6000
    stamps = list(FormVersion.objects.order_by("pk").values_list("pk", "published_at"))

    result = load_forms_demo()
    assert len(result.unchanged) == len(SPECS)
    assert not result.created
    assert not result.new_versions
    assert list(FormVersion.objects.order_by("pk").values_list("pk", "published_at")) == stamps


@pytest.mark.django_db
def test_a_changed_file_publishes_a_new_version(tmp_path: Path) -> None:
    load_demo(accounts=False, council_scale=0)
    data_dir = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, data_dir)
    path = data_dir / "fundsache-melden.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["ui"]["steps"][0]["intro"] = "Danke, dass Sie die Sache abgeben."
    spec["processing_days"] = 2
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")

    result = load_forms_demo(data_dir=data_dir)

    assert result.new_versions == ["fundsache-melden"]
    definition = FormDefinition.objects.get(slug="fundsache-melden")
    assert definition.processing_days == 2
    first, second = definition.versions.order_by("number")
    assert second.number == 2
    assert second.status == FormVersion.Status.PUBLISHED
    assert "intro" not in first.ui["steps"][0]  # the published version 1 is untouched
    assert definition.published_version == second
    assert load_forms_demo(data_dir=data_dir).new_versions == []


@pytest.mark.django_db
def test_a_form_for_a_missing_service_is_refused_by_name(tmp_path: Path) -> None:
    load_demo(accounts=False, council_scale=0)
    spec = json.loads((FORMS_DIR / "akteneinsicht.json").read_text(encoding="utf-8"))
    spec["service"] = "99000000000000"
    (tmp_path / "akteneinsicht.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"akteneinsicht\.json.*99000000000000"):
        load_forms_demo(data_dir=tmp_path)


@pytest.mark.django_db
def test_publishing_puts_the_services_online_and_loading_again_keeps_them() -> None:
    load_demo(accounts=False, council_scale=0)
    for spec in SPECS:
        service = Service.objects.get(leika_key=spec["service"])
        assert service.channel_online, spec["slug"]
        assert service.online_service_own, spec["slug"]
        assert "/antraege/" in service.online_service_url, spec["slug"]
        assert service.maturity_level >= 3, spec["slug"]
    parking = Service.objects.get(leika_key="99108001001000")
    assert parking.online_service_url.endswith("/antraege/bewohnerparkausweis/")
    history = Service.history.count()  # type: ignore[attr-defined]

    again = load_demo(accounts=False, council_scale=0)

    assert again.services.updated == 0
    assert Service.history.count() == history  # type: ignore[attr-defined]
    parking.refresh_from_db()
    assert parking.online_service_url.endswith("/antraege/bewohnerparkausweis/")


@pytest.mark.django_db
def test_without_demo_accounts_forms_but_no_cases() -> None:
    result = load_demo(accounts=False, council_scale=0)
    assert result.cases is None
    assert not Case.objects.exists()
    assert result.forms is not None
    assert result.forms.total == FormDefinition.objects.count() == len(SPECS)


@pytest.mark.django_db
def test_load_demo_makes_as_many_cases_as_configured(settings: Any) -> None:
    settings.RATHAUS_DEMO_CASES = 60
    result = load_demo(council_scale=0)
    assert result.cases is not None
    assert result.cases.cases == Case.objects.count() == 60 + 4  # and the citizen's four
