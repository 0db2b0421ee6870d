"""What is inside an uploaded council document: its type (from the bytes) and its text.

Uploads come from many hands: scanned PDFs without text, PDFs with a password, broken
files renamed to ``.pdf``. None of that may stop an upload; the text is a bonus for the
search. So `extract_text` never raises for a bad file: it returns what it could read and a
clear message naming the problem, which the staff UI shows next to the file.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Enough for the search (a long budget plan has a few hundred thousand characters), and a
# bound on memory for a hostile file that decompresses into gigabytes of text.
MAX_TEXT_CHARS = 2_000_000
MAX_PAGES = 2_000

PDF = "application/pdf"


@dataclass(frozen=True)
class Extraction:
    """The text of a document, how many pages were read, and what went wrong, if anything."""

    text: str = ""
    pages: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _password_protected() -> str:
    return _("Das PDF ist mit einem Passwort geschützt; sein Text kann nicht gelesen werden.")


def _read_all(source: bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    if hasattr(source, "seek"):
        source.seek(0)
    return data


def extract_text(
    source: bytes | IO[bytes], *, max_chars: int = MAX_TEXT_CHARS, max_pages: int = MAX_PAGES
) -> Extraction:
    """The text of a PDF, page by page; an empty text and a message for files it cannot read."""
    # pypdf is imported here: only uploads need it, not every process that loads this module.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    data = _read_all(source)
    if not data:
        return Extraction(error=_("Die Datei ist leer."))
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return Extraction(error=_("Die Datei ist kein PDF-Dokument."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many "encrypted" PDFs only restrict printing and open with the empty password.
            try:
                if not reader.decrypt(""):
                    return Extraction(error=_password_protected())
            except (DependencyError, NotImplementedError):
                return Extraction(
                    error=_(
                        "Das PDF ist mit einem Verfahren verschlüsselt, das hier nicht gelesen "
                        "werden kann."
                    )
                )
        page_count = len(reader.pages)
    except FileNotDecryptedError:
        return Extraction(error=_password_protected())
    except Exception as exc:  # broken files raise anything
        logger.info("pdf unreadable", extra={"error": repr(exc)})
        return Extraction(error=_("Das PDF ist beschädigt und kann nicht gelesen werden."))

    parts: list[str] = []
    length = 0
    broken_pages: list[int] = []
    for number in range(min(page_count, max_pages)):
        try:
            page_text = reader.pages[number].extract_text() or ""
        except Exception as exc:  # one bad page must not lose the rest
            logger.info("pdf page unreadable", extra={"page": number + 1, "error": repr(exc)})
            broken_pages.append(number + 1)
            continue
        page_text = page_text.replace("\x00", "").strip()
        if page_text:
            parts.append(page_text)
            length += len(page_text)
        if length >= max_chars:
            break
    text = "\n\n".join(parts)[:max_chars]
    error = ""
    if broken_pages:
        error = _("Seiten ohne lesbaren Text (beschädigt): %(pages)s.") % {
            "pages": ", ".join(map(str, broken_pages[:20]))
        }
    elif not text and page_count:
        error = _(
            "Das PDF enthält keinen Text (vermutlich ein Scan); es ist nicht im Volltext "
            "durchsuchbar."
        )
    return Extraction(text=text, pages=page_count, error=error)


# --- content sniffing ---------------------------------------------------------------------

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"{\\rtf", "application/rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # old MS Office
    (b"\x1f\x8b", "application/gzip"),
]

_ZIP_MEMBERS: list[tuple[str, str]] = [
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
]


def sniff_mime_type(source: bytes | IO[bytes]) -> str:
    """The type the bytes say a file is, never what its name claims."""
    data = _read_all(source)
    head = data[:16]
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    # Some PDF writers put a few bytes before the header; readers accept it within 1 KiB.
    if b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return _sniff_text(data[:8192])


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # OpenDocument stores its own type, uncompressed, as the first member.
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            for prefix, mime in _ZIP_MEMBERS:
                if any(name.startswith(prefix) for name in names):
                    return mime
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return "application/zip"


def _sniff_text(head: bytes) -> str:
    if not head:
        return "application/octet-stream"
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end is still UTF-8.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(head).best()
            if best is None:
                return "application/octet-stream"
            text = str(best)
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html")):
        return "text/html"
    if start.startswith(("<?xml", "<svg")):
        return "image/svg+xml" if "<svg" in start else "application/xml"
    if start.startswith(("{", "[")):
        return "application/json" if _looks_like_json(text) else "text/plain"
    return "text/plain"


def _looks_like_json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True
