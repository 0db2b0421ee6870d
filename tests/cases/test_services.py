"""Every clerk action: what it writes, its audit entry, the optimistic lock, the refusals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from rathaus.accounts.models import Office, User
from rathaus.cases import letters, services
from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    LetterTemplate,
    MediaBreak,
    State,
)
from rathaus.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.cases.conftest import new_case, png_bytes, real_pdf, upload


def events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def template(office: Office) -> LetterTemplate:
    return LetterTemplate.objects.create(
        name="Eingangsbestätigung",
        office=office,
        subject="Ihr Antrag {{ reference }}",
        body=(
            "Sehr geehrte Damen und Herren,\n\n"
            "Ihr Antrag „{{ subject }}“ vom {{ received_date }} ist bei {{ office }} "
            "eingegangen. Wir melden uns bis {{ due_date }}.\n\n"
            "<script>alert(1)</script> {{ applicant_name }}"
        ),
    )


# --- optimistic locking -----------------------------------------------------------------------


def test_two_clerks_stale_version_is_refused_and_nothing_is_lost(
    case: Case, clerk: User, colleague: User
) -> None:
    seen = case.version  # both open the case page
    services.add_note(case, actor=clerk, text="Rückfrage beim Halter", expected_version=seen)
    with pytest.raises(Conflict, match="inzwischen geändert"):
        services.set_deadline(
            case, actor=colleague, due_date=dt.date(2030, 1, 1), expected_version=seen
        )
    stored = fresh(case)
    assert stored.due_date is None  # the stale write did nothing
    assert stored.version == seen + 1
    assert CaseNote.objects.get(case=case).text == "Rückfrage beim Halter"  # no lost update
    assert [e.action for e in events(case)] == ["created", "note"]
    # With the fresh version the colleague's change goes through.
    services.set_deadline(
        case, actor=colleague, due_date=dt.date(2030, 1, 1), expected_version=stored.version
    )
    assert fresh(case).due_date == dt.date(2030, 1, 1)


@pytest.mark.parametrize(
    "action",
    ["take", "deadline", "note", "media", "message", "request", "decide", "close", "state"],
)
def test_every_action_refuses_a_stale_version(case: Case, clerk: User, action: str) -> None:
    stale = case.version
    services.add_note(case, actor=clerk, text="erste", expected_version=stale)
    before = fresh(case)
    calls: dict[str, Any] = {
        "take": lambda: services.take(case, actor=clerk, expected_version=stale),
        "deadline": lambda: services.set_deadline(
            case, actor=clerk, due_date=dt.date(2031, 1, 1), expected_version=stale
        ),
        "note": lambda: services.add_note(case, actor=clerk, text="x", expected_version=stale),
        "media": lambda: services.record_media_break(
            case, actor=clerk, kind=MediaBreak.Kind.PRINTED, expected_version=stale
        ),
        "message": lambda: services.send_message(
            case, actor=clerk, subject="s", body="b", expected_version=stale
        ),
        "request": lambda: services.request_documents(
            case, actor=clerk, subject="s", body="b", expected_version=stale
        ),
        "decide": lambda: services.decide(
            case, actor=clerk, outcome="approved", expected_version=stale
        ),
        "close": lambda: services.close(case, actor=clerk, expected_version=stale),
        "state": lambda: services.change_state(
            case, State.IN_REVIEW, actor=clerk, expected_version=stale
        ),
    }
    with pytest.raises(Conflict):
        calls[action]()
    after = fresh(case)
    assert after.version == before.version
    assert after.state == before.state
    assert len(events(case)) == 2


# --- permissions ------------------------------------------------------------------------------


def test_a_clerk_of_another_office_may_not_act(case: Case, clerk_b: User) -> None:
    with pytest.raises(PermissionDenied):
        services.add_note(case, actor=clerk_b, text="fremd", expected_version=case.version)
    with pytest.raises(PermissionDenied):
        services.take(case, actor=clerk_b, expected_version=case.version)
    assert not CaseNote.objects.exists()


def test_assignee_must_work_for_the_office(case: Case, clerk: User, clerk_b: User) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.assign(case, actor=clerk, assignee=clerk_b, expected_version=case.version)
    assert info.value.problems[0].field == "assignee"
    assert fresh(case).assignee is None


# --- the audit trail --------------------------------------------------------------------------


def test_audit_trail_records_every_action_with_before_and_after(
    case: Case,
    clerk: User,
    colleague: User,
    template: LetterTemplate,
    django_capture_on_commit_callbacks: Any,
) -> None:
    v = case.version
    services.take(case, actor=clerk, expected_version=v)
    v += 1
    services.assign(case, actor=clerk, assignee=colleague, expected_version=v)
    v += 1
    services.unassign(case, actor=clerk, expected_version=v)
    v += 1
    services.set_deadline(case, actor=clerk, due_date=dt.date(2030, 5, 1), expected_version=v)
    v += 1
    services.change_state(case, State.IN_REVIEW, actor=clerk, expected_version=v)
    v += 1
    services.add_note(case, actor=clerk, text="intern", expected_version=v)
    v += 1
    services.add_document(
        case, actor=clerk, uploaded=upload("vermerk.pdf", real_pdf()), expected_version=v
    )
    v += 1
    services.generate_letter(case, actor=clerk, template=template, expected_version=v)
    v += 1
    services.send_message(case, actor=clerk, subject="Hallo", body="Text", expected_version=v)
    v += 1
    services.request_documents(
        case, actor=clerk, subject="Nachweis", body="Bitte Impfpass", expected_version=v
    )
    v += 1
    services.record_media_break(
        case, actor=clerk, kind=MediaBreak.Kind.PRINTED, note="Akte", expected_version=v
    )
    v += 1
    services.decide(case, actor=clerk, outcome="approved", expected_version=v)
    v += 1
    services.close(case, actor=clerk, expected_version=v)
    v += 1

    trail = events(case)
    assert [e.action for e in trail] == [
        "created",
        "assigned",
        "assigned",
        "assigned",
        "deadline",
        "state",
        "note",
        "document",
        "document",
        "message",
        "message",
        "state",
        "media_break",
        "decided",
        "state",
    ]
    assert fresh(case).version == v
    # Who, when, before and after.
    assert all(e.at is not None and e.actor_name for e in trail)
    assert all(e.actor == clerk for e in trail[1:])
    taken, given, released = trail[1:4]
    assert taken.before == {"assignee": None}
    assert taken.after["assignee"]["id"] == clerk.pk
    assert given.before["assignee"]["id"] == clerk.pk
    assert given.after["assignee"]["id"] == colleague.pk
    assert released.after == {"assignee": None}
    assert trail[4].before == {"due_date": None}
    assert trail[4].after == {"due_date": "2030-05-01"}
    assert trail[11].before == {"state": State.IN_REVIEW}
    assert trail[11].after == {"state": State.WAITING}
    assert trail[13].before == {"state": State.WAITING, "outcome": ""}
    assert trail[13].after == {"state": State.DECIDED, "outcome": "approved"}
    closing = trail[14]
    assert closing.before["state"] == State.DECIDED
    assert closing.after["state"] == State.CLOSED
    assert closing.after["retention_until"] == fresh(case).retention_until.isoformat()


def test_audit_entries_cannot_be_changed_or_deleted(case: Case) -> None:
    entry = CaseEvent.objects.get(case=case)
    entry.summary = "geschönt"
    with pytest.raises(Conflict):
        entry.save()
    with pytest.raises(Conflict):
        entry.delete()
    assert CaseEvent.objects.get(case=case).summary != "geschönt"


def test_closed_case_refuses_changes(case: Case, clerk: User) -> None:
    closed = services.close(case, actor=clerk, expected_version=case.version)
    with pytest.raises(Conflict, match="abgeschlossen"):
        services.set_deadline(
            case, actor=clerk, due_date=dt.date(2030, 1, 1), expected_version=closed.version
        )
    with pytest.raises(Conflict):
        services.change_state(case, State.IN_REVIEW, actor=clerk, expected_version=closed.version)


def test_retention_follows_the_form_definition_or_six_years(office: Office, clerk: User) -> None:
    from tests.forms.factories import make_form

    definition = make_form(office, retention_days=30)
    version = definition.versions.get()
    with_form = new_case(office, form_version_id=version.pk)
    closed = services.close(with_form, actor=clerk, expected_version=with_form.version)
    today = timezone.localdate()
    assert closed.retention_until == today + dt.timedelta(days=30)
    plain = new_case(office)
    closed = services.close(plain, actor=clerk, expected_version=plain.version)
    assert closed.retention_until == today.replace(year=today.year + 6)


# --- documents and letters --------------------------------------------------------------------


def test_document_is_checked_and_stored_privately(case: Case, clerk: User) -> None:
    pdf = real_pdf("Vermerk")
    document = services.add_document(
        case,
        actor=clerk,
        uploaded=upload("vermerk.pdf", pdf),
        title="Vermerk",
        expected_version=case.version,
    )
    assert document.content_type == "application/pdf"
    assert document.size == len(pdf)
    assert document.kind == CaseDocument.Kind.INTERNAL
    assert not document.visible_to_applicant
    assert "vermerk" not in document.file.name  # a random name on disk
    with document.file.open("rb") as handle:
        assert handle.read() == pdf


def test_mislabelled_scan_is_refused_and_types_come_from_the_bytes(case: Case, clerk: User) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.add_document(
            case,
            actor=clerk,
            uploaded=upload("scan.pdf", b"MZ\x90\x00 not a scan at all " * 20),
            kind=CaseDocument.Kind.SCAN,
            expected_version=case.version,
        )
    assert info.value.problems[0].field == "file"
    assert "scan.pdf" in info.value.message
    assert not CaseDocument.objects.exists()
    assert fresh(case).version == case.version
    # A PNG called .pdf is a scan all the same, recorded as what it is.
    document = services.add_document(
        case,
        actor=clerk,
        uploaded=upload("scan.pdf", png_bytes()),
        kind=CaseDocument.Kind.SCAN,
        expected_version=case.version,
    )
    assert document.content_type == "image/png"


def test_letter_pdf_has_the_case_data_and_escapes_the_template(
    case: Case, clerk: User, template: LetterTemplate
) -> None:
    services.set_deadline(case, actor=clerk, due_date=dt.date(2030, 3, 4), expected_version=1)
    document = services.generate_letter(case, actor=clerk, template=template, expected_version=2)
    assert document.kind == CaseDocument.Kind.LETTER
    assert document.content_type == "application/pdf"
    assert document.title == f"Ihr Antrag {case.reference}"
    with document.file.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    flat = " ".join(text.split())
    assert f"Ihr Antrag {case.reference}" in flat
    assert "Hundeanmeldung Bello" in flat
    assert "04.03.2030" in flat
    assert "Fachgruppe Bürgerservice" in flat
    assert "<script>alert(1)</script> Erika Mustermann" in flat  # text, not markup
    assert not CaseMessage.objects.filter(case=case).exists()


def test_letter_sent_to_the_applicant_becomes_a_message(
    case: Case, clerk: User, template: LetterTemplate, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        document = services.generate_letter(
            case, actor=clerk, template=template, send_to_applicant=True, expected_version=1
        )
    assert document.visible_to_applicant
    message = CaseMessage.objects.get(case=case)
    assert message.direction == CaseMessage.Direction.TO_APPLICANT
    assert document.title in message.body


def test_template_with_unknown_placeholder_is_refused(office: Office, lead: User) -> None:
    bad = LetterTemplate(name="x", office=office, subject="{{ referenz }}", body="{{ name }}")
    with pytest.raises(ValidationFailed) as info:
        services.save_letter_template(bad, actor=lead)
    assert {p.field for p in info.value.problems} == {"subject", "body"}
    assert "{{ referenz }}" in info.value.problems[0].message
    assert letters.unknown_placeholders("{{ reference }} {{ x }}") == ["x"]


def test_office_lead_writes_templates_for_the_own_office_only(
    office: Office, office_b: Office, lead: User
) -> None:
    services.save_letter_template(
        LetterTemplate(name="ok", office=office, subject="s", body="b"), actor=lead
    )
    with pytest.raises(PermissionDenied):
        services.save_letter_template(
            LetterTemplate(name="fremd", office=office_b, subject="s", body="b"), actor=lead
        )
    with pytest.raises(PermissionDenied):
        services.save_letter_template(
            LetterTemplate(name="alle", office=None, subject="s", body="b"), actor=lead
        )


# --- messages -----------------------------------------------------------------------------------


def test_message_mails_the_applicant_without_content(
    case: Case, clerk: User, smtp_mail: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(
            case,
            actor=clerk,
            subject="Rückfrage",
            body="Geheimer Inhalt: Ihr Hund heißt Bello.",
            expected_version=case.version,
        )
    (mail,) = smtp_mail.messages
    assert mail["X-Envelope-To"] == case.applicant.email
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(mail["Subject"]))) == (
        f"Neue Nachricht zu Ihrem Antrag {case.reference}"
    )
    body = mail.get_payload(decode=True).decode()
    assert f"Sie haben eine neue Nachricht zu Ihrem Antrag {case.reference}" in body
    assert "Geheimer Inhalt" not in body
    assert "Bello" not in body
    assert "https://rathaus.example.org/" in body


def test_request_documents_waits_and_says_so(
    case: Case, clerk: User, smtp_mail: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = services.request_documents(
            case, actor=clerk, subject="Impfpass", body="Bitte senden", expected_version=1
        )
    assert message.requests_documents
    assert fresh(case).state == State.WAITING
    assert "weitere Unterlagen" in smtp_mail.messages[0].get_payload(decode=True).decode()


def test_no_message_without_an_account(office: Office, clerk: User) -> None:
    paper = new_case(office, channel="post")
    with pytest.raises(ValidationFailed, match="kein Konto"):
        services.send_message(paper, actor=clerk, subject="s", body="b", expected_version=1)


def test_message_needs_subject_and_body(case: Case, clerk: User) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.send_message(case, actor=clerk, subject=" ", body="", expected_version=1)
    assert {p.field for p in info.value.problems} == {"subject", "body"}


# --- decision with letter ---------------------------------------------------------------------


def test_decide_with_a_decision_letter(
    case: Case, clerk: User, template: LetterTemplate, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        decided = services.decide(
            case, actor=clerk, outcome="rejected", template=template, expected_version=1
        )
    assert decided.state == State.DECIDED
    assert decided.outcome == "rejected"
    assert decided.version == 2  # one action, one version
    letter = CaseDocument.objects.get(case=case, kind=CaseDocument.Kind.LETTER)
    assert letter.visible_to_applicant
    assert CaseMessage.objects.filter(case=case).count() == 1


# --- media breaks and registration ----------------------------------------------------------


def test_media_break_is_recorded(case: Case, clerk: User) -> None:
    entry = services.record_media_break(
        case, actor=clerk, kind=MediaBreak.Kind.POSTED, note="Bescheid per Post", expected_version=1
    )
    assert entry.by == clerk
    assert entry.kind == "posted"
    with pytest.raises(ValidationFailed):
        services.record_media_break(case, actor=clerk, kind="fax", expected_version=2)


def test_register_paper_case_with_scan(office: Office, clerk: User) -> None:
    pdf = real_pdf("Antrag auf Hundesteuer")
    case = services.register_case(
        actor=clerk,
        registration=services.Registration(
            channel="post",
            subject="Hundesteuer Anmeldung",
            applicant_name="Otto Papier",
            applicant_address="Lange Straße 1\n21614 Buxtehude",
            received_on=timezone.localdate() - dt.timedelta(days=3),
            scan=upload("antrag.pdf", pdf),
            note="kam mit Briefmarke",
        ),
    )
    assert case.channel == "post"
    assert case.office == office
    assert case.applicant_address.startswith("Lange Straße 1")
    assert timezone.localdate(case.received_at) == timezone.localdate() - dt.timedelta(days=3)
    scan = CaseDocument.objects.get(case=case)
    assert scan.kind == CaseDocument.Kind.SCAN
    assert scan.size == len(pdf)
    kinds = sorted(MediaBreak.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["paper_in", "scanned"]
    assert [e.action for e in events(case)] == [
        "created",
        "media_break",
        "document",
        "media_break",
        "note",
    ]
    assert events(case)[0].actor == clerk
    assert not case.is_online


def test_register_refuses_a_mislabelled_scan_and_writes_nothing(
    office: Office, clerk: User
) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.register_case(
            actor=clerk,
            registration=services.Registration(
                channel="post",
                subject="Hundesteuer",
                applicant_name="Otto Papier",
                received_on=timezone.localdate(),
                scan=upload("antrag.pdf", b"Das ist nur Text, kein PDF.\n"),
            ),
        )
    assert info.value.problems[0].field == "scan"
    assert not Case.objects.exists()


def test_register_email_and_phone_without_paper(office: Office, clerk: User) -> None:
    mail = services.register_case(
        actor=clerk,
        registration=services.Registration(
            channel="email",
            subject="Anfrage per Mail",
            applicant_name="Eva Mail",
            applicant_email="eva@example.org",
            received_on=timezone.localdate(),
            scan=upload("anhang.png", png_bytes(), "image/png"),
        ),
    )
    assert CaseDocument.objects.get(case=mail).kind == CaseDocument.Kind.APPLICATION
    assert not MediaBreak.objects.filter(case=mail).exists()
    phone = services.register_case(
        actor=clerk,
        registration=services.Registration(
            channel="phone",
            subject="Anruf",
            applicant_name="Paul Telefon",
            received_on=timezone.localdate(),
        ),
    )
    assert not MediaBreak.objects.filter(case=phone).exists()


def test_register_checks_channel_date_and_office(
    office: Office, office_b: Office, clerk: User
) -> None:
    from tests.conftest import make_service

    with pytest.raises(ValidationFailed) as info:
        services.register_case(
            actor=clerk,
            registration=services.Registration(
                channel="online",
                subject="",
                applicant_name="",
                received_on=timezone.localdate() + dt.timedelta(days=1),
            ),
        )
    assert {p.field for p in info.value.problems} == {
        "channel",
        "subject",
        "applicant_name",
        "received_on",
    }
    other = make_service(office=office_b, leika_key="99000000000001", name="Fremde Leistung")
    with pytest.raises(PermissionDenied):
        services.register_case(
            actor=clerk,
            registration=services.Registration(
                channel="post",
                subject="x",
                applicant_name="y",
                received_on=timezone.localdate(),
                service_id=other.pk,
            ),
        )


# --- bulk ---------------------------------------------------------------------------------------


def test_bulk_reports_stale_and_forbidden_cases_and_does_the_rest(
    office: Office, office_b: Office, clerk: User, colleague: User
) -> None:
    first, second, third = (new_case(office, subject=f"Fall {i}") for i in range(3))
    foreign = new_case(office_b, subject="fremd")
    services.add_note(second, actor=colleague, text="dazwischen", expected_version=1)
    results = services.bulk_apply(
        actor=clerk,
        action="take",
        items=[(first.pk, 1), (second.pk, 1), (third.pk, 1), (foreign.pk, 1)],
    )
    assert [r.ok for r in results] == [True, False, True, False]
    assert "inzwischen geändert" in results[1].message
    assert results[3].reference == ""  # not even its reference is told
    assert fresh(first).assignee == clerk
    assert fresh(third).assignee == clerk
    assert fresh(second).assignee is None
    assert fresh(foreign).assignee is None

    moved = services.bulk_apply(
        actor=clerk,
        action="transition",
        target=State.IN_REVIEW,
        items=[(first.pk, 2), (third.pk, 2)],
    )
    assert all(r.ok for r in moved)
    back = services.bulk_apply(
        actor=clerk, action="transition", target=State.RECEIVED, items=[(first.pk, 3)]
    )
    assert not back[0].ok
    assert "nicht nach" in back[0].message
    given = services.bulk_apply(
        actor=clerk, action="assign", assignee=colleague, items=[(third.pk, 3)]
    )
    assert given[0].ok
    assert fresh(third).assignee == colleague


def test_a_colleague_who_gets_a_case_is_mailed(
    case: Case,
    clerk: User,
    colleague: User,
    smtp_mail: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.take(case, actor=clerk, expected_version=1)  # oneself: no mail
    assert smtp_mail.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(case, actor=clerk, assignee=colleague, expected_version=2)
    (mail,) = smtp_mail.messages
    assert mail["X-Envelope-To"] == colleague.email
    text = mail.get_payload(decode=True).decode()
    assert f"clerk hat Ihnen den Vorgang {case.reference} zugewiesen" in text
    assert f"https://rathaus.example.org/verwaltung/vorgaenge/{case.reference}/" in text


def test_default_templates_are_valid_and_created_once(case: Case, clerk: User) -> None:
    for spec in letters.DEFAULT_TEMPLATES:
        letters.validate_template(subject=spec["subject"], body=spec["body"])
    assert services.ensure_default_letter_templates() == len(letters.DEFAULT_TEMPLATES)
    assert services.ensure_default_letter_templates() == 0
    decision = LetterTemplate.objects.get(name="Bescheid")
    services.decide(case, actor=clerk, outcome="approved", template=decision, expected_version=1)
    letter = CaseDocument.objects.get(case=case, kind=CaseDocument.Kind.LETTER)
    with letter.file.open("rb") as handle:
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(handle.read())).pages
        )
    assert "haben wir entschieden: bewilligt" in text
