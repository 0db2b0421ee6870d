"""Helpers for the tests of "Meine Anträge", the case API, export, retention and permissions.

Cases are made through `cases.services` (as the application does); files are real PDF and
PNG bytes so that the upload checks sniff them as what they are.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import Case, CaseDocument, CaseMessage, Channel, State

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "nachweis.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_case(
    office: Office,
    *,
    applicant: User | None = None,
    state: str = State.RECEIVED,
    channel: str = Channel.ONLINE,
    **fields: Any,
) -> Case:
    defaults: dict[str, Any] = {
        "subject": "Hundesteuer anmelden – Erika Mustermann",
        "data": {"name": "Erika Mustermann", "hund": "Bello", "iban": "DE02120300000000202051"},
        "applicant_name": "Erika Mustermann",
        "applicant_email": "erika@example.org",
    }
    defaults.update(fields)
    case = services.create_case(office=office, channel=channel, applicant=applicant, **defaults)
    path = {
        State.RECEIVED: [],
        State.IN_REVIEW: [State.IN_REVIEW],
        State.WAITING: [State.WAITING],
        State.DECIDED: [State.IN_REVIEW, State.DECIDED],
        State.CLOSED: [State.IN_REVIEW, State.DECIDED, State.CLOSED],
    }[state]
    for target in path:
        case = services.transition(case, target, actor=None)
    return case


def add_document(
    case: Case,
    *,
    kind: str = CaseDocument.Kind.RECEIPT,
    title: str = "Eingangsbestätigung",
    content: bytes = PDF_BYTES,
    content_type: str = "application/pdf",
    visible: bool = True,
    name: str = "eingangsbestaetigung.pdf",
) -> CaseDocument:
    import hashlib

    from django.core.files.base import ContentFile

    document = CaseDocument(
        case=case,
        kind=kind,
        title=title,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        visible_to_applicant=visible,
    )
    document.file.save("document", ContentFile(content), save=False)
    document.save()
    return document


def request_documents(case: Case, *, body: str = "Bitte senden Sie den Impfpass.") -> CaseMessage:
    """The office asks for documents: a message that requests them, the case waits."""
    message = CaseMessage.objects.create(
        case=case,
        direction=CaseMessage.Direction.TO_APPLICANT,
        subject="Unterlagen fehlen",
        body=body,
        requests_documents=True,
    )
    if case.state != State.WAITING:
        services.transition(case, State.WAITING, actor=None)
    return message


def document_storage() -> Any:
    return CaseDocument._meta.get_field("file").storage


def stored(name: str) -> bool:
    return bool(document_storage().exists(name))


@pytest.fixture(name="private_dir")
def private_dir_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Private files of one test in its own folder.

    The file fields evaluate their storage once, when the models load; a changed STORAGES
    setting would not reach them, so the test swaps the fields' storage itself.
    """
    from django.core.files.storage import FileSystemStorage

    from rathaus.forms.models import Upload

    folder = tmp_path / "private"
    storage = FileSystemStorage(location=str(folder), base_url=None)
    for model in (CaseDocument, Upload):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    return folder
