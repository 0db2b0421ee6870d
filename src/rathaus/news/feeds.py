"""RSS 2.0 and Atom feeds of the news (all, per category, per topic) with Django's
syndication framework, and iCalendar files of the events with the `icalendar` library.

Feed readers and calendar apps fetch these without a session: they contain only what
`selectors` calls published now, whoever asks.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as IcalEvent

from rathaus.council.feeds import _berlin_timezone
from rathaus.news import sanitize, selectors
from rathaus.news.models import Announcement, Category, Event, Topic

ICAL_PRODID = "-//Rathaus//Veranstaltungen//DE"

Scope = Category | Topic | None


class NewsRssFeed(Feed):
    """All published news; subclasses narrow it to one category or topic."""

    feed_type: type[feedgenerator.SyndicationFeed] = feedgenerator.Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Scope:
        return None

    def title(self, obj: Scope) -> str:
        town = settings.RATHAUS_MUNICIPALITY
        if obj is None:
            return _("Aktuelles – %(town)s") % {"town": town}
        return _("%(name)s – Aktuelles der %(town)s") % {"name": obj.name, "town": town}

    def link(self, obj: Scope) -> str:
        base = reverse("news:list")
        if isinstance(obj, Category):
            return f"{base}?rubrik={obj.slug}"
        if isinstance(obj, Topic):
            return f"{base}?thema={obj.slug}"
        return base

    def description(self, obj: Scope) -> str:
        return _("Nachrichten, Pressemitteilungen und amtliche Bekanntmachungen der %(town)s.") % {
            "town": settings.RATHAUS_MUNICIPALITY
        }

    def subtitle(self, obj: Scope) -> str:  # Atom
        return self.description(obj)

    def items(self, obj: Scope) -> list[Announcement]:
        if isinstance(obj, Category):
            return selectors.feed_announcements(category=obj)
        if isinstance(obj, Topic):
            return selectors.feed_announcements(topic=obj)
        return selectors.feed_announcements()

    def item_title(self, item: Announcement) -> str:
        if item.kind == Announcement.Kind.NOTICE:
            return _("Bekanntmachung: %(title)s") % {"title": item.title}
        return item.title

    def item_description(self, item: Announcement) -> str:
        return item.summary or sanitize.plain_text(item.body)[:600]

    def item_link(self, item: Announcement) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Announcement) -> str:
        return f"announcement-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Announcement) -> datetime.datetime:
        return item.publish_at

    def item_updateddate(self, item: Announcement) -> datetime.datetime:
        return max(item.modified, item.publish_at)

    def item_categories(self, item: Announcement) -> list[str]:
        names = [item.get_kind_display()]
        if item.category_id and item.category:
            names.append(item.category.name)
        return [str(n) for n in names] + [t.name for t in item.topics.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = feedgenerator.Atom1Feed


class _CategoryMixin:
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Scope:
        return get_object_or_404(Category, slug=kwargs["slug"])


class _TopicMixin:
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Scope:
        return get_object_or_404(Topic, slug=kwargs["slug"])


class CategoryRssFeed(_CategoryMixin, NewsRssFeed):
    pass


class CategoryAtomFeed(_CategoryMixin, NewsAtomFeed):
    pass


class TopicRssFeed(_TopicMixin, NewsRssFeed):
    pass


class TopicAtomFeed(_TopicMixin, NewsAtomFeed):
    pass


# --- iCalendar ---------------------------------------------------------------------------


def event_uid(event: Event) -> str:
    """Stable across edits: calendars update the entry instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "rathaus"
    return f"news-event-{event.pk}@{host}"


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value).replace(microsecond=0)


def _ical_event(request: HttpRequest, event: Event) -> IcalEvent:
    entry = IcalEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", _utc(event.modified))
    entry.add("last-modified", _utc(event.modified))
    entry.add("summary", event.title)
    if event.all_day:
        start = timezone.localtime(event.starts_at).date()
        end = timezone.localtime(event.ends_at).date() if event.ends_at else start
        entry.add("dtstart", start)
        entry.add("dtend", end + datetime.timedelta(days=1))  # DTEND of a date is exclusive
    else:
        entry.add("dtstart", _local(event.starts_at))
        if event.ends_at and event.ends_at > event.starts_at:
            entry.add("dtend", _local(event.ends_at))
    entry.add("location", ", ".join(p for p in (event.place, event.address) if p))
    url = request.build_absolute_uri(event.get_absolute_url())
    entry.add("url", url)
    lines = [event.summary]
    if event.accessibility:
        lines += ["", _("Barrierefreiheit: %(text)s") % {"text": event.accessibility}]
    if event.organiser:
        lines += ["", _("Veranstalter: %(name)s") % {"name": event.organiser}]
    lines += ["", url]
    entry.add("description", "\n".join(lines).strip())
    entry.add("status", "CONFIRMED")
    categories = [t.name for t in event.topics.all()]
    if event.category_id and event.category:
        categories.insert(0, event.category.name)
    if categories:
        entry.add("categories", categories)
    return entry


def ical_response(
    request: HttpRequest, events: list[Event], *, name: str, filename: str
) -> HttpResponse:
    cal = Calendar()
    cal.add("prodid", ICAL_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    cal.add_component(_berlin_timezone())
    for event in events:
        cal.add_component(_ical_event(request, event))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def events_ical(request: HttpRequest) -> HttpResponse:
    return ical_response(
        request,
        selectors.feed_events(),
        name=_("Veranstaltungen – %(town)s") % {"town": settings.RATHAUS_MUNICIPALITY},
        filename="veranstaltungen.ics",
    )


def category_ical(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    return ical_response(
        request,
        selectors.feed_events(category=category),
        name=_("Veranstaltungen: %(name)s") % {"name": category.name},
        filename=f"veranstaltungen-{category.slug}.ics",
    )


def topic_ical(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    return ical_response(
        request,
        selectors.feed_events(topic=topic),
        name=_("Veranstaltungen: %(name)s") % {"name": topic.name},
        filename=f"veranstaltungen-{topic.slug}.ics",
    )


def event_ical(request: HttpRequest, slug: str) -> HttpResponse:
    """One event as a calendar file: "In Kalender übernehmen" on the event page."""
    try:
        event = selectors.event(slug)
    except Event.DoesNotExist:
        raise Http404(_("Diese Veranstaltung gibt es nicht (mehr).")) from None
    response = ical_response(request, [event], name=event.title, filename=f"{event.slug}.ics")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
