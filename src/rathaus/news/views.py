"""Public pages of news, official notices and events. Thin: parse, call `selectors`, render.

Every page answers GET without touching the session, so anonymous readers get no cookie.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rathaus.news import selectors
from rathaus.news.models import Announcement, Category, Event, Topic

PAGE_SIZE = 10
MAX_PAGE = 10_000
MIN_YEAR, MAX_YEAR = 2000, 2100


def _not_found(message: str) -> Http404:
    return Http404(message)


def _pick(data: QueryDict, key: str, options: list[Any], label: str, notices: list[str]) -> Any:
    """The option whose slug is data[key]; an unknown value is dropped with a notice."""
    value = data.get(key, "").strip()
    if not value:
        return None
    for option in options:
        if option.slug == value:
            return option
    notices.append(
        _("%(label)s „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
        % {"label": label, "value": value[:80]}
    )
    return None


def _page(request: HttpRequest, qs: Any, notices: list[str]) -> Any:
    raw = request.GET.get("seite", "1").strip() or "1"
    try:
        number = min(max(int(raw), 1), MAX_PAGE)
    except ValueError:
        notices.append(
            _("„%(value)s“ ist keine Seitenzahl; wir zeigen die erste Seite.") % {"value": raw[:20]}
        )
        number = 1
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _page_url(base: str, params: dict[str, str], page: int) -> str:
    values = {k: v for k, v in params.items() if v}
    if page > 1:
        values["seite"] = str(page)
    return base + (f"?{urlencode(values)}" if values else "")


def _filters(
    request: HttpRequest, notices: list[str]
) -> tuple[Category | None, Topic | None, list[Category], list[Topic]]:
    categories, topics = selectors.categories(), selectors.topics()
    category = _pick(request.GET, "rubrik", categories, _("Die Rubrik"), notices)
    topic = _pick(request.GET, "thema", topics, _("Das Thema"), notices)
    return category, topic, categories, topics


def _feeds(category: Category | None, topic: Topic | None) -> dict[str, str]:
    if category is not None:
        return {
            "rss": reverse("news:category_rss", args=[category.slug]),
            "atom": reverse("news:category_atom", args=[category.slug]),
            "ical": reverse("news:category_ical", args=[category.slug]),
        }
    if topic is not None:
        return {
            "rss": reverse("news:topic_rss", args=[topic.slug]),
            "atom": reverse("news:topic_atom", args=[topic.slug]),
            "ical": reverse("news:topic_ical", args=[topic.slug]),
        }
    return {
        "rss": reverse("news:rss"),
        "atom": reverse("news:atom"),
        "ical": reverse("news:events_ical"),
    }


@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    notices: list[str] = []
    category, topic, categories, topics = _filters(request, notices)
    kind = request.GET.get("art", "").strip()
    if kind and kind not in Announcement.Kind.values:
        notices.append(
            _("Die Art „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
            % {"value": kind[:40]}
        )
        kind = ""
    page = _page(
        request, selectors.announcements(kind=kind, category=category, topic=topic), notices
    )
    params = {
        "art": kind,
        "rubrik": category.slug if category else "",
        "thema": topic.slug if topic else "",
    }
    base = reverse("news:list")
    context = {
        "page": page,
        "items": list(page.object_list),
        "kinds": Announcement.Kind.choices,
        "kind": kind,
        "category": category,
        "topic": topic,
        "categories": categories,
        "topics": topics,
        "filters_active": any(params.values()),
        "notices": notices,
        "prev_url": _page_url(base, params, page.number - 1) if page.has_previous() else "",
        "next_url": _page_url(base, params, page.number + 1) if page.has_next() else "",
        "feeds": _feeds(category, topic),
    }
    return render(request, "news/list.html", context)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = selectors.announcement(slug)
    except Announcement.DoesNotExist:
        raise _not_found(_("Diese Meldung gibt es nicht (mehr).")) from None
    context = {"item": item, "topic_list": list(item.topics.all()), "feeds": _feeds(None, None)}
    return render(request, "news/detail.html", context)


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    messages: list[str] = []
    page = _page(request, selectors.notices(), messages)
    base = reverse("news:notices")
    context = {
        "page": page,
        "items": list(page.object_list),
        "notices": messages,
        "prev_url": _page_url(base, {}, page.number - 1) if page.has_previous() else "",
        "next_url": _page_url(base, {}, page.number + 1) if page.has_next() else "",
        "feeds": _feeds(None, None),
    }
    return render(request, "news/notices.html", context)


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    notices: list[str] = []
    category, topic, categories, topics = _filters(request, notices)
    page = _page(request, selectors.upcoming_events(category=category, topic=topic), notices)
    params = {"rubrik": category.slug if category else "", "thema": topic.slug if topic else ""}
    base = reverse("news:events")
    today = timezone.localdate()
    context = {
        "page": page,
        "items": list(page.object_list),
        "category": category,
        "topic": topic,
        "categories": categories,
        "topics": topics,
        "filters_active": any(params.values()),
        "notices": notices,
        "prev_url": _page_url(base, params, page.number - 1) if page.has_previous() else "",
        "next_url": _page_url(base, params, page.number + 1) if page.has_next() else "",
        "month_url": reverse("news:event_month", args=[today.year, today.month]),
        "feeds": _feeds(category, topic),
    }
    return render(request, "news/events.html", context)


@require_GET
def event_month_current(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return event_month(request, today.year, today.month)


@require_GET
def event_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise _not_found(_("Diesen Monat gibt es im Veranstaltungskalender nicht."))
    month_view = selectors.event_month(year, month)

    def month_url(day: datetime.date) -> str:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            return ""
        return reverse("news:event_month", args=[day.year, day.month])

    today = timezone.localdate()
    context = {
        "month": month_view,
        "prev_url": month_url(month_view.previous),
        "next_url": month_url(month_view.next),
        "today_url": month_url(today),
        "today": today,
        "is_current_month": (year, month) == (today.year, today.month),
        "feeds": _feeds(None, None),
    }
    return render(request, "news/event_month.html", context)


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = selectors.event(slug)
    except Event.DoesNotExist:
        raise _not_found(_("Diese Veranstaltung gibt es nicht (mehr).")) from None
    context = {"item": item, "topic_list": list(item.topics.all()), "feeds": _feeds(None, None)}
    return render(request, "news/event.html", context)


@require_GET
def image(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """The image of a published item. Media files are not served by the web server of the
    embedded setup, and the image of a draft must not be reachable before it is public."""
    if kind not in ("meldung", "veranstaltung"):
        raise Http404
    try:
        item = selectors.image_item(kind, pk)
    except (Announcement.DoesNotExist, Event.DoesNotExist):
        raise Http404 from None
    try:
        handle = item.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
