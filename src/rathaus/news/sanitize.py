"""Rich text of news and events: sanitised on the server with nh3 before it is stored.

Editors paste text from word processors and other sites; only a small allowlist of
structural tags survives, links keep only http, https and mailto addresses and get
rel="noopener noreferrer nofollow", and everything else (scripts, styles, event handlers,
javascript: addresses, images, iframes) is removed. Pages render only stored, sanitised
HTML; `clean` runs again at render time in the template filter `news_html` so a row
written around the service layer still cannot inject markup.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "a",
        "strong",
        "em",
        "blockquote",
        "br",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with their content, not just unwrapped: their text is code, not prose.
DROP_WITH_CONTENT = frozenset({"script", "style", "noscript", "template", "iframe", "object"})

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def clean(html: str) -> str:
    """The allowlisted part of `html`; safe to render as is."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """Text of sanitised HTML for the search index, feeds and e-mails (no markup)."""
    import html as html_module

    text = _TAG.sub(" ", html or "")
    return _SPACE.sub(" ", html_module.unescape(text)).strip()
