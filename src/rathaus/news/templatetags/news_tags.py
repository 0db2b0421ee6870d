"""Rendering of stored rich text: sanitised again on the way out (see `news.sanitize`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from rathaus.news import sanitize

register = template.Library()


@register.filter
def news_html(value: Any) -> SafeString:
    # Stored bodies are sanitised on save; cleaning again costs little and covers rows
    # written around the service layer (a data migration, the shell, an import).
    return mark_safe(sanitize.clean(str(value or "")))
