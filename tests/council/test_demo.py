"""The council demo of Buxtehude: its plan, what loading puts in the database, idempotence.

Most tests load a small council (`scale`); one loads the full size and checks the figures
the issue asks for (150 meetings, 1,000 papers, about 40 members in 6 factions, 8 committees).
"""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from rathaus.accounts.models import User
from rathaus.core import search
from rathaus.core.demo import load_demo
from rathaus.core.errors import NotFound, ValidationFailed
from rathaus.core.models import SearchDocument
from rathaus.council import demo, selectors, visibility
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)

TODAY = datetime.date(2026, 3, 16)  # a Monday inside the legislative term 2021–2026
SEED_TEXT = (demo.COUNCIL_DIR / "anfrage-digitalisierung-2020-04-27.txt").read_text(
    encoding="utf-8"
)
COUNCIL_KINDS = ("council.paper", "council.meeting", "council.agendaitem", "council.file")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot() -> dict[str, Any]:
    models = (Body, LegislativeTerm, Organization, Person, Membership, Meeting, AgendaItem)
    return {
        "counts": {
            m.__name__: m.objects.count()
            for m in (*models, Paper, Consultation, File, Vote, SearchDocument)
        },
        "modified": {
            m.__name__: sorted(m.objects.values_list("pk", "modified")) for m in (*models, Paper)
        },
        "files": sorted(File.objects.values_list("content", "sha512")),
    }


# --- the plan (no database) --------------------------------------------------------------


def test_plan_is_reproducible_and_shaped_like_a_council() -> None:
    first = demo.build_plan(scale=0.1, today=TODAY)
    second = demo.build_plan(scale=0.1, today=TODAY)

    assert [(m.name, m.start) for m in first.meetings] == [
        (m.name, m.start) for m in second.meetings
    ]
    assert [(p.reference, p.name) for p in first.papers] == [
        (p.reference, p.name) for p in second.papers
    ]
    kinds = [o.kind for o in first.orgs.values()]
    assert kinds.count("faction") == 6
    assert kinds.count("committee") == 8
    assert kinds.count("ortsrat") == 4
    assert {"rat", "verwaltungsausschuss"} <= set(first.orgs)
    assert [t[0] for t in first.terms] == ["Wahlperiode 2016–2021", "Wahlperiode 2021–2026"]
    # The current Rat: 38 seats, every member for one faction, roles as the issue names.
    current = [m for m in first.memberships if m.org == "rat" and m.end is None]
    assert len(current) == 38
    assert all(m.on_behalf_of in first.orgs for m in current)
    roles = {m.role for m in first.memberships}
    assert {"Vorsitz", "stellv. Vorsitz", "Mitglied", "beratendes Mitglied"} <= roles
    # Invented names only, except the author of the public seed document.
    real = [p for p in first.persons.values() if p.real]
    assert [p.name for p in real] == ["Michael Lemke"]
    assert "Michael Lemke" in SEED_TEXT


def test_plan_calendar_lies_around_the_anchor_and_inside_the_current_term() -> None:
    plan = demo.build_plan(scale=1, today=TODAY)

    starts = [m.start.date() for m in plan.meetings]
    assert min(starts) >= TODAY - datetime.timedelta(days=demo.PAST_DAYS)
    assert max(starts) <= TODAY + datetime.timedelta(days=demo.FUTURE_DAYS)
    assert max(starts) <= datetime.date(2026, 10, 31)  # the term ends; the new Rat is unknown
    assert len(plan.meetings) >= 150
    assert len(plan.papers) >= 1000
    past = [m for m in plan.meetings if m.start < plan.now]
    upcoming = [m for m in plan.meetings if m.start >= plan.now]
    assert past
    assert upcoming
    # No meetings in the summer break.
    assert not [d for d in starts if (7, 10) <= (d.month, d.day) <= (8, 20)]


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValidationFailed, match="scale"):
        demo.build_plan(scale=0, today=TODAY)


def test_pdfs_fall_back_to_a_core_font_without_dejavu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "FONT_DIRS", ())
    doc = demo.DocPlan(
        name="Probe",
        file_name="probe.pdf",
        date=TODAY,
        header="Probe 2026/001",
        blocks=[demo.Block("title", "Straße „Am Fleth“ – Übersicht"), demo.Block("p", "Größe")],
    )

    (pdf,) = demo.render_pdfs([doc])

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Straße" in text
    assert '"Am Fleth" - Übersicht' in text
    assert "Seite 1" in text


# --- loading -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_small_demo_has_every_kind_of_object_and_searchable_pdfs(media: Path) -> None:
    result = demo.load_council_demo(scale=0.1, today=TODAY)

    assert result.created["Drucksachen"] == Paper.objects.count() >= 100
    body = Body.objects.get(ags="03359010")
    assert body.name == "Hansestadt Buxtehude"
    assert Organization.objects.filter(organization_type="Fraktion").count() == 6
    assert Organization.objects.filter(classification="Ausschuss").count() == 8
    assert Organization.objects.filter(classification="Ortsrat").count() == 4
    assert Membership.objects.filter(organization__slug="rat", end_date__isnull=True).count() == 38
    assert Meeting.objects.count() >= 15
    assert set(Paper.objects.values_list("paper_type", flat=True)) == {
        "Beschlussvorlage",
        "Mitteilungsvorlage",
        "Antrag",
        "Anfrage",
    }
    # Every paper has a stored PDF whose text was read back out of it.
    assert not Paper.objects.filter(main_file__isnull=True).exists()
    for file in File.objects.all():
        assert file.text
        assert file.mime_type == "application/pdf"
        path = media / file.content.name
        assert path.read_bytes().startswith(b"%PDF-")
        assert path.stat().st_size == file.size
    paper = Paper.objects.exclude(reference="2020/123").order_by("reference").first()
    assert paper is not None
    assert paper.main_file is not None
    assert paper.reference in paper.main_file.text
    # Consultations run through the bodies; past ones have results.
    assert Consultation.objects.filter(meeting__isnull=False, agenda_item__isnull=False).exists()
    assert AgendaItem.objects.exclude(result="").exists()
    # Everything is in the search index, and a word from a PDF finds its file.
    indexed = Counter(
        SearchDocument.objects.filter(kind__in=COUNCIL_KINDS).values_list("kind", flat=True)
    )
    assert indexed["council.paper"] == Paper.objects.count()
    assert indexed["council.meeting"] == Meeting.objects.count()
    assert indexed["council.agendaitem"] == AgendaItem.objects.count()
    assert indexed["council.file"] == File.objects.count()
    hits, _query = search.search("Beratungsfolge", kinds=["council.file"], snippets=False)
    assert {h.object_id for h in hits} >= set(
        Paper.objects.exclude(reference="2020/123").values_list("main_file_id", flat=True)[:5]
    )


@pytest.mark.django_db
def test_timeliness_video_and_votes_are_there_for_the_monitor() -> None:
    demo.load_council_demo(scale=0.25, today=TODAY)
    meetings = list(Meeting.objects.filter(cancelled=False))

    held = [m for m in meetings if m.meeting_state == "durchgeführt"]
    invited = [m for m in held if m.invitation_sent_at]
    late = [m for m in invited if (m.start.date() - m.invitation_sent_at.date()).days < 7]
    assert late
    assert len(late) < len(invited) / 4
    minutes = [m for m in held if m.minutes_published_at]
    slow = [m for m in minutes if (m.minutes_published_at - m.end).days > 21]
    assert slow
    assert len(minutes) > len(held) / 2
    assert all(m.results_protocol_id for m in minutes)
    # About a third with video: Jitsi for committees, public hybrid Rat meetings.
    video = [m for m in meetings if m.video_provider]
    assert 0.2 < len(video) / len(meetings) < 0.5
    assert any(m.video_provider == "jitsi" and m.video_room for m in video)
    rat = Organization.objects.get(slug="rat")
    public = Meeting.objects.filter(organizations=rat).exclude(video_public_url="")
    assert public.exists()
    assert all(
        url.startswith("https://") for url in public.values_list("video_public_url", flat=True)
    )
    # Upcoming meetings: some already invited, some only scheduled; no results yet.
    upcoming = [m for m in meetings if m.meeting_state != "durchgeführt"]
    assert upcoming
    assert not AgendaItem.objects.filter(meeting__in=upcoming).exclude(result="").exists()
    # The Verwaltungsausschuss meets in private; recorded votes per faction and per person.
    assert not Meeting.objects.filter(organizations__slug="verwaltungsausschuss", is_public=True)
    assert Vote.objects.filter(faction__isnull=False).exists()
    faction_vote = Vote.objects.filter(faction__isnull=False).first()
    assert faction_vote is not None
    assert faction_vote.yes + faction_vote.no + faction_vote.abstain > 0


@pytest.mark.django_db
def test_seed_inquiry_is_received_and_unanswered() -> None:
    with pytest.raises(NotFound, match="2020/123"):
        demo.seed_inquiry()
    demo.load_council_demo(scale=0.05, today=TODAY)

    paper = demo.seed_inquiry()

    assert paper.reference == "2020/123"
    assert paper.paper_type == "Anfrage"
    assert paper.date == datetime.date(2020, 4, 27)
    assert paper.inquiry_status == Paper.InquiryStatus.RECEIVED
    assert not paper.answer_text
    assert paper.answer_file is None
    assert paper.answered_at is None
    assert len(paper.questions) == 8
    assert paper.questions[0].startswith("Gibt es eine Digitalisierungsstrategie")
    assert paper.questions[7].startswith("Wie bewertet die Verwaltung das Bürgerinformationssystem")
    assert [o.slug for o in paper.originator_organizations.all()] == ["gruene"]
    author = paper.originator_persons.get()
    assert author.name == "Michael Lemke"
    chair = Membership.objects.get(person=author, organization__slug="gruene")
    assert chair.role == "Vorsitz"
    assert chair.start_date <= paper.date <= chair.end_date
    # The letter is printed unchanged into the PDF and read back from it.
    assert paper.main_file is not None
    text = paper.main_file.text
    for line in ("Anfrage: Stand der Digitalisierung in der Stadtverwaltung", "Ratsfraktion"):
        assert line in text
    assert re.sub(
        r"\s+",
        " ",
        "Eine regelmäßige Information der Bürger*innen mit geeigneten Mitteln findet nicht statt.",
    ) in re.sub(r"\s+", " ", text)
    hits, _q = search.search("Bürgerinformationssystem", kinds=["council.file"], snippets=False)
    assert paper.main_file.pk in {h.object_id for h in hits}


@pytest.mark.django_db
def test_second_run_changes_nothing_and_a_deleted_paper_comes_back() -> None:
    demo.load_council_demo(scale=0.05, today=TODAY)
    before = snapshot()

    again = demo.load_council_demo(scale=0.05, today=TODAY)

    assert not again.changed
    assert again.pdfs == 0
    assert snapshot() == before

    gone = Paper.objects.filter(paper_type="Beschlussvorlage").order_by("reference").first()
    assert gone is not None
    reference = gone.reference
    gone.delete()
    repaired = demo.load_council_demo(scale=0.05, today=TODAY)

    assert repaired.created["Drucksachen"] == 1
    back = Paper.objects.get(reference=reference)
    assert back.main_file is not None
    assert back.consultations.exists()
    assert SearchDocument.objects.filter(kind="council.paper", object_id=back.pk).exists()


@pytest.mark.django_db
def test_load_demo_adds_the_council_links_the_member_account_and_stays_idempotent() -> None:
    first = load_demo(council_scale=0.05)

    assert first.council is not None
    assert first.council.created["Drucksachen"] > 0
    member = User.objects.get(username="ratsmitglied")
    person = Person.objects.get(user=member)
    # The member sees non-public meetings of their own bodies, anonymous readers do not.
    viewer = visibility.viewer_for(member)
    own = visibility.meetings(viewer).filter(is_public=False)
    assert own.exists()
    assert not visibility.meetings(visibility.PUBLIC).filter(is_public=False).exists()
    assert person.memberships.filter(organization__slug="verwaltungsausschuss").exists()

    before = snapshot()
    second = load_demo(council_scale=0.05)

    assert second.council is not None
    assert not second.council.changed
    assert snapshot() == before


@pytest.mark.django_db
def test_load_demo_command_includes_the_council(settings: Any) -> None:
    settings.RATHAUS_DEMO_COUNCIL_SCALE = 0.03

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())

    assert demo.seed_inquiry().questions
    assert Meeting.objects.exists()


@pytest.mark.django_db
def test_search_shows_non_public_papers_only_to_those_allowed() -> None:
    demo.load_council_demo(scale=0.25, today=TODAY)
    private = Paper.objects.filter(is_public=False).first()
    assert private is not None, "the demo has non-public papers (sales, contracts, staff)"

    office = selectors.search_council(visibility.Viewer(sees_everything=True), private.name)
    public = selectors.search_council(visibility.PUBLIC, private.name)

    assert ("council.paper", private.pk) in {(r.kind, r.obj.pk) for r in office.results}
    assert ("council.paper", private.pk) not in {(r.kind, r.obj.pk) for r in public.results}


# --- the whole council, once ---------------------------------------------------------------


@pytest.mark.django_db
def test_full_demo_has_the_size_the_issue_asks_for() -> None:
    result = demo.load_council_demo(today=TODAY)

    assert result.seconds < 60, f"council demo took {result.seconds} s"
    assert Meeting.objects.count() >= 150
    assert Paper.objects.count() >= 1000
    assert 36 <= Membership.objects.filter(organization__slug="rat", end_date=None).count() <= 42
    assert Organization.objects.filter(organization_type="Fraktion").count() == 6
    assert Organization.objects.filter(classification="Ausschuss").count() >= 8
    assert LegislativeTerm.objects.count() == 2
    assert not Paper.objects.filter(main_file__isnull=True).exists()
    assert not File.objects.filter(text="").exists()
    with_video = Meeting.objects.exclude(video_provider="").count()
    assert 0.25 < with_video / Meeting.objects.count() < 0.45
    assert Paper.objects.filter(paper_type="Anfrage", inquiry_status="answered").exists()
    assert demo.seed_inquiry().inquiry_status == "received"
