"""Reads of the council information system: what the citizen pages, the search and the feeds show.

Every function that returns meetings, agenda items, papers or files takes the `Viewer` and
reads through `visibility`; nothing here decides on its own who may see a non-public object.
Page selectors load a page's data in a fixed number of queries, whatever its size.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import search
from rathaus.core.models import SearchDocument
from rathaus.council import visibility
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)
from rathaus.council.services import (
    AGENDA_ITEM_KIND,
    FILE_KIND,
    MEETING_KIND,
    PAPER_KIND,
    SEARCH_KINDS,
)
from rathaus.council.visibility import Viewer


class NotVisible(Exception):
    """The object does not exist, is deleted, or the viewer may not see it (a 404 for all)."""


# --- small helpers -----------------------------------------------------------------------


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the town's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def is_current(
    start: datetime.date | None, end: datetime.date | None, today: datetime.date
) -> bool:
    return (start is None or start <= today) and (end is None or end >= today)


def current_organizations() -> QuerySet[Organization]:
    today = timezone.localdate()
    return Organization.objects.filter(deleted=False).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def committees() -> list[Organization]:
    """The bodies a meeting can belong to, for filters: current committees, by name."""
    return list(
        current_organizations()
        .filter(organization_type=Organization.Type.COMMITTEE)
        .only("pk", "name", "slug", "short_name")
        .order_by("name")
    )


# --- index -------------------------------------------------------------------------------


def upcoming_meetings(
    viewer: Viewer, *, limit: int = 10, organization: Organization | None = None
) -> list[Meeting]:
    qs = visibility.meetings(viewer).filter(start__gte=day_start(timezone.localdate()))
    if organization is not None:
        qs = qs.filter(organizations=organization)
    return list(
        qs.select_related("location")
        .prefetch_related("organizations")
        .order_by("start", "pk")[:limit]
    )


def recent_meetings(
    viewer: Viewer, *, limit: int = 10, organization: Organization | None = None
) -> list[Meeting]:
    qs = visibility.meetings(viewer).filter(start__lt=day_start(timezone.localdate()))
    if organization is not None:
        qs = qs.filter(organizations=organization)
    return list(qs.prefetch_related("organizations").order_by("-start", "-pk")[:limit])


def recent_papers(
    viewer: Viewer, *, limit: int = 10, organization: Organization | None = None
) -> list[Paper]:
    qs = visibility.papers(viewer)
    if organization is not None:
        qs = qs.filter(pk__in=_papers_of(organization).values("pk"))
    return list(qs.order_by("-date", "-pk")[:limit])


def _papers_of(organization: Organization) -> QuerySet[Paper]:
    """Papers an organization consults, leads or brought in (visibility applied by callers)."""
    return Paper.objects.filter(
        Q(consultations__organizations=organization)
        | Q(under_direction_of=organization)
        | Q(originator_organizations=organization)
    )


@dataclass
class OrganizationGroups:
    committees: list[Organization]
    factions: list[Organization]
    others: list[Organization]
    former: list[Organization]


def organization_groups() -> OrganizationGroups:
    """Every organization, grouped for the list page, with its number of current members."""
    today = timezone.localdate()
    current_members = Q(memberships__deleted=False) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    rows = Organization.objects.filter(deleted=False).annotate(
        member_count=Count("memberships__person", filter=current_members, distinct=True)
    )
    groups = OrganizationGroups([], [], [], [])
    for org in rows.order_by("name"):
        if org.end_date and org.end_date < today:
            groups.former.append(org)
        elif org.organization_type == Organization.Type.COMMITTEE:
            groups.committees.append(org)
        elif org.organization_type == Organization.Type.FACTION:
            groups.factions.append(org)
        else:
            groups.others.append(org)
    return groups


# --- calendar ----------------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class CalendarWeek:
    number: int  # ISO calendar week
    days: list[CalendarDay]


@dataclass
class MonthCalendar:
    year: int
    month: int
    weeks: list[CalendarWeek]

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
    def meeting_count(self) -> int:
        return sum(len(d.meetings) for w in self.weeks for d in w.days if d.in_month)


def month_calendar(
    viewer: Viewer, year: int, month: int, *, organization: Organization | None = None
) -> MonthCalendar:
    """The month as weeks (Monday first) with the visible meetings of each day."""
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks_dates[0][0], weeks_dates[-1][-1]
    qs = visibility.meetings(viewer).filter(
        start__gte=day_start(first), start__lt=day_start(last + datetime.timedelta(days=1))
    )
    if organization is not None:
        qs = qs.filter(organizations=organization)
    by_day: dict[datetime.date, list[Meeting]] = defaultdict(list)
    for meeting in qs.prefetch_related("organizations").order_by("start", "pk"):
        if meeting.start is not None:
            by_day[timezone.localtime(meeting.start).date()].append(meeting)
    today = timezone.localdate()
    weeks = [
        CalendarWeek(
            number=week[0].isocalendar()[1],
            days=[
                CalendarDay(
                    date=day,
                    in_month=day.month == month,
                    is_today=day == today,
                    meetings=by_day.get(day, []),
                )
                for day in week
            ],
        )
        for week in weeks_dates
    ]
    return MonthCalendar(year=year, month=month, weeks=weeks)


def meeting_list(
    viewer: Viewer, *, upcoming: bool, organization: Organization | None = None
) -> QuerySet[Meeting]:
    """Upcoming meetings soonest first, or past ones latest first (for a paginated list)."""
    start_of_today = day_start(timezone.localdate())
    qs = visibility.meetings(viewer).filter(start__isnull=False)
    if upcoming:
        qs = qs.filter(start__gte=start_of_today).order_by("start", "pk")
    else:
        qs = qs.filter(start__lt=start_of_today).order_by("-start", "-pk")
    if organization is not None:
        qs = qs.filter(organizations=organization)
    return qs.select_related("location").prefetch_related("organizations")


# --- meeting page ------------------------------------------------------------------------


@dataclass
class AgendaEntry:
    """One line of the agenda: a visible item, or a run of items the viewer may not see."""

    item: AgendaItem | None = None
    consultations: list[Consultation] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    faction_votes: list[Vote] = field(default_factory=list)
    person_votes: list[Vote] = field(default_factory=list)
    hidden_count: int = 0  # > 0: "nicht öffentlicher Teil" in place of that many items

    @property
    def hidden(self) -> bool:
        return self.item is None


@dataclass
class MeetingPage:
    meeting: Meeting
    organizations: list[Organization]
    agenda: list[AgendaEntry]
    invitation: File | None
    results_protocol: File | None
    verbatim_protocol: File | None
    auxiliary_files: list[File]
    public_video_url: str

    @property
    def is_past(self) -> bool:
        return self.meeting.start is not None and self.meeting.start < timezone.now()


def _visible_files(viewer: Viewer, ids: Iterable[int | None]) -> dict[int, File]:
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {f.pk: f for f in visibility.files(viewer).filter(pk__in=wanted)}


def meeting_page(viewer: Viewer, pk: int) -> MeetingPage:
    try:
        meeting = (
            visibility.meetings(viewer)
            .select_related("location")
            .prefetch_related("organizations")
            .get(pk=pk)
        )
    except Meeting.DoesNotExist:
        raise NotVisible from None
    all_items = list(
        AgendaItem.objects.filter(meeting=meeting, deleted=False)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    visible_items = {
        item.pk: item
        for item in visibility.agenda_items(viewer)
        .filter(meeting=meeting)
        .select_related("resolution_file")
    }
    visible_ids = list(visible_items)
    consultations: dict[int, list[Consultation]] = defaultdict(list)
    for consultation in (
        Consultation.objects.filter(
            agenda_item__in=visible_ids,
            deleted=False,
            paper__in=visibility.papers(viewer),
        )
        .select_related("paper")
        .order_by("pk")
    ):
        if consultation.agenda_item_id is not None:
            consultations[consultation.agenda_item_id].append(consultation)
    faction_votes: dict[int, list[Vote]] = defaultdict(list)
    person_votes: dict[int, list[Vote]] = defaultdict(list)
    for vote in (
        Vote.objects.filter(agenda_item__in=visible_ids)
        .select_related("faction", "person")
        .order_by("faction__name", "person__family_name", "person__name", "pk")
    ):
        (faction_votes if vote.faction_id else person_votes)[vote.agenda_item_id].append(vote)

    meeting_aux = list(
        Meeting.auxiliary_files.through.objects.filter(meeting_id=meeting.pk).values_list(
            "file_id", flat=True
        )
    )
    item_aux: dict[int, list[int]] = defaultdict(list)
    for item_id, file_id in AgendaItem.auxiliary_files.through.objects.filter(
        agendaitem_id__in=visible_ids
    ).values_list("agendaitem_id", "file_id"):
        item_aux[item_id].append(file_id)
    files = _visible_files(
        viewer,
        [
            meeting.invitation_id,
            meeting.results_protocol_id,
            meeting.verbatim_protocol_id,
            *meeting_aux,
            *(i.resolution_file_id for i in visible_items.values()),
            *(f for ids in item_aux.values() for f in ids),
        ],
    )

    agenda: list[AgendaEntry] = []
    for item_pk in all_items:
        item = visible_items.get(item_pk)
        if item is None:
            # Consecutive items the viewer may not see become one "non-public part".
            if agenda and agenda[-1].hidden:
                agenda[-1].hidden_count += 1
            else:
                agenda.append(AgendaEntry(hidden_count=1))
            continue
        item_files = [files[f] for f in [item.resolution_file_id, *item_aux[item.pk]] if f in files]
        agenda.append(
            AgendaEntry(
                item=item,
                consultations=consultations[item.pk],
                files=item_files,
                faction_votes=faction_votes[item.pk],
                person_votes=person_votes[item.pk],
            )
        )
    return MeetingPage(
        meeting=meeting,
        organizations=list(meeting.organizations.all()),
        agenda=agenda,
        invitation=files.get(meeting.invitation_id or 0),
        results_protocol=files.get(meeting.results_protocol_id or 0),
        verbatim_protocol=files.get(meeting.verbatim_protocol_id or 0),
        auxiliary_files=[files[f] for f in meeting_aux if f in files],
        # Only the public stream of a public hybrid meeting; join links are for members.
        public_video_url=meeting.video_public_url if meeting.is_public else "",
    )


def agenda_item(viewer: Viewer, pk: int) -> AgendaItem:
    try:
        return visibility.agenda_items(viewer).select_related("meeting").get(pk=pk)
    except AgendaItem.DoesNotExist:
        raise NotVisible from None


# --- paper page --------------------------------------------------------------------------

# Results that end a paper's way (at its deciding body) or take it off the agenda.
FINAL_RESULTS = (
    "beschlossen",
    "geändert beschlossen",
    "angenommen",
    "abgelehnt",
    "zur kenntnis genommen",
    "kenntnis genommen",
    "erledigt",
)
WITHDRAWN_RESULTS = ("zurückgezogen",)


@dataclass
class ConsultationRow:
    """One step of a paper's way: body, meeting (if visible), result (if the item is)."""

    consultation: Consultation
    organizations: list[Organization]
    meeting: Meeting | None
    agenda_item: AgendaItem | None

    @property
    def date(self) -> datetime.datetime | None:
        return self.meeting.start if self.meeting else None

    @property
    def result(self) -> str:
        return self.agenda_item.result if self.agenda_item else ""

    @property
    def upcoming(self) -> bool:
        return self.meeting is None or (
            self.meeting.start is not None and self.meeting.start >= timezone.now()
        )


@dataclass(frozen=True)
class PaperStatus:
    code: str  # "new", "in_consultation", "decided", "withdrawn"
    label: str
    result: str = ""
    organizations: str = ""
    date: datetime.datetime | None = None


def paper_status(rows: Sequence[ConsultationRow]) -> PaperStatus:
    """Where a paper stands, from the consultations the reader can see (never hidden ones).

    Decided: a final result (beschlossen, abgelehnt, zur Kenntnis genommen …) at a deciding
    consultation, or at the last one when none is marked deciding. Withdrawn: a consultation
    says so. In consultation: anything else with consultations. New: none yet.
    """
    if not rows:
        return PaperStatus("new", str(_("eingebracht, noch nicht beraten")))
    for row in rows:
        if row.result.strip().lower() in WITHDRAWN_RESULTS:
            return PaperStatus(
                "withdrawn",
                str(_("zurückgezogen")),
                result=row.result,
                organizations=_names(row.organizations),
                date=row.date,
            )
    deciding = [r for r in rows if r.consultation.authoritative] or [rows[-1]]
    for row in deciding:
        if row.result.strip().lower() in FINAL_RESULTS and not row.upcoming:
            return PaperStatus(
                "decided",
                str(_("abgeschlossen")),
                result=row.result,
                organizations=_names(row.organizations),
                date=row.date,
            )
    upcoming = [r for r in rows if r.upcoming]
    nxt = upcoming[0] if upcoming else None
    return PaperStatus(
        "in_consultation",
        str(_("in Beratung")),
        organizations=_names(nxt.organizations) if nxt else "",
        date=nxt.date if nxt else None,
    )


def _names(organizations: Iterable[Organization]) -> str:
    return ", ".join(o.name for o in organizations)


@dataclass
class PaperPage:
    paper: Paper
    main_file: File | None
    auxiliary_files: list[File]
    answer_file: File | None
    consultations: list[ConsultationRow]
    status: PaperStatus
    originator_persons: list[Person]
    originator_organizations: list[Organization]
    under_direction_of: list[Organization]
    related: list[Paper]
    superordinated: list[Paper]
    subordinated: list[Paper]

    @property
    def is_inquiry(self) -> bool:
        return bool(self.paper.questions or self.paper.inquiry_status)

    @property
    def questions(self) -> list[str]:
        """The questions as a list, also when a mirrored system sent one text."""
        questions = self.paper.questions
        if isinstance(questions, str):
            return [questions] if questions.strip() else []
        return [str(q) for q in questions or [] if q]


def consultation_rows(
    viewer: Viewer, consultations: Sequence[Consultation]
) -> list[ConsultationRow]:
    """A paper's consultations with only what the viewer may see, by meeting date (planned last)."""
    meeting_ids = {c.meeting_id for c in consultations if c.meeting_id}
    item_ids = {c.agenda_item_id for c in consultations if c.agenda_item_id}
    meetings = (
        {m.pk: m for m in visibility.meetings(viewer).filter(pk__in=meeting_ids)}
        if meeting_ids
        else {}
    )
    items = (
        {
            i.pk: i
            for i in visibility.agenda_items(viewer)
            .filter(pk__in=item_ids)
            .select_related("meeting")
        }
        if item_ids
        else {}
    )
    rows = []
    for c in consultations:
        item = items.get(c.agenda_item_id or 0)
        meeting: Meeting | None = None
        # A consultation in a meeting the viewer may not see is left out entirely.
        if c.meeting_id:
            meeting = meetings.get(c.meeting_id)
            if meeting is None:
                continue
        elif c.agenda_item_id:
            if item is None:
                continue
            meeting = item.meeting
        rows.append(
            ConsultationRow(
                consultation=c,
                organizations=list(c.organizations.all()),
                meeting=meeting,
                agenda_item=item,
            )
        )
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda r: (r.date or far_future, r.consultation.pk))
    return rows


def paper_page(viewer: Viewer, pk: int) -> PaperPage:
    visible_papers = visibility.papers(viewer)
    try:
        paper = visible_papers.prefetch_related(
            "originator_persons",
            "originator_organizations",
            "under_direction_of",
            Prefetch(
                "consultations",
                queryset=Consultation.objects.filter(deleted=False)
                .prefetch_related("organizations")
                .order_by("pk"),
            ),
        ).get(pk=pk)
    except Paper.DoesNotExist:
        raise NotVisible from None
    aux_ids = list(
        Paper.auxiliary_files.through.objects.filter(paper_id=paper.pk).values_list(
            "file_id", flat=True
        )
    )
    files = _visible_files(viewer, [paper.main_file_id, paper.answer_file_id, *aux_ids])
    rows = consultation_rows(viewer, list(paper.consultations.all()))
    # Related, superordinated and subordinated papers in one query, each visible.
    related_ids = set(
        Paper.related_papers.through.objects.filter(from_paper_id=paper.pk).values_list(
            "to_paper_id", flat=True
        )
    )
    super_ids: set[int] = set()
    sub_ids: set[int] = set()
    for from_id, to_id in Paper.superordinated_papers.through.objects.filter(
        Q(from_paper_id=paper.pk) | Q(to_paper_id=paper.pk)
    ).values_list("from_paper_id", "to_paper_id"):
        if from_id == paper.pk:
            super_ids.add(to_id)
        else:
            sub_ids.add(from_id)
    others = (
        {p.pk: p for p in visible_papers.filter(pk__in=related_ids | super_ids | sub_ids)}
        if related_ids | super_ids | sub_ids
        else {}
    )

    def pick(ids: set[int]) -> list[Paper]:
        return sorted(
            (others[i] for i in ids if i in others),
            key=lambda p: (p.date or datetime.date.min, p.pk),
            reverse=True,
        )

    return PaperPage(
        paper=paper,
        main_file=files.get(paper.main_file_id or 0),
        auxiliary_files=[files[f] for f in aux_ids if f in files],
        answer_file=files.get(paper.answer_file_id or 0),
        consultations=rows,
        status=paper_status(rows),
        originator_persons=list(paper.originator_persons.all()),
        originator_organizations=list(paper.originator_organizations.all()),
        under_direction_of=list(paper.under_direction_of.all()),
        related=pick(related_ids),
        superordinated=pick(super_ids),
        subordinated=pick(sub_ids),
    )


# --- persons and organizations -----------------------------------------------------------


@dataclass
class PersonPage:
    person: Person
    current: list[Membership]
    past: list[Membership]
    papers: list[Paper]

    @property
    def emails(self) -> list[str]:
        return _as_list(self.person.email)

    @property
    def phones(self) -> list[str]:
        return _as_list(self.person.phone)

    @property
    def titles(self) -> list[str]:
        return _as_list(self.person.title)

    @property
    def factions(self) -> list[Organization]:
        return [
            m.organization
            for m in self.current
            if m.organization.organization_type == Organization.Type.FACTION
        ]


def _as_list(value: Any) -> list[str]:
    """OParl lists (email, phone, title) as a list, also when a mirrored system sent text."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value or [] if v]


def persons() -> QuerySet[Person]:
    return Person.objects.filter(deleted=False)


def person_list() -> list[tuple[Person, list[Organization]]]:
    """Every person with their current factions, alphabetically by family name."""
    today = timezone.localdate()
    current_factions = (
        Membership.objects.current(on=today)
        .filter(
            organization__organization_type=Organization.Type.FACTION,
            organization__deleted=False,
        )
        .select_related("organization")
    )
    people = persons().prefetch_related(
        Prefetch("memberships", queryset=current_factions, to_attr="current_factions")
    )
    return [
        (p, [m.organization for m in p.current_factions])
        for p in people.order_by("family_name", "given_name", "name", "pk")
    ]


def person_page(viewer: Viewer, pk: int) -> PersonPage:
    try:
        person = persons().get(pk=pk)
    except Person.DoesNotExist:
        raise NotVisible from None
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(person=person, deleted=False, organization__deleted=False)
        .select_related("organization", "on_behalf_of")
        .order_by("-start_date", "organization__name")
    )
    current = [m for m in memberships if is_current(m.start_date, m.end_date, today)]
    past = [m for m in memberships if m not in current]
    # Factions first: they say most about a person's place in the council.
    current.sort(
        key=lambda m: (
            m.organization.organization_type != Organization.Type.FACTION,
            m.organization.name,
        )
    )
    papers = list(
        visibility.papers(viewer).filter(originator_persons=person).order_by("-date", "-pk")[:20]
    )
    return PersonPage(person=person, current=current, past=past, papers=papers)


@dataclass
class FactionGroup:
    faction: Organization | None
    memberships: list[Membership]


@dataclass
class OrganizationPage:
    organization: Organization
    groups: list[FactionGroup]  # current members by faction
    former: list[Membership]
    upcoming: list[Meeting]
    recent: list[Meeting]
    papers: list[Paper]

    @property
    def member_count(self) -> int:
        return sum(len(g.memberships) for g in self.groups)


def organization(pk: int) -> Organization:
    try:
        return Organization.objects.filter(deleted=False).select_related("body").get(pk=pk)
    except Organization.DoesNotExist:
        raise NotVisible from None


def organization_page(viewer: Viewer, org: Organization) -> OrganizationPage:
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(organization=org, deleted=False, person__deleted=False)
        .select_related("person", "on_behalf_of")
        .order_by("person__family_name", "person__given_name", "person__name", "pk")
    )
    current = [m for m in memberships if is_current(m.start_date, m.end_date, today)]
    former = [m for m in memberships if m not in current]
    former.sort(key=lambda m: m.end_date or datetime.date.min, reverse=True)
    groups: list[FactionGroup] = []
    if org.organization_type == Organization.Type.FACTION:
        groups = [FactionGroup(faction=None, memberships=current)] if current else []
    else:
        # A member sits for the faction named on the membership or, failing that, for the
        # faction they currently belong to.
        faction_of: dict[int, Organization] = {}
        for m in (
            Membership.objects.current(on=today)
            .filter(
                person__in=[m.person_id for m in current],
                organization__organization_type=Organization.Type.FACTION,
            )
            .select_related("organization")
        ):
            faction_of.setdefault(m.person_id, m.organization)
        by_faction: dict[int | None, FactionGroup] = {}
        for m in current:
            faction = m.on_behalf_of or faction_of.get(m.person_id)
            key = faction.pk if faction else None
            by_faction.setdefault(key, FactionGroup(faction=faction, memberships=[]))
            by_faction[key].memberships.append(m)
        groups = sorted(
            by_faction.values(),
            key=lambda g: (
                g.faction is None,
                -len(g.memberships),
                g.faction.name if g.faction else "",
            ),
        )
    return OrganizationPage(
        organization=org,
        groups=groups,
        former=former,
        upcoming=upcoming_meetings(viewer, limit=5, organization=org),
        recent=recent_meetings(viewer, limit=10, organization=org),
        papers=recent_papers(viewer, limit=10, organization=org),
    )


# --- files -------------------------------------------------------------------------------


def file_for_download(viewer: Viewer, pk: int) -> File:
    try:
        return visibility.files(viewer).get(pk=pk)
    except File.DoesNotExist:
        raise NotVisible from None


# --- search ------------------------------------------------------------------------------

SORT_RELEVANCE, SORT_NEWEST, SORT_OLDEST = "relevanz", "neueste", "aelteste"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_OLDEST)
SEARCH_LIMIT = 500


@dataclass
class SearchFilters:
    paper_type: str = ""
    organization: Organization | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.paper_type or self.organization or self.date_from or self.date_to)


@dataclass
class SearchResult:
    """One hit as the results page shows it."""

    kind: str
    obj: Any
    title: str  # with search markers (see the `highlight` filter)
    url: str
    snippet: str
    date: datetime.date | None
    context: str = ""  # e.g. the paper or meeting a file belongs to
    context_url: str = ""
    download_url: str = ""


@dataclass
class SearchPage:
    results: list[SearchResult]
    total: int
    corrections: dict[str, str] = field(default_factory=dict)


def _date_bounds(
    filters: SearchFilters,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    start = day_start(filters.date_from) if filters.date_from else None
    end = day_start(filters.date_to + datetime.timedelta(days=1)) if filters.date_to else None
    return start, end


def _filtered_papers(viewer: Viewer, filters: SearchFilters) -> QuerySet[Paper]:
    qs = visibility.papers(viewer)
    if filters.paper_type:
        qs = qs.filter(paper_type=filters.paper_type)
    if filters.organization is not None:
        qs = qs.filter(pk__in=_papers_of(filters.organization).values("pk"))
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs


def _filtered_meetings(viewer: Viewer, filters: SearchFilters) -> QuerySet[Meeting]:
    qs = visibility.meetings(viewer)
    if filters.paper_type:
        return qs.none()  # a meeting has no paper type
    if filters.organization is not None:
        qs = qs.filter(organizations=filters.organization)
    start, end = _date_bounds(filters)
    if start:
        qs = qs.filter(start__gte=start)
    if end:
        qs = qs.filter(start__lt=end)
    return qs


def _filtered_items(viewer: Viewer, filters: SearchFilters) -> QuerySet[AgendaItem]:
    qs = visibility.agenda_items(viewer)
    if filters.paper_type:
        qs = qs.filter(
            pk__in=Consultation.objects.filter(paper__paper_type=filters.paper_type).values(
                "agenda_item"
            )
        )
    if filters.organization is not None:
        qs = qs.filter(meeting__organizations=filters.organization)
    start, end = _date_bounds(filters)
    if start:
        qs = qs.filter(meeting__start__gte=start)
    if end:
        qs = qs.filter(meeting__start__lt=end)
    return qs


def _filtered_files(viewer: Viewer, filters: SearchFilters) -> QuerySet[File]:
    qs = visibility.files(viewer)
    if filters.paper_type or filters.organization is not None:
        # A file matches through what it belongs to: papers of that type or body, and (for
        # the body filter) the body's meetings and their agenda items.
        papers = Paper.objects.all()
        if filters.paper_type:
            papers = papers.filter(paper_type=filters.paper_type)
        if filters.organization is not None:
            papers = papers.filter(pk__in=_papers_of(filters.organization).values("pk"))
        owned = (
            Q(pk__in=papers.values("main_file"))
            | Q(pk__in=papers.values("auxiliary_files"))
            | Q(pk__in=papers.values("answer_file"))
        )
        if filters.organization is not None and not filters.paper_type:
            meetings = Meeting.objects.filter(organizations=filters.organization)
            items = AgendaItem.objects.filter(meeting__in=meetings)
            owned |= (
                Q(pk__in=meetings.values("invitation"))
                | Q(pk__in=meetings.values("results_protocol"))
                | Q(pk__in=meetings.values("verbatim_protocol"))
                | Q(pk__in=meetings.values("auxiliary_files"))
                | Q(pk__in=items.values("resolution_file"))
                | Q(pk__in=items.values("auxiliary_files"))
            )
        qs = qs.filter(owned)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs


def _as_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def _candidates(
    viewer: Viewer, filters: SearchFilters, wanted: dict[str, list[int]]
) -> dict[tuple[str, int], datetime.date | None]:
    """The hits the viewer may see and the filters keep, with each one's date: one query
    per kind that has hits."""
    found: dict[tuple[str, int], datetime.date | None] = {}
    specs: list[tuple[str, Callable[[Viewer, SearchFilters], QuerySet[Any]], str]] = [
        (PAPER_KIND, _filtered_papers, "date"),
        (MEETING_KIND, _filtered_meetings, "start"),
        (AGENDA_ITEM_KIND, _filtered_items, "meeting__start"),
        (FILE_KIND, _filtered_files, "date"),
    ]
    for kind, filtered, date_field in specs:
        ids = wanted.get(kind)
        if not ids:
            continue  # building some visible querysets costs queries of its own
        qs = filtered(viewer, filters)
        for pk, value in qs.filter(pk__in=ids).values_list("pk", date_field):
            found[(kind, pk)] = _as_date(value)
    return found


def _sort(
    keys: list[tuple[str, int]],
    dates: dict[tuple[str, int], datetime.date | None],
    rank: dict[tuple[str, int], float],
    sort: str,
) -> list[tuple[str, int]]:
    if sort == SORT_RELEVANCE:
        return sorted(keys, key=lambda k: (-rank.get(k, 0.0), k))
    newest_first = sort == SORT_NEWEST
    dated = [k for k in keys if dates.get(k)]
    undated = [k for k in keys if not dates.get(k)]
    dated.sort(key=lambda k: (dates[k], rank.get(k, 0.0)), reverse=newest_first)
    return dated + sorted(undated, key=lambda k: (-rank.get(k, 0.0), k))


def search_council(
    viewer: Viewer,
    text: str,
    filters: SearchFilters | None = None,
    *,
    sort: str = SORT_RELEVANCE,
    offset: int = 0,
    limit: int = 20,
) -> SearchPage:
    """Full-text search over papers, agenda items, meetings and file texts.

    The index holds non-public objects too; hits are intersected with what the viewer may
    see before anything else, and snippets are built only for the page shown. With an
    empty `text` the filtered papers are listed instead, newest first.
    """
    filters = filters or SearchFilters()
    if not text.strip():
        return _browse_papers(viewer, filters, sort=sort, offset=offset, limit=limit)
    hits, query = search.search(text, kinds=list(SEARCH_KINDS), snippets=False, limit=SEARCH_LIMIT)
    rank = {(h.kind, h.object_id): h.rank for h in hits}
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in rank:
        wanted[kind].append(object_id)
    dates = _candidates(viewer, filters, wanted)
    ordered = _sort(list(dates), dates, rank, sort)
    page_keys = ordered[offset : offset + limit]
    results = _load_results(viewer, page_keys, dates)
    texts = _document_texts(page_keys)
    for result in results:
        title, body = texts.get((result.kind, result.obj.pk), (result.title, ""))
        result.title = search.make_snippet(title, query, length=max(len(title), 1) + 10) or title
        result.snippet = search.make_snippet(body, query) if body else ""
    # A "did you mean" word must come from something the reader may see (the index also
    # holds non-public texts): only corrections found in the texts of this page are kept.
    seen_words = {w for title, body in texts.values() for w in search.words(f"{title} {body}")}
    corrections = {k: v for k, v in query.corrections.items() if v in seen_words}
    return SearchPage(results=results, total=len(ordered), corrections=corrections)


def _browse_papers(
    viewer: Viewer, filters: SearchFilters, *, sort: str, offset: int, limit: int
) -> SearchPage:
    qs = _filtered_papers(viewer, filters)
    order = ["date", "pk"] if sort == SORT_OLDEST else ["-date", "-pk"]
    total = qs.count()
    page = list(qs.order_by(*order)[offset : offset + limit])
    return SearchPage(
        results=[
            SearchResult(
                kind=PAPER_KIND,
                obj=p,
                title=str(p),
                url=p.get_absolute_url(),
                snippet="",
                date=p.date,
            )
            for p in page
        ],
        total=total,
    )


def _document_texts(keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str]]:
    if not keys:
        return {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    condition = Q()
    for kind, ids in by_kind.items():
        condition |= Q(kind=kind, object_id__in=ids)
    return {
        (kind, object_id): (title, body)
        for kind, object_id, title, body in SearchDocument.objects.filter(condition).values_list(
            "kind", "object_id", "title", "body"
        )
    }


def _load_results(
    viewer: Viewer,
    keys: Sequence[tuple[str, int]],
    dates: dict[tuple[str, int], datetime.date | None],
) -> list[SearchResult]:
    """The objects of one page of hits (already known visible), at most a query per kind."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    papers = Paper.objects.in_bulk(by_kind[PAPER_KIND]) if by_kind[PAPER_KIND] else {}
    meetings = (
        Meeting.objects.prefetch_related("organizations").in_bulk(by_kind[MEETING_KIND])
        if by_kind[MEETING_KIND]
        else {}
    )
    items = (
        AgendaItem.objects.select_related("meeting").in_bulk(by_kind[AGENDA_ITEM_KIND])
        if by_kind[AGENDA_ITEM_KIND]
        else {}
    )
    files = File.objects.in_bulk(by_kind[FILE_KIND]) if by_kind[FILE_KIND] else {}
    owners = file_owners(viewer, list(files)) if files else {}
    results: list[SearchResult] = []
    for kind, pk in keys:
        date = dates.get((kind, pk))
        if kind == PAPER_KIND and pk in papers:
            paper = papers[pk]
            results.append(
                SearchResult(kind, paper, str(paper), paper.get_absolute_url(), "", date)
            )
        elif kind == MEETING_KIND and pk in meetings:
            meeting = meetings[pk]
            results.append(
                SearchResult(
                    kind,
                    meeting,
                    meeting.name,
                    meeting.get_absolute_url(),
                    "",
                    date,
                    context=_names(meeting.organizations.all()),
                )
            )
        elif kind == AGENDA_ITEM_KIND and pk in items:
            item = items[pk]
            results.append(
                SearchResult(
                    kind,
                    item,
                    item.name,
                    f"{item.meeting.get_absolute_url()}#top-{item.pk}",
                    "",
                    date,
                    context=item.meeting.name,
                    context_url=item.meeting.get_absolute_url(),
                )
            )
        elif kind == FILE_KIND and pk in files:
            file = files[pk]
            label, owner_url = owners.get(pk, ("", ""))
            download = reverse("council:file", kwargs={"pk": pk})
            results.append(
                SearchResult(
                    kind,
                    file,
                    str(file),
                    owner_url or download,
                    "",
                    date,
                    context=label,
                    context_url=owner_url,
                    download_url=download,
                )
            )
    return results


def file_owners(viewer: Viewer, file_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """For each file, the visible paper (else meeting, else agenda item) it belongs to:
    (label, url). Three queries, whatever the number of files."""
    ids = list(file_ids)
    owners: dict[int, tuple[str, str]] = {}
    for paper_row in (
        visibility.papers(viewer)
        .filter(Q(main_file__in=ids) | Q(auxiliary_files__in=ids) | Q(answer_file__in=ids))
        .values_list("pk", "reference", "name", "main_file", "answer_file", "auxiliary_files")
    ):
        pk, reference, name, *attached = paper_row
        url = reverse("council:paper", kwargs={"pk": pk})
        for file_id in attached:
            if file_id in ids:
                owners.setdefault(file_id, (f"{reference} {name}".strip(), url))
    for meeting_row in (
        visibility.meetings(viewer)
        .filter(
            Q(invitation__in=ids)
            | Q(results_protocol__in=ids)
            | Q(verbatim_protocol__in=ids)
            | Q(auxiliary_files__in=ids)
        )
        .values_list(
            "pk", "name", "invitation", "results_protocol", "verbatim_protocol", "auxiliary_files"
        )
    ):
        pk, name, *attached = meeting_row
        url = reverse("council:meeting", kwargs={"pk": pk})
        for file_id in attached:
            if file_id in ids:
                owners.setdefault(file_id, (name, url))
    for item_row in (
        visibility.agenda_items(viewer)
        .filter(Q(resolution_file__in=ids) | Q(auxiliary_files__in=ids))
        .values_list("pk", "name", "meeting_id", "resolution_file", "auxiliary_files")
    ):
        pk, name, meeting_id, *attached = item_row
        url = reverse("council:meeting", kwargs={"pk": meeting_id}) + f"#top-{pk}"
        for file_id in attached:
            if file_id in ids:
                owners.setdefault(file_id, (name, url))
    return owners


def paper_types(viewer: Viewer) -> list[str]:
    return list(
        visibility.papers(viewer)
        .exclude(paper_type="")
        .order_by("paper_type")
        .values_list("paper_type", flat=True)
        .distinct()
    )


# --- feeds -------------------------------------------------------------------------------


def feed_meetings(*, organization: Organization | None = None) -> list[Meeting]:
    """Public meetings for the calendar feeds: from a year back on, oldest first."""
    since = day_start(timezone.localdate() - datetime.timedelta(days=365))
    qs = visibility.meetings(visibility.PUBLIC).filter(start__gte=since)
    if organization is not None:
        qs = qs.filter(organizations=organization)
    return list(
        qs.select_related("location").prefetch_related("organizations").order_by("start", "pk")
    )


def paper_consultations_for_feed(paper: Paper) -> list[ConsultationRow]:
    consultations = list(
        Consultation.objects.filter(paper=paper, deleted=False).prefetch_related("organizations")
    )
    return consultation_rows(visibility.PUBLIC, consultations)


def public_paper(pk: int) -> Paper:
    try:
        return visibility.papers(visibility.PUBLIC).get(pk=pk)
    except Paper.DoesNotExist:
        raise NotVisible from None
