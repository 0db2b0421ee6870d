"""The receipt (Eingangsbestätigung) of an online application and the confirmation mail.

The receipt is a PDF rendered with WeasyPrint from `forms/receipt.html`: reference, time of
receipt, service, office with contact, every answer per step, the files with size and
SHA-256 (so the applicant can prove what they sent), fee and payment state. It is stored in the
case as a document of kind "receipt". The confirmation mail carries the reference and the PDF;
each sent mail is a "confirmation_sent" entry in the case's audit trail, which is how the
hourly sweep knows what is still missing.

Both are idempotent: running them twice creates one receipt and sends one mail (barring two
workers racing on the very same case, in which case a second mail is possible; a second
receipt is not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from rathaus.cases.models import Case, CaseDocument, CaseEvent, Channel, PaymentState
from rathaus.cases.services import record_event
from rathaus.core.links import site_url
from rathaus.core.pdf import html_to_pdf
from rathaus.forms import engine
from rathaus.forms.payments import format_amount
from rathaus.forms.submission import submission_language

logger = logging.getLogger(__name__)

CONFIRMATION_ACTION = "confirmation_sent"
RECEIPT_ACTION = "receipt_created"


@dataclass(frozen=True)
class FileRow:
    name: str
    size: int
    sha256: str


def receipt_filename(case: Case) -> str:
    return f"Eingangsbestaetigung-{case.reference}.pdf"


def receipt_context(case: Case) -> dict[str, Any]:
    version = case.form_version
    steps = engine.summary_rows(version, case.data) if version is not None else []
    files = [
        FileRow(name=d.original_name or d.title, size=d.size, sha256=d.sha256)
        for d in case.documents.filter(kind=CaseDocument.Kind.APPLICATION).order_by("pk")
    ]
    return {
        "case": case,
        "office": case.office,
        "service": case.service,
        "form_title": version.definition.title if version is not None else "",
        "received_at": timezone.localtime(case.received_at),
        "steps": steps,
        "files": files,
        "fee": format_amount(case.fee_cents) if case.fee_cents else "",
        "payment_state": PaymentState(case.payment_state).label if case.fee_cents else "",
        "municipality": settings.RATHAUS_MUNICIPALITY,
        "created_at": timezone.localtime(),
    }


def render_receipt_pdf(case: Case, *, language: str | None = None) -> bytes:

    with translation.override(language or submission_language(case)):
        html = render_to_string("forms/receipt.html", receipt_context(case))
    return html_to_pdf(html, tagged=False)


def current_receipt(case: Case) -> CaseDocument | None:
    return case.documents.filter(kind=CaseDocument.Kind.RECEIPT).order_by("-pk").first()


def ensure_receipt(case_id: int) -> CaseDocument:
    """The case's receipt, rendered and stored if it does not exist yet."""
    case = Case.objects.select_related("office", "service", "form_version__definition").get(
        pk=case_id
    )
    existing = current_receipt(case)
    if existing is not None:
        return existing
    # Rendered outside the transaction: on SQLite a write transaction locks the database,
    # and nobody should wait for WeasyPrint.
    pdf = render_receipt_pdf(case)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case_id).first()
        existing = current_receipt(case)
        if existing is not None:
            return existing
        document = CaseDocument(
            case=case,
            kind=CaseDocument.Kind.RECEIPT,
            title=f"Eingangsbestätigung {case.reference}",
            original_name=receipt_filename(case),
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            visible_to_applicant=True,
        )
        document.file.save("receipt", ContentFile(pdf), save=False)
        name, storage = document.file.name, document.file.storage
        try:
            document.save()
            record_event(
                case,
                actor=None,
                action=RECEIPT_ACTION,
                summary=f"Eingangsbestätigung erstellt ({document.size} Byte)",
                after={"document": document.pk, "sha256": document.sha256},
            )
        except Exception:
            storage.delete(name)
            raise
    return document


def confirmation_sent(case: Case) -> bool:
    return case.events.filter(action=CONFIRMATION_ACTION).exists()


def _mail_context(case: Case) -> dict[str, Any]:
    context = receipt_context(case)
    if case.applicant_id is not None:
        try:
            context["my_cases_url"] = site_url(reverse("my_cases:index"))
        except Exception:  # "Meine Anträge" not installed: the mail simply has no link
            context["my_cases_url"] = ""
    return context


def send_confirmation(case_id: int) -> bool:
    """Mail the receipt to the applicant once; False if there is nobody to send it to.

    An SMTP failure propagates (the task is marked failed); nothing is recorded, so the sweep
    tries again.
    """
    case = Case.objects.select_related("office", "service", "form_version__definition").get(
        pk=case_id
    )
    if not case.applicant_email or confirmation_sent(case):
        return False
    receipt = ensure_receipt(case.pk)
    language = submission_language(case)
    with translation.override(language):
        context = _mail_context(case)
        subject = " ".join(
            render_to_string("forms/email/confirmation_subject.txt", context).split()
        )
        text = render_to_string("forms/email/confirmation.txt", context)
        html = render_to_string("forms/email/confirmation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[case.applicant_email],
        reply_to=[case.office.email] if case.office.email else None,
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    with receipt.file.open("rb") as pdf:
        message.attach(receipt.original_name, pdf.read(), "application/pdf")
    message.send()
    record_event(
        case,
        actor=None,
        action=CONFIRMATION_ACTION,
        summary=f"Eingangsbestätigung per E-Mail an {case.applicant_email} gesendet",
        after={"to": case.applicant_email, "document": receipt.pk, "language": language},
    )
    return True


@dataclass
class SweepResult:
    receipts: int = 0
    mails: int = 0
    failures: int = 0


def sweep(
    *,
    now: dt.datetime | None = None,
    grace: dt.timedelta = dt.timedelta(minutes=10),
    window: dt.timedelta = dt.timedelta(days=30),
) -> SweepResult:
    """Make up for receipts and mails that did not happen (queue or mail server was down).

    Looks at online applications received within `window` but longer than `grace` ago (the
    fresh ones still have their own tasks in the queue).
    """
    now = now or timezone.now()
    recent = Case.objects.filter(
        channel=Channel.ONLINE,
        form_version__isnull=False,
        received_at__gte=now - window,
        received_at__lte=now - grace,
    )
    has_receipt = CaseDocument.objects.filter(case=OuterRef("pk"), kind=CaseDocument.Kind.RECEIPT)
    was_sent = CaseEvent.objects.filter(case=OuterRef("pk"), action=CONFIRMATION_ACTION)
    result = SweepResult()
    for case_id in recent.filter(~Exists(has_receipt)).values_list("pk", flat=True):
        try:
            ensure_receipt(case_id)
            result.receipts += 1
        except Exception:
            result.failures += 1
            logger.exception("sweep: receipt failed", extra={"case": case_id})
    pending = recent.exclude(applicant_email="").filter(~Exists(was_sent))
    for case_id in pending.values_list("pk", flat=True):
        try:
            if send_confirmation(case_id):
                result.mails += 1
        except Exception:
            result.failures += 1
            logger.exception("sweep: confirmation mail failed", extra={"case": case_id})
    return result
