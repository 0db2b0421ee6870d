"""The council office's write services: validation, transactions, search index, permissions."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rathaus.core import errors, search
from rathaus.council import services, visibility
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)
from tests.council.conftest import Council, at, make_pdf


def pdf_upload(text: str, name: str = "dokument.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(text), content_type="application/pdf")


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def hits(text: str, kind: str) -> set[int]:
    found, _query = search.search(text, kinds=[kind], snippets=False)
    return {hit.object_id for hit in found}


# --- permissions --------------------------------------------------------------------------


def test_other_roles_may_not_write(council: Council, clerk: Any, council_member: Any) -> None:
    for user in (clerk, council_member):
        with pytest.raises(errors.PermissionDenied, match=r"council\.change_meeting"):
            services.save_meeting(meeting=council.rat_next, user=user)
        with pytest.raises(errors.PermissionDenied):
            services.set_public(obj=council.secret, public=True, user=user)
        with pytest.raises(errors.PermissionDenied):
            services.store_file(upload=pdf_upload("x"), user=user)
    assert not Paper.objects.get(pk=council.secret.pk).is_public


def test_the_council_office_may(council: Council, council_office_user: Any) -> None:
    council.rat_next.name = "6. Sitzung des Rates (Haushalt)"
    services.save_meeting(meeting=council.rat_next, user=council_office_user)
    assert Meeting.objects.get(pk=council.rat_next.pk).name.endswith("(Haushalt)")


# --- bodies, persons, memberships -------------------------------------------------------------


def test_organization_slug_and_dates(council: Council) -> None:
    org = services.save_organization(organization=Organization(name="Rat der Hansestadt Buxtehude"))
    assert org.slug == "rat-der-hansestadt-buxtehude"  # the fixture's Rat is "rat"
    again = services.save_organization(
        organization=Organization(name="Rat der Hansestadt Buxtehude")
    )
    assert again.slug == "rat-der-hansestadt-buxtehude-2"
    bad = Organization(
        name="Alter Ausschuss",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2019, 1, 1),
    )
    with pytest.raises(errors.ValidationFailed) as caught:
        services.save_organization(organization=bad)
    assert caught.value.problems[0].field == "end_date"


def test_renaming_a_body_updates_the_meetings_in_the_search(council: Council) -> None:
    assert council.bau_next.pk not in hits("Klimaschutz", services.MEETING_KIND)
    council.bau.name = "Ausschuss für Klimaschutz und Stadtplanung"
    services.save_organization(organization=council.bau)
    assert council.bau_next.pk in hits("Klimaschutz", services.MEETING_KIND)


def test_membership_for_a_faction_only(council: Council) -> None:
    membership = Membership(person=council.katja, organization=council.bau, on_behalf_of=council.va)
    with pytest.raises(errors.ValidationFailed) as caught:
        services.save_membership(membership=membership)
    assert caught.value.problems[0].field == "on_behalf_of"
    assert "keine Fraktion" in caught.value.message
    own = Membership(person=council.katja, organization=council.cdu, on_behalf_of=council.cdu)
    with pytest.raises(errors.ValidationFailed, match="nicht für diese Fraktion"):
        services.save_membership(membership=own)


def test_person_name_and_account(council: Council, citizen: Any) -> None:
    person = services.save_person(
        person=Person(given_name="Jens", family_name="Jürgens"), account=citizen
    )
    assert person.name == "Jens Jürgens"
    assert person.body == council.body
    assert citizen.groups.filter(name="Ratsmitglied").exists()
    with pytest.raises(errors.ValidationFailed, match="Namen"):
        services.save_person(person=Person())
    services.save_person(person=person, account=False)
    assert Person.objects.get(pk=person.pk).user is None


# --- meetings, agenda, votes --------------------------------------------------------------------


def test_meeting_needs_a_body_and_a_sensible_time(council: Council) -> None:
    meeting = Meeting(name="Sitzung", start=at(20), end=at(20, 17))
    with pytest.raises(errors.ValidationFailed) as caught:
        services.save_meeting(meeting=meeting, organizations=[council.rat])
    assert caught.value.problems[0].field == "end"
    with pytest.raises(errors.ValidationFailed, match="Gremium"):
        services.save_meeting(meeting=Meeting(name="Sitzung", start=at(20)), organizations=[])
    assert not Meeting.objects.filter(name="Sitzung").exists()


def test_meeting_is_searchable_after_saving(council: Council) -> None:
    meeting = services.save_meeting(
        meeting=Meeting(name="Sondersitzung Hochwasserschutz", start=at(30)),
        organizations=[council.rat],
    )
    assert meeting.pk in hits("Hochwasserschutz", services.MEETING_KIND)


def test_agenda_items_are_ordered_numbered_and_consult_papers(council: Council) -> None:
    meeting = council.rat_next
    first = services.save_agenda_item(item=AgendaItem(meeting=meeting, name="Eröffnung"))
    second = services.save_agenda_item(
        item=AgendaItem(meeting=meeting, name=""), paper=council.mitteilung, consultation_role="X"
    )
    assert (first.order, first.number, second.order, second.number) == (1, "1", 2, "2")
    assert second.name == council.mitteilung.name
    consultation = Consultation.objects.get(agenda_item=second)
    assert consultation.meeting == meeting
    assert consultation.paper == council.mitteilung
    assert second.pk in hits("Schulentwicklungsplanung", services.AGENDA_ITEM_KIND)
    services.save_agenda_item(item=second, paper=None)
    assert not Consultation.objects.filter(agenda_item=second).exists()
    services.reorder_agenda(meeting=meeting, item_ids=[second.pk, first.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.order, second.number, first.order, first.number) == (1, "1", 2, "2")
    with pytest.raises(errors.ValidationFailed, match="genau einmal"):
        services.reorder_agenda(meeting=meeting, item_ids=[first.pk])


def test_items_of_non_public_meetings_are_never_public(council: Council) -> None:
    item = services.save_agenda_item(item=AgendaItem(meeting=council.va_past, name="Bericht"))
    assert item.public is False
    with pytest.raises(errors.ValidationFailed, match="nichtöffentlich"):
        services.set_public(obj=item, public=True)


def test_votes_are_validated_and_replaced(council: Council) -> None:
    item = council.items["rat_vorlage"]
    problems = [
        services.FactionVote(faction=council.cdu, yes=-1),
        services.FactionVote(faction=council.rat, yes=3),
        services.FactionVote(faction=council.spd, yes=1),
        services.FactionVote(faction=council.spd, no=1),
    ]
    with pytest.raises(errors.ValidationFailed) as caught:
        services.record_votes(
            item=item,
            factions=problems,
            persons=[services.PersonVote(person=council.anna, choice="vielleicht")],
        )
    messages = " ".join(p.message for p in caught.value.problems)
    assert "negativ" in messages
    assert "keine Fraktion" in messages
    assert "doppelt" in messages
    assert "vielleicht" in messages
    assert item.votes.count() == 6  # unchanged: nothing half-written
    services.record_votes(
        item=item,
        factions=[
            services.FactionVote(faction=council.cdu, yes=2),
            services.FactionVote(faction=council.spd),
        ],
        persons=[services.PersonVote(person=council.bernd, choice=Vote.Choice.NO)],
    )
    votes = list(item.votes.all())
    assert len(votes) == 2  # the empty SPD row is not stored
    assert {(v.faction_id, v.person_id, v.yes, v.choice) for v in votes} == {
        (council.cdu.pk, None, 2, ""),
        (None, council.bernd.pk, 0, "no"),
    }


# --- files ------------------------------------------------------------------------------------


def test_store_file_measures_sniffs_and_reads(council: Council, council_media: Path) -> None:
    data = make_pdf("Bebauungsplan Nr. 42 Giselbertstraße")
    stored = services.store_file(upload=SimpleUploadedFile("plan.bin", data), name="B-Plan 42")
    file = stored.file
    assert (file.name, file.file_name, file.mime_type) == (
        "B-Plan 42",
        "plan.bin",
        "application/pdf",
    )
    assert file.size == len(data)
    assert len(file.sha512) == 128
    assert "Giselbertstraße" in file.text
    assert file.text_extracted_at is not None
    assert stored.warning == ""
    assert file.pk in hits("Giselbertstraße", services.FILE_KIND)
    assert file.content.read() == data
    assert "plan" not in file.content.name


def test_store_file_keeps_unreadable_pdfs_and_says_why(council: Council) -> None:
    stored = services.store_file(
        upload=SimpleUploadedFile("kaputt.pdf", b"%PDF-1.4\n" + b"\0" * 64)
    )
    assert stored.file.pk is not None
    assert stored.file.text == ""
    assert "beschädigt" in stored.warning


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leer"),
        (b"<html><body>Hallo</body></html>", "text/html"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/octet-stream"),
    ],
)
def test_refused_uploads_leave_nothing_behind(
    council: Council, council_media: Path, data: bytes, message: str
) -> None:
    before = File.objects.count()
    with pytest.raises(errors.ValidationFailed, match=message) as caught:
        services.store_file(upload=SimpleUploadedFile("datei.pdf", data))
    assert caught.value.problems[0].field == "upload"
    assert File.objects.count() == before
    assert not any("datei" in p.name for p in stored_files(council_media))


def test_a_failure_after_storing_deletes_the_stored_bytes(
    council: Council, council_media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(stored_files(council_media))

    def broken_index(**kwargs: Any) -> None:
        if kwargs.get("papers"):
            raise RuntimeError("search index unavailable")

    monkeypatch.setattr(services, "sync_search_index", broken_index)
    with pytest.raises(RuntimeError):
        services.attach_paper_file(paper=council.antrag, upload=pdf_upload("Anlage"), main=True)
    assert set(stored_files(council_media)) == before
    assert Paper.objects.get(pk=council.antrag.pk).main_file is None
    assert not File.objects.filter(name="dokument").exists()


def test_upload_size_limit(council: Council, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(errors.ValidationFailed, match="zu groß"):
        services.store_file(upload=pdf_upload("ein etwas längerer Text"))
    raw = io.BytesIO(make_pdf("x"))
    raw.name = "roh.pdf"
    with pytest.raises(errors.ValidationFailed, match="zu groß"):
        services.store_file(upload=raw)


def test_main_file_replaced_and_public_flag_follows_the_paper(council: Council) -> None:
    old = council.secret.main_file
    stored = services.attach_paper_file(
        paper=council.secret, upload=pdf_upload("Neues Wertgutachten"), main=True
    )
    assert not stored.file.is_public  # the paper is non-public
    old.refresh_from_db()
    assert old.deleted
    attachment = services.attach_paper_file(paper=council.vorlage, upload=pdf_upload("Anlage 2"))
    assert attachment.file.is_public
    assert council.vorlage.auxiliary_files.filter(pk=attachment.file.pk).exists()
    with pytest.raises(errors.NotFound):
        services.remove_paper_file(paper=council.antrag, file=attachment.file)


# --- publishing ---------------------------------------------------------------------------------


def test_making_a_paper_non_public_hides_its_files_from_the_public(council: Council) -> None:
    public = visibility.PUBLIC
    assert visibility.files(public).filter(pk=council.vorlage_pdf.pk).exists()
    hidden = services.set_public(obj=council.vorlage, public=False)
    assert {f.pk for f in hidden} == {council.vorlage_pdf.pk, council.plan_pdf.pk}
    assert not visibility.papers(public).filter(pk=council.vorlage.pk).exists()
    assert not visibility.files(public).filter(pk=council.vorlage_pdf.pk).exists()
    services.set_public(obj=council.vorlage, public=True)
    assert visibility.papers(public).filter(pk=council.vorlage.pk).exists()
    assert not visibility.files(public).filter(pk=council.vorlage_pdf.pk).exists()
    services.set_public(obj=council.vorlage_pdf, public=True)
    assert visibility.files(public).filter(pk=council.vorlage_pdf.pk).exists()


def test_a_non_public_meeting_loses_its_public_video_link(council: Council) -> None:
    services.set_public(obj=council.rat_past, public=False)
    council.rat_past.refresh_from_db()
    assert council.rat_past.video_public_url == ""


# --- invitations and minutes ------------------------------------------------------------------


def test_invitation_time_state_and_mail(
    council: Council, django_capture_on_commit_callbacks: Any
) -> None:
    council.dieter.email = ["dieter@example.org"]
    council.dieter.save()
    council.katja.email = ["buergermeisterin@example.org", "Dieter@example.org"]
    council.katja.save()
    meeting = council.rat_next
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_invitation(meeting=meeting, now=now)
    assert sent.first_time
    assert sent.recipients == ["buergermeisterin@example.org", "dieter@example.org"]
    meeting.refresh_from_db()
    assert meeting.invitation_sent_at == now
    assert meeting.meeting_state == Meeting.State.INVITED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [mail.outbox[0].from_email]  # members only in blind copy
    later = now + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.send_invitation(meeting=meeting, now=later, notify=False)
    assert not again.first_time
    meeting.refresh_from_db()
    assert meeting.invitation_sent_at == now  # the deadline counts from the first one
    assert len(mail.outbox) == 1


def test_invitation_refused_for_past_cancelled_or_undated(council: Council) -> None:
    with pytest.raises(errors.ValidationFailed, match="begonnen"):
        services.send_invitation(meeting=council.rat_past)
    with pytest.raises(errors.ValidationFailed, match="abgesagt"):
        services.send_invitation(meeting=council.schule_next)
    undated = Meeting.objects.create(name="ohne Termin")
    with pytest.raises(errors.ValidationFailed, match="Termin"):
        services.send_invitation(meeting=undated)


def test_invitation_mail_failure_does_not_undo_the_invitation(
    council: Council, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    council.anna.email = ["anna@example.org"]
    council.anna.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(meeting=council.rat_next)
    assert Meeting.objects.get(pk=council.rat_next.pk).invitation_sent_at is not None


def test_minutes_keep_their_first_publication(council: Council) -> None:
    meeting = council.bau_past
    first_time = meeting.minutes_published_at
    previous = meeting.results_protocol
    stored = services.attach_minutes(meeting=meeting, upload=pdf_upload("Berichtigte Fassung"))
    meeting.refresh_from_db()
    assert meeting.results_protocol == stored.file
    assert meeting.minutes_published_at == first_time
    previous.refresh_from_db()
    assert previous.deleted
    fresh = council.rat_past
    now = timezone.now()
    services.attach_minutes(meeting=fresh, upload=pdf_upload("Niederschrift"), now=now)
    fresh.refresh_from_db()
    assert fresh.minutes_published_at == now
    assert fresh.meeting_state == Meeting.State.RUNNING
    non_public = services.attach_minutes(meeting=council.va_past, upload=pdf_upload("geheim"))
    assert not non_public.file.is_public


# --- inquiries and motions --------------------------------------------------------------------


def test_new_inquiries_start_received_and_references_are_unique(council: Council) -> None:
    paper = services.save_paper(
        paper=Paper(name="Anfrage zum Freibad", paper_type="Anfrage", questions=[" Wann? ", ""])
    )
    assert paper.inquiry_status == Paper.InquiryStatus.RECEIVED
    assert paper.questions == ["Wann?"]
    assert paper.pk in hits("Freibad", services.PAPER_KIND)
    report = services.save_paper(paper=Paper(name="Bericht", paper_type="Mitteilungsvorlage"))
    assert report.inquiry_status == ""
    with pytest.raises(errors.ValidationFailed) as caught:
        services.save_paper(paper=Paper(name="Doppelt", reference=council.vorlage.reference))
    assert caught.value.problems[0].field == "reference"


def test_inquiry_transitions_are_enforced(council: Council) -> None:
    paper = council.anfrage_open
    with pytest.raises(errors.Conflict, match="möglich ist: „in Bearbeitung“"):
        services.set_inquiry_status(paper=paper, status=Paper.InquiryStatus.ANSWERED)
    services.set_inquiry_status(paper=paper, status=Paper.InquiryStatus.IN_PROGRESS)
    with pytest.raises(errors.ValidationFailed, match="Antwort"):
        services.set_inquiry_status(paper=paper, status=Paper.InquiryStatus.ANSWERED)
    with pytest.raises(errors.Conflict):
        services.set_inquiry_status(paper=paper, status=Paper.InquiryStatus.RECEIVED)
    with pytest.raises(errors.ValidationFailed, match="Bearbeitungsstand"):
        services.set_inquiry_status(paper=paper, status="lost")
    now = timezone.now()
    services.answer_inquiry(
        paper=paper,
        answer_text="Es gibt 23 Ladesäulen.",
        upload=pdf_upload("Liste der Ladesäulen"),
        finish=True,
        now=now,
    )
    paper.refresh_from_db()
    assert paper.inquiry_status == Paper.InquiryStatus.ANSWERED
    assert paper.answered_at == now
    assert paper.answer_file is not None
    assert "Ladesäulen" in paper.answer_file.text
    assert paper.pk in hits("Ladesäulen", services.PAPER_KIND)
    with pytest.raises(errors.Conflict, match="keiner"):
        services.set_inquiry_status(paper=paper, status=Paper.InquiryStatus.IN_PROGRESS)
    # A correction of the answer keeps the status and the date.
    services.answer_inquiry(paper=paper, answer_text="Es gibt 24 Ladesäulen.")
    paper.refresh_from_db()
    assert (paper.inquiry_status, paper.answered_at) == (Paper.InquiryStatus.ANSWERED, now)


def test_answer_and_finish_from_received_is_refused_as_a_whole(council: Council) -> None:
    paper = council.anfrage_open
    with pytest.raises(errors.Conflict):
        services.answer_inquiry(paper=paper, answer_text="Schnellantwort", finish=True)
    paper.refresh_from_db()
    assert paper.answer_text == ""  # nothing half-written
    with pytest.raises(errors.ValidationFailed, match="keine Anfrage"):
        services.set_inquiry_status(paper=council.vorlage, status="in_progress")
