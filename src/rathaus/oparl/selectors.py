"""Reads for the OParl 1.1 server: which objects the API shows, in which lists, page by page.

The API is anonymous, so everything is read as `visibility.PUBLIC` through the council's one
visibility rule: a non-public meeting, agenda item, paper or file does not exist here (404,
absent from lists and from `totalElements`). Deleted objects stay addressable as stubs
(OParl's soft delete) and appear in lists only when `modified_since` is given.

Every list page loads its related objects with a fixed number of queries, whatever the
page size: embedded objects through `Prefetch` querysets that apply the same rule, plain
references as ids only.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet

from rathaus.council import visibility
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)

# The API never knows who asks: no cookies, no session, no sign-in.
VIEWER = visibility.PUBLIC

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

# URL segment -> model. The segment is also the key of every per-type table below.
MODELS: dict[str, type[Model]] = {
    "body": Body,
    "legislativeterm": LegislativeTerm,
    "organization": Organization,
    "person": Person,
    "membership": Membership,
    "meeting": Meeting,
    "agendaitem": AgendaItem,
    "paper": Paper,
    "consultation": Consultation,
    "file": File,
    "location": Location,
}

# The lists a body links to (`Body.organization`, `Body.locationList` …), by URL segment.
BODY_LISTS = (
    "organization",
    "person",
    "meeting",
    "paper",
    "legislativeterm",
    "agendaitem",
    "consultation",
    "file",
    "location",
    "membership",
)
# The external lists of an organization (`Organization.meeting`, `.consultation`).
ORGANIZATION_LISTS = ("meeting", "consultation")


@dataclass(frozen=True)
class ListFilters:
    """OParl's list filters; all bounds are inclusive."""

    created_since: datetime.datetime | None = None
    created_until: datetime.datetime | None = None
    modified_since: datetime.datetime | None = None
    modified_until: datetime.datetime | None = None

    @property
    def with_deleted(self) -> bool:
        # OParl 1.1: deleted objects are listed exactly when the client asks for changes.
        return self.modified_since is not None


@dataclass
class Page:
    objects: list[Any]
    total: int
    number: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))


class PageOutOfRange(Exception):
    def __init__(self, number: int, pages: int) -> None:
        super().__init__(number, pages)
        self.number = number
        self.pages = pages


# --- Which objects exist for the API ----------------------------------------------------


def consultations() -> QuerySet[Consultation]:
    """Consultations of visible papers; one without a paper counts with its meeting."""
    return Consultation.objects.filter(deleted=False).filter(
        Q(paper__in=visibility.papers(VIEWER))
        | Q(paper__isnull=True, meeting__in=visibility.meetings(VIEWER))
    )


def live(kind: str) -> QuerySet[Any]:
    """The objects of one type the API shows in full."""
    if kind == "meeting":
        return visibility.meetings(VIEWER)
    if kind == "agendaitem":
        return visibility.agenda_items(VIEWER)
    if kind == "paper":
        return visibility.papers(VIEWER)
    if kind == "file":
        return visibility.files(VIEWER)
    if kind == "consultation":
        return consultations()
    return MODELS[kind]._default_manager.filter(deleted=False)


def _deleted(kind: str) -> QuerySet[Any]:
    """Deleted objects shown as stubs: those the visibility rule would show to anybody.

    The rule itself skips deleted objects, so its flags are applied here to the deleted
    ones: a non-public paper stays invisible after deletion, too.
    """
    qs = MODELS[kind]._default_manager.filter(deleted=True)
    if kind in ("meeting", "paper", "file"):
        return qs.filter(is_public=True)
    if kind == "agendaitem":
        return qs.filter(public=True, meeting__is_public=True)
    if kind == "consultation":
        return qs.filter(Q(paper__is_public=True) | Q(paper__isnull=True, meeting__is_public=True))
    return qs


def addressable(kind: str) -> QuerySet[Any]:
    """Everything with a URL: shown objects and deleted stubs."""
    return live(kind) | _deleted(kind)


def get_object(kind: str, pk: int) -> Any | None:
    """One object for `/<type>/<id>`, its related objects loaded; None means 404."""
    return with_related(kind, addressable(kind).filter(pk=pk)).first()


def body_exists(pk: int) -> bool:
    return addressable("body").filter(pk=pk).exists()


def organization_exists(pk: int) -> bool:
    return addressable("organization").filter(pk=pk).exists()


# --- Lists ------------------------------------------------------------------------------


def _meeting_in_body(body_id: int, meeting_ref: str = "pk") -> Exists:
    return Exists(
        Meeting.organizations.through.objects.filter(
            meeting_id=OuterRef(meeting_ref), organization__body_id=body_id
        )
    )


def _in_body(kind: str, qs: QuerySet[Any], body_id: int) -> QuerySet[Any]:
    """The part of a list that belongs to one body (Rathaus may serve mirrored bodies)."""
    if kind in ("organization", "person", "paper", "legislativeterm"):
        return qs.filter(body_id=body_id)
    if kind == "membership":
        return qs.filter(organization__body_id=body_id)
    if kind == "meeting":
        # A meeting belongs to the bodies of its organizations (Exists: no duplicates).
        return qs.filter(_meeting_in_body(body_id))
    if kind == "agendaitem":
        return qs.filter(_meeting_in_body(body_id, "meeting_id"))
    if kind == "consultation":
        return qs.filter(
            Q(paper__body_id=body_id)
            | Q(paper__isnull=True) & _meeting_in_body(body_id, "meeting_id")
        )
    if kind == "file":
        papers = Paper.objects.filter(body_id=body_id)
        meetings = Meeting.objects.filter(organizations__body_id=body_id)
        items = AgendaItem.objects.filter(meeting__organizations__body_id=body_id)
        attached = (
            Q(pk__in=papers.values("main_file_id"))
            | Q(pk__in=papers.values("answer_file_id"))
            | Q(pk__in=papers.values("auxiliary_files"))
            | Q(pk__in=meetings.values("invitation_id"))
            | Q(pk__in=meetings.values("results_protocol_id"))
            | Q(pk__in=meetings.values("verbatim_protocol_id"))
            | Q(pk__in=meetings.values("auxiliary_files"))
            | Q(pk__in=items.values("resolution_file_id"))
            | Q(pk__in=items.values("auxiliary_files"))
        )
        # Derived files (an accessible PDF of an attachment …) belong where their master does.
        return qs.filter(attached | Q(master_file__in=File.objects.filter(attached)))
    if kind == "location":
        return qs.filter(
            Q(pk__in=Organization.objects.filter(body_id=body_id).values("location_id"))
            | Q(pk__in=Person.objects.filter(body_id=body_id).values("location_id"))
            | Q(pk__in=Paper.objects.filter(body_id=body_id).values("locations"))
            | Q(pk__in=Meeting.objects.filter(organizations__body_id=body_id).values("location_id"))
        )
    raise ValueError(f"{kind} is not a list of a body")


def _in_organization(kind: str, qs: QuerySet[Any], organization_id: int) -> QuerySet[Any]:
    if kind in ("meeting", "consultation"):
        return qs.filter(organizations__id=organization_id)
    raise ValueError(f"{kind} is not a list of an organization")


def list_queryset(
    kind: str,
    filters: ListFilters,
    *,
    body_id: int | None = None,
    organization_id: int | None = None,
) -> QuerySet[Any]:
    """One external list, filtered, in its stable order (by id), without related objects."""
    qs = addressable(kind) if filters.with_deleted else live(kind)
    if body_id is not None:
        qs = _in_body(kind, qs, body_id)
    if organization_id is not None:
        qs = _in_organization(kind, qs, organization_id)
    bounds = {
        "created__gte": filters.created_since,
        "created__lte": filters.created_until,
        "modified__gte": filters.modified_since,
        "modified__lte": filters.modified_until,
    }
    qs = qs.filter(**{key: value for key, value in bounds.items() if value is not None})
    return qs.order_by("pk")


def page_of(kind: str, qs: QuerySet[Any], *, number: int, limit: int) -> Page:
    """One page; the page itself is read by primary key so OFFSET walks only the id index."""
    total = qs.count()
    page = Page(objects=[], total=total, number=number, limit=limit)
    if number > page.pages:
        raise PageOutOfRange(number, page.pages)
    start = (number - 1) * limit
    ids = list(qs.values_list("pk", flat=True)[start : start + limit])
    if ids:
        objects = with_related(kind, MODELS[kind]._default_manager.filter(pk__in=ids))
        page.objects = sorted(objects, key=lambda obj: obj.pk)
    return page


# --- Related objects --------------------------------------------------------------------


def _ids(qs: QuerySet[Any]) -> QuerySet[Any]:
    """A reference is just a URL: load nothing but the id."""
    return qs.only("pk").order_by("pk")


def _files() -> QuerySet[File]:
    # Embedded files leave out their (possibly long) text; the File itself carries it.
    return visibility.files(VIEWER).defer("text").order_by("pk")


def _visible_flag(kind: str, ref: str) -> Exists:
    return Exists(live(kind).filter(pk=OuterRef(ref)))


def _consultations_with_refs(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Consultations with flags telling whether their meeting and agenda item may be named."""
    return (
        qs.annotate(
            meeting_visible=_visible_flag("meeting", "meeting_id"),
            agenda_item_visible=_visible_flag("agendaitem", "agenda_item_id"),
        )
        .prefetch_related(
            Prefetch("organizations", queryset=_ids(Organization.objects.filter(deleted=False)))
        )
        .order_by("pk")
    )


def _agenda_items(qs: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    return qs.prefetch_related(
        Prefetch("resolution_file", queryset=_files()),
        Prefetch("auxiliary_files", queryset=_files()),
        # AgendaItem.consultation is one URL: the first consultation of a visible paper.
        Prefetch("consultations", queryset=_ids(consultations()).only("pk", "agenda_item_id")),
    )


def with_related(kind: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Load what the serializer of `kind` embeds or references, in a fixed number of queries."""
    persons = _ids(Person.objects.filter(deleted=False))
    organizations = _ids(Organization.objects.filter(deleted=False))
    if kind == "body":
        terms = LegislativeTerm.objects.filter(deleted=False).order_by("pk")
        return qs.prefetch_related(Prefetch("legislative_terms", queryset=terms))
    if kind == "organization":
        # The reverse relation needs its foreign key loaded, or each object costs a query.
        memberships = _ids(Membership.objects.filter(deleted=False)).only("pk", "organization_id")
        return qs.select_related("location").prefetch_related(
            Prefetch("memberships", queryset=memberships)
        )
    if kind == "person":
        memberships = Membership.objects.filter(deleted=False).order_by("pk")
        return qs.select_related("location").prefetch_related(
            Prefetch("memberships", queryset=memberships)
        )
    if kind == "meeting":
        items = _agenda_items(live("agendaitem").order_by("order", "pk"))
        return qs.select_related("location").prefetch_related(
            Prefetch("invitation", queryset=_files()),
            Prefetch("results_protocol", queryset=_files()),
            Prefetch("verbatim_protocol", queryset=_files()),
            Prefetch("auxiliary_files", queryset=_files()),
            Prefetch("organizations", queryset=organizations),
            Prefetch("participants", queryset=persons),
            Prefetch("agenda_items", queryset=items),
        )
    if kind == "agendaitem":
        return _agenda_items(qs)
    if kind == "paper":
        papers = _ids(live("paper"))
        return qs.prefetch_related(
            Prefetch("main_file", queryset=_files()),
            Prefetch("answer_file", queryset=_files()),
            Prefetch("auxiliary_files", queryset=_files()),
            Prefetch("locations", queryset=Location.objects.filter(deleted=False).order_by("pk")),
            Prefetch("related_papers", queryset=papers),
            Prefetch("superordinated_papers", queryset=papers),
            Prefetch("subordinated_papers", queryset=papers),
            Prefetch("originator_persons", queryset=persons),
            Prefetch("under_direction_of", queryset=organizations),
            Prefetch("originator_organizations", queryset=organizations),
            Prefetch(
                "consultations",
                queryset=_consultations_with_refs(Consultation.objects.filter(deleted=False)),
            ),
        )
    if kind == "consultation":
        return _consultations_with_refs(qs)
    if kind == "file":
        return qs.annotate(master_visible=_visible_flag("file", "master_file_id"))
    return qs


# --- Back references of files and locations ---------------------------------------------


@dataclass
class BackRefs:
    """Ids of the visible objects pointing at each file or location, by OParl attribute."""

    refs: dict[int, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, pk: int | None, attribute: str, ref: int | None) -> None:
        if pk is None or ref is None:
            return
        ids = self.refs[pk].setdefault(attribute, [])
        if ref not in ids:
            ids.append(ref)

    def add_all(self, rows: Iterable[Sequence[Any]], attribute: str) -> None:
        """Rows of (target id, ...referrer id last)."""
        for row in rows:
            self.add(row[0], attribute, row[-1])

    def of(self, pk: int) -> dict[str, list[int]]:
        return {name: sorted(ids) for name, ids in self.refs.get(pk, {}).items()}


def file_backrefs(file_ids: Sequence[int]) -> BackRefs:
    """Meetings, agenda items, papers and derivative files using each file (7 queries)."""
    refs = BackRefs()
    if not file_ids:
        return refs
    meetings, items, papers = live("meeting"), live("agendaitem"), live("paper")
    fields_by_attribute = (
        ("meeting", meetings, ("invitation_id", "results_protocol_id", "verbatim_protocol_id")),
        ("agendaItem", items, ("resolution_file_id",)),
        ("paper", papers, ("main_file_id", "answer_file_id")),
    )
    for attribute, qs, fk_names in fields_by_attribute:
        match = Q()
        for name in fk_names:
            match |= Q(**{f"{name}__in": file_ids})
        for row in qs.filter(match).values_list("pk", *fk_names):
            for file_id in row[1:]:
                if file_id in file_ids:
                    refs.add(file_id, attribute, row[0])
    through_tables = (
        ("meeting", Meeting.auxiliary_files.through, "meeting", meetings),
        ("agendaItem", AgendaItem.auxiliary_files.through, "agendaitem", items),
        ("paper", Paper.auxiliary_files.through, "paper", papers),
    )
    for attribute, through, owner, owners in through_tables:
        rows = through.objects.filter(file_id__in=file_ids, **{f"{owner}__in": owners})
        refs.add_all(rows.values_list("file_id", f"{owner}_id"), attribute)
    derived = live("file").filter(master_file_id__in=file_ids)
    refs.add_all(derived.values_list("master_file_id", "pk"), "derivativeFile")
    return refs


def location_backrefs(location_ids: Sequence[int]) -> BackRefs:
    """Organizations, persons, meetings and papers at each location (4 queries)."""
    refs = BackRefs()
    if not location_ids:
        return refs
    for attribute, qs in (
        ("organizations", live("organization")),
        ("persons", live("person")),
        ("meetings", live("meeting")),
    ):
        refs.add_all(
            qs.filter(location_id__in=location_ids).values_list("location_id", "pk"), attribute
        )
    through = Paper.locations.through.objects.filter(
        location_id__in=location_ids, paper__in=live("paper")
    )
    refs.add_all(through.values_list("location_id", "paper_id"), "papers")
    return refs
