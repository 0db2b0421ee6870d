"""The record export: a ZIP with a well-formed XML index, a PDF summary and every file."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from lxml import etree

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases.export import INDEX_NAME, NAMESPACE, SUMMARY_NAME, export_case, safe_file_name
from rathaus.cases.models import Case, CaseDocument, CaseMessage, CaseNote, MediaBreak, State
from tests.cases.citizen_helpers import (
    add_document,
    make_case,
    png_bytes,
    private_dir_fixture,  # noqa: F401 (the private_dir fixture)
)
from tests.conftest import make_user, verified_login

pytestmark = pytest.mark.usefixtures("private_dir")
NS = {"a": NAMESPACE}


@pytest.fixture
def full_case(office: Office, citizen: User) -> Case:
    case = make_case(office, applicant=citizen, state=State.DECIDED)
    add_document(case)
    add_document(
        case,
        kind=CaseDocument.Kind.CITIZEN,
        title="Foto <Impfpass> & Co",
        content=png_bytes(),
        content_type="image/png",
        name="../../Impfpaß Foto.png",
    )
    add_document(case, kind=CaseDocument.Kind.INTERNAL, title="Vermerk", visible=False)
    CaseMessage.objects.create(
        case=case, direction="out", subject="Rückfrage", body="Bitte <b>Impfpass</b> senden."
    )
    CaseNote.objects.create(case=case, text="Interne Notiz: Halter*in bekannt.")
    MediaBreak.objects.create(case=case, kind=MediaBreak.Kind.PRINTED, at=timezone.now())
    return case


def unpack(content: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    return archive


def test_archive_holds_index_summary_and_every_document(full_case: Case) -> None:
    archive = unpack(export_case(full_case))
    names = archive.namelist()
    assert names[:2] == [INDEX_NAME, SUMMARY_NAME]
    documents = [n for n in names if n.startswith("dokumente/")]
    assert len(documents) == 3
    # No path tricks from the citizen's file name survive.
    assert all("/" not in n.removeprefix("dokumente/") for n in documents)
    assert "dokumente/002-Impfpass-Foto.png" in documents
    assert archive.read(SUMMARY_NAME).startswith(b"%PDF-")


def test_index_is_well_formed_and_every_hash_matches(full_case: Case) -> None:
    archive = unpack(export_case(full_case))
    root = etree.fromstring(archive.read(INDEX_NAME))  # raises if not well-formed
    assert root.tag == f"{{{NAMESPACE}}}Akte"
    assert "keine XDOMEA-konforme" in root.findtext("a:Hinweis", namespaces=NS)
    assert root.findtext("a:Metadaten/a:Aktenzeichen", namespaces=NS) == full_case.reference
    vorgang = root.find("a:Vorgang", NS)
    assert vorgang.find("a:Status", NS).get("code") == "decided"
    documents = vorgang.findall("a:Dokumente/a:Dokument", NS)
    assert len(documents) == 3
    for element in documents:
        name = element.findtext("a:Dateiname", namespaces=NS)
        content = archive.read(name)
        assert hashlib.sha256(content).hexdigest() == element.findtext("a:SHA256", namespaces=NS)
        assert int(element.findtext("a:Groesse", namespaces=NS)) == len(content)
        stored = CaseDocument.objects.get(pk=int(element.get("id")))
        assert stored.sha256 == element.findtext("a:SHA256", namespaces=NS)
    titles = [d.findtext("a:Titel", namespaces=NS) for d in documents]
    assert "Foto <Impfpass> & Co" in titles  # escaped by the writer, read back intact
    summary = root.find("a:Zusammenfassung", NS)
    assert summary.get("sha256") == hashlib.sha256(archive.read(SUMMARY_NAME)).hexdigest()
    actions = [e.get("aktion") for e in vorgang.findall("a:Protokoll/a:Eintrag", NS)]
    assert actions[0] == "created"
    assert actions.count("state") == 2
    breaks = vorgang.find("a:Medienbrueche", NS)
    assert breaks.get("anzahl") == "1"
    assert breaks.find("a:Medienbruch", NS).get("art") == "printed"
    assert vorgang.findtext("a:Antragsteller/a:Name", namespaces=NS) == "Erika Mustermann"
    message = vorgang.find("a:Nachrichten/a:Nachricht", NS)
    assert message.findtext("a:Text", namespaces=NS) == "Bitte <b>Impfpass</b> senden."


def test_summary_pdf_contains_data_messages_and_trail(full_case: Case) -> None:
    from pypdf import PdfReader

    archive = unpack(export_case(full_case))
    reader = PdfReader(io.BytesIO(archive.read(SUMMARY_NAME)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert full_case.reference in text
    assert "Bello" in text  # the submitted data
    assert "Rückfrage" in text  # messages
    assert "Interne Notiz" in text
    assert "Protokoll" in text
    assert "Eingang über" in text  # the first audit entry


def test_export_of_an_empty_case(office: Office) -> None:
    case = make_case(office, data={})
    archive = unpack(export_case(case))
    assert archive.namelist() == [INDEX_NAME, SUMMARY_NAME]
    root = etree.fromstring(archive.read(INDEX_NAME))
    assert root.find("a:Vorgang/a:Dokumente", NS).get("anzahl") == "0"


def test_safe_file_name() -> None:
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("Straße Ärger.pdf") == "Strasse-Arger.pdf"
    assert safe_file_name("...") == "dokument"


def test_staff_download_is_permission_checked_and_logged(
    client: Any, office: Office, full_case: Case, clerk: User
) -> None:
    url = f"/verwaltung/akten/{full_case.reference}/"
    lead = make_user("leitung", roles.OFFICE_LEAD, office=office)
    verified_login(client, lead)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"akte-{full_case.reference}.zip" in response["Content-Disposition"]
    unpack(response.content)
    event = full_case.events.filter(action="exported").get()
    assert event.actor_id == lead.pk

    verified_login(client, clerk)  # clerks work cases but do not export them
    assert client.get(url).status_code == 403
    other = Office.objects.create(name="Fachgruppe Ordnung", slug="ordnung")
    foreign_lead = make_user("leitung2", roles.OFFICE_LEAD, office=other)
    verified_login(client, foreign_lead)
    assert client.get(url).status_code == 404


def test_command_writes_the_archive(full_case: Case, tmp_path: Path) -> None:
    target = tmp_path / "akte.zip"
    out = io.StringIO()
    call_command("export_case", full_case.reference, output=str(target), stdout=out)
    assert full_case.reference in out.getvalue()
    archive = unpack(target.read_bytes())
    assert INDEX_NAME in archive.namelist()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert full_case.events.filter(action="exported", actor__isnull=True).exists()
    with pytest.raises(CommandError, match="BUX-1999-000001"):
        call_command("export_case", "BUX-1999-000001", output=str(target))
