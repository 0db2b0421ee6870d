"""The OParl importer against a fake remote system on loopback (recorded, partly faulty files).

The remote system (`tests/oparl/remote/`) has the faults real systems have: a missing name,
an id-less object, a 404 link, latitude-first GeoJSON, `modified` before `created`,
non-breaking spaces, empty numbers, HTTP 500 (once and always), a timeout, broken JSON and a
wrong `type`. Every fault must be logged with its URL and the rest imported.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rathaus.core import search
from rathaus.core.models import SearchDocument
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from rathaus.oparl.importer import ImportFailed, ImportOptions, import_system, repair
from rathaus.oparl.models import RemoteSystem, SyncRun
from tests.oparl.remote.server import RemoteState, remote_system

pytestmark = pytest.mark.django_db

# Small limits keep the fault endpoints quick: the timeout endpoint sleeps 1.5 s.
FAST = {"timeout": 0.4, "retries": 1, "backoff": 0.01, "concurrency": 4}
MODELS = (
    Body,
    LegislativeTerm,
    Location,
    Organization,
    Person,
    Membership,
    File,
    Meeting,
    AgendaItem,
    Paper,
    Consultation,
)
# What the v11 fixtures hold that can be stored (the faulty rest is logged instead).
EXPECTED_V11 = {
    Body: 1,
    LegislativeTerm: 2,
    Location: 4,  # town hall, person 4's office, school (paper 4), Bürgerhaus (list only)
    Organization: 5,
    Person: 4,
    Membership: 4,  # 1, 2, 3 and 5 (fetched by URL); 4 points to a missing organization
    File: 6,  # 1-4 embedded, 20 fetched, 30 list only; meeting 2's protocols are broken
    Meeting: 4,  # 1-3 from the list, 4 fetched through a consultation
    AgendaItem: 6,
    Paper: 4,
    Consultation: 4,
}


@pytest.fixture
def remote() -> Iterator[RemoteState]:
    with remote_system() as state:
        yield state


def url(remote: RemoteState, path: str) -> str:
    return f"{remote.base}/v11/{path}"


def run_v11(remote: RemoteState, **options: Any) -> SyncRun:
    return import_system(url(remote, "system"), ImportOptions(**{**FAST, **options}))


def by_url(model: Any, remote: RemoteState, path: str) -> Any:
    return model.objects.get(origin_url=url(remote, path))


def problems(run: SyncRun) -> set[tuple[str, str]]:
    return set(run.problems.values_list("url", "kind"))


def counts() -> dict[Any, int]:
    return {model: model.objects.count() for model in MODELS}


# --- full import ----------------------------------------------------------------------------


def test_full_import_stores_objects_and_relations(remote: RemoteState) -> None:
    run = run_v11(remote)
    system = RemoteSystem.objects.get(system_url=url(remote, "system"))
    assert system.name == "Ratsinformationssystem Hansestadt Elbmünde"
    assert system.oparl_version == "1.1"
    assert run.status == SyncRun.Status.SUCCEEDED_WITH_ERRORS
    assert system.last_success_at == run.finished_at
    assert system.last_modified_since == run.started_at
    assert counts() == EXPECTED_V11
    for model in MODELS:  # everything is marked as mirrored from this system
        assert not model.objects.exclude(origin=system).exists()

    body = by_url(Body, remote, "body/1")
    assert (body.name, body.ags, body.contact_email) == (
        "Hansestadt Elbmünde",
        "03359999",
        "ratsbuero@elbmuende.example",
    )
    assert sorted(body.legislative_terms.values_list("name", flat=True)) == [
        "Wahlperiode 2016–2021",
        "Wahlperiode 2021–2026",
    ]
    # Remote times are kept, not the time of the import.
    assert body.created == datetime.datetime.fromisoformat("2024-01-10T09:00:00+01:00")

    council = by_url(Organization, remote, "organization/1")
    finance = by_url(Organization, remote, "organization/2")
    assert finance.name == "Ausschuss für Finanzen und Wirtschaft"  # plain space now
    assert finance.sub_organization_of == council
    assert finance.keywords == ["finanzen", "haushalt"]
    assert by_url(Organization, remote, "organization/3").organization_type == "Fraktion"
    assert council.slug == "rat"

    anna = by_url(Person, remote, "person/1")
    assert (anna.name, anna.title, anna.email) == (
        "Dr. Anna Schulte",
        ["Dr."],
        ["anna.schulte@elbmuende.example"],
    )
    membership = by_url(Membership, remote, "membership/1")
    assert (membership.person, membership.organization) == (anna, council)
    assert membership.on_behalf_of == by_url(Organization, remote, "organization/3")
    # An embedded membership given only as a URL is fetched and linked to its person.
    maren = by_url(Person, remote, "person/3")
    assert maren.name == "Maren Krüger"
    assert by_url(Membership, remote, "membership/5").person == maren

    meeting = by_url(Meeting, remote, "meeting/1")
    assert meeting.meeting_state == Meeting.State.RUNNING
    assert list(meeting.organizations.all()) == [council]
    assert list(meeting.participants.all()) == [anna]  # the other participant answers 500
    assert meeting.invitation == by_url(File, remote, "file/1")
    assert meeting.results_protocol.text.startswith("Der Rat beschließt das Radverkehrskonzept")
    assert list(meeting.auxiliary_files.all()) == [by_url(File, remote, "file/4")]
    assert list(meeting.agenda_items.values_list("number", "order", "public")) == [
        ("1", 1, True),
        ("2", 2, True),
        ("3", 3, False),
    ]
    assert meeting.location.street_address == "Breite Straße 2"

    paper = by_url(Paper, remote, "paper/1")
    assert paper.main_file.sha512 == "ab" * 64
    assert list(paper.under_direction_of.all()) == [finance]
    assert list(paper.originator_persons.all()) == [anna]
    related = by_url(Paper, remote, "paper/3")
    assert list(paper.related_papers.all()) == [related]
    assert list(related.related_papers.all()) == [paper]
    decision, preliminary = (
        by_url(Consultation, remote, "consultation/1"),
        by_url(Consultation, remote, "consultation/2"),
    )
    assert (decision.paper, decision.meeting, decision.authoritative) == (paper, meeting, True)
    assert decision.agenda_item == by_url(AgendaItem, remote, "agendaitem/2")
    assert list(decision.organizations.all()) == [council]
    assert preliminary.meeting == by_url(Meeting, remote, "meeting/2")
    assert preliminary.agenda_item is None

    # Referenced objects that are in no list are fetched: meeting 4 (with its agenda item)
    # through a consultation, file 20 as a paper's main file.
    school = by_url(Paper, remote, "paper/4")
    assert school.main_file == by_url(File, remote, "file/20")
    assert school.main_file.size == 2048
    consultation = school.consultations.get()
    assert consultation.meeting == by_url(Meeting, remote, "meeting/4")
    assert consultation.agenda_item.name == "Sanierung der Grundschule am Geestrand"
    # Objects only in the 1.1 lists are there too.
    assert by_url(File, remote, "file/30").name == "Haushaltsplan 2025 (Entwurf)"
    assert by_url(Location, remote, "location/8").geojson["coordinates"] == [9.6812, 53.4598]


def test_faults_are_repaired_or_logged_with_their_url(remote: RemoteState) -> None:
    run = run_v11(remote)
    found = problems(run)
    base = remote.base
    expected = {
        (f"{base}/fault/500/person/77", "server_error"),
        (f"{base}/fault/timeout/v11/file/5", "timeout"),
        (f"{base}/fault/invalid-json/v11/file/6", "invalid_json"),
        (url(remote, "organization/999"), "not_found"),
        (url(remote, "paper/404"), "not_found"),
        (url(remote, "membership/4"), "missing_reference"),
        (url(remote, "paper/99"), "wrong_type"),
        (url(remote, "body/1/organizations/2"), "missing_field"),  # the object without id
        (url(remote, "organization/5"), "modified_before_created"),
        (url(remote, "organization/2"), "nbsp_normalised"),
        (url(remote, "person/4"), "nbsp_normalised"),
        (url(remote, "paper/2"), "nbsp_normalised"),
        (url(remote, "location/1"), "geojson_swapped"),
        (url(remote, "location/9"), "geojson_swapped"),
        (url(remote, "location/5"), "geojson_swapped"),
        (url(remote, "file/1"), "empty_number"),
        (url(remote, "agendaitem/5"), "empty_number"),
        (url(remote, "paper/3"), "missing_field"),
        (url(remote, "paper/3"), "invalid_value"),
        (url(remote, "person/3"), "missing_field"),
    }
    assert expected <= found, expected - found
    assert run.error_count == run.problems.count() >= len(expected)
    # The page that failed once was retried and read: no problem, two requests.
    flaky = "/fault/flaky/v11/body/1/meetings/2"
    assert remote.paths(flaky) == [flaky, flaky]
    assert not [u for u, _kind in found if "flaky" in u]
    # A URL that failed is asked once per run, however often it is referenced.
    assert len(remote.paths("/v11/organization/999")) == 1

    # The repairs themselves.
    assert by_url(Location, remote, "location/1").geojson["geometry"]["coordinates"] == [
        9.7011,
        53.4769,
    ]
    assert by_url(Person, remote, "person/4").location.geojson["coordinates"] == [9.6893, 53.4621]
    polygon = by_url(Location, remote, "location/5").geojson["coordinates"][0]
    assert polygon[0] == [9.70, 53.47]
    ortsrat = by_url(Organization, remote, "organization/5")
    assert ortsrat.modified == ortsrat.created
    assert by_url(File, remote, "file/1").size is None
    assert by_url(AgendaItem, remote, "agendaitem/5").order == 2  # its position
    anfrage = by_url(Paper, remote, "paper/3")
    assert (anfrage.name, anfrage.date) == ("2024/0020", None)
    assert by_url(Person, remote, "person/4").name == "Thomas Berg"
    meeting2 = by_url(Meeting, remote, "meeting/2")
    assert meeting2.results_protocol is None
    assert meeting2.verbatim_protocol is None
    assert list(by_url(Meeting, remote, "meeting/3").organizations.all()) == [
        by_url(Organization, remote, "organization/5")
    ]
    assert not Paper.objects.filter(origin_url=url(remote, "paper/99")).exists()


def test_imported_objects_are_searchable(remote: RemoteState) -> None:
    run_v11(remote)
    hits, _ = search.search("Radverkehrskonzept", snippets=False)
    found = {(h.kind, h.object_id) for h in hits}
    assert ("council.paper", by_url(Paper, remote, "paper/1").pk) in found
    assert ("council.agendaitem", by_url(AgendaItem, remote, "agendaitem/2").pk) in found
    # File texts the remote system gives are indexed.
    hits, _ = search.search("ausgewiesen", kinds=["council.file"], snippets=False)
    assert [h.object_id for h in hits] == [by_url(File, remote, "file/2").pk]


def test_second_full_run_writes_nothing_unchanged_and_duplicates_nothing(
    remote: RemoteState,
) -> None:
    run_v11(remote)
    before = counts()
    second = run_v11(remote, full=True)
    assert not second.incremental
    assert counts() == before
    # Only objects without a remote `modified` would be written again; all have one here.
    assert second.objects_written == 0
    assert second.objects_seen > 0


# --- incremental run ------------------------------------------------------------------------


def test_incremental_run_fetches_changes_only(remote: RemoteState) -> None:
    first = run_v11(remote)
    paper1_modified = by_url(Paper, remote, "paper/1").modified
    seen = len(remote.requests)

    second = run_v11(remote)
    assert second.incremental
    assert second.modified_since == first.started_at
    lists = [r for r in remote.requests[seen:] if "/v11/body/1/" in r]
    assert lists, "the body's lists were read"
    assert all("modified_since=" in r for r in lists), lists
    since = timezone.localtime(first.started_at).replace(microsecond=0).isoformat()
    assert any(since.replace("+", "%2B").replace(":", "%3A") in r for r in lists)

    assert by_url(Paper, remote, "paper/2").name.endswith("(geänderte Fassung)")
    deleted = by_url(Paper, remote, "paper/4")
    assert deleted.deleted
    assert not SearchDocument.objects.filter(kind="council.paper", object_id=deleted.pk).exists()
    assert by_url(Meeting, remote, "meeting/1").name == (
        "3. Sitzung des Rates (Niederschrift ergänzt)"
    )
    assert by_url(Paper, remote, "paper/1").modified == paper1_modified
    # The agenda item the changed meeting no longer lists was removed remotely.
    assert by_url(AgendaItem, remote, "agendaitem/3").deleted
    assert not by_url(AgendaItem, remote, "agendaitem/2").deleted
    assert second.objects_written == 4  # paper 2, paper 4 (deleted), meeting 1, its item 3
    # The changed meeting brings its known faults again, nothing else does.
    assert {u.removeprefix(remote.base) for u, _kind in problems(second)} == {
        "/v11/location/1",
        "/fault/500/person/77",
        "/v11/file/1",
    }
    system = second.system
    system.refresh_from_db()
    assert system.last_modified_since == second.started_at


def test_full_flag_reads_everything_again(remote: RemoteState) -> None:
    run_v11(remote)
    seen = len(remote.requests)
    again = run_v11(remote, full=True)
    assert not again.incremental
    assert not any("modified_since" in r for r in remote.requests[seen:])


# --- resuming ---------------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def test_interrupted_run_resumes_after_its_last_page(remote: RemoteState) -> None:
    pages: list[str] = []

    def crash_after_three(run: SyncRun, page_url: str) -> None:
        pages.append(page_url)
        if len(pages) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_v11(remote, after_page=crash_after_three)
    interrupted = SyncRun.objects.get()
    assert interrupted.status == SyncRun.Status.FAILED
    assert interrupted.finished_at is None
    # terms, locations and the first page of organizations were written and recorded.
    assert pages == [
        url(remote, "body/1/terms"),
        url(remote, "body/1/locations"),
        url(remote, "body/1/organizations"),
    ]
    assert interrupted.cursor["lists"]["0:organization"] == {
        "next": url(remote, "body/1/organizations/2")
    }
    assert Organization.objects.count() == 3
    assert not Person.objects.exists()
    system = interrupted.system
    assert system.last_success_at is None

    crashed_at = len(remote.requests)
    resumed = run_v11(remote)
    assert resumed.pk == interrupted.pk
    assert resumed.status == SyncRun.Status.SUCCEEDED_WITH_ERRORS
    # Nothing written before the interruption is asked for again; the run goes on with the
    # second page of organizations.
    after = remote.requests[crashed_at:]
    lists = [r for r in after if r.startswith("/v11/body")]
    assert lists[0] == "/v11/body/1/organizations/2"
    assert "/v11/bodies" not in after
    assert "/v11/body/1/terms" not in after
    assert "/v11/body/1/organizations" not in after
    assert counts() == EXPECTED_V11
    for model in MODELS:  # no duplicates
        assert model.objects.values("origin_url").distinct().count() == model.objects.count()
    system.refresh_from_db()
    assert system.last_success_at is not None


def test_restart_starts_a_new_run(remote: RemoteState) -> None:
    def crash(run: SyncRun, page_url: str) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        run_v11(remote, after_page=crash)
    fresh = run_v11(remote, restart=True)
    old = SyncRun.objects.exclude(pk=fresh.pk).get()
    assert old.status == SyncRun.Status.FAILED
    assert old.finished_at is not None
    assert counts() == EXPECTED_V11


def test_an_object_the_database_refuses_is_logged_and_the_page_kept(
    remote: RemoteState, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    from rathaus.oparl.importer import writer

    insert = writer.insert_raw
    refused = url(remote, "paper/2")

    def refuse_paper_2(model: Any, objs: list[Any]) -> None:
        if any(getattr(o, "origin_url", "") == refused for o in objs):
            raise IntegrityError("simulated constraint violation")
        insert(model, objs)

    monkeypatch.setattr(writer, "insert_raw", refuse_paper_2)
    run = run_v11(remote)
    assert (refused, "write_failed") in problems(run)
    assert not Paper.objects.filter(origin_url=refused).exists()
    # The rest of its page (paper 1 with its file and consultations) is there.
    paper = by_url(Paper, remote, "paper/1")
    assert paper.consultations.count() == 2
    assert paper.main_file is not None
    assert Paper.objects.count() == EXPECTED_V11[Paper] - 1


# --- OParl 1.0 ---------------------------------------------------------------------------------


def test_oparl_10_system(remote: RemoteState) -> None:
    run = import_system(f"{remote.base}/v10/system", ImportOptions(**FAST))
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.system.oparl_version == "1.0"
    base = f"{remote.base}/v10"
    body = Body.objects.get(origin_url=f"{base}/body/1")
    assert body.name == "Gemeinde Heidedorf"
    assert body.legislative_terms.get().name == "Wahlperiode 2016–2021"
    person = Person.objects.get(origin_url=f"{base}/person/1")
    assert sorted(person.memberships.values_list("organization__name", "role")) == [
        ("Bau- und Umweltausschuss", "Mitglied"),
        ("Gemeinderat Heidedorf", "Bürgermeisterin"),
    ]
    meeting = Meeting.objects.get(origin_url=f"{base}/meeting/1")
    # 1.0 agenda items often lack 'order': their position counts.
    assert list(meeting.agenda_items.values_list("order", "name")) == [
        (1, "Bebauungsplan Nr. 42 „Am Mühlenteich“"),
        (2, "Verschiedenes"),
    ]
    assert meeting.invitation.file_name == "einladung.pdf"
    paper = Paper.objects.get(origin_url=f"{base}/paper/1")
    consultation = paper.consultations.get()
    assert consultation.meeting == meeting
    assert consultation.agenda_item.number == "1"
    assert consultation.organizations.get().name == "Gemeinderat Heidedorf"
    assert paper.main_file.file_name == "bplan-42.pdf"
    # Embedded 1.0 objects have no times of their own: the import sets them.
    assert consultation.created is not None
    assert consultation.modified is not None

    before = counts()
    import_system(f"{remote.base}/v10/system", ImportOptions(**FAST, full=True))
    assert counts() == before


# --- files -------------------------------------------------------------------------------------


def test_download_files_extracts_pdf_text(remote: RemoteState) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Die Fahrradstraßen im Stadtkern werden bis 2026 markiert.")
    remote.blobs["/v11/file/3/download"] = (bytes(pdf.output()), "application/pdf")

    run = run_v11(remote, download_files=True)
    vorlage = by_url(File, remote, "file/3")
    assert "Fahrradstraßen im Stadtkern" in vorlage.text
    assert vorlage.text_extracted_at is not None
    # Binaries stay remote: only the addresses are stored.
    assert not vorlage.content
    assert vorlage.remote_download_url == url(remote, "file/3/download")
    hits, _ = search.search("Stadtkern", kinds=["council.file"], snippets=False)
    assert [h.object_id for h in hits] == [vorlage.pk]
    # Files that cannot be downloaded are logged and keep the text the remote system gave.
    assert (url(remote, "file/1/download"), "download_failed") in problems(run)
    assert by_url(File, remote, "file/2").text.startswith("Der Rat beschließt")


def test_without_download_flag_no_file_is_downloaded(remote: RemoteState) -> None:
    run_v11(remote)
    assert not [r for r in remote.requests if "/download" in r or r.endswith(".pdf")]


# --- the System itself ---------------------------------------------------------------------


def test_unreadable_system_fails_the_run(remote: RemoteState) -> None:
    system_url = f"{remote.base}/fault/500/system"
    with pytest.raises(ImportFailed, match="lässt sich nicht lesen"):
        import_system(system_url, ImportOptions(**FAST))
    run = SyncRun.objects.get(system__system_url=system_url)
    assert run.status == SyncRun.Status.FAILED
    assert run.finished_at is not None
    assert problems(run) == {(system_url, "server_error")}


def test_object_of_another_type_is_no_system(remote: RemoteState) -> None:
    with pytest.raises(ImportFailed, match="kein OParl-System-Objekt"):
        import_system(url(remote, "file/20"), ImportOptions(**FAST))


def test_command_prints_summary_and_exits_zero_despite_faults(remote: RemoteState) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "oparl_import",
        url(remote, "system"),
        "--timeout=0.4",
        "--retries=1",
        "--concurrency=2",
        stdout=out,
        stderr=err,
    )
    summary = out.getvalue()
    assert "vollständiger Abgleich" in summary
    assert "Status: mit Fehlern abgeschlossen" in summary
    run = SyncRun.objects.get()
    assert f"Probleme: {run.error_count}" in summary
    assert "    geojson_swapped: 3" in summary  # counts per kind, most frequent first
    assert Paper.objects.count() == EXPECTED_V11[Paper]

    call_command("oparl_import", url(remote, "system"), "--timeout=0.4", stdout=out)
    assert "inkrementeller Abgleich" in out.getvalue()


def test_command_fails_when_the_system_cannot_be_read(remote: RemoteState) -> None:
    with pytest.raises(CommandError, match="lässt sich nicht lesen") as excinfo:
        call_command(
            "oparl_import",
            f"{remote.base}/v11/missing-system",
            "--retries=0",
            stdout=StringIO(),
        )
    assert excinfo.value.returncode == 2


# --- repairs, one by one -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geojson", "expected", "swapped"),
    [
        ({"type": "Point", "coordinates": [53.47, 9.7]}, [9.7, 53.47], True),
        ({"type": "Point", "coordinates": [9.7, 53.47]}, [9.7, 53.47], False),
        ({"type": "Point", "coordinates": [2.35, 48.85]}, [2.35, 48.85], False),  # Paris
        (
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[50, 7], [51, 8]]},
            },
            [[7, 50], [8, 51]],
            True,
        ),
    ],
)
def test_geojson_latitude_first_is_swapped_in_germany(
    geojson: dict[str, Any], expected: Any, swapped: bool
) -> None:
    fixed, problem = repair.fix_geojson(geojson)
    geometry = fixed.get("geometry", fixed)
    assert geometry["coordinates"] == expected
    assert bool(problem) is swapped


@pytest.mark.parametrize(
    ("value", "number", "kind"),
    [
        (12, 12, None),
        ("12", 12, None),
        ("", None, "empty_number"),
        ("zwölf", None, "invalid_value"),
        (-3, None, "invalid_value"),
        (3.0, 3, None),
        (None, None, None),
    ],
)
def test_numbers(value: Any, number: int | None, kind: str | None) -> None:
    assert repair.parse_int(value)[:2] == (number, kind)


def test_text_and_types() -> None:
    assert repair.normalise_text("Rat\u00a0der\u202fStadt\u200b") == ("Rat der Stadt", True)
    assert repair.normalise_text("Rat") == ("Rat", False)
    assert repair.normalise_type("https://schema.oparl.org/1.0/Paper") == "Paper"
    assert repair.normalise_type("oparl:Meeting") == "Meeting"
    assert repair.normalise_type("https://example.org/Unsinn") is None
    created = datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC)
    modified, problem = repair.fix_timestamps(created, created - datetime.timedelta(days=1))
    assert modified == created
    assert problem
