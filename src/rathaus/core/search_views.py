"""The site search page (/suche/): one box in the header of every page leads here."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rathaus.core import search, site_search

MAX_QUERY_LENGTH = 200
MAX_PAGE = 500


def _url(q: str = "", art: str = "", seite: int = 1) -> str:
    values: dict[str, str | int] = {"q": q, "art": art, "seite": seite if seite > 1 else ""}
    query = urlencode({k: v for k, v in values.items() if v})
    return reverse("core:search") + (f"?{query}" if query else "")


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    notices: list[str] = []
    group = request.GET.get("art", "").strip()
    if group and group not in site_search.GROUP_SLUGS:
        notices.append(
            _("Die Art „%(value)s“ kennen wir nicht; wir zeigen alle Treffer.")
            % {"value": group[:40]}
        )
        group = ""
    raw_page = request.GET.get("seite", "1").strip() or "1"
    try:
        page = min(max(int(raw_page), 1), MAX_PAGE)
    except ValueError:
        notices.append(
            _("„%(value)s“ ist keine Seitenzahl; wir zeigen die erste Seite.")
            % {"value": raw_page[:20]}
        )
        page = 1
    offset = (page - 1) * site_search.PAGE_SIZE
    result = site_search.site_search(text, group=group, offset=offset)
    selected = result.group(group) if group else None
    num_pages = 1
    entries: list[site_search.Entry] = []
    if selected is not None:
        num_pages = max(1, math.ceil(selected.count / site_search.PAGE_SIZE))
        if page > num_pages:
            notices.append(
                _("Seite %(page)s gibt es nicht; wir zeigen die letzte Seite.") % {"page": page}
            )
            page = num_pages
            offset = (page - 1) * site_search.PAGE_SIZE
            result = site_search.site_search(text, group=group, offset=offset)
            selected = result.group(group)
        if selected is not None:
            entries = selected.entries[offset : offset + site_search.PAGE_SIZE]
    suggestion = search.suggest(text, result.corrections)
    groups: list[dict[str, Any]] = [
        {
            "group": g,
            "top": g.entries[: site_search.TOP_PER_GROUP],
            "all_url": _url(q=text, art=g.slug),
        }
        for g in result.groups
    ]
    context = {
        "q": text,
        "search_query": text,
        "result": result,
        "groups": groups,
        "found_groups": [g for g in groups if g["group"].count],
        "selected": selected,
        "entries": entries,
        "page": page,
        "num_pages": num_pages,
        "first_index": offset + 1,
        "prev_url": _url(q=text, art=group, seite=page - 1) if page > 1 else "",
        "next_url": _url(q=text, art=group, seite=page + 1) if page < num_pages else "",
        "overview_url": _url(q=text),
        "suggestion": suggestion,
        "suggestion_url": _url(q=suggestion, art=group) if suggestion else "",
        "notices": notices,
    }
    return render(request, "core/search.html", context)
