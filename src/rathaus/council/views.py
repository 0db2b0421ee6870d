"""Citizen pages of the council information system under /rat/.

Views read request parameters, ask `selectors` (which read through `visibility`) and pick a
template. Whatever the reader may not see is a 404, never a 403. GET pages touch neither the
session nor the CSRF cookie, so anonymous readers get no cookie.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core.search import suggest
from rathaus.council import selectors, video, visibility
from rathaus.council.models import Organization

PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 200
MIN_YEAR, MAX_YEAR = 1990, 2100
# Shown in the browser rather than saved: formats that cannot run code as a page of this
# site (no HTML, no SVG); everything else is a download.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"})


def _viewer(request: HttpRequest) -> visibility.Viewer:
    return visibility.viewer_for(request.user)


def _not_found(message: str) -> Http404:
    return Http404(message)


def _page_number(data: QueryDict, notices: list[str]) -> int:
    raw = data.get("seite", "").strip()
    if not raw:
        return 1
    try:
        number = int(raw)
    except ValueError:
        notices.append(
            _("„%(value)s“ ist keine Seitenzahl; wir zeigen die erste Seite.") % {"value": raw[:20]}
        )
        return 1
    if number < 1:
        notices.append(_("Seitenzahlen beginnen bei 1; wir zeigen die erste Seite."))
        return 1
    return min(number, MAX_PAGE)


def _organization_filter(data: QueryDict, notices: list[str]) -> Organization | None:
    raw = data.get("gremium", "").strip()
    if not raw:
        return None
    try:
        return selectors.organization(int(raw))
    except (ValueError, selectors.NotVisible):
        notices.append(
            _("Das Gremium „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
            % {"value": raw[:40]}
        )
        return None


def _paginate(items: Any, number: int, notices: list[str]) -> Page:
    paginator = Paginator(items, PAGE_SIZE)
    if number > paginator.num_pages:
        notices.append(
            _("Seite %(page)s gibt es nicht; wir zeigen die letzte Seite.") % {"page": number}
        )
        number = paginator.num_pages
    return paginator.page(number)


def _query(params: dict[str, Any]) -> str:
    clean = {key: value for key, value in params.items() if value not in ("", None)}
    return f"?{urlencode(clean)}" if clean else ""


# --- index -------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    context = {
        "upcoming": selectors.upcoming_meetings(viewer, limit=8),
        "papers": selectors.recent_papers(viewer, limit=8),
        "committees": selectors.committees(),
    }
    return render(request, "council/index.html", context)


# --- calendar and meeting lists ----------------------------------------------------------


def calendar_current(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return calendar_month(request, today.year, today.month)


def calendar_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise _not_found(_("Diesen Monat gibt es im Sitzungskalender nicht."))
    notices: list[str] = []
    organization = _organization_filter(request.GET, notices)
    viewer = _viewer(request)
    month_view = selectors.month_calendar(viewer, year, month, organization=organization)
    keep = _query({"gremium": organization.pk if organization else ""})

    def month_url(day: datetime.date) -> str:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            return ""
        url = reverse("council:calendar_month", kwargs={"year": day.year, "month": day.month})
        return url + keep

    today = timezone.localdate()
    context = {
        "month": month_view,
        "organization": organization,
        "committees": selectors.committees(),
        "notices": notices,
        "prev_url": month_url(month_view.previous),
        "next_url": month_url(month_view.next),
        "today_url": month_url(today),
        "is_current_month": (year, month) == (today.year, today.month),
        "list_url": reverse("council:meetings") + keep,
    }
    return render(request, "council/calendar_month.html", context)


def meetings(request: HttpRequest) -> HttpResponse:
    notices: list[str] = []
    past = request.GET.get("zeit", "") == "vergangen"
    organization = _organization_filter(request.GET, notices)
    viewer = _viewer(request)
    qs = selectors.meeting_list(viewer, upcoming=not past, organization=organization)
    page = _paginate(qs, _page_number(request.GET, notices), notices)
    base = {"zeit": "vergangen" if past else "", "gremium": organization.pk if organization else ""}
    context = {
        "page": page,
        "meetings": list(page.object_list),
        "past": past,
        "organization": organization,
        "committees": selectors.committees(),
        "keep": [("zeit", "vergangen")] if past else [],
        "notices": notices,
        "upcoming_url": reverse("council:meetings") + _query({**base, "zeit": ""}),
        "past_url": reverse("council:meetings") + _query({**base, "zeit": "vergangen"}),
        "prev_url": (
            reverse("council:meetings")
            + _query({**base, "seite": page.previous_page_number() if page.number > 2 else ""})
            if page.has_previous()
            else ""
        ),
        "next_url": (
            reverse("council:meetings") + _query({**base, "seite": page.next_page_number()})
            if page.has_next()
            else ""
        ),
        "calendar_url": reverse("council:calendar")
        + _query({"gremium": organization.pk if organization else ""}),
    }
    return render(request, "council/meeting_list.html", context)


# --- meeting, agenda item, paper ---------------------------------------------------------


def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = selectors.meeting_page(_viewer(request), pk)
    except selectors.NotVisible:
        raise _not_found(_("Diese Sitzung gibt es nicht.")) from None
    meeting = page.meeting
    # Members of the meeting's bodies (and the council office) get their join button here too.
    join_url = (
        video.join_link(meeting, request.user)
        if meeting.has_video and request.user.is_authenticated
        else None
    )
    return render(
        request,
        "council/meeting.html",
        {"page": page, "meeting": meeting, "video_join_url": join_url},
    )


def agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    """A stable address for an agenda item: its place on the meeting page."""
    try:
        item = selectors.agenda_item(_viewer(request), pk)
    except selectors.NotVisible:
        raise _not_found(_("Diesen Tagesordnungspunkt gibt es nicht.")) from None
    return HttpResponseRedirect(f"{item.meeting.get_absolute_url()}#top-{item.pk}")


def paper(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = selectors.paper_page(_viewer(request), pk)
    except selectors.NotVisible:
        raise _not_found(_("Diese Drucksache gibt es nicht.")) from None
    return render(request, "council/paper.html", {"page": page, "paper": page.paper})


# --- persons and organizations -----------------------------------------------------------


def persons(request: HttpRequest) -> HttpResponse:
    return render(request, "council/person_list.html", {"persons": selectors.person_list()})


def person(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = selectors.person_page(_viewer(request), pk)
    except selectors.NotVisible:
        raise _not_found(_("Diese Person gibt es nicht.")) from None
    return render(request, "council/person.html", {"page": page, "person": page.person})


def organizations(request: HttpRequest) -> HttpResponse:
    return render(
        request, "council/organization_list.html", {"groups": selectors.organization_groups()}
    )


def organization(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    try:
        org = selectors.organization(pk)
    except selectors.NotVisible:
        raise _not_found(_("Dieses Gremium gibt es nicht.")) from None
    if slug != org.slug:
        return redirect(org, permanent=True)
    page = selectors.organization_page(_viewer(request), org)
    return render(request, "council/organization.html", {"page": page, "organization": org})


# --- files -------------------------------------------------------------------------------


def file(request: HttpRequest, pk: int, download: bool = False) -> HttpResponseBase:
    """A council file, shown in the browser (PDF, images, text) or saved (`download`)."""
    try:
        found = selectors.file_for_download(_viewer(request), pk)
    except selectors.NotVisible:
        raise _not_found(_("Diese Datei gibt es nicht.")) from None
    if not found.content:
        # A mirrored file can stay on the remote server; send the reader there.
        remote = found.remote_download_url if download else found.remote_access_url
        remote = remote or found.remote_download_url or found.remote_access_url
        if remote:
            return HttpResponseRedirect(remote)
        raise _not_found(_("Zu dieser Datei ist kein Inhalt gespeichert."))
    try:
        handle = found.content.open("rb")
    except FileNotFoundError:
        raise _not_found(_("Zu dieser Datei ist kein Inhalt gespeichert.")) from None
    mime_type = found.mime_type or "application/octet-stream"
    name = found.file_name or found.content.name.rsplit("/", 1)[-1]
    return FileResponse(
        handle,
        as_attachment=download or mime_type not in INLINE_TYPES,
        filename=name,
        content_type=mime_type,
    )


# --- search ------------------------------------------------------------------------------


@dataclass
class SearchRequest:
    """The search's GET parameters after checking them."""

    text: str = ""
    filters: selectors.SearchFilters = field(default_factory=selectors.SearchFilters)
    sort: str = selectors.SORT_RELEVANCE
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def params(self, **overrides: Any) -> dict[str, str]:
        f = self.filters
        values = {
            "q": self.text,
            "typ": f.paper_type,
            "gremium": str(f.organization.pk) if f.organization else "",
            "von": f.date_from.isoformat() if f.date_from else "",
            "bis": f.date_to.isoformat() if f.date_to else "",
            "sortierung": "" if self.sort == self.default_sort else self.sort,
            "seite": str(self.page) if self.page > 1 else "",
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}

    @property
    def default_sort(self) -> str:
        return selectors.SORT_RELEVANCE if self.text else selectors.SORT_NEWEST

    def url(self, name: str = "council:search", **overrides: Any) -> str:
        if overrides.get("seite") == "1":
            overrides["seite"] = ""
        return reverse(name) + _query(self.params(**overrides))


def _read_date(data: QueryDict, key: str, label: str, notices: list[str]) -> datetime.date | None:
    raw = data.get(key, "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return datetime.datetime.strptime(raw, "%d.%m.%Y").date()  # noqa: DTZ007 - a date
    except ValueError:
        notices.append(
            _(
                "„%(value)s“ im Feld „%(field)s“ ist kein Datum (erwartet: TT.MM.JJJJ); "
                "dieser Filter wurde ignoriert."
            )
            % {"value": raw[:20], "field": label}
        )
        return None


def read_search_request(data: QueryDict) -> SearchRequest:
    """Unknown or malformed values are dropped with a notice instead of failing the page."""
    parsed = SearchRequest(text=data.get("q", "").strip()[:MAX_QUERY_LENGTH])
    f = parsed.filters
    f.paper_type = data.get("typ", "").strip()[:100]
    f.organization = _organization_filter(data, parsed.notices)
    f.date_from = _read_date(data, "von", _("von"), parsed.notices)
    f.date_to = _read_date(data, "bis", _("bis"), parsed.notices)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        parsed.notices.append(
            _("Das Datum „von“ liegt nach dem Datum „bis“; wir haben die beiden getauscht.")
        )
        f.date_from, f.date_to = f.date_to, f.date_from
    sort = data.get("sortierung", "").strip()
    if sort in selectors.SORTS:
        parsed.sort = sort
    else:
        if sort:
            parsed.notices.append(
                _("Die Sortierung „%(value)s“ kennen wir nicht; wir sortieren wie üblich.")
                % {"value": sort[:20]}
            )
        parsed.sort = parsed.default_sort
    if not parsed.text and parsed.sort == selectors.SORT_RELEVANCE:
        parsed.sort = selectors.SORT_NEWEST  # without words there is no relevance
    parsed.page = _page_number(data, parsed.notices)
    return parsed


def search(request: HttpRequest) -> HttpResponse:
    query = read_search_request(request.GET)
    viewer = _viewer(request)
    offset = (query.page - 1) * PAGE_SIZE
    result = selectors.search_council(
        viewer, query.text, query.filters, sort=query.sort, offset=offset, limit=PAGE_SIZE
    )
    num_pages = max(1, math.ceil(result.total / PAGE_SIZE))
    if query.page > num_pages:
        query.notices.append(
            _("Seite %(page)s gibt es nicht; wir zeigen die letzte Seite.") % {"page": query.page}
        )
        query.page = num_pages
        result = selectors.search_council(
            viewer,
            query.text,
            query.filters,
            sort=query.sort,
            offset=(query.page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    suggestion = suggest(query.text, result.corrections)
    committees = selectors.committees()
    if query.filters.organization and query.filters.organization not in committees:
        committees.append(query.filters.organization)
    paper_types = selectors.paper_types(viewer)
    if query.filters.paper_type and query.filters.paper_type not in paper_types:
        paper_types.append(query.filters.paper_type)
    context = {
        "q": query.text,
        "query": query,
        "filters": query.filters,
        "sort": query.sort,
        "sorts": [
            (selectors.SORT_RELEVANCE, _("Relevanz")),
            (selectors.SORT_NEWEST, _("Datum, neueste zuerst")),
            (selectors.SORT_OLDEST, _("Datum, älteste zuerst")),
        ],
        "notices": query.notices,
        "results": result.results,
        "total": result.total,
        "page": query.page,
        "num_pages": num_pages,
        "first_index": (query.page - 1) * PAGE_SIZE + 1,
        "prev_url": query.url(seite=str(query.page - 1)) if query.page > 1 else "",
        "next_url": query.url(seite=str(query.page + 1)) if query.page < num_pages else "",
        "reset_url": query.url(typ="", gremium="", von="", bis="", seite=""),
        "suggestion": suggestion,
        "suggestion_url": query.url(q=suggestion, seite="") if suggestion else "",
        "rss_url": query.url("council:search_rss", seite="", sortierung=""),
        "atom_url": query.url("council:search_atom", seite="", sortierung=""),
        "committees": committees,
        "paper_types": paper_types,
    }
    return render(request, "council/search.html", context)
