"""Text of mirrored files (only with `--download-files`): download and extract with pypdf."""

from __future__ import annotations

import io
import logging
import re

logger = logging.getLogger(__name__)

MAX_PAGES = 500
_BLANKS = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class TextExtractionFailed(Exception):
    pass


def extract_pdf_text(data: bytes, *, max_pages: int = MAX_PAGES) -> str:
    """The text of a PDF, spaces tidied; raises TextExtractionFailed for broken files."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise TextExtractionFailed(f"PDF nicht lesbar: {exc}") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    return _BLANK_LINES.sub("\n\n", _BLANKS.sub(" ", text)).strip()


def is_pdf(data: bytes, mime_type: str = "") -> bool:
    return data[:5] == b"%PDF-" or "pdf" in mime_type.lower()


def extract_text(data: bytes, mime_type: str = "") -> str:
    """Text of a downloaded file: PDFs through pypdf, plain text as is, else nothing."""
    if is_pdf(data, mime_type):
        return extract_pdf_text(data)
    if mime_type.startswith("text/"):
        return data.decode("utf-8", errors="replace").strip()
    return ""
