"""Import of services from CSV and JSON: validation report, atomicity, upsert, history, CLI."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.accounts.models import Office
from rathaus.catalog.io import importer
from rathaus.catalog.io.importer import ServiceImportRejected, import_file, import_services
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.services import SEARCH_KIND
from rathaus.core import search
from rathaus.core.errors import ImportRejected, PermissionDenied
from rathaus.core.models import SearchDocument

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(office: Office, life_situation: LifeSituation) -> tuple[Office, LifeSituation]:
    """The office (slug buergerservice) and life situation (umzug) the sample files name."""
    return office, life_situation


def db_state() -> dict[str, Any]:
    """Everything an import may write: services, history, M2M links and the search index."""
    return {
        "services": sorted(Service.objects.values_list("leika_key", "name", "modified")),
        "history": Service.history.count(),
        "links": Service.life_situations.through.objects.count(),
        "search": sorted(
            SearchDocument.objects.values_list("kind", "object_id", "title", "body", "updated")
        ),
    }


def run(name: str, **options: Any) -> importer.ImportResult:
    return import_file(path=FIXTURES / name, **options)


def rejected(name: str, **options: Any) -> ImportRejected:
    before = db_state()
    with pytest.raises(ImportRejected) as info:
        run(name, **options)
    assert db_state() == before, "a rejected import must not write anything"
    return info.value


def where(exc: ImportRejected) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.field) for p in exc.problems}


# --- valid files -------------------------------------------------------------------------


def test_semicolon_csv_with_bom_creates_services(reference: Any) -> None:
    office, umzug = reference
    result = run("services_valid.csv")

    assert result.ok
    assert result.written
    assert sorted(result.created) == ["99010004001000", "99050012104000", "99102013000000"]
    ausweis = Service.objects.get(leika_key="99010004001000")
    assert ausweis.name == "Personalausweis beantragen"
    assert ausweis.maturity_level == 3
    assert ausweis.channel_online
    assert ausweis.channel_in_person
    assert ausweis.trust_level == "hoch"
    assert ausweis.documents == "- biometrisches Passfoto\n- alter Ausweis"
    assert ausweis.office == office
    assert list(ausweis.life_situations.all()) == [umzug]
    assert ausweis.review_due == datetime.date(2027, 12, 31)  # from 31.12.2027
    assert ausweis.status == Service.Status.PUBLISHED
    assert ausweis.published_at is not None
    assert ausweis.slug == "personalausweis-beantragen"
    hund = Service.objects.get(leika_key="99102013000000")
    assert hund.office == office  # found by its exact name
    assert hund.review_due == datetime.date(2027, 6, 30)
    wohngeld = Service.objects.get(leika_key="99050012104000")
    assert wohngeld.status == Service.Status.DRAFT
    assert wohngeld.channel_in_person  # "1"
    assert wohngeld.office is None
    assert wohngeld.review_due is not None
    record = ausweis.history.latest()
    assert record.history_type == "+"
    assert record.history_change_reason == "Import services_valid.csv"
    # Published services are searchable, the draft is not.
    indexed = set(
        SearchDocument.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True)
    )
    assert indexed == {ausweis.pk, hund.pk}
    hits, _query = search.search("Perso", kinds=[SEARCH_KIND])
    assert [h.object_id for h in hits] == [ausweis.pk]


def test_comma_csv_without_bom(reference: Any) -> None:
    result = run("services_comma.csv")

    assert result.created == ["99010004001000", "99102013000000"]
    assert Service.objects.get(leika_key="99010004001000").name == "Personalausweis beantragen, neu"


def test_json_object_with_services_list(reference: Any) -> None:
    result = run("services.json")

    assert result.format == "json"
    assert len(result.created) == 2
    ausweis = Service.objects.get(leika_key="99010004001000")
    assert ausweis.channel_online
    assert ausweis.online_service_url == "https://dienste.example/ausweis"
    assert list(ausweis.life_situations.values_list("slug", flat=True)) == ["umzug"]
    assert Service.objects.get(leika_key="99102013000000").status == Service.Status.PUBLISHED
    assert [(w.line, w.field) for w in result.warnings.problems] == [(14, "farbe")]


def test_json_plain_list_reports_the_line_of_each_entry(reference: Any) -> None:
    data = (
        b'[\n  {"leika_key": "99010004001000", "name": "A"},\n\n'
        b'  {"leika_key": "1", "name": "B"}\n]'
    )
    with pytest.raises(ServiceImportRejected) as info:
        import_services(data=data, filename="list.json")
    assert where(info.value) == {(4, "leika_key")}


def test_unknown_column_is_a_warning_not_an_error(reference: Any) -> None:
    data = b"leika_key;name;farbe\n99010004001000;Ausweis;blau\n"
    result = import_services(data=data, filename="x.csv")

    assert result.ok
    assert result.created == ["99010004001000"]
    assert [(w.line, w.field) for w in result.warnings.problems] == [(1, "farbe")]


# --- broken files: a precise report and nothing written ----------------------------------


def test_wrong_encoding_names_line_and_byte_and_suggests_cp1252(reference: Any) -> None:
    exc = rejected("services_cp1252.csv")

    assert "Zeile 2" in exc.message
    assert "Byte 44 der Zeile" in exc.message  # the "ü" of "Für"
    assert "0xFC" in exc.message
    assert "--encoding cp1252" in exc.message

    result = run("services_cp1252.csv", encoding="cp1252")
    assert len(result.created) == 2
    assert Service.objects.get(leika_key="99010004001000").summary == "Für Bürgerinnen und Bürger"


def test_unknown_encoding_is_rejected(reference: Any) -> None:
    exc = rejected("services_valid.csv", encoding="klingonisch")
    assert "klingonisch" in exc.message


def test_missing_required_column_is_one_clear_error(reference: Any) -> None:
    exc = rejected("missing_column.csv")

    assert "Pflichtspalte 'name' fehlt" in exc.message
    assert where(exc) == {(1, "name")}


def test_duplicate_keys_name_both_lines(reference: Any) -> None:
    exc = rejected("duplicate_keys.csv")

    assert where(exc) == {(2, "leika_key"), (4, "leika_key")}
    by_line = {p.line: p.message for p in exc.problems}
    assert "99010004001000" in by_line[4]
    assert "Zeile 2" in by_line[4]
    assert "Zeile 4" in by_line[2]


def test_invalid_keys(reference: Any) -> None:
    exc = rejected("invalid_key.csv")

    assert where(exc) == {(3, "leika_key"), (4, "leika_key")}
    assert all("14 Ziffern" in p.message for p in exc.problems)


def test_levels_out_of_range(reference: Any) -> None:
    exc = rejected("bad_level.csv")

    assert where(exc) == {(2, "maturity_level"), (3, "maturity_level_v2"), (4, "maturity_level")}
    messages = {p.line: p.message for p in exc.problems}
    assert "0 bis 4" in messages[2]
    assert "0 bis 7" in messages[3]
    assert "keine ganze Zahl" in messages[4]


def test_unknown_office_and_life_situation(reference: Any) -> None:
    exc = rejected("unknown_office.csv")

    assert where(exc) == {(3, "office"), (4, "life_situations")}
    messages = {p.line: p.message for p in exc.problems}
    assert "'Fachgruppe Hunde'" in messages[3]
    assert "'hochzeit'" in messages[4]
    assert "umzug" in messages[4]


def test_malformed_json_names_line_and_column(reference: Any) -> None:
    exc = rejected("malformed.json")

    assert "Zeile 4, Spalte 36" in exc.message
    assert "Komma erwartet" in exc.message
    assert where(exc) == {(4, None)}


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv"])
def test_empty_files(reference: Any, name: str) -> None:
    exc = rejected(name)
    assert "leer" in exc.message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "leer"),
        (b"[]", "leer"),
        (b'{"leistungen": []}', '{"services": [...]}'),
        (b'"text"', "Liste von Leistungen"),
    ],
)
def test_json_shapes(reference: Any, data: bytes, expected: str) -> None:
    before = db_state()
    with pytest.raises(ImportRejected) as info:
        import_services(data=data, filename="x.json")
    assert expected in info.value.message
    assert db_state() == before


@pytest.mark.parametrize(
    ("header", "cells", "field", "fragment"),
    [
        ("status", "veröffentlichen", "status", "erlaubt: draft, published, archived"),
        ("topic", "sport", "topic", "kein erlaubter Wert"),
        ("trust_level", "mittel", "trust_level", "kein erlaubter Wert"),
        ("online_service_url", "www.example.org", "online_service_url", "keine gültige Adresse"),
        ("channel_online", "vielleicht", "channel_online", "kein Ja/Nein-Wert"),
        ("channel_online", "ja", "online_service_url", "Adresse des Online-Dienstes fehlt"),
        ("review_due", "31.02.2027", "review_due", "kein gültiges Datum"),
        ("review_due", "2027/01/01", "review_due", "kein gültiges Datum"),
        ("annual_cases", "-5", "annual_cases", "mindestens 0"),
        ("ozg_id", "1" * 21, "ozg_id", "erlaubt sind 20"),
    ],
)
def test_each_field_is_checked(
    reference: Any, header: str, cells: str, field: str, fragment: str
) -> None:
    data = f"leika_key;name;{header}\n99010004001000;Ausweis;{cells}\n".encode()
    before = db_state()
    with pytest.raises(ServiceImportRejected) as info:
        import_services(data=data, filename="x.csv")
    assert [(p.line, p.field) for p in info.value.problems] == [(2, field)]
    assert fragment in info.value.problems[0].message
    assert db_state() == before


def test_empty_name_and_extra_cells(reference: Any) -> None:
    data = b"leika_key;name\n99010004001000;\n99102013000000;Hund;zu;viel\n"
    with pytest.raises(ServiceImportRejected) as info:
        import_services(data=data, filename="x.csv")
    assert where(info.value) == {(2, "name"), (3, None)}


def test_online_channel_may_use_the_stored_url(reference: Any, service_factory: Any) -> None:
    service_factory(channel_online=True, online_service_url="https://dienste.example/a")
    data = b"leika_key;name;channel_online\n99010004001000;Ausweis;ja\n"

    result = import_services(data=data, filename="x.csv")

    assert result.updated == ["99010004001000"]


# --- skip_invalid, dry run, upsert -------------------------------------------------------


def test_skip_invalid_writes_only_the_valid_rows(reference: Any) -> None:
    result = run("mixed.csv", skip_invalid=True)

    assert result.written
    assert sorted(result.created) == ["99010004001000", "99102013000000"]
    assert result.skipped_lines == [3, 5]
    assert {(p.line, p.field) for p in result.errors.problems} == {
        (3, "leika_key"),
        (5, "maturity_level"),
    }
    assert sorted(Service.objects.values_list("leika_key", flat=True)) == [
        "99010004001000",
        "99102013000000",
    ]


def test_without_skip_invalid_the_same_file_writes_nothing(reference: Any) -> None:
    exc = rejected("mixed.csv")

    assert isinstance(exc, ServiceImportRejected)
    assert "2 von 4 Zeilen" in exc.message
    assert sorted(exc.result.created) == ["99010004001000", "99102013000000"]
    assert not exc.result.written


def test_dry_run_reports_and_writes_nothing(reference: Any, service_factory: Any) -> None:
    service_factory(leika_key="99010004001000", name="Personalausweis beantragen")
    service_factory(leika_key="99102013000000", name="Hund anmelden")
    data = (
        b"leika_key;name\n"
        b"99010004001000;Personalausweis beantragen\n"
        b"99102013000000;Hund an- und abmelden\n"
        b"99050012104000;Wohngeld beantragen\n"
    )
    before = db_state()

    result = import_services(data=data, filename="x.csv", dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (
        ["99050012104000"],
        ["99102013000000"],
        ["99010004001000"],
    )
    assert not result.written
    assert "Probelauf" in result.summary()
    assert db_state() == before


def test_update_records_history_and_reindexes(reference: Any, service_factory: Any) -> None:
    office, umzug = reference
    service = service_factory(leika_key="99010004001000", fees="30,00 Euro")
    other = service_factory(leika_key="99102013000000", name="Hund anmelden")
    history_before = service.history.count()
    data = (
        "leika_key;name;fees;life_situations;office\n"
        "99010004001000;Personalausweis beantragen;37,00 Euro;umzug;buergerservice\n"
        f"99102013000000;Hund anmelden;{other.fees};;\n"
    ).encode()

    result = import_services(data=data, filename="gebuehren-2027.csv")

    assert result.updated == ["99010004001000"]
    assert result.unchanged == ["99102013000000"]
    service.refresh_from_db()
    assert service.fees == "37,00 Euro"
    assert service.office == office
    assert list(service.life_situations.all()) == [umzug]
    assert service.history.count() == history_before + 1
    record = service.history.latest()
    assert record.history_type == "~"
    assert record.history_change_reason == "Import gebuehren-2027.csv"
    assert record.fees == "37,00 Euro"
    assert other.history.count() == 1  # unchanged: no new record
    document = SearchDocument.objects.get(kind=SEARCH_KIND, object_id=service.pk)
    assert "37,00 Euro" in document.body
    assert office.name in document.body


def test_unpublishing_by_import_removes_from_search(reference: Any, service_factory: Any) -> None:
    service = service_factory(leika_key="99010004001000")
    assert SearchDocument.objects.filter(object_id=service.pk).exists()
    data = b"leika_key;name;status\n99010004001000;Personalausweis beantragen;archived\n"

    import_services(data=data, filename="x.csv")

    assert not SearchDocument.objects.filter(kind=SEARCH_KIND, object_id=service.pk).exists()
    assert Service.objects.get(pk=service.pk).status == Service.Status.ARCHIVED


def test_publishing_by_import_sets_publication_time(reference: Any, service_factory: Any) -> None:
    service = service_factory(status=Service.Status.DRAFT, published_at=None)
    data = b"leika_key;name;status\n99010004001000;Personalausweis beantragen;published\n"

    import_services(data=data, filename="x.csv")

    service.refresh_from_db()
    assert service.published_at is not None
    assert SearchDocument.objects.filter(kind=SEARCH_KIND, object_id=service.pk).exists()


def test_new_slugs_do_not_collide(reference: Any, service_factory: Any) -> None:
    service_factory(leika_key="99010004001000", name="Hund anmelden")
    data = b"leika_key;name\n99102013000000;Hund anmelden\n99102013001000;Hund anmelden\n"

    import_services(data=data, filename="x.csv")

    assert sorted(Service.objects.values_list("slug", flat=True)) == [
        "hund-anmelden",
        "hund-anmelden-2",
        "hund-anmelden-3",
    ]


def test_a_failure_while_writing_leaves_nothing_behind(
    reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_index(services: Any) -> None:
        raise RuntimeError("search backend down")

    monkeypatch.setattr(importer, "sync_search_index", broken_index)
    before = db_state()
    with pytest.raises(RuntimeError):
        run("services_valid.csv")
    assert db_state() == before


def test_user_needs_the_import_permission(reference: Any, clerk: Any) -> None:
    with pytest.raises(PermissionDenied):
        run("services_valid.csv", user=clerk)


def test_user_with_permission_is_recorded(reference: Any, user_factory: Any) -> None:
    from django.contrib.auth.models import Permission

    user = user_factory("it")
    user.user_permissions.add(Permission.objects.get(codename="import_services"))
    run("services_valid.csv", user=user)
    assert Service.objects.get(leika_key="99010004001000").history.latest().history_user == user


# --- management command ------------------------------------------------------------------


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_services", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_a_summary(reference: Any) -> None:
    out, err = call(str(FIXTURES / "services_valid.csv"))

    assert "3 neu, 0 geändert, 0 unverändert" in out
    assert Service.objects.count() == 3
    assert "Prüfen" in err  # the progress bar goes to stderr


def test_command_rejects_with_exit_code_1_and_the_report(reference: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_services", str(FIXTURES / "duplicate_keys.csv"), stdout=out, stderr=err
        )
    assert info.value.returncode == 1
    assert "nichts wurde geschrieben" in str(info.value)
    assert "Zeile 4, Feld 'leika_key'" in err.getvalue()
    assert Service.objects.count() == 0


def test_command_dry_run_and_format_option(reference: Any, tmp_path: Path) -> None:
    path = tmp_path / "services.txt"
    path.write_bytes((FIXTURES / "services.json").read_bytes())

    out, err = call(str(path), "--format", "json", "--dry-run")

    assert "2 neu" in out
    assert "Probelauf" in out
    assert "Warnung: Zeile 14, Feld 'farbe'" in err
    assert Service.objects.count() == 0


def test_command_encoding_option(reference: Any) -> None:
    with pytest.raises(CommandError) as info:
        call(str(FIXTURES / "services_cp1252.csv"))
    assert "--encoding cp1252" in str(info.value)

    out, _err = call(str(FIXTURES / "services_cp1252.csv"), "--encoding", "cp1252")
    assert "2 neu" in out


def test_command_skip_invalid(reference: Any) -> None:
    out, err = call(str(FIXTURES / "mixed.csv"), "--skip-invalid")

    assert "2 neu" in out
    assert "2 fehlerhaft" in out
    assert "übersprungen" in out
    assert "Zeile 3, Feld 'leika_key'" in err


def test_command_missing_file() -> None:
    with pytest.raises(CommandError) as info:
        call("gibt-es-nicht.csv")
    assert info.value.returncode == 1


def test_console_command_exit_code(tmp_path: Path) -> None:
    """The real `rathaus` entry point: exit status 1 and the reason on stderr."""
    env = {**os.environ, "RATHAUS_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # an encoding error is found before the database is asked
    completed = subprocess.run(
        [sys.executable, "-m", "rathaus", "import_services", str(FIXTURES / "services_cp1252.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "--encoding cp1252" in completed.stderr
    assert completed.stdout == ""


# --- the benchmark generator feeds the importer ------------------------------------------


def load_generator() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_its_files_import_cleanly(tmp_path: Path) -> None:
    generate = load_generator()
    dataset = generate.generate(300, seed=7)
    assert dataset.services == generate.generate(300, seed=7).services
    assert dataset.services != generate.generate(300, seed=8).services
    assert len({s["leika_key"] for s in dataset.services}) == 300
    generate.ensure_reference_data(dataset)

    csv_result = import_file(path=generate.write_csv(tmp_path / "s.csv", dataset))
    json_result = import_file(path=generate.write_json(tmp_path / "s.json", dataset))

    assert len(csv_result.created) == 300
    assert csv_result.warnings.ok
    assert len(json_result.unchanged) == 300


def test_generator_loads_the_database_directly() -> None:
    result = load_generator().load_db(120, seed=3)

    assert len(result.created) == 120
    published = Service.objects.published().count()
    assert SearchDocument.objects.filter(kind=SEARCH_KIND).count() == published > 0
