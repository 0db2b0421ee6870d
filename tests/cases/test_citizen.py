"""“Meine Anträge”: the applicant's list, case page, messages, documents and answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases import citizen_services
from rathaus.cases.models import Case, CaseDocument, CaseEvent, CaseMessage, State
from rathaus.core.errors import Conflict, ValidationFailed
from rathaus.forms.models import Draft, FormDefinition, FormVersion
from tests.cases.citizen_helpers import (
    PDF_BYTES,
    add_document,
    make_case,
    pdf_upload,
    png_bytes,
    private_dir_fixture,  # noqa: F401 (the private_dir fixture)
    request_documents,
    stored,
)
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("private_dir")


@pytest.fixture
def other_citizen(db: None) -> User:
    return make_user("nachbarin", roles.CITIZEN)


def test_account_home_links_to_my_cases(client: Any, citizen: User) -> None:
    client.force_login(citizen)
    response = client.get(reverse("accounts:home"))
    assert reverse("my_cases:index").encode() in response.content


def test_list_requires_sign_in(client: Any, db: None) -> None:
    response = client.get(reverse("my_cases:index"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_shows_own_cases_with_counts_and_drafts(
    client: Any,
    citizen: User,
    other_citizen: User,
    office: Office,
    django_assert_max_num_queries: Any,
) -> None:
    waiting = make_case(office, applicant=citizen, subject="Wohngeld")
    request_documents(waiting)
    CaseMessage.objects.create(
        case=waiting, direction="out", subject="Hinweis", body="Bitte beachten …"
    )
    make_case(office, applicant=citizen, state=State.DECIDED, subject="Hund anmelden")
    foreign = make_case(office, applicant=other_citizen, subject="Fremder Antrag")
    definition = FormDefinition.objects.create(slug="hund", title="Hund anmelden", office=office)
    version = FormVersion.objects.create(definition=definition, number=1, status="published")
    own_draft = Draft.objects.create(
        version=version,
        owner=citizen,
        step="angaben",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    Draft.objects.create(
        version=version, owner=other_citizen, expires_at=timezone.now() + dt.timedelta(days=30)
    )
    client.force_login(citizen)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("my_cases:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert waiting.reference in html
    assert foreign.reference not in html
    assert "Unterlagen angefordert" in html
    assert "2 ungelesene Nachrichten" in html
    assert "Ihre Antwort wird benötigt" in html  # waiting, in plain words
    assert "Hund anmelden" in html  # the draft
    assert html.count("zuletzt bearbeitet") == 1  # only the own draft
    # Back to the step the citizen was on.
    assert (
        reverse("forms:step", kwargs={"token": own_draft.resume_token, "step_id": "angaben"})
        in html
    )


def test_case_page_shows_plain_history_messages_and_visible_documents(
    client: Any, citizen: User, office: Office, django_assert_max_num_queries: Any
) -> None:
    case = make_case(office, applicant=citizen, state=State.IN_REVIEW)
    request_documents(case, body="Bitte senden Sie den Impfpass.")
    receipt = add_document(case)
    internal = add_document(
        case, kind=CaseDocument.Kind.INTERNAL, title="Vermerk intern", visible=False
    )
    client.force_login(citizen)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("my_cases:detail", args=[case.reference]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wir brauchen noch etwas von Ihnen" in html
    assert "Bitte senden Sie den Impfpass." in html
    assert "Antrag eingegangen" in html
    assert "In Bearbeitung" in html
    assert "Rückfrage an Sie" in html
    assert reverse("my_cases:document", args=[case.reference, receipt.pk]) in html
    assert "Vermerk intern" not in html
    assert reverse("my_cases:document", args=[case.reference, internal.pk]) not in html
    # Not the internal audit trail: no actor names, no internal summaries.
    assert "Status: " not in html
    assert reverse("my_cases:answer", args=[case.reference]) in html


def test_other_peoples_cases_and_documents_answer_404(
    client: Any, citizen: User, other_citizen: User, office: Office
) -> None:
    case = make_case(office, applicant=other_citizen)
    document = add_document(case)
    request_documents(case)
    client.force_login(citizen)
    for url in (
        reverse("my_cases:detail", args=[case.reference]),
        reverse("my_cases:answer", args=[case.reference]),
        reverse("my_cases:document", args=[case.reference, document.pk]),
        reverse("my_cases:detail", args=["BUX-2099-999999"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("my_cases:mark_read", args=[case.reference])).status_code == 404
    response = client.post(
        reverse("my_cases:answer", args=[case.reference]),
        {"text": "hallo", "documents": [pdf_upload()]},
    )
    assert response.status_code == 404
    assert not CaseDocument.objects.filter(kind="citizen").exists()


def test_document_download_from_private_storage(client: Any, citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen)
    receipt = add_document(case)
    hidden = add_document(case, kind=CaseDocument.Kind.INTERNAL, visible=False)
    client.force_login(citizen)
    response = client.get(reverse("my_cases:document", args=[case.reference, receipt.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    hidden_url = reverse("my_cases:document", args=[case.reference, hidden.pk])
    assert client.get(hidden_url).status_code == 404
    # The same document under another reference is not found either.
    other = make_case(office, applicant=citizen)
    assert (
        client.get(reverse("my_cases:document", args=[other.reference, receipt.pk])).status_code
        == 404
    )


def test_mark_messages_read(client: Any, citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen)
    message = CaseMessage.objects.create(case=case, direction="out", subject="Info", body="Text")
    client.force_login(citizen)
    assert client.get(reverse("my_cases:mark_read", args=[case.reference])).status_code == 405
    response = client.post(reverse("my_cases:mark_read", args=[case.reference]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
    assert CaseEvent.objects.filter(case=case, action="messages_read").count() == 1
    # Again: nothing unread, no second event.
    client.post(reverse("my_cases:mark_read", args=[case.reference]))
    assert CaseEvent.objects.filter(case=case, action="messages_read").count() == 1


def test_answer_a_request_with_files_and_text(
    client: Any, citizen: User, office: Office, private_dir: Path
) -> None:
    case = make_case(office, applicant=citizen, state=State.IN_REVIEW)
    request = request_documents(case)
    case.refresh_from_db()
    assert case.state == State.WAITING
    version = case.version
    client.force_login(citizen)
    form = client.get(reverse("my_cases:answer", args=[case.reference]))
    assert form.status_code == 200
    assert b'type="file"' in form.content
    assert b"multiple" in form.content
    response = client.post(
        reverse("my_cases:answer", args=[case.reference]),
        {
            "text": "Anbei der Impfpass.",
            "documents": [
                pdf_upload("impfpass.pdf"),
                pdf_upload("foto.png", png_bytes()),
            ],
        },
    )
    assert response.status_code == 302, response.content[:500]
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.state == State.IN_REVIEW
    assert case.version > version
    assert request.answered_at is not None
    assert request.read_at is not None
    documents = list(case.documents.filter(kind=CaseDocument.Kind.CITIZEN).order_by("pk"))
    assert [d.original_name for d in documents] == ["impfpass.pdf", "foto.png"]
    assert [d.content_type for d in documents] == ["application/pdf", "image/png"]
    assert all(stored(d.file.name) for d in documents)
    assert documents[0].file.name.startswith(f"cases/{case.pk}/")
    answer = case.messages.get(direction=CaseMessage.Direction.FROM_APPLICANT)
    assert answer.body == "Anbei der Impfpass."
    actions = list(case.events.values_list("action", flat=True))
    assert "citizen_answer" in actions
    last_state = case.events.filter(action="state").last()
    assert last_state is not None
    assert last_state.after["state"] == State.IN_REVIEW
    assert last_state.actor_id == citizen.pk
    # The request is answered: the answer page now sends back to the case.
    again = client.get(reverse("my_cases:answer", args=[case.reference]))
    assert again.status_code == 302


def test_answer_refused_without_open_request(citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen, state=State.IN_REVIEW)
    with pytest.raises(Conflict):
        citizen_services.answer_request(
            case,
            user=citizen,
            answer=citizen_services.Answer(text="Hier", files=[pdf_upload()]),
        )
    assert not case.messages.exists()
    assert not case.documents.exists()


def test_bad_file_refuses_the_whole_answer_and_names_it(
    client: Any, citizen: User, office: Office, private_dir: Path
) -> None:
    case = make_case(office, applicant=citizen)
    request = request_documents(case)
    client.force_login(citizen)
    response = client.post(
        reverse("my_cases:answer", args=[case.reference]),
        {
            "text": "Anbei",
            "documents": [pdf_upload("gut.pdf"), pdf_upload("virus.pdf", b"MZ\x90\x00binary")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "virus.pdf" in html
    request.refresh_from_db()
    assert request.answered_at is None
    assert not case.documents.exists()
    assert not case.messages.filter(direction="in").exists()
    assert not list(private_dir.rglob("*")) or not any(p.is_file() for p in private_dir.rglob("*"))
    case.refresh_from_db()
    assert case.state == State.WAITING


def test_empty_answer_is_refused(citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen)
    request_documents(case)
    with pytest.raises(ValidationFailed) as caught:
        citizen_services.answer_request(case, user=citizen, answer=citizen_services.Answer())
    assert caught.value.problems[0].field == "documents"


def test_text_only_answer_keeps_the_case_moving(citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen)
    request_documents(case)
    citizen_services.answer_request(
        case,
        user=citizen,
        answer=citizen_services.Answer(text="Der Impfpass liegt dem Tierarzt vor."),
    )
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_answer_with_files_only(client: Any, citizen: User, office: Office) -> None:
    case = make_case(office, applicant=citizen)
    request_documents(case)
    client.force_login(citizen)
    response = client.post(
        reverse("my_cases:answer", args=[case.reference]), {"documents": [pdf_upload()]}
    )
    assert response.status_code == 302
    assert case.documents.filter(kind=CaseDocument.Kind.CITIZEN).count() == 1
    assert case.messages.get(direction="in").body == ""


def test_answer_without_anything_shows_the_error(
    client: Any, citizen: User, office: Office
) -> None:
    case = make_case(office, applicant=citizen)
    request_documents(case)
    client.force_login(citizen)
    response = client.post(reverse("my_cases:answer", args=[case.reference]), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_documents"' in html  # the error summary links to the field
    assert "mindestens eine Datei" in html
