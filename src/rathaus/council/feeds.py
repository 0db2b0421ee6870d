"""Feeds of the council information system: iCalendar, RSS 2.0 and Atom.

Feeds are fetched by calendar apps and feed readers without a session, so they show only
public objects (`visibility.PUBLIC`) whoever asks, and never read the session or set a
cookie. The one exception is the iCalendar file of a single meeting, a download from the
meeting page, which follows the reader like the page does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import feedgenerator, timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from rathaus.council import selectors, visibility
from rathaus.council.models import Meeting, Organization
from rathaus.council.views import read_search_request

FEED_ITEMS = 40
FeedClass = type[feedgenerator.Rss201rev2Feed] | type[feedgenerator.Atom1Feed]
ICAL_PRODID = "-//Rathaus//Ratsinformationssystem//DE"


# --- iCalendar ---------------------------------------------------------------------------


def _berlin_timezone() -> Timezone:
    """VTIMEZONE for Europe/Berlin by its rules (valid for every year, unlike a table)."""
    tz = Timezone()
    tz.add("tzid", "Europe/Berlin")
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", datetime.timedelta(hours=1))
    daylight.add("tzoffsetto", datetime.timedelta(hours=2))
    daylight.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))  # noqa: DTZ001 - floating
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", datetime.timedelta(hours=2))
    standard.add("tzoffsetto", datetime.timedelta(hours=1))
    standard.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))  # noqa: DTZ001 - floating
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def meeting_uid(meeting: Meeting) -> str:
    """Stable across renames and reschedules: calendars update the event instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "rathaus"
    return f"council-meeting-{meeting.pk}@{host}"


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value).replace(microsecond=0)


def _event(request: HttpRequest, meeting: Meeting, agenda: Sequence[str]) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.modified.astimezone(datetime.UTC).replace(microsecond=0))
    event.add("last-modified", meeting.modified.astimezone(datetime.UTC).replace(microsecond=0))
    summary = meeting.name
    if meeting.cancelled:
        summary = _("Abgesagt: %(name)s") % {"name": meeting.name}
    event.add("summary", summary)
    if meeting.start:
        event.add("dtstart", _local(meeting.start))
    if meeting.end and meeting.start and meeting.end > meeting.start:
        event.add("dtend", _local(meeting.end))
    if meeting.location_id and meeting.location:
        event.add("location", _location_text(meeting))
    url = request.build_absolute_uri(meeting.get_absolute_url())
    event.add("url", url)
    if meeting.cancelled:
        event.add("status", "CANCELLED")
    elif meeting.meeting_state == Meeting.State.SCHEDULED:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    lines = [", ".join(o.name for o in meeting.organizations.all())]
    if agenda:
        lines += ["", _("Tagesordnung (öffentlicher Teil):"), *agenda]
    lines += ["", url]
    event.add("description", "\n".join(line for line in lines if line is not None))
    if meeting.is_public and meeting.video_public_url:
        event.add("conference", meeting.video_public_url, parameters={"value": "URI"})
    return event


def _location_text(meeting: Meeting) -> str:
    loc = meeting.location
    if loc is None:
        return ""
    parts = [
        loc.description,
        loc.street_address,
        " ".join(p for p in (loc.postal_code, loc.locality) if p),
    ]
    if loc.room and loc.room not in loc.description:
        parts.insert(1, loc.room)
    return ", ".join(dict.fromkeys(p for p in parts if p))


def _agenda_lines(viewer: visibility.Viewer, meetings: Iterable[Meeting]) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = {}
    ids = [m.pk for m in meetings]
    if not ids:
        return lines
    for meeting_id, number, name in (
        visibility.agenda_items(viewer)
        .filter(meeting__in=ids)
        .order_by("meeting", "order", "pk")
        .values_list("meeting_id", "number", "name")
    ):
        lines.setdefault(meeting_id, []).append(f"{number} {name}".strip())
    return lines


def ical_response(
    request: HttpRequest,
    meetings: Sequence[Meeting],
    *,
    name: str,
    filename: str,
    viewer: visibility.Viewer = visibility.PUBLIC,
) -> HttpResponse:
    cal = Calendar()
    cal.add("prodid", ICAL_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    cal.add_component(_berlin_timezone())
    agenda = _agenda_lines(viewer, meetings)
    for meeting in meetings:
        cal.add_component(_event(request, meeting, agenda.get(meeting.pk, [])))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def meetings_ical(request: HttpRequest) -> HttpResponse:
    return ical_response(
        request,
        selectors.feed_meetings(),
        name=_("Sitzungen – %(town)s") % {"town": settings.RATHAUS_MUNICIPALITY},
        filename="sitzungen.ics",
    )


def _organization(pk: int, slug: str) -> Organization:
    try:
        return selectors.organization(pk)
    except selectors.NotVisible:
        raise Http404(_("Dieses Gremium gibt es nicht.")) from None


def organization_ical(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    org = _organization(pk, slug)
    if slug != org.slug:
        return redirect("council:organization_ical", pk=org.pk, slug=org.slug, permanent=True)
    return ical_response(
        request,
        selectors.feed_meetings(organization=org),
        name=_("Sitzungen: %(name)s") % {"name": org.name},
        filename=f"sitzungen-{org.slug}.ics",
    )


def meeting_ical(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as a calendar file; follows the reader's visibility like its page."""
    viewer = visibility.viewer_for(request.user)
    try:
        meeting = (
            visibility.meetings(viewer)
            .select_related("location")
            .prefetch_related("organizations")
            .get(pk=pk)
        )
    except Meeting.DoesNotExist:
        raise Http404(_("Diese Sitzung gibt es nicht.")) from None
    return ical_response(
        request,
        [meeting],
        name=meeting.name,
        filename=f"sitzung-{meeting.pk}.ics",
        viewer=viewer,
    )


# --- RSS and Atom ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str  # site-relative
    description: str
    unique_id: str  # site-relative, stable
    pubdate: datetime.datetime
    updateddate: datetime.datetime | None = None
    categories: tuple[str, ...] = ()


def _midnight(day: datetime.date | None, fallback: datetime.datetime) -> datetime.datetime:
    return selectors.day_start(day) if day else fallback


def feed_response(
    request: HttpRequest,
    feed_class: FeedClass,
    *,
    title: str,
    link: str,
    description: str,
    items: Iterable[FeedItem],
) -> HttpResponse:
    absolute = request.build_absolute_uri
    feed = feed_class(
        title=title,
        link=absolute(link),
        description=description,
        language=get_language() or settings.LANGUAGE_CODE,
        feed_url=absolute(request.get_full_path()),
        feed_guid=absolute(request.path),
    )
    ordered = sorted(items, key=lambda i: (i.pubdate, i.unique_id), reverse=True)[:FEED_ITEMS]
    for item in ordered:
        feed.add_item(
            title=item.title,
            link=absolute(item.link),
            description=item.description,
            unique_id=absolute(item.unique_id),
            unique_id_is_permalink=False,
            pubdate=item.pubdate,
            updateddate=item.updateddate or item.pubdate,
            categories=list(item.categories),
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def _meeting_item(meeting: Meeting) -> FeedItem:
    when = (
        date_format(timezone.localtime(meeting.start), "DATETIME_FORMAT") if meeting.start else ""
    )
    title = meeting.name
    if meeting.cancelled:
        title = _("Abgesagt: %(name)s") % {"name": meeting.name}
    description = _("Sitzung am %(when)s") % {"when": when} if when else ""
    return FeedItem(
        title=title,
        link=meeting.get_absolute_url(),
        description=description,
        unique_id=meeting.get_absolute_url(),
        pubdate=meeting.created,
        updateddate=meeting.modified,
        categories=(str(_("Sitzung")),),
    )


def _organization_items(org: Organization) -> list[FeedItem]:
    items: list[FeedItem] = []
    for paper in selectors.recent_papers(visibility.PUBLIC, limit=FEED_ITEMS, organization=org):
        items.append(
            FeedItem(
                title=str(paper),
                link=paper.get_absolute_url(),
                description=paper.paper_type,
                unique_id=paper.get_absolute_url(),
                pubdate=_midnight(paper.date, paper.created),
                updateddate=paper.modified,
                categories=(str(_("Drucksache")),),
            )
        )
    since = timezone.now() - datetime.timedelta(days=365)
    meetings = (
        visibility.meetings(visibility.PUBLIC)
        .filter(organizations=org, created__gte=since)
        .order_by("-created", "-pk")[:FEED_ITEMS]
    )
    items.extend(_meeting_item(m) for m in meetings)
    return items


def _organization_feed(
    request: HttpRequest, pk: int, slug: str, feed_class: FeedClass
) -> HttpResponse:
    org = _organization(pk, slug)
    return feed_response(
        request,
        feed_class,
        title=_("%(name)s: neue Drucksachen und Sitzungen") % {"name": org.name},
        link=org.get_absolute_url(),
        description=_("Neue Drucksachen und Sitzungen des Gremiums %(name)s, %(town)s.")
        % {"name": org.name, "town": settings.RATHAUS_MUNICIPALITY},
        items=_organization_items(org),
    )


def organization_rss(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return _organization_feed(request, pk, slug, feedgenerator.Rss201rev2Feed)


def organization_atom(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return _organization_feed(request, pk, slug, feedgenerator.Atom1Feed)


def _search_feed(request: HttpRequest, feed_class: FeedClass) -> HttpResponse:
    query = read_search_request(request.GET)
    found = selectors.search_council(
        visibility.PUBLIC,
        query.text,
        query.filters,
        sort=selectors.SORT_NEWEST,
        limit=FEED_ITEMS,
    )
    items = []
    for result in found.results:
        obj = result.obj
        when = getattr(obj, "created", None) or timezone.now()
        items.append(
            FeedItem(
                title=_strip_marks(result.title),
                link=result.url,
                description=_strip_marks(result.snippet) or result.context,
                unique_id=f"{result.url}#{result.kind}-{obj.pk}",
                pubdate=_midnight(result.date, when) if result.date else when,
                updateddate=getattr(obj, "modified", None),
            )
        )
    if query.text:
        title = _("Suche nach „%(q)s“ im Ratsinformationssystem") % {"q": query.text}
    else:
        title = _("Neue Drucksachen im Ratsinformationssystem")
    return feed_response(
        request,
        feed_class,
        title=title,
        link=query.url(seite="", sortierung=""),
        description=_("Neue Treffer im Ratsinformationssystem der %(town)s.")
        % {"town": settings.RATHAUS_MUNICIPALITY},
        items=items,
    )


def _strip_marks(text: str) -> str:
    return text.replace("\x02", "").replace("\x03", "")


def search_rss(request: HttpRequest) -> HttpResponse:
    return _search_feed(request, feedgenerator.Rss201rev2Feed)


def search_atom(request: HttpRequest) -> HttpResponse:
    return _search_feed(request, feedgenerator.Atom1Feed)


def _paper_feed(request: HttpRequest, pk: int, feed_class: FeedClass) -> HttpResponse:
    try:
        paper = selectors.public_paper(pk)
    except selectors.NotVisible:
        raise Http404(_("Diese Drucksache gibt es nicht.")) from None
    url = paper.get_absolute_url()
    items = [
        FeedItem(
            title=_("Drucksache %(paper)s eingebracht") % {"paper": paper},
            link=url,
            description=paper.paper_type,
            unique_id=f"{url}#drucksache",
            pubdate=_midnight(paper.date, paper.created),
        )
    ]
    for row in selectors.paper_consultations_for_feed(paper):
        consultation = row.consultation
        bodies = ", ".join(o.name for o in row.organizations) or _("Gremium")
        when = (
            date_format(timezone.localtime(row.date), "DATE_FORMAT") if row.date else _("geplant")
        )
        title = _("Beratung: %(bodies)s, %(when)s") % {"bodies": bodies, "when": when}
        if row.result:
            title += f" – {row.result}"
        changed = [consultation.modified]
        if row.meeting:
            changed.append(row.meeting.modified)
        if row.agenda_item:
            changed.append(row.agenda_item.modified)
        resolution = row.agenda_item.resolution_text if row.agenda_item else ""
        items.append(
            FeedItem(
                title=title,
                link=row.meeting.get_absolute_url() if row.meeting else url,
                description=resolution or consultation.role,
                unique_id=f"{url}#beratung-{consultation.pk}",
                pubdate=max(changed),
                updateddate=max(changed),
            )
        )
    if paper.answered_at and paper.answer_text:
        items.append(
            FeedItem(
                title=_("Antwort der Verwaltung auf %(paper)s") % {"paper": paper},
                link=url,
                description=paper.answer_text,
                unique_id=f"{url}#antwort",
                pubdate=paper.answered_at,
            )
        )
    return feed_response(
        request,
        feed_class,
        title=_("Drucksache %(paper)s: Beratungen") % {"paper": paper},
        link=url,
        description=_("Der Weg der Drucksache %(paper)s durch die Gremien.") % {"paper": paper},
        items=items,
    )


def paper_rss(request: HttpRequest, pk: int) -> HttpResponse:
    return _paper_feed(request, pk, feedgenerator.Rss201rev2Feed)


def paper_atom(request: HttpRequest, pk: int) -> HttpResponse:
    return _paper_feed(request, pk, feedgenerator.Atom1Feed)
