"""Template filters of the public pages: search highlighting, plain-text blocks, phone links,
and the language marks of database content (WCAG 2.1, 3.1.2 "Language of Parts")."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# The search marks matches in snippets with these control characters (see core.search).
MARK_START, MARK_END = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d+[.)])\s+")  # -, *, bullet, en dash, "1."


@register.filter
def highlight(value: Any) -> SafeString:
    """Escape the text, then turn the search markers into <mark> (never the other way round)."""
    text = _MARKED.sub(r"<mark>\1</mark>", str(escape(str(value or ""))))
    # Unpaired markers cannot come from the search; drop them instead of emitting broken HTML.
    return mark_safe(text.replace(MARK_START, "").replace(MARK_END, ""))


@register.filter
def textblocks(value: Any) -> SafeString:
    """Plain service text as HTML: blank lines part paragraphs, "- " lines become lists.

    Editors write plain text (and imports deliver it); lists of documents read far better
    as real lists, which screen readers also announce with their length.
    """
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        return mark_safe("")
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        items = [line for line in lines if _BULLET.match(line)]
        intro = lines[0] if items and not _BULLET.match(lines[0]) else None
        if items and len(items) == len(lines) - (intro is not None):
            # A list, possibly led by a line such as "Sie brauchen:".
            if intro is not None:
                parts.append(format_html("<p>{}</p>", intro))
            tag = "ol" if all(_NUMBERED.match(i) for i in items) else "ul"
            entries = format_html_join("", "<li>{}</li>", ((_BULLET.sub("", i),) for i in items))
            parts.append(format_html("<{}>{}</{}>", tag, entries, tag))
        else:
            parts.append(
                format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in lines)))
            )
    return mark_safe("".join(parts))


@register.filter
def tel_href(value: Any) -> str:
    """A tel: address in international form: "04161 501-0" -> "tel:+4941615010"."""
    # "(0)" in "+49 (0)4161 ..." is dialled only inside Germany and must go.
    number = re.sub(r"[^\d+]", "", str(value or "").replace("(0)", ""))
    if not number:
        return ""
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0"):
        number = "+49" + number[1:]
    return f"tel:{number}"


@register.filter
def display_name(obj: Any, language: str) -> str:
    """The name of a life situation (or anything with `display_name`) in the page language."""
    if hasattr(obj, "display_name"):
        return str(obj.display_name(language))
    return str(obj)


@register.filter
def percent(value: Any) -> str:
    """A share (0.0-1.0) as a whole percentage number, without the sign."""
    try:
        return str(round(float(value) * 100))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def breadcrumbs(*trail: Any) -> SafeString:
    """Breadcrumb navigation: `{% breadcrumbs "Label" url ... "Current page" %}`.

    Home comes first; the last argument is the current page (not a link, aria-current).
    """
    *pairs, current = trail
    links = [(_("Start"), reverse("core:home")), *zip(pairs[::2], pairs[1::2], strict=True)]
    items = format_html_join(
        "", '<li><a href="{}">{}</a></li>', ((url, label) for label, url in links)
    )
    return format_html(
        '<nav class="breadcrumbs" aria-label="{}"><ol>{}<li aria-current="page">{}</li></ol></nav>',
        _("Sie sind hier"),
        items,
        current,
    )


@register.simple_tag
def contact_email() -> str:
    """The administration's public address, as configured for outgoing mail."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


# --- Language of parts ---------------------------------------------------------------------
# Content from the database (service texts, offices, council papers, names ...) is written in
# the content language, settings.LANGUAGE_CODE (German). On a page in another language a screen
# reader must switch its voice for it, so the smallest element holding such content carries
# lang="de"; on German pages nothing is marked (<html lang="de"> says it all already).
# Attribute position: <h1{% content_lang %}>; inline text: {{ service.name|content_span }}.


def _foreign_content() -> bool:
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active != settings.LANGUAGE_CODE.split("-")[0]


@register.simple_tag
def content_lang(obj: Any = None) -> SafeString:
    """` lang="de"` when the page language is not the content language, else nothing.

    With an object that has `display_name(language)` (a life situation), nothing either when
    it has a name in the page language: only the German fallback is marked.
    """
    if not _foreign_content():
        return mark_safe("")
    if obj is not None and hasattr(obj, "display_name"):
        language = get_language() or settings.LANGUAGE_CODE
        if obj.display_name(language) != obj.display_name(settings.LANGUAGE_CODE):
            return mark_safe("")
    return format_html(' lang="{}"', settings.LANGUAGE_CODE)


@register.filter
def content_span(value: Any) -> SafeString:
    """The (escaped) value, wrapped in <span lang="de"> on pages in another language.

    For database text inside UI sentences and breadcrumbs, where no element of its own exists.
    """
    if value in (None, "") or not _foreign_content():
        return format_html("{}", "" if value is None else value)
    return format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, value)
