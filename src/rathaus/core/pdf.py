"""HTML to PDF with WeasyPrint, for every document Rathaus writes (receipts, letters, answers).

Documents are self-contained: WeasyPrint must not fetch anything (no server-side request
forgery through a crafted link, no leaking of who reads what), so every URL is refused.
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF rendering does not fetch {url!r}")


def html_to_pdf(html: str, *, tagged: bool = True) -> bytes:
    """The PDF of a complete HTML document; tagged (PDF/UA-1) for screen readers by default."""
    options: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True} if tagged else {}
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None)
    return bytes(document.write_pdf(**options))
