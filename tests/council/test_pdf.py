"""Text extraction from uploaded PDFs (pypdf) and content sniffing of uploads."""

from __future__ import annotations

import io
import zipfile

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from rathaus.council.pdf import Extraction, extract_text, sniff_mime_type
from tests.council.conftest import make_pdf

TEXT = "Neubau eines Regenrückhaltebeckens am Geestrand. Die Kosten betragen 1,2 Mio. Euro."


def encrypted(data: bytes, *, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-pw", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def two_pages() -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in ("Erste Seite: Tagesordnung", "Zweite Seite: Beschlussvorschlag"):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def test_text_of_a_real_pdf() -> None:
    result = extract_text(make_pdf(TEXT))
    assert result.ok
    assert result.pages == 1
    # Umlauts survive (fpdf2's core font writes them in Latin-1).
    assert "Regenrückhaltebeckens am Geestrand" in result.text
    assert "1,2 Mio. Euro" in result.text


def test_all_pages_are_read_in_order_and_file_objects_work() -> None:
    source = io.BytesIO(two_pages())
    source.read(10)  # a file object that was read before: extraction starts at the top
    result = extract_text(source)
    assert result.pages == 2
    assert result.text.index("Erste Seite") < result.text.index("Zweite Seite")
    assert source.tell() == 0


def test_text_is_bounded() -> None:
    result = extract_text(two_pages(), max_chars=10)
    assert len(result.text) == 10


def test_owner_password_only_still_gives_the_text() -> None:
    # "Protected" PDFs that open without a password only restrict printing or copying.
    result = extract_text(encrypted(make_pdf(TEXT), user_password=""))
    assert result.ok, result.error
    assert "Geestrand" in result.text


def test_password_protected_pdf_gives_a_clear_error() -> None:
    result = extract_text(encrypted(make_pdf(TEXT), user_password="geheim"))
    assert result.text == ""
    assert "Passwort" in result.error
    assert not result.ok


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "leer"),
        (b"Hello, this is plain text", "kein PDF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog", "beschädigt"),
        (b"%PDF-1.4\n" + b"\x00" * 500, "beschädigt"),
    ],
)
def test_broken_files_give_a_clear_error_and_never_raise(data: bytes, words: str) -> None:
    result = extract_text(data)
    assert isinstance(result, Extraction)
    assert result.text == ""
    assert words in result.error


def test_truncated_pdf_does_not_raise() -> None:
    data = make_pdf(TEXT)
    result = extract_text(data[: len(data) // 2])
    assert isinstance(result, Extraction)
    # Whatever pypdf salvages, a failure is named rather than raised.
    assert result.ok or result.error


def test_scan_without_text_is_named() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # an "image" of a page, no text
    result = extract_text(bytes(pdf.output()))
    assert result.text == ""
    assert "Scan" in result.error
    assert result.pages == 1


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (make_pdf("x"), "application/pdf"),
        (b"\r\n" + make_pdf("x"), "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 10, "image/gif"),
        (
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "application/vnd.oasis.opendocument.text",
        ),
        (_zip({"a.txt": b"a"}), "application/zip"),
        ("Sehr geehrte Damen und Herren, äöü".encode(), "text/plain"),
        ("Grüße".encode("latin-1") + b" aus Buxtehude", "text/plain"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "text/html"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        (b'{"a": 1}', "application/json"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_type_comes_from_the_bytes(data: bytes, mime: str) -> None:
    assert sniff_mime_type(data) == mime
    assert sniff_mime_type(io.BytesIO(data)) == mime
