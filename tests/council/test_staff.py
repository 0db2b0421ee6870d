"""The council office's staff UI at /verwaltung/rat/: who gets in, and every page and action."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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
from rathaus.oparl.models import RemoteSystem
from tests.council.conftest import SECRET_TITLE, Council, at, make_pdf


@pytest.fixture
def no_second_factor(settings: Any) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False


@pytest.fixture
def office_client(
    client: Client, council: Council, council_office_user: Any, settings: Any
) -> Client:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    client.force_login(council_office_user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"council_staff:{name}", args=args)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("clerk", 403),
        ("member_of_the_body", 403),
        ("member_of_another_body", 403),
        ("council_office", 200),
    ],
)
@pytest.mark.usefixtures("no_second_factor")
def test_only_the_council_office_works_here(
    client: Client, council: Council, login_as: Any, role: str, status: int
) -> None:
    login_as(role)
    pages = [
        url("index"),
        url("meeting_edit", council.va_past.pk),
        url("paper_edit", council.secret.pk),
        url("inquiry_list"),
        url("agenda_item_votes", council.items["rat_vorlage"].pk),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == status, (role, page)
        if status == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
    response = client.get(url("meeting_edit", council.va_past.pk))
    assert (SECRET_TITLE in response.content.decode()) is (status == 200)


def test_staff_pages_need_the_second_factor(
    client: Client, council: Council, council_office_user: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    client.force_login(council_office_user)
    response = client.get(url("index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_mirrored_objects_are_not_edited_here(office_client: Client, council: Council) -> None:
    remote = RemoteSystem.objects.create(name="Kreistag", system_url="https://ris.example.org/o")
    Meeting.objects.filter(pk=council.rat_next.pk).update(origin=remote)
    Paper.objects.filter(pk=council.antrag.pk).update(origin=remote)
    assert office_client.get(url("meeting_edit", council.rat_next.pk)).status_code == 404
    assert office_client.get(url("paper_edit", council.antrag.pk)).status_code == 404


# --- overview and lists -----------------------------------------------------------------------


def test_overview_and_lists_render(office_client: Client, council: Council) -> None:
    overview = office_client.get(url("index")).content.decode()
    assert council.bau_next.name in overview
    assert council.rat_next.name in overview  # in 35 days: within the six weeks shown
    for name, needle in [
        ("meeting_list", council.bau_next.name),
        ("paper_list", council.vorlage.name),
        ("organization_list", council.bau.name),
        ("person_list", "Anna Albers"),
        ("inquiry_list", council.anfrage_open.name),
    ]:
        response = office_client.get(url(name))
        assert response.status_code == 200
        assert needle in response.content.decode(), name
    past = office_client.get(url("meeting_list"), {"when": "past", "organization": council.va.pk})
    assert council.va_past.name in past.content.decode()
    assert council.bau_past.name not in past.content.decode()
    inquiries = office_client.get(url("paper_list"), {"inquiry_status": "received"})
    assert council.anfrage_open.name in inquiries.content.decode()
    assert council.anfrage.name not in inquiries.content.decode()


# --- bodies, persons, memberships -----------------------------------------------------------


def test_create_a_body_a_person_and_a_membership(office_client: Client, council: Council) -> None:
    response = office_client.post(
        url("organization_create"),
        {"name": "Ortsrat Hedendorf", "organization_type": "Gremium", "classification": "Ortsrat"},
    )
    org = Organization.objects.get(name="Ortsrat Hedendorf")
    assert response["Location"] == url("organization_edit", org.pk)
    assert org.slug == "ortsrat-hedendorf"
    assert org.body == council.body

    response = office_client.post(
        url("person_create"),
        {
            "given_name": "Hanna",
            "family_name": "Heins",
            "email": "hanna.heins@example.org\nh.heins@example.org",
            "account": "",
        },
    )
    person = Person.objects.get(family_name="Heins")
    assert person.name == "Hanna Heins"
    assert person.email == ["hanna.heins@example.org", "h.heins@example.org"]

    page = office_client.get(url("membership_create") + f"?person={person.pk}")
    assert page.status_code == 200
    bad = office_client.post(
        url("membership_create"),
        {
            "person": person.pk,
            "organization": org.pk,
            "role": "Mitglied",
            "on_behalf_of": council.spd.pk,
            "voting_right": "on",
            "start_date": "2026-01-01",
            "end_date": "2025-12-31",
        },
    )
    assert bad.status_code == 200
    assert "vor ihrem Beginn" in bad.content.decode()
    response = office_client.post(
        url("membership_create"),
        {
            "person": person.pk,
            "organization": org.pk,
            "role": "Ortsbürgermeisterin",
            "on_behalf_of": council.spd.pk,
            "voting_right": "on",
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(person=person)
    assert membership.on_behalf_of == council.spd
    edit = office_client.get(url("organization_edit", org.pk)).content.decode()
    assert "Hanna Heins" in edit
    assert "Ortsbürgermeisterin" in edit

    office_client.post(url("membership_end", membership.pk))
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()


def test_linking_an_account_makes_a_council_member(
    office_client: Client, council: Council, citizen: Any
) -> None:
    form = {"given_name": "Bernd", "family_name": "Brandt", "name": "Bernd Brandt"}
    unknown = office_client.post(
        url("person_edit", council.bernd.pk), {**form, "account": "nobody"}
    )
    assert "Es gibt kein aktives Benutzerkonto" in unknown.content.decode()
    office_client.post(url("person_edit", council.bernd.pk), {**form, "account": "buerger"})
    council.bernd.refresh_from_db()
    assert council.bernd.user == citizen
    assert citizen.groups.filter(name="Ratsmitglied").exists()
    taken = office_client.post(
        url("person_edit", council.anna.pk),
        {
            "given_name": "Anna",
            "family_name": "Albers",
            "name": "Anna Albers",
            "account": "buerger",
        },
    )
    assert "gehört schon zu Bernd Brandt" in taken.content.decode()


# --- meetings -----------------------------------------------------------------------------


def test_new_meeting_close_to_its_date_warns_about_the_deadline(
    office_client: Client, council: Council
) -> None:
    start = at(4)
    response = office_client.post(
        url("meeting_create"),
        {
            "name": "Sondersitzung des Rates",
            "organizations": [council.rat.pk],
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "location": council.rathaus.pk,
            "is_public": "on",
        },
        follow=True,
    )
    meeting = Meeting.objects.get(name="Sondersitzung des Rates")
    assert list(meeting.organizations.all()) == [council.rat]
    assert timezone.localtime(meeting.start).hour == 18
    text = " ".join(messages_of(response))
    assert "ist gespeichert" in text
    assert "Ladungsfrist" in text
    assert "abgelaufen" in text
    page = response.content.decode()
    assert 'role="alert"' in page
    at_risk = office_client.get(url("meetings_at_risk")).content.decode()
    assert "Sondersitzung des Rates" in at_risk
    assert council.rat_next.name not in at_risk  # 35 days away: no risk yet


def test_meeting_form_errors_name_the_field(office_client: Client, council: Council) -> None:
    response = office_client.post(
        url("meeting_edit", council.rat_next.pk),
        {
            "name": council.rat_next.name,
            "organizations": [council.rat.pk],
            "start": "2030-05-05T18:00",
            "end": "2030-05-05T17:00",
            "is_public": "",
            "video_public_url": "https://stream.example.org/x",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "Das Ende der Sitzung liegt vor ihrem Beginn." in html
    assert Meeting.objects.get(pk=council.rat_next.pk).start.year != 2030


def test_invitation_is_sent_to_the_members(
    office_client: Client, council: Council, django_capture_on_commit_callbacks: Any
) -> None:
    council.anna.email = ["anna.albers@example.org"]
    council.anna.save()
    council.bernd.email = ["bernd.brandt@example.org"]
    council.bernd.save()
    meeting = council.rat_next
    upload = SimpleUploadedFile("einladung.pdf", make_pdf("Einladung zur 6. Sitzung des Rates"))
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            url("meeting_invite", meeting.pk),
            {"invitation-upload": upload, "invitation-notify": "on"},
            follow=True,
        )
    assert "Die Einladung ist versandt." in messages_of(response)
    meeting.refresh_from_db()
    assert meeting.meeting_state == Meeting.State.INVITED
    assert meeting.invitation_sent_at is not None
    assert "Einladung zur 6. Sitzung" in meeting.invitation.text
    (message,) = mail.outbox
    assert set(message.bcc) == {"anna.albers@example.org", "bernd.brandt@example.org"}
    assert meeting.name in message.subject
    assert reverse("council_member:meeting", kwargs={"pk": meeting.pk}) in message.body


def test_minutes_upload_publishes_them(office_client: Client, council: Council) -> None:
    meeting = council.rat_past
    upload = SimpleUploadedFile("np.pdf", make_pdf("Niederschrift der 5. Sitzung des Rates"))
    response = office_client.post(
        url("meeting_minutes", meeting.pk), {"minutes-upload": upload}, follow=True
    )
    assert "Die Niederschrift ist gespeichert und veröffentlicht." in messages_of(response)
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is not None
    assert meeting.results_protocol.is_public
    missing = office_client.post(url("meeting_minutes", meeting.pk), {})
    assert missing.status_code == 200
    assert "error-summary" in missing.content.decode()


def test_publish_and_unpublish_a_meeting(office_client: Client, council: Council) -> None:
    meeting = council.bau_past
    office_client.post(url("meeting_unpublish", meeting.pk))
    meeting.refresh_from_db()
    assert not meeting.is_public
    assert not File.objects.get(pk=council.invitation_bau.pk).is_public
    assert not File.objects.get(pk=council.minutes_bau.pk).is_public
    office_client.post(url("meeting_publish", meeting.pk))
    meeting.refresh_from_db()
    assert meeting.is_public
    # Files stay non-public until someone releases them one by one.
    assert not File.objects.get(pk=council.minutes_bau.pk).is_public
    office_client.post(
        url("file_publish", council.minutes_bau.pk), {"next": url("meeting_edit", meeting.pk)}
    )
    assert File.objects.get(pk=council.minutes_bau.pk).is_public


# --- agenda items, results, votes -------------------------------------------------------------


def test_agenda_item_with_a_paper(office_client: Client, council: Council) -> None:
    meeting = council.rat_next
    unknown = office_client.post(
        url("agenda_item_create", meeting.pk), {"paper_reference": "1999/999", "public": "on"}
    )
    assert "Es gibt keine Drucksache mit der Nummer 1999/999." in unknown.content.decode()
    response = office_client.post(
        url("agenda_item_create", meeting.pk),
        {
            "paper_reference": council.antrag.reference,
            "consultation_role": "Beschluss",
            "authoritative": "on",
            "public": "on",
        },
    )
    assert response["Location"] == url("meeting_edit", meeting.pk)
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.order, item.number, item.name) == (1, "1", council.antrag.name)
    consultation = Consultation.objects.get(agenda_item=item)
    assert consultation.paper == council.antrag
    assert consultation.meeting == meeting
    assert consultation.authoritative
    assert list(consultation.organizations.all()) == [council.rat]
    page = office_client.get(url("meeting_edit", meeting.pk)).content.decode()
    assert council.antrag.reference in page


def test_result_and_votes(office_client: Client, council: Council) -> None:
    item = council.items["next_antrag"]
    office_client.post(
        url("agenda_item_result", item.pk),
        {
            "result": "beschlossen",
            "resolution_text": "Tempo 30 wird angeordnet.",
            "minutes_text": "",
        },
    )
    item.refresh_from_db()
    assert item.result == "beschlossen"
    page = office_client.get(url("agenda_item_votes", item.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CDU: Ja" in html
    assert "Anna Albers" in html
    assert "Clara Claussen" in html
    assert "Bernd Brandt" not in html
    response = office_client.post(
        url("agenda_item_votes", item.pk),
        {
            f"faction_{council.cdu.pk}_yes": "1",
            f"faction_{council.spd.pk}_yes": "0",
            f"faction_{council.spd.pk}_no": "1",
            f"person_{council.anna.pk}": "yes",
            f"person_{council.clara.pk}": "no",
        },
    )
    assert response.status_code == 302
    votes = {(v.faction_id, v.person_id): v for v in Vote.objects.filter(agenda_item=item)}
    assert votes[(council.cdu.pk, None)].yes == 1
    assert votes[(council.spd.pk, None)].no == 1
    assert votes[(None, council.anna.pk)].choice == "yes"
    assert votes[(None, council.clara.pk)].choice == "no"
    negative = office_client.post(
        url("agenda_item_votes", item.pk), {f"faction_{council.cdu.pk}_yes": "-3"}
    )
    assert negative.status_code == 200
    assert Vote.objects.filter(agenda_item=item).count() == 4


# --- papers and files -----------------------------------------------------------------------


def test_paper_with_uploaded_files(office_client: Client, council: Council) -> None:
    response = office_client.post(
        url("paper_create"),
        {
            "reference": "2026/070",
            "name": "Sanierung der Turnhalle Altkloster",
            "paper_type": "Beschlussvorlage",
            "date": "2026-02-02",
            "is_public": "on",
            "under_direction_of": [council.schule.pk],
        },
    )
    paper = Paper.objects.get(reference="2026/070")
    assert response["Location"] == url("paper_edit", paper.pk)
    assert list(paper.under_direction_of.all()) == [council.schule]
    data = make_pdf("Die Turnhalle Altkloster erhält ein neues Dach aus Brettschichtholz.")
    # The name says text, the bytes say PDF: the bytes win.
    upload = SimpleUploadedFile("vorlage.txt", data, content_type="text/plain")
    response = office_client.post(
        url("paper_file_upload", paper.pk),
        {"file-upload": upload, "file-role": "main", "file-name": "", "file-is_public": "on"},
        follow=True,
    )
    paper.refresh_from_db()
    main = paper.main_file
    assert main is not None
    assert main.mime_type == "application/pdf"
    assert main.size == len(data)
    assert main.sha512 == hashlib.sha512(data).hexdigest()
    assert "Brettschichtholz" in main.text
    assert main.file_name == "vorlage.txt"
    assert "vorlage" not in main.content.name  # stored under a random name
    assert main.is_public
    assert "vorlage" in response.content.decode()
    html_upload = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>")
    refused = office_client.post(
        url("paper_file_upload", paper.pk), {"file-upload": html_upload, "file-role": "attachment"}
    )
    assert refused.status_code == 200
    assert "text/html" in refused.content.decode()
    assert paper.auxiliary_files.count() == 0
    office_client.post(url("paper_file_remove", paper.pk, main.pk))
    main.refresh_from_db()
    assert main.deleted
    assert Paper.objects.get(pk=paper.pk).main_file is None


def test_unpublishing_a_paper_hides_its_files(
    office_client: Client, council: Council, client: Client
) -> None:
    paper = council.vorlage
    response = office_client.post(url("paper_unpublish", paper.pk), follow=True)
    assert any("nichtöffentlich" in m for m in messages_of(response))
    paper.refresh_from_db()
    assert not paper.is_public
    assert not File.objects.get(pk=council.vorlage_pdf.pk).is_public
    assert not File.objects.get(pk=council.plan_pdf.pk).is_public
    anonymous = Client()
    assert anonymous.get(reverse("council:file", args=[council.vorlage_pdf.pk])).status_code == 404


# --- inquiries and motions ---------------------------------------------------------------------


def test_inquiry_from_received_to_answered(office_client: Client, council: Council) -> None:
    paper = council.anfrage_open
    page = office_client.get(url("paper_edit", paper.pk)).content.decode()
    assert "in Bearbeitung" in page
    skip = office_client.post(url("inquiry_status", paper.pk), {"status": "answered"}, follow=True)
    assert any("geht es nicht" in m for m in messages_of(skip))
    assert Paper.objects.get(pk=paper.pk).inquiry_status == "received"
    office_client.post(url("inquiry_status", paper.pk), {"status": "in_progress"})
    assert Paper.objects.get(pk=paper.pk).inquiry_status == "in_progress"
    empty = office_client.post(url("inquiry_answer", paper.pk), {"answer_text": "", "finish": "on"})
    assert "Antwort als Text oder Datei" in empty.content.decode()
    answer = SimpleUploadedFile("antwort.pdf", make_pdf("Es gibt 23 öffentliche Ladesäulen."))
    response = office_client.post(
        url("inquiry_answer", paper.pk),
        {"answer_text": "Siehe Anlage.", "upload": answer, "finish": "on"},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.inquiry_status == "answered"
    assert paper.answered_at is not None
    assert paper.answer_text == "Siehe Anlage."
    assert "23 öffentliche Ladesäulen" in paper.answer_file.text


def test_new_inquiry_and_overdue_list(office_client: Client, council: Council) -> None:
    form = office_client.get(url("paper_create") + "?art=Anfrage").content.decode()
    assert 'value="Anfrage"' in form
    office_client.post(
        url("paper_create"),
        {
            "reference": "2026/071",
            "name": "Anfrage zu Radwegen",
            "paper_type": "Anfrage",
            "date": "2026-01-05",
            "is_public": "on",
            "questions": "Wie lang ist das Radwegenetz?\n\nWann wird die Brücke saniert?\n",
            "due_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "originator_persons": [council.clara.pk],
        },
    )
    paper = Paper.objects.get(reference="2026/071")
    assert paper.questions == ["Wie lang ist das Radwegenetz?", "Wann wird die Brücke saniert?"]
    assert paper.inquiry_status == "received"
    overdue = office_client.get(url("inquiry_overdue")).content.decode()
    assert "Anfrage zu Radwegen" in overdue
    assert council.anfrage_open.name not in overdue  # due in 20 days
    duplicate = office_client.post(
        url("paper_create"),
        {"reference": "2026/071", "name": "Doppelt", "paper_type": "Antrag", "is_public": "on"},
    )
    assert "ist schon vergeben" in duplicate.content.decode()
