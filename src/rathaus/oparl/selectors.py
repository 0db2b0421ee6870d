"""Reads for the OParl 1.1 server: which objects the API shows, in which lists, page by page.

The API is anonymous, so everything is read as `visibility.PUBLIC` through the council's one
visibility rule: a non-public meeting, agenda item, paper or file does not exist here (404,
absent from lists and from `totalElements`). Deleted objects stay addressable as stubs
(OParl's soft delete) and appear in lists only when `modified_since` is given.

Every list page loads its related objects with a fixed number of queries, whatever the
page size (see "Related objects" below).
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Exists,
    ForeignKey,
    IntegerField,
    Lookup,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

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
    has_next: bool = False

    @property
    def pages(self) -> int:
        # Walking by cursor while objects come and go, a client may pass the count.
        return max(1, math.ceil(self.total / self.limit), self.number)


class PageOutOfRange(Exception):
    def __init__(self, number: int, pages: int) -> None:
        super().__init__(number, pages)
        self.number = number
        self.pages = pages


# --- Which objects exist for the API ----------------------------------------------------


def consultations(*, few: bool = False) -> QuerySet[Consultation]:
    """Consultations of visible papers; one without a paper counts with its meeting.

    `few=True` for a handful of rows (one page's): the rule is checked row by row instead
    of against the list of all visible papers, which SQLite would build first.
    """
    if few:
        paper_visible: Q | Exists = Exists(
            visibility.papers(VIEWER).filter(pk=OuterRef("paper_id"))
        )
        meeting_visible: Q | Exists = Exists(
            visibility.meetings(VIEWER).filter(pk=OuterRef("meeting_id"))
        )
    else:
        paper_visible = Q(paper__in=visibility.papers(VIEWER))
        meeting_visible = Q(meeting__in=visibility.meetings(VIEWER))
    return Consultation.objects.filter(deleted=False).filter(
        paper_visible | (Q(paper__isnull=True) & meeting_visible)
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
    """One object for `/<type>/<id>`, everything its serializer needs loaded; None means 404."""
    objects = load(kind, addressable(kind).filter(pk=pk))
    return objects[0] if objects else None


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


# Lists up to this length are read as a whole list of ids (see `page_of`).
SHORT_LIST = 2_000
# How long a list's count may be reused while nothing it depends on has visibly changed.
COUNT_SECONDS = 60
# Tables besides its own whose rows decide what a list holds (visibility, body scoping).
_COUNT_DEPENDS_ON: dict[str, tuple[type[Model], ...]] = {
    "meeting": (Organization,),
    "agendaitem": (Meeting, Organization),
    "consultation": (Paper, Meeting, Organization),
    "file": (Paper, Meeting, AgendaItem, Organization),
    "location": (Organization, Person, Paper, Meeting),
    "membership": (Organization,),
}


def count(kind: str, qs: QuerySet[Any]) -> int:
    """COUNT(*) of a list, remembered while its tables are unchanged.

    Counting is the one part of a page that grows with the list (100,000 papers: a scan
    of the table), and a client walking a list asks for the same count page after page.
    The count is reused only while the newest `modified` and the highest id of every table
    it depends on are what they were: any save, insert or soft deletion through the ORM
    makes a fresh count. Writes that bypass `modified` (bulk updates) and changed links
    between objects show after `COUNT_SECONDS` at the latest; OParl allows
    `totalElements` to change while a client pages through a list.
    """
    sql, params = qs.query.sql_with_params()
    state = [
        model._default_manager.aggregate(Max("modified"), Max("pk"))
        for model in (MODELS[kind], *_COUNT_DEPENDS_ON.get(kind, ()))
    ]
    digest = hashlib.sha256(repr((sql, params, state)).encode()).hexdigest()
    key = f"oparl:count:{digest}"
    total = cache.get(key)
    if total is None:
        total = qs.count()
        cache.set(key, total, COUNT_SECONDS)
    return int(total)


def page_of(
    kind: str,
    qs: QuerySet[Any],
    *,
    number: int,
    limit: int,
    after: int | None = None,
    before: int | None = None,
) -> Page:
    """One page of a list in id order.

    `after`/`before` (the cursors of the `next` and `prev` links) read the page by id, so a
    client walking the list costs the same on its last page as on its first, and objects
    added or removed meanwhile do not shift the pages under it. A bare page number is read
    with OFFSET, counted from whichever end of the list is nearer. A short list (a few
    changes since `modified_since` …) is read whole as ids: the database may then use the
    index of its filter instead of walking the id order.
    """
    total = count(kind, qs)
    page = Page(objects=[], total=total, number=number, limit=limit)
    by_number = after is None and before is None
    if by_number and number > max(1, math.ceil(total / limit)):
        raise PageOutOfRange(number, page.pages)
    pks = qs.values_list("pk", flat=True)
    ids: list[int]
    offset = (number - 1) * limit
    if total <= SHORT_LIST:
        every = sorted(pks.order_by())
        if after is not None:
            start = bisect.bisect_right(every, after)
        elif before is not None:
            start = max(0, bisect.bisect_left(every, before) - limit)
        else:
            start = offset
        ids = every[start : start + limit]
        page.has_next = start + limit < len(every)
    elif after is not None:
        ids = list(pks.filter(pk__gt=after)[: limit + 1])  # one more: is there a next page?
        page.has_next = len(ids) > limit
        ids = ids[:limit]
    elif before is not None:
        ids = list(pks.filter(pk__lt=before).order_by("-pk")[:limit])[::-1]
        page.has_next = bool(ids) and pks.filter(pk__gt=ids[-1]).exists()
    elif offset <= total - offset - limit:
        ids = list(pks[offset : offset + limit + 1])
        page.has_next = len(ids) > limit
        ids = ids[:limit]
    else:
        # In the second half of the list, count from its end: OFFSET skips fewer rows.
        from_end = max(0, total - offset - limit)
        ids = list(pks.order_by("-pk")[from_end : total - offset])[::-1]
        page.has_next = from_end > 0
    if ids:
        page.objects = load(
            kind, MODELS[kind]._default_manager.filter(pk__oparl_in=IdList(ids)).order_by("pk")
        )
    return page


# --- Related objects --------------------------------------------------------------------
#
# A page of objects is loaded in a fixed number of queries, whatever its size: the objects,
# one UNION ALL query for the ids of everything they reference (link tables and reverse
# relations, each filtered to what may be shown), and one query per type of embedded
# object (files, locations, consultations, agenda items …). What the serializer needs is
# put on each object as `oparl_<relation>`: a list of ids, a list of objects, an object
# or None.


class IdList:
    """Ids for `field__oparl_in=`: sent to the database as one parameter, not one per id.

    Not a list on purpose: Django would walk a list value id by id while building the
    filter, and a page names its objects in a dozen filters.
    """

    __slots__ = ("ids",)

    def __init__(self, ids: Iterable[int | None]) -> None:
        self.ids = sorted({int(pk) for pk in ids if pk is not None})

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class _InIds(Lookup):
    """`field__oparl_in=IdList(...)`: like `__in`, with the ids as one array parameter."""

    lookup_name = "oparl_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return self.rhs if isinstance(self.rhs, IdList) else IdList(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # lhs is the compiled column; the ids (integers) are one bound parameter.
        if connection.vendor == "postgresql":
            text = "{" + ",".join(map(str, self.rhs.ids)) + "}"
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, text]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(self.rhs.ids)]


IntegerField.register_lookup(_InIds)
ForeignKey.register_lookup(_InIds)


def related_attr(name: str) -> str:
    return f"oparl_{name}"


@dataclass(frozen=True)
class _Link:
    """Pairs (source id, target id) for relation `name`, from `rows` already filtered."""

    name: str
    rows: QuerySet[Any]
    source: str
    target: str


def _fetch_links(links: Sequence[_Link]) -> dict[str, dict[int, list[int]]]:
    """All links in one query; links sharing a name are merged. Ids come sorted, unique."""
    found: dict[str, dict[int, set[int]]] = {link.name: defaultdict(set) for link in links}
    parts = [
        link.rows.order_by()
        .annotate(oparl_link=Value(index, output_field=IntegerField()))
        .values_list("oparl_link", link.source, link.target)
        for index, link in enumerate(links)
    ]
    if parts:
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, source, target in query:
            if source is not None and target is not None:
                found[links[index].name][source].add(target)
    return {
        name: {source: sorted(targets) for source, targets in by_source.items()}
        for name, by_source in found.items()
    }


def _put_ids(objects: Sequence[Any], name: str, refs: dict[str, dict[int, list[int]]]) -> None:
    by_source = refs.get(name, {})
    for obj in objects:
        setattr(obj, related_attr(name), by_source.get(obj.pk, []))


def _put_objects(
    objects: Sequence[Any], name: str, ids: dict[int, list[int]], pool: dict[int, Any]
) -> None:
    """Embedded objects in link order; ids missing from `pool` were not visible."""
    for obj in objects:
        setattr(obj, related_attr(name), [pool[pk] for pk in ids.get(obj.pk, []) if pk in pool])


def _put_one(objects: Sequence[Any], name: str, pool: dict[int, Any]) -> None:
    for obj in objects:
        setattr(obj, related_attr(name), pool.get(getattr(obj, f"{name}_id")))


def _grouped(items: Iterable[Any], key: str) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for item in items:
        groups[getattr(item, key)].append(item.pk)
    return groups


def _by_pk(qs: QuerySet[Any], ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {pk for pk in ids if pk is not None}
    return {obj.pk: obj for obj in qs.filter(pk__oparl_in=IdList(wanted))} if wanted else {}


def _files(ids: Iterable[int | None]) -> dict[int, File]:
    # Embedded files leave out their (possibly long) text; the File itself carries it.
    return _by_pk(visibility.files(VIEWER).defer("text"), ids)


def _all_ids(refs: dict[int, list[int]]) -> list[int | None]:
    return [pk for targets in refs.values() for pk in targets]


def _shown(kind: str, ref: str) -> Exists:
    """Whether the object `ref` points to may be shown, checked per row (pages are small)."""
    return Exists(live(kind).filter(pk=OuterRef(ref)))


def _base(kind: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """What the object query itself brings along (joined locations, visibility flags)."""
    if kind in ("organization", "person", "meeting"):
        return qs.select_related("location")
    if kind == "paper":
        return qs.defer("answer_text", "questions")  # not part of OParl; can be long
    if kind == "file":
        return qs.annotate(master_visible=_shown("file", "master_file_id"))
    return qs


def _m2m_link(
    name: str, through: type[Model], source: str, target: str, *rules: Exists, **where: Any
) -> _Link:
    return _Link(name, through._default_manager.filter(*rules, **where), source, target)


def _load_bodies(bodies: Sequence[Body]) -> None:
    terms = LegislativeTerm.objects.filter(
        deleted=False, body_id__oparl_in=IdList(b.pk for b in bodies)
    ).order_by("pk")
    pool = {term.pk: term for term in terms}
    _put_objects(bodies, "legislative_terms", _grouped(pool.values(), "body_id"), pool)


def _load_organizations(organizations: Sequence[Organization]) -> None:
    ids = IdList(obj.pk for obj in organizations)
    memberships = Membership.objects.filter(deleted=False, organization_id__oparl_in=ids)
    refs = _fetch_links([_Link("memberships", memberships, "organization_id", "pk")])
    _put_ids(organizations, "memberships", refs)


def _load_persons(persons: Sequence[Person]) -> None:
    ids = IdList(obj.pk for obj in persons)
    memberships = Membership.objects.filter(deleted=False, person_id__oparl_in=ids).order_by("pk")
    pool = {m.pk: m for m in memberships}
    _put_objects(persons, "memberships", _grouped(pool.values(), "person_id"), pool)


def _agenda_item_links(where: dict[str, Any]) -> list[_Link]:
    """Attachments and consultation of agenda items selected by `where` (on the item)."""
    return [
        _m2m_link(
            "item_files",
            AgendaItem.auxiliary_files.through,
            "agendaitem_id",
            "file_id",
            **{f"agendaitem__{key}": value for key, value in where.items()},
        ),
        # AgendaItem.consultation is one URL: the first consultation of a visible paper.
        _Link(
            "item_consultations",
            consultations(few=True).filter(**{f"agenda_item__{k}": v for k, v in where.items()}),
            "agenda_item_id",
            "pk",
        ),
    ]


def _put_agenda_item_refs(
    items: Sequence[AgendaItem], refs: dict[str, dict[int, list[int]]], files: dict[int, File]
) -> None:
    _put_objects(items, "auxiliary_files", refs["item_files"], files)
    _put_one(items, "resolution_file", files)
    for item in items:
        setattr(item, related_attr("consultations"), refs["item_consultations"].get(item.pk, []))


def _load_meetings(meetings: Sequence[Meeting]) -> None:
    ids = IdList(obj.pk for obj in meetings)
    refs = _fetch_links(
        [
            _m2m_link(
                "organizations",
                Meeting.organizations.through,
                "meeting_id",
                "organization_id",
                meeting_id__oparl_in=ids,
                organization__deleted=False,
            ),
            _m2m_link(
                "participants",
                Meeting.participants.through,
                "meeting_id",
                "person_id",
                meeting_id__oparl_in=ids,
                person__deleted=False,
            ),
            _m2m_link(
                "auxiliary_files",
                Meeting.auxiliary_files.through,
                "meeting_id",
                "file_id",
                meeting_id__oparl_in=ids,
            ),
            *_agenda_item_links({"meeting_id__oparl_in": ids}),
        ]
    )
    _put_ids(meetings, "organizations", refs)
    _put_ids(meetings, "participants", refs)
    items = list(live("agendaitem").filter(meeting_id__oparl_in=ids).order_by("order", "pk"))
    files = _files(
        [m.invitation_id for m in meetings]
        + [m.results_protocol_id for m in meetings]
        + [m.verbatim_protocol_id for m in meetings]
        + [i.resolution_file_id for i in items]
        + _all_ids(refs["auxiliary_files"])
        + _all_ids(refs["item_files"])
    )
    for name in ("invitation", "results_protocol", "verbatim_protocol"):
        _put_one(meetings, name, files)
    _put_objects(meetings, "auxiliary_files", refs["auxiliary_files"], files)
    _put_agenda_item_refs(items, refs, files)
    pool = {item.pk: item for item in items}
    ordered: dict[int, list[int]] = defaultdict(list)
    for item in items:  # already in agenda order
        ordered[item.meeting_id].append(item.pk)
    _put_objects(meetings, "agenda_items", ordered, pool)


def _load_agenda_items(items: Sequence[AgendaItem]) -> None:
    refs = _fetch_links(_agenda_item_links({"pk__oparl_in": IdList(item.pk for item in items)}))
    files = _files([i.resolution_file_id for i in items] + _all_ids(refs["item_files"]))
    _put_agenda_item_refs(items, refs, files)


def _consultation_links(pks: Iterable[int]) -> list[_Link]:
    """Organizations of consultations, and their meeting and agenda item where visible."""
    ids = IdList(pks)
    consulted = Consultation.objects.filter(pk__oparl_in=ids)
    return [
        _m2m_link(
            "consultation_organizations",
            Consultation.organizations.through,
            "consultation_id",
            "organization_id",
            consultation_id__oparl_in=ids,
            organization__deleted=False,
        ),
        # A consultation of a public paper may sit in a non-public meeting: then it is not named.
        _Link(
            "consultation_meeting",
            consulted.filter(_shown("meeting", "meeting_id")),
            "pk",
            "meeting_id",
        ),
        _Link(
            "consultation_agenda_item",
            consulted.filter(_shown("agendaitem", "agenda_item_id")),
            "pk",
            "agenda_item_id",
        ),
    ]


def _put_consultation_refs(
    consultations_: Sequence[Consultation], refs: dict[str, dict[int, list[int]]]
) -> None:
    for name, attribute in (
        ("consultation_organizations", "organizations"),
        ("consultation_meeting", "meeting"),
        ("consultation_agenda_item", "agenda_item"),
    ):
        by_consultation = refs[name]
        for consultation in consultations_:
            setattr(consultation, related_attr(attribute), by_consultation.get(consultation.pk, []))


def _load_consultations(consultations_: Sequence[Consultation]) -> None:
    refs = _fetch_links(_consultation_links([c.pk for c in consultations_]))
    _put_consultation_refs(consultations_, refs)


def _load_papers(papers: Sequence[Paper]) -> None:
    ids = IdList(obj.pk for obj in papers)
    # Consultations first: their organizations are then looked up by consultation id.
    consulted = Consultation.objects.filter(deleted=False, paper_id__oparl_in=ids).order_by("pk")
    pool = {c.pk: c for c in consulted}
    related, ordered = Paper.related_papers.through, Paper.superordinated_papers.through
    refs = _fetch_links(
        [
            _m2m_link(
                "related_papers",
                related,
                "from_paper_id",
                "to_paper_id",
                _shown("paper", "to_paper_id"),
                from_paper_id__oparl_in=ids,
            ),
            _m2m_link(
                "superordinated_papers",
                ordered,
                "from_paper_id",
                "to_paper_id",
                _shown("paper", "to_paper_id"),
                from_paper_id__oparl_in=ids,
            ),
            _m2m_link(
                "subordinated_papers",
                ordered,
                "to_paper_id",
                "from_paper_id",
                _shown("paper", "from_paper_id"),
                to_paper_id__oparl_in=ids,
            ),
            _m2m_link(
                "originator_persons",
                Paper.originator_persons.through,
                "paper_id",
                "person_id",
                paper_id__oparl_in=ids,
                person__deleted=False,
            ),
            *[
                _m2m_link(
                    name,
                    getattr(Paper, name).through,
                    "paper_id",
                    "organization_id",
                    paper_id__oparl_in=ids,
                    organization__deleted=False,
                )
                for name in ("under_direction_of", "originator_organizations")
            ],
            _m2m_link(
                "auxiliary_files",
                Paper.auxiliary_files.through,
                "paper_id",
                "file_id",
                paper_id__oparl_in=ids,
            ),
            _m2m_link(
                "locations",
                Paper.locations.through,
                "paper_id",
                "location_id",
                paper_id__oparl_in=ids,
            ),
            *_consultation_links(list(pool)),
        ]
    )
    for name in (
        "related_papers",
        "superordinated_papers",
        "subordinated_papers",
        "originator_persons",
        "under_direction_of",
        "originator_organizations",
    ):
        _put_ids(papers, name, refs)
    files = _files(
        [p.main_file_id for p in papers]
        + [p.answer_file_id for p in papers]
        + _all_ids(refs["auxiliary_files"])
    )
    _put_one(papers, "main_file", files)
    _put_one(papers, "answer_file", files)
    _put_objects(papers, "auxiliary_files", refs["auxiliary_files"], files)
    places = _by_pk(Location.objects.filter(deleted=False), _all_ids(refs["locations"]))
    _put_objects(papers, "locations", refs["locations"], places)
    _put_consultation_refs(list(pool.values()), refs)
    _put_objects(papers, "consultations", _grouped(pool.values(), "paper_id"), pool)


def _load_files(files: Sequence[File]) -> None:
    """Who uses each file (only what may be shown): its back references, one query."""
    ids = IdList(obj.pk for obj in files)
    meetings, items, papers = live("meeting"), live("agendaitem"), live("paper")
    links = [
        _Link(attribute, qs.filter(**{f"{fk}__oparl_in": ids}), fk, "pk")
        for attribute, qs, fks in (
            ("meeting", meetings, ("invitation_id", "results_protocol_id", "verbatim_protocol_id")),
            ("agendaItem", items, ("resolution_file_id",)),
            ("paper", papers, ("main_file_id", "answer_file_id")),
        )
        for fk in fks
    ]
    links += [
        _m2m_link(
            attribute,
            through,
            "file_id",
            f"{owner}_id",
            _shown(kind, f"{owner}_id"),
            file_id__oparl_in=ids,
        )
        for attribute, through, owner, kind in (
            ("meeting", Meeting.auxiliary_files.through, "meeting", "meeting"),
            ("agendaItem", AgendaItem.auxiliary_files.through, "agendaitem", "agendaitem"),
            ("paper", Paper.auxiliary_files.through, "paper", "paper"),
        )
    ]
    links.append(
        _Link(
            "derivativeFile",
            live("file").filter(master_file_id__oparl_in=ids),
            "master_file_id",
            "pk",
        )
    )
    refs = _fetch_links(links)
    for name in ("meeting", "agendaItem", "paper", "derivativeFile"):
        _put_ids(files, name, refs)


def _load_locations(locations: Sequence[Location]) -> None:
    """Who is at each location (only what may be shown): its back references, one query."""
    ids = IdList(obj.pk for obj in locations)
    links = [
        _Link(attribute, live(kind).filter(location_id__oparl_in=ids), "location_id", "pk")
        for attribute, kind in (
            ("organizations", "organization"),
            ("persons", "person"),
            ("meetings", "meeting"),
        )
    ]
    links.append(
        _m2m_link(
            "papers",
            Paper.locations.through,
            "location_id",
            "paper_id",
            _shown("paper", "paper_id"),
            location_id__oparl_in=ids,
        )
    )
    refs = _fetch_links(links)
    for name in ("organizations", "persons", "meetings", "papers"):
        _put_ids(locations, name, refs)


_LOADERS: dict[str, Callable[[Sequence[Any]], None]] = {
    "body": _load_bodies,
    "organization": _load_organizations,
    "person": _load_persons,
    "meeting": _load_meetings,
    "agendaitem": _load_agenda_items,
    "paper": _load_papers,
    "consultation": _load_consultations,
    "file": _load_files,
    "location": _load_locations,
}


def load(kind: str, qs: QuerySet[Any]) -> list[Any]:
    """Objects of `kind` with everything their serializer needs, in a fixed number of queries."""
    objects = list(_base(kind, qs))
    loader = _LOADERS.get(kind)
    if objects and loader is not None:
        loader(objects)
    return objects
