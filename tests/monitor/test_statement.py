"""The accessibility statement: drafted from an audit run, edited, released, shown publicly."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import User
from rathaus.core.errors import Conflict, ValidationFailed
from rathaus.monitor.models import AccessibilityStatement, AuditFinding, AuditPage, AuditRun
from rathaus.monitor.statement import (
    EntryInput,
    StatementInput,
    copy_as_draft,
    current_statement,
    draft_from_audit,
    release,
    save_texts,
    version,
)
from tests.conftest import make_user, verified_login

pytestmark = pytest.mark.django_db

BASE = "/verwaltung/digitalisierung/barrierefreiheit/erklaerung/"
STARTED = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)

# A page: its title, whether it fits 320 pixels, its findings as rule, criteria, impact and
# help text, and the error of the auditor on it.
Page = tuple[str, bool | None, list[tuple[str, list[str], str, str]], str]


def make_run(pages: list[Page], *, finished: bool = True) -> AuditRun:
    run = AuditRun.objects.create(
        started_at=STARTED, finished_at=STARTED + dt.timedelta(hours=1) if finished else None
    )
    for depth, (title, reflows, findings, error) in enumerate(pages):
        page = AuditPage.objects.create(
            run=run,
            url=f"http://testserver/seite-{depth}/",
            title=title,
            status=200,
            depth=depth,
            reflows=reflows,
            error=error,
        )
        for rule, criteria, impact, help_text in findings:
            AuditFinding.objects.create(
                page=page,
                rule=rule,
                criteria=criteria,
                impact=impact,
                selector="main",
                help=help_text,
            )
    return run


CONTRAST = ("color-contrast", ["1.4.3"], "serious", "Elements must meet minimum contrast")
ALT = ("image-alt", ["1.1.1"], "critical", "Images must have alternative text")
LABEL = ("label", ["1.3.1", "4.1.2"], "moderate", "Form elements must have labels")
SCROLL = (
    "scrollable-region-focusable",
    ["2.1.1"],
    "moderate",
    "Scrollable region must have keyboard access",
)
REFLOW = ("rathaus-reflow", ["1.4.10"], "serious", "Content needs horizontal scrolling")


@pytest.fixture
def run() -> AuditRun:
    """Six checked pages, three with a serious barrier (exactly half), and one failed page."""
    return make_run(
        [
            ("Startseite", True, [CONTRAST, CONTRAST, ALT], ""),
            ("Leistungen", True, [CONTRAST], ""),
            ("Hundesteuer", True, [LABEL], ""),
            ("Bürgerbüro", False, [REFLOW], ""),
            ("Impressum", True, [SCROLL], ""),
            ("Datenschutz", True, [], ""),
            ("Kaputt", None, [("document-title", ["2.4.2"], "serious", "")], "timeout"),
        ]
    )


def by_title(statement: AccessibilityStatement) -> dict[str, dict[str, Any]]:
    return {e["title"]: e for e in statement.entries}


def test_the_draft_names_exactly_the_criteria_with_findings(run: AuditRun) -> None:
    statement = draft_from_audit(run, None)

    assert [e["title"] for e in statement.entries] == [
        "1.1.1 Nicht-Text-Inhalte",
        "1.3.1 Informationen und Beziehungen",
        "1.4.3 Kontrast (Minimum)",
        "2.1.1 Tastatur",
        "4.1.2 Name, Rolle, Wert",
        "Darstellung auf kleinen Bildschirmen (1.4.10 Umbruch)",
        "Leichte Sprache und Gebärdensprache",
        "Verständlichkeit der Leistungstexte",
        "Englische Fassung",
        "Online-Dienste anderer Betreiber",
    ]
    entries = by_title(statement)
    contrast = entries["1.4.3 Kontrast (Minimum)"]
    assert contrast["criteria"] == ["1.4.3"]
    assert contrast["page_count"] == 2  # two findings on the start page count once
    assert contrast["pages"] == ["Startseite", "Leistungen"]
    assert "Texte heben sich nicht stark genug vom Hintergrund ab." in contrast["text"]
    assert "Betroffen sind 2 von 6 geprüften Seiten" in contrast["text"]
    assert entries["1.1.1 Nicht-Text-Inhalte"]["page_count"] == 1
    assert entries["4.1.2 Name, Rolle, Wert"]["pages"] == ["Hundesteuer"]
    # A rule without a German text is described by axe's help, for the officer to rephrase.
    keyboard = entries["2.1.1 Tastatur"]["text"]
    assert "„scrollable-region-focusable“: Scrollable region must have keyboard access" in keyboard
    reflow = entries["Darstellung auf kleinen Bildschirmen (1.4.10 Umbruch)"]
    assert (reflow["criteria"], reflow["page_count"], reflow["pages"]) == (
        ["1.4.10"],
        1,
        ["Bürgerbüro"],
    )
    # The page the auditor could not check is no part of the statement.
    assert not any("2.4.2" in e["criteria"] for e in statement.entries)
    assert statement.compliance == AccessibilityStatement.Compliance.PARTIAL  # 3 of 6: not >half
    assert statement.run == run
    assert statement.audited_on == dt.date(2026, 11, 20)
    assert statement.prepared_on == timezone.localdate()
    assert "Am 20. November 2026 wurden 6 Seiten" in statement.method
    assert "§ 9d NBGG" in statement.enforcement
    assert statement.status == AccessibilityStatement.Status.DRAFT


def test_at_most_five_example_pages_are_named() -> None:
    run = make_run([(f"Seite {n}", True, [CONTRAST], "") for n in range(7)])
    entry = draft_from_audit(run, None).entries[0]
    assert entry["page_count"] == 7
    assert entry["pages"] == [f"Seite {n}" for n in range(5)]
    assert "Betroffen sind 7 von 7 geprüften Seiten, zum Beispiel „Seite 0“" in entry["text"]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ([("A", True, [], ""), ("B", True, [], "")], "full"),
        # Without findings, but one page was not checked at 320 pixels: not proven complete.
        ([("A", True, [], ""), ("B", None, [], "")], "partial"),
        ([("A", True, [SCROLL], ""), ("B", True, [], "")], "partial"),
        ([("A", True, [CONTRAST], ""), ("B", True, [], "")], "partial"),  # half is not more
        ([("A", True, [CONTRAST], ""), ("B", False, [REFLOW], ""), ("C", True, [], "")], "none"),
    ],
    ids=["no-findings", "reflow-unchecked", "minor-only", "serious-on-half", "serious-on-most"],
)
def test_compliance_state_follows_the_findings(pages: list[Page], expected: str) -> None:
    assert draft_from_audit(make_run(pages), None).compliance == expected


def test_no_usable_run_gives_a_clear_error_and_no_draft() -> None:
    with pytest.raises(ValidationFailed, match="keinen abgeschlossenen Prüflauf"):
        draft_from_audit(None, None)
    with pytest.raises(ValidationFailed, match="nicht abgeschlossen"):
        draft_from_audit(make_run([("A", True, [], "")], finished=False), None)
    with pytest.raises(ValidationFailed, match="keine Seite fehlerfrei"):
        draft_from_audit(make_run([("A", None, [], "timeout")]), None)
    assert not AccessibilityStatement.objects.exists()


def test_the_readability_entry_carries_the_catalog_figures(
    run: AuditRun, service_factory: Any
) -> None:
    service_factory(
        name="Wohngeld",
        summary=(
            "Die Gewährung der Zuschussleistung erfolgt nach Maßgabe der einkommensabhängigen "
            "Berechnungsvorschriften unter Berücksichtigung sämtlicher Haushaltsmitglieder."
        ),
    )
    entry = by_title(draft_from_audit(run, None))["Verständlichkeit der Leistungstexte"]
    assert "Von 1 Leistungsbeschreibungen sind derzeit 0 % gut verständlich" in entry["text"]
    assert "„Wohngeld“" in entry["text"]


def _input(statement: AccessibilityStatement, **changes: Any) -> StatementInput:
    data = StatementInput(
        compliance=statement.compliance,
        intro=statement.intro,
        method=statement.method,
        feedback=statement.feedback,
        enforcement=statement.enforcement,
        prepared_on=statement.prepared_on.isoformat(),
        entries=[
            EntryInput(e["title"], e["text"], ", ".join(e["criteria"]), source=i)
            for i, e in enumerate(statement.entries)
        ],
    )
    return replace(data, **changes)


def test_edit_remove_add_then_release(run: AuditRun, digital_officer: User) -> None:
    draft = draft_from_audit(run, digital_officer)
    assert draft.created_by == digital_officer
    kept = _input(draft).entries
    entries = [
        replace(kept[2], title="Kontraste", text="Einige Texte sind zu blass."),
        *kept[3:],  # the first two are removed
        EntryInput("PDF-Dokumente", "Ältere PDF-Dokumente sind nicht getaggt.", "2.4.7; 1.3.1"),
    ]
    saved = save_texts(
        draft,
        _input(draft, intro="Neue Einleitung.", compliance="none", entries=entries),
        expected=version(draft),
    )

    saved.refresh_from_db()
    assert saved.intro == "Neue Einleitung."
    assert saved.compliance == "none"
    assert len(saved.entries) == len(draft.entries) - 1
    assert saved.entries[0] == {
        **draft.entries[2],
        "title": "Kontraste",
        "text": "Einige Texte sind zu blass.",
    }  # pages and page count stay with the edited entry
    assert saved.entries[-1] == {
        "kind": "manual",
        "title": "PDF-Dokumente",
        "text": "Ältere PDF-Dokumente sind nicht getaggt.",
        "criteria": ["1.3.1", "2.4.7"],
        "pages": [],
        "page_count": None,
    }

    with pytest.raises(Conflict, match="inzwischen"):  # the editor's version is stale now
        save_texts(saved, _input(saved), expected=version(draft))

    released = release(saved, user=digital_officer, expected=version(saved))
    assert released.status == "released"
    assert released.released_by == digital_officer
    assert released.released_at is not None
    assert current_statement() == released
    with pytest.raises(Conflict, match="neuen Entwurf"):
        save_texts(released, _input(released, intro="später"))
    with pytest.raises(Conflict):
        release(released, user=digital_officer)
    released.refresh_from_db()
    assert released.intro == "Neue Einleitung."

    copy = copy_as_draft(released, digital_officer)
    assert (copy.status, copy.intro, copy.entries) == ("draft", released.intro, released.entries)
    assert current_statement() == released  # a draft is never shown


def test_invalid_input_names_every_problem_and_writes_nothing(run: AuditRun) -> None:
    draft = draft_from_audit(run, None)
    before = (draft.intro, draft.entries, draft.modified)
    entries = _input(draft).entries
    entries[1] = replace(entries[1], text="  ", criteria="1.4, 1.3.1")
    bad = _input(
        draft,
        intro=" ",
        compliance="maybe",
        prepared_on="27.11.2026",
        entries=[*entries, EntryInput("", "Nur Text", "", key="entry-new")],
    )
    with pytest.raises(ValidationFailed) as caught:
        save_texts(draft, bad)
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "intro",
        "compliance",
        "prepared_on",
        "entry-1-text",
        "entry-1-criteria",
        "entry-new-title",
    }
    assert "„1.4“ ist keine Nummer" in str(caught.value)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed, match="Zukunft"):
        save_texts(draft, _input(draft, prepared_on=future))
    with pytest.raises(ValidationFailed, match="Eintrag 99 gibt es nicht"):
        save_texts(draft, _input(draft, entries=[EntryInput("x", "y", source=98)]))
    draft.refresh_from_db()
    assert (draft.intro, draft.entries, draft.modified) == before


def test_a_partial_statement_without_entries_is_not_released(run: AuditRun) -> None:
    draft = save_texts(draft_from_audit(run, None), _input(draft_from_audit(run, None)))
    empty = save_texts(draft, _input(draft, entries=[]))
    with pytest.raises(ValidationFailed) as caught:
        release(empty, user=None)
    assert caught.value.problems[0].field == "compliance"
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_the_newest_released_statement_is_current(run: AuditRun) -> None:
    first = release(draft_from_audit(run, None), user=None)
    second = release(draft_from_audit(run, None), user=None)
    draft_from_audit(run, None)
    assert current_statement() == second
    assert first.status == "released"  # kept as the record of what was published


# --- pages ----------------------------------------------------------------------------------


def test_public_page_falls_back_to_the_static_text_until_a_release(
    client: Client, run: AuditRun
) -> None:
    static = client.get("/barrierefreiheit/").content.decode()
    assert "am 27. November 2026 erstellt" in static

    draft = draft_from_audit(run, None)
    assert "am 27. November 2026 erstellt" in client.get("/barrierefreiheit/").content.decode()

    draft = save_texts(
        draft, _input(draft, intro="Unsere neue Einleitung.", prepared_on="2026-11-25")
    )
    release(draft, user=None)
    page = client.get("/barrierefreiheit/").content.decode()
    assert "Unsere neue Einleitung." in page
    assert "am 27. November 2026 erstellt" not in page
    assert "Diese Website ist <strong>teilweise</strong>" in page
    assert "<strong>1.4.3 Kontrast (Minimum):</strong> Texte heben sich" in page
    assert "Datum der letzten automatischen Prüfung: 20. November 2026" in page
    assert "Diese Erklärung wurde am 25. November 2026 erstellt" in page
    assert "Bahnhofstraße 7<br>" in page  # the same contact as the static page
    assert "?subject=Barrierefreiheit" in page
    for heading in (
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Barrieren melden: Kontakt",
        "Schlichtungsverfahren",
        "Erstellung dieser Erklärung",
    ):
        assert f">{heading}</h2>" in page
    english = client.get("/en/barrierefreiheit/").content.decode()
    assert '<div class="statement-intro" lang="de">' in english  # German content marked


def test_staff_pages_need_the_permission(client: Client, clerk: User, run: AuditRun) -> None:
    draft = draft_from_audit(run, None)
    for url in (BASE, f"{BASE}{draft.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/konto/anmelden/?next=")
    verified_login(client, clerk)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{draft.pk}/").status_code == 403
    assert client.post(f"{BASE}neu/").status_code == 403
    assert AccessibilityStatement.objects.count() == 1


def _form(statement: AccessibilityStatement, **changes: str) -> dict[str, str]:
    data = {
        "version": version(statement),
        "compliance": statement.compliance,
        "intro": statement.intro,
        "method": statement.method,
        "feedback": statement.feedback,
        "enforcement": statement.enforcement,
        "prepared_on": statement.prepared_on.isoformat(),
    }
    for i, entry in enumerate(statement.entries):
        data[f"entry-{i}-title"] = entry["title"]
        data[f"entry-{i}-text"] = entry["text"]
        data[f"entry-{i}-criteria"] = ", ".join(entry["criteria"])
    return {**data, **changes}


def test_staff_draft_edit_and_release(client: Client, digital_officer: User, run: AuditRun) -> None:
    verified_login(client, digital_officer)
    audit_page = client.get("/verwaltung/digitalisierung/barrierefreiheit/").content.decode()
    assert f'action="{BASE}neu/"' in audit_page
    assert client.get(f"{BASE}neu/").status_code == 405

    response = client.post(f"{BASE}neu/")
    draft = AccessibilityStatement.objects.get()
    assert response.url == f"{BASE}{draft.pk}/"
    page = client.get(response.url).content.decode()
    assert 'id="entry-2-title"' in page
    assert 'value="1.4.3 Kontrast (Minimum)"' in page

    invalid = client.post(
        response.url, _form(draft, **{"entry-2-criteria": "abc", "intro": "Geändert"})
    )
    body = invalid.content.decode()
    assert 'href="#entry-2-criteria"' in body
    assert "„abc“ ist keine Nummer" in body
    assert ">Geändert</textarea>" in body  # the submitted text is shown again
    draft.refresh_from_db()
    assert draft.intro != "Geändert"

    form = _form(
        draft,
        **{
            "entry-0-remove": "1",
            "entry-new-title": "Videos",
            "entry-new-text": "Ohne Untertitel.",
        },
    )
    client.post(response.url, {**form, "action": "save"})
    draft.refresh_from_db()
    assert draft.entries[0]["title"] == "1.3.1 Informationen und Beziehungen"
    assert draft.entries[-1]["title"] == "Videos"

    client.post(response.url, {**_form(draft), "action": "release"})
    draft.refresh_from_db()
    assert draft.status == "released"
    assert draft.released_by == digital_officer
    assert "Videos:</strong> Ohne Untertitel." in client.get("/barrierefreiheit/").content.decode()
    listing = client.get(BASE).content.decode()
    assert "öffentlich" in listing

    # A stale form (sent before the release) is refused, the released text stays.
    stale = client.post(response.url, {**_form(draft, intro="Zu spät"), "action": "save"})
    assert "nicht mehr geändert" in stale.content.decode()
    copy = client.post(f"{BASE}{draft.pk}/kopieren/")
    assert AccessibilityStatement.objects.filter(status="draft").count() == 1
    assert copy.url != response.url


def test_editing_without_the_release_permission_cannot_release(
    client: Client, office: Any, run: AuditRun
) -> None:
    editor = make_user("editor", office=office)
    editor.user_permissions.add(
        Permission.objects.get(codename="add_inquiryanswer", content_type__app_label="monitor")
    )
    verified_login(client, editor)
    client.post(f"{BASE}neu/")
    draft = AccessibilityStatement.objects.get()
    page = client.get(f"{BASE}{draft.pk}/").content.decode()
    assert 'value="release"' not in page
    response = client.post(f"{BASE}{draft.pk}/", {**_form(draft), "action": "release"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    ok = client.post(f"{BASE}{draft.pk}/", {**_form(draft, intro="Neu"), "action": "save"})
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.intro == "Neu"
