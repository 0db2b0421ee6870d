"""Forms, drafts and files for the submission tests (H2): small builders, no magic."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.catalog.maturity import TrustLevel
from rathaus.catalog.models import Service
from rathaus.forms.models import Draft, FormDefinition, FormVersion

PDF_ACCEPT = ["application/pdf", "image/jpeg", "image/png"]

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vorname": {"type": "string", "title": "Vorname", "maxLength": 100},
        "nachname": {"type": "string", "title": "Nachname", "maxLength": 100},
        "email": {"type": "string", "title": "E-Mail-Adresse", "format": "email"},
        "hund_name": {"type": "string", "title": "Name des Hundes"},
        "gefaehrlich": {"type": "boolean", "title": "Gilt der Hund als gefährlich?"},
        "sachkunde": {"type": "string", "title": "Sachkundenachweis-Nummer"},
        "nachweis": {
            "type": "array",
            "title": "Nachweis der Haftpflichtversicherung",
            "items": {"type": "integer"},
            "maxItems": 3,
        },
    },
    "required": ["vorname", "nachname", "email", "hund_name"],
    "allOf": [
        {
            "if": {"properties": {"gefaehrlich": {"const": True}}, "required": ["gefaehrlich"]},
            "then": {"required": ["sachkunde"]},
        }
    ],
}
UI: dict[str, Any] = {
    "applicant": {"name": ["vorname", "nachname"], "email": "email"},
    "subject": "Hundeanmeldung {hund_name}",
    "steps": [
        {
            "id": "halter",
            "title": "Halterin oder Halter",
            "fields": [{"name": "vorname"}, {"name": "nachname"}, {"name": "email"}],
        },
        {
            "id": "hund",
            "title": "Hund",
            "fields": [
                {"name": "hund_name"},
                {"name": "gefaehrlich", "widget": "checkbox"},
                {"name": "sachkunde", "show_if": {"field": "gefaehrlich", "equals": True}},
                {"name": "nachweis", "widget": "file", "accept": PDF_ACCEPT, "max_mb": 10},
            ],
        },
    ],
}


def make_form(
    office: Office,
    *,
    service: Service | None = None,
    fee_cents: int = 0,
    slug: str = "hund-anmelden",
    processing_days: int = 14,
) -> FormVersion:
    definition = FormDefinition.objects.create(
        slug=slug,
        title="Hund anmelden",
        service=service,
        office=office,
        processing_days=processing_days,
    )
    return FormVersion.objects.create(
        definition=definition,
        number=1,
        status=FormVersion.Status.PUBLISHED,
        schema=SCHEMA,
        ui=UI,
        fee_cents=fee_cents,
        fee_label="Hundesteuer-Anmeldegebühr" if fee_cents else "",
        published_at=timezone.now(),
    )


def make_draft(version: FormVersion, *, owner: User | None = None, **data: Any) -> Draft:
    answers: dict[str, Any] = {
        "vorname": "Erika",
        "nachname": "Mustermann",
        "email": "erika@example.org",
        "hund_name": "Bello",
        "gefaehrlich": False,
    }
    answers.update(data)
    return Draft.objects.create(
        version=version,
        owner=owner,
        data=answers,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        trust_level=TrustLevel.LOW if owner else TrustLevel.NONE,
    )


def minimal_pdf(text: str = "Versicherungsnachweis") -> bytes:
    """A small valid one-page PDF, written by hand (no PDF library involved in the check)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def tiny_png() -> bytes:
    """A 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
        )

    header = struct.pack("!IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def windows_exe() -> bytes:
    """The start of a PE executable: 'MZ' DOS header pointing at a 'PE' header."""
    dos = bytearray(b"MZ" + b"\0" * 62)
    dos[0x3C:0x40] = struct.pack("<I", 64)
    return bytes(dos) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 300


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
