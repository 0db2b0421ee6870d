"""The receipt PDF (read back with pypdf) and the confirmation mail over a real SMTP server."""

from __future__ import annotations

import datetime as dt
import io
import re
import signal
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from rathaus.accounts.models import Office
from rathaus.cases.models import Case
from rathaus.forms import receipts
from rathaus.forms.submission import submit
from rathaus.forms.uploads import accept_upload
from tests.conftest import make_service, use_smtp
from tests.forms.helpers import PDF_ACCEPT, make_draft, make_form, minimal_pdf, upload

QUEUES = ["default", "mail", "import"]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    settings.RATHAUS_CLAMAV_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def application(office: Office, *, fee_cents: int = 0) -> Case:
    service = make_service(name="Hund anmelden (Hundesteuer)")
    draft = make_draft(make_form(office, service=service, fee_cents=fee_cents), hund_name="Bello")
    row = accept_upload(
        draft,
        "nachweis",
        upload("Haftpflicht-Police.pdf", minimal_pdf("Police 4711")),
        accept=PDF_ACCEPT,
        max_bytes=2**20,
    )
    draft.data["nachweis"] = [row.pk]
    draft.save()
    return submit(draft, user=None, declaration=True, language="de")


@pytest.mark.django_db
def test_receipt_pdf_content(office: Office) -> None:
    case = application(office, fee_cents=2500)
    document = receipts.ensure_receipt(case.pk)
    assert document.kind == "receipt"
    assert document.content_type == "application/pdf"
    assert document.original_name == f"Eingangsbestaetigung-{case.reference}.pdf"
    data = Path(document.file.path).read_bytes()
    assert document.size == len(data)
    text = pdf_text(data)

    assert "Eingangsbestätigung" in text
    assert case.reference in text
    received = timezone.localtime(case.received_at)
    assert received.strftime("%d.%m.%Y") in text
    assert received.strftime("%H:%M") in text
    assert "Hund anmelden (Hundesteuer)" in text  # the service
    assert "Fachgruppe Bürgerservice" in text  # the office with its contact
    assert "04161 501-0" in text
    assert "buergerbuero@example.org" in text
    assert "Bahnhofstraße 7" in text
    # Every answer, per step.
    for expected in [
        "Halterin oder Halter",
        "Vorname",
        "Erika",
        "Nachname",
        "Mustermann",
        "Hund",
        "Name des Hundes",
        "Bello",
        "Gilt der Hund als gefährlich?",
        "Nein",
    ]:
        assert expected in text, expected
    assert "Sachkundenachweis" not in text  # hidden by its condition
    # The uploaded file with size and SHA-256 (the hash may wrap across lines).
    [source] = case.documents.filter(kind="application")
    assert "Haftpflicht-Police.pdf" in text
    assert source.sha256 in squeezed(text)
    assert re.search(rf"{source.size}\sBytes", text)
    assert "25,00 €" in text
    assert "Zahlung: offen" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


@pytest.mark.django_db
def test_receipt_is_made_once(office: Office) -> None:
    case = application(office)
    first = receipts.ensure_receipt(case.pk)
    second = receipts.ensure_receipt(case.pk)
    assert first.pk == second.pk
    assert case.documents.filter(kind="receipt").count() == 1
    assert case.events.filter(action="receipt_created").count() == 1
    assert "gebührenfrei" in pdf_text(Path(first.file.path).read_bytes())


@pytest.mark.django_db
def test_receipt_in_english_has_the_same_facts(office: Office) -> None:
    case = application(office)
    data = receipts.render_receipt_pdf(case, language="en")
    text = pdf_text(data)
    assert case.reference in text
    assert "Bello" in text


# --- the mail over a real SMTP server, sent by the task worker ----------------------------


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def part(message: Message, content_type: str) -> Message:
    [found] = [p for p in message.walk() if p.get_content_type() == content_type]
    return found


@pytest.mark.django_db(transaction=True)
def test_confirmation_mail_arrives_with_the_pdf(
    office: Office, settings: Any, smtp_server: Any, keep_signal_handlers: None
) -> None:
    controller, handler = smtp_server
    use_smtp(settings, controller)

    case = application(office)
    assert handler.messages == []  # nothing before the worker runs
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)

    [message] = handler.messages
    assert message["X-Envelope-To"] == "erika@example.org"
    assert subject(message) == f"Eingangsbestätigung für Ihren Antrag {case.reference}"
    assert message["Reply-To"] == "buergerbuero@example.org"
    assert message["Content-Language"] == "de"
    text = part(message, "text/plain").get_payload(decode=True).decode()
    html = part(message, "text/html").get_payload(decode=True).decode()
    for body in (text, html):
        assert case.reference in body
        assert "Guten Tag Erika Mustermann" in body
        assert "Fachgruppe Bürgerservice" in body
    attachment = part(message, "application/pdf")
    assert attachment.get_filename() == f"Eingangsbestaetigung-{case.reference}.pdf"
    pdf = attachment.get_payload(decode=True)
    assert case.reference in pdf_text(pdf)
    stored = case.documents.get(kind="receipt")
    assert Path(stored.file.path).read_bytes() == pdf

    event = case.events.get(action="confirmation_sent")
    assert event.after["to"] == "erika@example.org"
    # Sending again (a retried task, the sweep) sends nothing more.
    assert receipts.send_confirmation(case.pk) is False
    receipts.sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert len(handler.messages) == 1
