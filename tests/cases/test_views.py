"""The back-office pages: office scoping, second factor, actions, downloads, query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseNote,
    LetterTemplate,
    MediaBreak,
    State,
)
from tests.cases.conftest import new_case, png_bytes, real_pdf, upload
from tests.conftest import verified_login

INBOX = "/verwaltung/vorgaenge/"


def url(case: Case, action: str = "") -> str:
    return f"{INBOX}{case.reference}/" + (f"{action}/" if action else "")


@pytest.fixture
def signed_in(client: Client, clerk: User) -> Client:
    verified_login(client, clerk)
    return client


def filled_case(office: Office, clerk: User, citizen: User, n: int) -> Case:
    """A case with n notes, documents, messages and media breaks."""
    case = new_case(office, applicant=citizen)
    for i in range(n):
        services.add_note(case, actor=clerk, text=f"Notiz {i}")
        services.add_document(case, actor=clerk, uploaded=upload(f"d{i}.png", png_bytes()))
        services.send_message(case, actor=clerk, subject=f"Nachricht {i}", body="Text")
        services.record_media_break(case, actor=clerk, kind=MediaBreak.Kind.PRINTED)
    return Case.objects.get(pk=case.pk)


# --- access ------------------------------------------------------------------------------------


def test_staff_pages_need_the_second_factor(client: Client, clerk: User, case: Case) -> None:
    client.force_login(clerk)  # password only
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/konto/" in response["Location"]


def test_citizens_and_anonymous_visitors_are_kept_out(
    client: Client, citizen: User, case: Case
) -> None:
    assert client.get(INBOX).status_code == 302  # to the sign-in
    verified_login(client, citizen)
    assert client.get(INBOX).status_code == 403
    assert client.get(url(case)).status_code == 403


def test_another_offices_case_is_404_even_by_address(
    client: Client, clerk_b: User, case: Case
) -> None:
    verified_login(client, clerk_b)
    assert client.get(url(case)).status_code == 404
    response = client.post(url(case, "notiz"), {"note-version": 1, "note-text": "fremd"})
    assert response.status_code == 404
    assert not CaseNote.objects.exists()
    assert case.reference not in client.get(INBOX, {"state": "all"}).content.decode()


# --- inbox ------------------------------------------------------------------------------------


def test_inbox_lists_filters_and_keeps_query_count_flat(
    signed_in: Client,
    office: Office,
    clerk: User,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(60):
        new_case(office, subject=f"Antrag {i}", applicant_name=f"Person {i}")
    with django_assert_max_num_queries(12):
        response = signed_in.get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption>" in html
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert html.count('name="case"') == 50  # one page
    assert 'rel="next"' in html
    with django_assert_max_num_queries(12):
        response = signed_in.get(INBOX, {"q": "Person 7", "state": "all", "sort": "due"})
    assert response.status_code == 200
    assert "Antrag 7<" in response.content.decode()
    assert "Antrag 8<" not in response.content.decode()


def test_bulk_action_reports_each_case(
    signed_in: Client, office: Office, office_b: Office, colleague: User
) -> None:
    first = new_case(office, subject="Erster")
    second = new_case(office, subject="Zweiter")
    foreign = new_case(office_b, subject="Fremder")
    services.add_note(second, actor=colleague, text="dazwischen", expected_version=1)
    response = signed_in.post(
        f"{INBOX}sammelaktion/",
        {
            "action": "take",
            "case": [f"{first.pk}:1", f"{second.pk}:1", f"{foreign.pk}:1"],
            "next": f"{INBOX}?state=all",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{INBOX}?state=all"
    assert f"Erledigt (1): {first.reference}" in html
    assert f"Nicht erledigt: {second.reference}" in html
    assert "inzwischen geändert" in html
    assert "nicht gefunden oder nicht erlaubt" in html
    assert foreign.reference not in html


def test_bulk_needs_a_selection(signed_in: Client) -> None:
    response = signed_in.post(f"{INBOX}sammelaktion/", {"action": "take"}, follow=True)
    assert "Vorgänge" in response.content.decode()
    assert response.status_code == 200


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_everything_in_a_fixed_number_of_queries(
    signed_in: Client,
    office: Office,
    clerk: User,
    citizen: User,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    small = filled_case(office, clerk, citizen, 1)
    big = filled_case(office, clerk, citizen, 4)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert signed_in.get(url(small)).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = signed_in.get(url(big))
    assert len(small_queries) <= 20
    html = response.content.decode()
    for part in ("Notiz 3", "Nachricht 3", "d3.png", "ausgedruckt", "Protokoll"):
        assert part in html


def test_detail_shows_form_data_with_the_labels_of_its_version(
    signed_in: Client, office: Office
) -> None:
    from tests.forms.factories import make_form

    version = make_form(office).versions.get()
    case = new_case(
        office,
        form_version_id=version.pk,
        data={"vorname": "Erika", "nachname": "Muster", "rasse": "dackel", "gefaehrlich": False},
    )
    html = signed_in.get(url(case)).content.decode()
    assert "Vorname" in html
    assert "Erika" in html
    assert "Rasse" in html
    assert "Dackel" in html
    assert "Gilt der Hund als gefährlich?" in html


def test_detail_without_form_shows_keys_and_values(signed_in: Client, office: Office) -> None:
    case = new_case(office, data={"hund": "Bello", "geimpft": True})
    html = signed_in.get(url(case)).content.decode()
    assert "hund" in html
    assert "Bello" in html
    assert "ja" in html


def test_only_allowed_transitions_are_offered(signed_in: Client, office: Office) -> None:
    case = new_case(office)
    html = signed_in.get(url(case)).content.decode()
    options = re.findall(r'<option value="(\w+)"', html.split('id="state"')[1].split("</form>")[0])
    assert options == [State.IN_REVIEW, State.WAITING, State.CLOSED]
    response = signed_in.post(
        url(case, "status"), {"state-version": 1, "state-target": State.RECEIVED}
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


# --- actions ----------------------------------------------------------------------------------


def test_actions_through_the_pages(
    signed_in: Client, case: Case, clerk: User, colleague: User
) -> None:
    def post(action: str, prefix: str, **data: Any) -> Any:
        version = Case.objects.get(pk=case.pk).version
        fields = {f"{prefix}-{k}": v for k, v in data.items()}
        return signed_in.post(url(case, action), {f"{prefix}-version": version, **fields})

    assert post("uebernehmen", "take").status_code == 302
    assert post("zuweisen", "assign", assignee=colleague.pk).status_code == 302
    assert post("freigeben", "unassign").status_code == 302
    assert post("frist", "deadline", due_date="2030-02-03").status_code == 302
    assert post("status", "state", target=State.IN_REVIEW).status_code == 302
    assert post("notiz", "note", text="Telefonat geführt").status_code == 302
    assert (
        post("medienbruch", "media", kind=MediaBreak.Kind.POSTED, note="Bescheid").status_code
        == 302
    )
    assert post("nachricht", "message", subject="Frage", body="Wann?").status_code == 302
    assert post("unterlagen-anfordern", "request", subject="Pass", body="Bitte").status_code == 302
    assert post("entscheiden", "decide", outcome="approved").status_code == 302
    assert post("abschliessen", "close").status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.CLOSED
    assert stored.outcome == "approved"
    assert stored.due_date == dt.date(2030, 2, 3)
    html = signed_in.get(url(case)).content.decode()
    assert "Telefonat geführt" in html
    assert "per Post versandt" in html
    # Closed: no more action forms.
    assert 'action="' + url(case, "status") not in html


def test_stale_form_is_refused_and_keeps_the_text(
    signed_in: Client, case: Case, colleague: User
) -> None:
    services.add_note(case, actor=colleague, text="Kollegin war schneller", expected_version=1)
    response = signed_in.post(
        url(case, "notiz"), {"note-version": 1, "note-text": "Mein langer Vermerk"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "inzwischen geändert" in html
    assert "Mein langer Vermerk" in html  # nothing typed is lost
    assert CaseNote.objects.filter(case=case).count() == 1


def test_upload_and_download_a_document(
    signed_in: Client, client: Client, case: Case, clerk_b: User
) -> None:
    pdf = real_pdf("Vermerk")
    response = signed_in.post(
        url(case, "dokument"),
        {
            "document-version": 1,
            "document-kind": CaseDocument.Kind.INTERNAL,
            "document-title": "Vermerk",
            "document-file": upload("vermerk.pdf", pdf),
        },
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    download = signed_in.get(f"{url(case)}dokumente/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    # A mislabelled file is refused next to the field.
    refused = signed_in.post(
        url(case, "dokument"),
        {
            "document-version": 2,
            "document-kind": CaseDocument.Kind.SCAN,
            "document-file": upload("scan.pdf", b"nur Text\n"),
        },
    )
    assert refused.status_code == 400
    assert "scan.pdf" in refused.content.decode()
    # Another office: 404.
    other = Client()
    verified_login(other, clerk_b)
    assert other.get(f"{url(case)}dokumente/{document.pk}/").status_code == 404


def test_letter_from_a_template(signed_in: Client, case: Case, office: Office) -> None:
    template = LetterTemplate.objects.create(
        name="Bestätigung", office=office, subject="Eingang {{ reference }}", body="Guten Tag."
    )
    response = signed_in.post(
        url(case, "schreiben"), {"letter-version": 1, "letter-template": template.pk}
    )
    assert response.status_code == 302
    letter = CaseDocument.objects.get(case=case)
    assert letter.kind == CaseDocument.Kind.LETTER
    assert letter.title == f"Eingang {case.reference}"


# --- registration and templates ---------------------------------------------------------------


def test_register_a_paper_case_with_scan(signed_in: Client, office: Office) -> None:
    page = signed_in.get(f"{INBOX}erfassen/")
    assert page.status_code == 200
    response = signed_in.post(
        f"{INBOX}erfassen/",
        {
            "channel": "post",
            "subject": "Antrag auf Papier",
            "applicant_name": "Otto Papier",
            "applicant_address": "Lange Straße 1\n21614 Buxtehude",
            "received_on": timezone.localdate().isoformat(),
            "scan": upload("antrag.pdf", real_pdf()),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == url(case)
    assert case.channel == "post"
    assert sorted(case.media_breaks.values_list("kind", flat=True)) == ["paper_in", "scanned"]


def test_register_refuses_a_mislabelled_scan(signed_in: Client) -> None:
    response = signed_in.post(
        f"{INBOX}erfassen/",
        {
            "channel": "post",
            "subject": "Antrag auf Papier",
            "applicant_name": "Otto Papier",
            "received_on": timezone.localdate().isoformat(),
            "scan": upload("antrag.pdf", b"Nur ein Text, kein Scan.\n"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "antrag.pdf" in html
    assert not Case.objects.exists()


def test_office_lead_manages_letter_templates(
    client: Client, lead: User, clerk: User, office: Office
) -> None:
    verified_login(client, clerk)
    assert client.get(f"{INBOX}vorlagen/").status_code == 403
    verified_login(client, lead)
    assert client.get(f"{INBOX}vorlagen/neu/").status_code == 200
    bad = client.post(
        f"{INBOX}vorlagen/neu/",
        {"name": "X", "office": office.pk, "subject": "{{ nix }}", "body": "b", "is_active": "on"},
    )
    assert bad.status_code == 200
    assert "Unbekannte Platzhalter" in bad.content.decode()
    good = client.post(
        f"{INBOX}vorlagen/neu/",
        {
            "name": "Bestätigung",
            "office": office.pk,
            "subject": "Ihr Antrag {{ reference }}",
            "body": "Guten Tag {{ applicant_name }}",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    template = LetterTemplate.objects.get()
    assert template.office == office
    assert client.get(f"{INBOX}vorlagen/{template.pk}/").status_code == 200


def test_all_offices_inbox_filters_by_office(
    client: Client, admin_user: User, office: Office, office_b: Office
) -> None:
    mine = new_case(office, subject="Bürgerservice-Fall")
    other = new_case(office_b, subject="Ordnungs-Fall")
    verified_login(client, admin_user)
    html = client.get(INBOX).content.decode()
    assert mine.reference in html
    assert other.reference in html
    html = client.get(INBOX, {"office": office_b.pk}).content.decode()
    assert other.reference in html
    assert mine.reference not in html
