"""Reads of the catalog: what the finder, the A-Z list, the home page and the monitor show."""

from __future__ import annotations

import datetime
import math
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.catalog.maturity import OZG_OBLIGATION_LEVEL_V1
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.services import FACETS_CACHE_KEY, SEARCH_KIND
from rathaus.core import search


@dataclass
class Filters:
    life_situation: str = ""  # slug
    office: str = ""  # slug
    online_only: bool = False
    topic: str = ""


@dataclass
class FinderResult:
    services: list[Service]
    total: int
    snippets: dict[int, str] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)


def public_services() -> QuerySet[Service]:
    return Service.objects.published().select_related("office")


def _apply_filters(qs: QuerySet[Service], filters: Filters) -> QuerySet[Service]:
    if filters.life_situation:
        qs = qs.filter(life_situations__slug=filters.life_situation)
    if filters.office:
        qs = qs.filter(office__slug=filters.office)
    if filters.online_only:
        qs = qs.online()  # type: ignore[attr-defined]
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    return qs


# At 10,000 cases a year a service ranks 20 % above one nobody asks for with the same text match.
DEMAND_WEIGHT = 0.05


def find_services(
    text: str, filters: Filters | None = None, *, offset: int = 0, limit: int = 20
) -> FinderResult:
    """Ranked search (or the filtered list when `text` is empty), one page of it."""
    filters = filters or Filters()
    qs = _apply_filters(public_services(), filters)
    if not text.strip():
        # Sorted here, like the A-Z list, not by the database: SQLite puts "Ärztliche ..."
        # after "Z" and PostgreSQL's order depends on its collation; citizens expect it at A.
        rows = sorted(qs.values_list("pk", "name"), key=lambda row: (_sort_key(row[1]), row))
        page_ids = [pk for pk, _name in rows[offset : offset + limit]]
        by_id = public_services().in_bulk(page_ids)
        return FinderResult(services=[by_id[pk] for pk in page_ids], total=len(rows))
    # Snippets only for the page shown, not for every hit (they cost more than the search).
    hits, query = search.search(text, kinds=[SEARCH_KIND], snippets=False)
    relevance = {h.object_id: h.rank for h in hits}
    # One query applies the filters and reads each hit's demand; demand lifts the services
    # most people come for above rarer variants of similar relevance.
    demand = dict(qs.filter(pk__in=list(relevance)).values_list("pk", "annual_cases"))
    ranked_ids = sorted(
        demand,
        key=lambda pk: (-relevance[pk] * (1 + DEMAND_WEIGHT * math.log10(1 + demand[pk])), pk),
    )
    page_ids = ranked_ids[offset : offset + limit]
    by_id = public_services().in_bulk(page_ids)
    snippets = search.snippets(SEARCH_KIND, by_id, query) if by_id else {}
    return FinderResult(
        services=[by_id[pk] for pk in page_ids if pk in by_id],
        total=len(ranked_ids),
        snippets=snippets,
        corrections=query.corrections,
    )


def service_detail(slug: str) -> Service:
    # The service's own online form, if one can be started, comes in the same query.
    from rathaus.forms.selectors import online_form_annotations

    return (
        public_services()
        .annotate(**online_form_annotations())
        .prefetch_related("life_situations")
        .get(slug=slug)
    )


def a_to_z() -> OrderedDict[str, list[Service]]:
    """Published services grouped by initial (umlauts sorted with their base letter)."""
    groups: OrderedDict[str, list[Service]] = OrderedDict()
    services = sorted(
        # Not public_services(): its select_related("office") clashes with only().
        Service.objects.published().only("name", "slug", "channel_online", "online_service_url"),
        key=lambda s: _sort_key(s.name),
    )
    for service in services:
        letter = _sort_key(service.name)[:1].upper()
        groups.setdefault(letter if letter.isalpha() else "#", []).append(service)
    return groups


def _sort_key(name: str) -> str:
    return name.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")


def life_situations_with_counts() -> list[LifeSituation]:
    return list(
        LifeSituation.objects.annotate(
            service_count=Count("services", filter=Q(services__status=Service.Status.PUBLISHED))
        ).filter(service_count__gt=0)
    )


def offices_with_services() -> QuerySet[Office]:
    return Office.objects.annotate(
        service_count=Count("services", filter=Q(services__status=Service.Status.PUBLISHED))
    ).filter(service_count__gt=0)


FACETS_TTL_SECONDS = 60


def finder_facets() -> tuple[list[LifeSituation], list[Office]]:
    """Life situations and offices with their counts for the finder's filters.

    Two aggregations over every service are the costliest part of a finder page, yet they
    change only with the catalog: cached briefly, dropped at once by a write in this process
    (`services.sync_search_index`, which every write calls), seen by other processes within
    a minute.
    """
    facets = cache.get(FACETS_CACHE_KEY)
    if facets is None:
        facets = (life_situations_with_counts(), list(offices_with_services()))
        cache.set(FACETS_CACHE_KEY, facets, FACETS_TTL_SECONDS)
    return facets


def office_detail(slug: str) -> Office:
    return Office.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.published().order_by("name"))
    ).get(slug=slug)


def popular_services(*, limit: int = 8) -> list[Service]:
    return list(public_services().order_by("-annual_cases", "name")[:limit])


@dataclass(frozen=True)
class Coverage:
    total: int
    online: int
    obligation_met: int
    by_level: dict[int, int]
    by_level_v2: dict[int, int]

    @property
    def online_share(self) -> float:
        return self.online / self.total if self.total else 0.0

    @property
    def obligation_share(self) -> float:
        return self.obligation_met / self.total if self.total else 0.0


def online_coverage(as_of: datetime.datetime | None = None) -> Coverage:
    """Question 2 of the inquiry: how many published services are digital, by maturity.

    With `as_of` in the past, the catalog as it stood then (from the services' recorded
    versions), so the monitor's figures for a past day are that day's, not today's.
    """
    if as_of is not None and as_of < timezone.now():
        return _coverage_of(catalog_as_of(as_of))
    qs = Service.objects.published()
    by_level = dict(
        qs.values_list("maturity_level").annotate(n=Count("id")).values_list("maturity_level", "n")
    )
    by_level_v2 = dict(
        qs.values_list("maturity_level_v2")
        .annotate(n=Count("id"))
        .values_list("maturity_level_v2", "n")
    )
    total = sum(by_level.values())
    return Coverage(
        total=total,
        online=qs.online().count(),
        obligation_met=sum(n for lvl, n in by_level.items() if lvl >= OZG_OBLIGATION_LEVEL_V1),
        by_level={lvl: by_level.get(lvl, 0) for lvl in range(5)},
        by_level_v2={lvl: by_level_v2.get(lvl, 0) for lvl in range(8)},
    )


@dataclass(frozen=True)
class PastService:
    """A published service as one of its recorded versions describes it."""

    id: int
    name: str
    maturity_level: int
    maturity_level_v2: int
    online: bool
    annual_cases: int


def catalog_as_of(moment: datetime.datetime) -> list[PastService]:
    """The published services at `moment`: each one's newest version recorded before it.

    Every save of a service (editor, import, form publishing) records a version, so this is
    the catalog of that moment; a service deleted by then is left out with its deletion.
    """
    newest: dict[int, PastService | None] = {}
    versions = (
        Service.history.model.objects.filter(history_date__lt=moment)
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "name",
            "status",
            "history_type",
            "maturity_level",
            "maturity_level_v2",
            "channel_online",
            "online_service_url",
            "annual_cases",
        )
    )
    for pk, name, status, kind, level, level_v2, channel_online, url, cases in versions:
        published = kind != "-" and status == Service.Status.PUBLISHED
        newest[pk] = (
            PastService(pk, name, level, level_v2, bool(channel_online and url), cases or 0)
            if published
            else None
        )
    return [service for service in newest.values() if service is not None]


def _coverage_of(services: list[PastService]) -> Coverage:
    by_level = Counter(s.maturity_level for s in services)
    by_level_v2 = Counter(s.maturity_level_v2 for s in services)
    return Coverage(
        total=len(services),
        online=sum(1 for s in services if s.online),
        obligation_met=sum(1 for s in services if s.maturity_level >= OZG_OBLIGATION_LEVEL_V1),
        by_level={lvl: by_level.get(lvl, 0) for lvl in range(5)},
        by_level_v2={lvl: by_level_v2.get(lvl, 0) for lvl in range(8)},
    )


def missing_online_services(
    *, limit: int = 20, as_of: datetime.datetime | None = None
) -> list[Service] | list[PastService]:
    """Published services not yet meeting the OZG obligation, most demanded first."""
    if as_of is not None and as_of < timezone.now():
        missing = [s for s in catalog_as_of(as_of) if s.maturity_level < OZG_OBLIGATION_LEVEL_V1]
        return sorted(missing, key=lambda s: (-s.annual_cases, s.name))[:limit]
    return list(
        public_services()
        .filter(maturity_level__lt=OZG_OBLIGATION_LEVEL_V1)
        .order_by("-annual_cases", "name")[:limit]
    )


def services_due_for_review() -> QuerySet[Service]:
    return Service.objects.review_overdue().select_related("office").order_by("review_due")


# --- REST API (rathaus.catalog.api) -------------------------------------------------------


@dataclass(frozen=True)
class ApiServiceFilters:
    """The query parameters of `GET /api/v1/services/`, already validated."""

    text: str = ""
    life_situation: str = ""  # slug
    office: str = ""  # slug
    topic: str = ""
    online: bool | None = None
    maturity_level_min: int | None = None
    maturity_level_v2_min: int | None = None
    modified_since: datetime.datetime | None = None


def api_services(filters: ApiServiceFilters) -> QuerySet[Service]:
    """Published services for the API: a lazy queryset the paginator counts and slices.

    With a search text the order is the finder's relevance ranking (same search call as
    `find_services`); without one, by name. Related rows come in a fixed number of queries
    whatever the page size.
    """
    qs = _apply_filters(
        public_services(),
        Filters(
            life_situation=filters.life_situation,
            office=filters.office,
            online_only=filters.online is True,
            topic=filters.topic,
        ),
    )
    if filters.online is False:
        qs = qs.exclude(Q(channel_online=True) & ~Q(online_service_url=""))
    if filters.maturity_level_min is not None:
        qs = qs.filter(maturity_level__gte=filters.maturity_level_min)
    if filters.maturity_level_v2_min is not None:
        qs = qs.filter(maturity_level_v2__gte=filters.maturity_level_v2_min)
    if filters.modified_since is not None:
        qs = qs.filter(modified__gte=filters.modified_since)
    qs = qs.prefetch_related("life_situations")
    if not filters.text.strip():
        return qs.order_by("name", "pk")
    hits, _query = search.search(filters.text, kinds=[SEARCH_KIND])
    ranked_ids = list(dict.fromkeys(h.object_id for h in hits))
    if not ranked_ids:
        return qs.none()
    relevance = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked_ids)),
        output_field=IntegerField(),
    )
    return qs.filter(pk__in=ranked_ids).order_by(relevance, "pk")


def api_service(leika_key: str) -> Service:
    """One published service by LeiKa key; raises `Service.DoesNotExist` for drafts too."""
    return public_services().prefetch_related("life_situations").get(leika_key=leika_key)


def api_offices() -> QuerySet[Office]:
    return Office.objects.order_by("name", "pk")


def api_office(slug: str) -> Office:
    return Office.objects.get(slug=slug)


def api_life_situations() -> QuerySet[LifeSituation]:
    """All life situations with the number of published services in each."""
    return LifeSituation.objects.annotate(
        service_count=Count("services", filter=Q(services__status=Service.Status.PUBLISHED))
    ).order_by("position", "name", "pk")


def life_situation_exists(slug: str) -> bool:
    return LifeSituation.objects.filter(slug=slug).exists()


def office_exists(slug: str) -> bool:
    return Office.objects.filter(slug=slug).exists()
