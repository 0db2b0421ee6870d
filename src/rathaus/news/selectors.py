"""Every read of the public news pages, feeds and the site search.

The one visibility rule is `PublishedQuerySet.published()`: status published, `publish_at`
reached, `expires_at` not reached. Everything citizens see goes through it.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from rathaus.news.models import Announcement, Category, Event, Topic

FEED_ITEMS = 40


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("category").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("pk", "name", "slug"))
    )


def categories() -> list[Category]:
    return list(Category.objects.all())


def topics() -> list[Topic]:
    return list(Topic.objects.all())


def announcements(
    *, kind: str = "", category: Category | None = None, topic: Topic | None = None
) -> QuerySet[Announcement]:
    """Published announcements, newest first, optionally of one kind, category or topic."""
    qs = Announcement.objects.published()
    if kind:
        qs = qs.filter(kind=kind)
    if category is not None:
        qs = qs.filter(category=category)
    if topic is not None:
        qs = qs.filter(topics=topic)
    return _with_relations(qs).order_by("-publish_at", "-pk")


def notices() -> QuerySet[Announcement]:
    """Official notices, newest first (legal effect date, then publication)."""
    return announcements(kind=Announcement.Kind.NOTICE).order_by(
        "-legal_effect_date", "-publish_at", "-pk"
    )


def announcement(slug: str) -> Announcement:
    """Raises Announcement.DoesNotExist for unknown, draft, scheduled and expired items."""
    return _with_relations(Announcement.objects.published()).get(slug=slug)


def event(slug: str) -> Event:
    return _with_relations(Event.objects.published()).get(slug=slug)


def upcoming_events(
    *, category: Category | None = None, topic: Topic | None = None
) -> QuerySet[Event]:
    """Published events that have not ended, soonest first (running ones included)."""
    start = day_start(timezone.localdate())
    qs = Event.objects.published().filter(
        Q(ends_at__gte=start) | Q(ends_at__isnull=True, starts_at__gte=start)
    )
    if category is not None:
        qs = qs.filter(category=category)
    if topic is not None:
        qs = qs.filter(topics=topic)
    return _with_relations(qs).order_by("starts_at", "pk")


@dataclass
class EventDay:
    date: datetime.date
    events: list[Event] = field(default_factory=list)


@dataclass
class EventMonth:
    year: int
    month: int
    days: list[EventDay]

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=32)).replace(day=1)

    @property
    def event_count(self) -> int:
        return len({e.pk for d in self.days for e in d.events})


def event_month(year: int, month: int) -> EventMonth:
    """The days of a month that have events, each with its events (a multi-day event is
    listed on each of its days within the month)."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start, end = day_start(first), day_start(last + datetime.timedelta(days=1))
    qs = (
        Event.objects.published()
        .filter(starts_at__lt=end)
        .filter(Q(ends_at__gte=start) | Q(ends_at__isnull=True, starts_at__gte=start))
    )
    by_day: dict[datetime.date, list[Event]] = defaultdict(list)
    for ev in qs.select_related("category").order_by("starts_at", "pk"):
        begin = max(timezone.localtime(ev.starts_at).date(), first)
        finish = timezone.localtime(ev.ends_at).date() if ev.ends_at else begin
        day = begin
        while day <= min(finish, last):
            by_day[day].append(ev)
            day += datetime.timedelta(days=1)
    days = [EventDay(date=d, events=by_day[d]) for d in sorted(by_day)]
    return EventMonth(year=year, month=month, days=days)


def feed_announcements(
    *, category: Category | None = None, topic: Topic | None = None, limit: int = FEED_ITEMS
) -> list[Announcement]:
    return list(announcements(category=category, topic=topic)[:limit])


def feed_events(
    *, category: Category | None = None, topic: Topic | None = None, limit: int = 500
) -> list[Event]:
    """Events for a calendar subscription: upcoming ones and those of the last 90 days."""
    since = day_start(timezone.localdate() - datetime.timedelta(days=90))
    qs = Event.objects.published().filter(starts_at__gte=since)
    if category is not None:
        qs = qs.filter(category=category)
    if topic is not None:
        qs = qs.filter(topics=topic)
    return list(_with_relations(qs).order_by("starts_at", "pk")[:limit])


def visible_announcement_ids(ids: Iterable[int]) -> set[int]:
    """The ids among `ids` citizens may see now (for search hits: the index alone may lag)."""
    return set(
        Announcement.objects.published().filter(pk__in=list(ids)).values_list("pk", flat=True)
    )


def visible_event_ids(ids: Iterable[int]) -> set[int]:
    return set(Event.objects.published().filter(pk__in=list(ids)).values_list("pk", flat=True))


def image_item(kind: str, pk: int) -> Announcement | Event:
    """A published item with an image (for the image view); DoesNotExist otherwise."""
    model = Event if kind == "veranstaltung" else Announcement
    return model.objects.published().exclude(image="").only("image", "modified").get(pk=pk)
