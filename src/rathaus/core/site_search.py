"""One search for the whole site: services, online forms, news, events, council papers and
meetings from the one index of `rathaus.core.search`, grouped by kind.

One full-text query finds the hits of every kind (same stemming, synonyms, typo tolerance
and "Meinten Sie …" as the service finder). The index also holds what citizens must not see
yet or any more (non-public council papers, scheduled news between two index runs), so every
group keeps only the hits its app's public rule allows: one query per kind that has hits.
Council files and agenda items lead to the paper or meeting they belong to.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rathaus.core import search
from rathaus.core.models import SearchDocument

SERVICE = "catalog.service"
FORM = "form"
NEWS = "news"
EVENT = "event"
PAPER = "council.paper"
FILE = "council.file"
MEETING = "council.meeting"
AGENDA_ITEM = "council.agendaitem"

# The whole index is searched once; this bounds the work for very common words.
HIT_LIMIT = 3000
TOP_PER_GROUP = 3
PAGE_SIZE = 20
SNIPPET_WINDOW = 600

Key = tuple[str, int]  # (kind, object id) of a search document


@dataclass
class Entry:
    """One result as the page shows it: the object, and the document that matched best."""

    key: Key  # the object shown (e.g. a paper)
    rank: float
    source: Key  # the document whose text matched (e.g. the paper's PDF)
    date: datetime.date | datetime.datetime | None = None
    label: str = ""
    title: str = ""
    url: str = ""
    snippet: str = ""


@dataclass
class Group:
    slug: str
    name: str | Promise
    entries: list[Entry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass
class SiteSearchResult:
    text: str
    groups: list[Group]
    corrections: dict[str, str] = field(default_factory=dict)
    query_empty: bool = True

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    def group(self, slug: str) -> Group | None:
        return next((g for g in self.groups if g.slug == slug), None)


def _best(entries: dict[Key, Entry], entry: Entry) -> None:
    current = entries.get(entry.key)
    if current is None or entry.rank > current.rank:
        entries[entry.key] = entry


# --- visibility per kind: hits in, visible entries out -------------------------------------


def _among(qs: QuerySet[Any], ids: Iterable[int], *columns: str) -> QuerySet[Any]:
    """`qs` restricted to rows whose `columns` (default the primary key; several: any of
    them) hold one of `ids`. Like `<column>__in`, but the ORM does not prepare each value
    one by one, which for a few thousand hits costs more than the query itself."""
    values = [int(i) for i in ids]
    if not values:
        return qs.none()
    quote = connection.ops.quote_name
    table = quote(qs.model._meta.db_table)
    placeholders = ", ".join(["%s"] * len(values))
    names = columns or (qs.model._meta.pk.column,)
    where = " OR ".join(f"{table}.{quote(c)} IN ({placeholders})" for c in names)
    # Only placeholders and quoted column names go into the SQL; the ids are parameters.
    return qs.extra(where=[f"({where})"], params=values * len(names))  # noqa: S610


Ranks = dict[str, dict[int, float]]


def _services(ranks: Ranks) -> list[Entry]:
    from rathaus.catalog.models import Service

    hits = ranks.get(SERVICE, {})
    if not hits:
        return []
    visible = _among(Service.objects.published(), hits).values_list("pk", flat=True)
    return [Entry((SERVICE, pk), hits[pk], (SERVICE, pk)) for pk in visible]


def _forms(ranks: Ranks) -> list[Entry]:
    from rathaus.forms.models import FormDefinition, FormVersion

    hits = ranks.get(FORM, {})
    if not hits:
        return []
    visible = (
        _among(
            FormDefinition.objects.filter(
                is_active=True, versions__status=FormVersion.Status.PUBLISHED
            ),
            hits,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return [Entry((FORM, pk), hits[pk], (FORM, pk)) for pk in visible]


def _news(ranks: Ranks) -> list[Entry]:
    from rathaus.news.models import Announcement

    hits = ranks.get(NEWS, {})
    if not hits:
        return []
    rows = _among(Announcement.objects.published(), hits).values_list("pk", "publish_at", "kind")
    labels = dict(Announcement.Kind.choices)
    return [
        Entry((NEWS, pk), hits[pk], (NEWS, pk), date=when, label=str(labels.get(kind, "")))
        for pk, when, kind in rows
    ]


def _events(ranks: Ranks) -> list[Entry]:
    from rathaus.news.models import Event

    hits = ranks.get(EVENT, {})
    if not hits:
        return []
    rows = _among(Event.objects.published(), hits).values_list("pk", "starts_at", "place")
    return [
        Entry((EVENT, pk), hits[pk], (EVENT, pk), date=when, label=place)
        for pk, when, place in rows
    ]


def _papers(ranks: Ranks) -> list[Entry]:
    """Public papers found by their own text or by the text of a public file of theirs."""
    from rathaus.council import visibility
    from rathaus.council.models import Paper

    paper_hits, file_hits = ranks.get(PAPER, {}), ranks.get(FILE, {})
    if not paper_hits and not file_hits:
        return []
    # Which paper each matching file belongs to: main file, answer or attachment.
    sources: dict[int, list[Key]] = defaultdict(list)
    for pk in paper_hits:
        sources[pk].append((PAPER, pk))
    if file_hits:
        files = set(
            _among(visibility.files(visibility.PUBLIC), file_hits).values_list("pk", flat=True)
        )
        owners = _among(Paper.objects.all(), files, "main_file_id", "answer_file_id")
        for pk, main_file, answer_file in owners.values_list(
            "pk", "main_file_id", "answer_file_id"
        ):
            # Only a visible file may lend its rank and snippet to the paper.
            sources[pk] += [(FILE, f) for f in (main_file, answer_file) if f in files]
        attached = _among(Paper.auxiliary_files.through.objects.all(), files, "file_id")
        for pk, file_id in attached.values_list("paper_id", "file_id"):
            sources[pk].append((FILE, file_id))
    rank_of = {PAPER: paper_hits, FILE: file_hits}
    found: dict[Key, Entry] = {}
    for pk, date, paper_type in _among(visibility.papers(visibility.PUBLIC), sources).values_list(
        "pk", "date", "paper_type"
    ):
        for source in sources[pk]:
            rank = rank_of[source[0]][source[1]]
            _best(found, Entry((PAPER, pk), rank, source, date=date, label=paper_type))
    return list(found.values())


def _meetings(ranks: Ranks) -> list[Entry]:
    """Public meetings found by their own entry or by one of their public agenda items."""
    from rathaus.council import visibility
    from rathaus.council.models import AgendaItem

    meeting_hits, item_hits = ranks.get(MEETING, {}), ranks.get(AGENDA_ITEM, {})
    if not meeting_hits and not item_hits:
        return []
    by_meeting: dict[int, list[tuple[Key, float]]] = defaultdict(list)
    for pk, rank in meeting_hits.items():
        by_meeting[pk].append(((MEETING, pk), rank))
    if item_hits:
        # `visibility.agenda_items(PUBLIC)` is "a public item of a visible meeting"; the
        # meeting half is checked below with `visibility.meetings`. Its IN (subquery) form
        # makes SQLite walk every meeting per item: 0.4 s for "Sitzung" instead of 20 ms.
        # tests/core/test_site_search.py checks that both give the same answer.
        items = _among(AgendaItem.objects.filter(public=True, deleted=False), item_hits)
        for pk, meeting_id in items.values_list("pk", "meeting_id"):
            by_meeting[meeting_id].append(((AGENDA_ITEM, pk), item_hits[pk]))
    found: dict[Key, Entry] = {}
    for pk, start in _among(visibility.meetings(visibility.PUBLIC), by_meeting).values_list(
        "pk", "start"
    ):
        for source, rank in by_meeting[pk]:
            _best(found, Entry((MEETING, pk), rank, source, date=start))
    return list(found.values())


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str | Promise
    kinds: tuple[str, ...]
    resolve: Callable[[Ranks], list[Entry]]


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("leistungen", _("Leistungen"), (SERVICE,), _services),
    GroupSpec("antraege", _("Online-Anträge"), (FORM,), _forms),
    GroupSpec("meldungen", _("Meldungen"), (NEWS,), _news),
    GroupSpec("veranstaltungen", _("Veranstaltungen"), (EVENT,), _events),
    GroupSpec("ratsdokumente", _("Ratsdokumente"), (PAPER, FILE), _papers),
    GroupSpec("sitzungen", _("Sitzungen"), (MEETING, AGENDA_ITEM), _meetings),
)
GROUP_SLUGS = tuple(g.slug for g in GROUPS)
ALL_KINDS = tuple(k for g in GROUPS for k in g.kinds)


# --- texts of the entries shown ------------------------------------------------------------


def _first_match(text: str, query: search.ParsedQuery) -> int:
    """Where the first query word (or its stem) starts in `text`; -1 if nowhere."""
    stems = {search.stem(w) for w in query.all_words()} | query.all_words()
    alternatives = "|".join(sorted((re.escape(s) for s in stems if s), key=len, reverse=True))
    if not alternatives:
        return -1
    match = re.search(rf"\b(?:{alternatives})", text, re.IGNORECASE)
    return match.start() if match else -1


def snippet(text: str, query: search.ParsedQuery) -> str:
    """`search.make_snippet` on a window around the first match: a council PDF can hold
    300,000 characters, and walking all of its words would cost more than the search."""
    if not text:
        return ""
    pos = _first_match(text, query)
    start = max(0, pos - SNIPPET_WINDOW // 3) if pos >= 0 else 0
    window = text[start : start + SNIPPET_WINDOW]
    piece = search.make_snippet(window, query)
    if start > 0 and not piece.startswith("… "):
        piece = "… " + piece
    return piece


def _language_url(url: str) -> str:
    """Stored addresses are German (no prefix); pages in another language link to theirs."""
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE or not url.startswith("/"):
        return url
    # i18n_patterns without translated segments: another language only adds its prefix.
    return f"/{language}{url}"


def _fill(entries: Sequence[Entry], query: search.ParsedQuery) -> set[str]:
    """Title, address and snippet of the entries shown, from their search documents in one
    query; returns the words of those texts (for the "did you mean" check)."""
    keys = {e.key for e in entries} | {e.source for e in entries}
    if not keys:
        return set()
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        by_kind[kind].append(pk)
    condition = Q()
    for kind, ids in by_kind.items():
        condition |= Q(kind=kind, object_id__in=ids)
    docs = {
        (kind, object_id): (title, url, body)
        for kind, object_id, title, url, body in SearchDocument.objects.filter(
            condition
        ).values_list("kind", "object_id", "title", "url", "body")
    }
    seen: set[str] = set()
    for entry in entries:
        title, url, _body = docs.get(entry.key, ("", "", ""))
        entry.title, entry.url = title, _language_url(url)
        source_title, _url, source_body = docs.get(entry.source, ("", "", ""))
        entry.snippet = snippet(source_body, query) if source_body else ""
        if entry.source != entry.key and source_title and not entry.snippet:
            entry.snippet = source_title
        for text in (title, source_title, entry.snippet):
            seen.update(search.words(text))
    return seen


def _sort_key(entry: Entry) -> tuple[float, str, int]:
    return (-entry.rank, entry.key[0], entry.key[1])


def site_search(
    text: str, *, group: str = "", offset: int = 0, limit: int = PAGE_SIZE
) -> SiteSearchResult:
    """Every group with its count and its best `TOP_PER_GROUP` entries filled in; with
    `group`, only that group, and the entries `offset`..`offset+limit` filled in."""
    text = text.strip()
    specs = [g for g in GROUPS if not group or g.slug == group]
    hits, query = search.search(
        text, kinds=[k for g in specs for k in g.kinds], snippets=False, limit=HIT_LIMIT
    )
    result = SiteSearchResult(text=text, groups=[], query_empty=query.empty)
    if query.empty:
        return result
    ranks: Ranks = defaultdict(dict)
    for hit in hits:
        ranks[hit.kind][hit.object_id] = hit.rank
    shown: list[Entry] = []
    for spec in specs:
        entries = sorted(spec.resolve(ranks), key=_sort_key)
        result.groups.append(Group(spec.slug, spec.name, entries))
        shown += entries[offset : offset + limit] if group else entries[:TOP_PER_GROUP]
    seen = _fill(shown, query)
    # The vocabulary holds words of non-public texts too: offer only corrections that occur
    # in what this page shows.
    result.corrections = {k: v for k, v in query.corrections.items() if v in seen}
    return result


def as_local(value: Any) -> Any:
    """Datetimes in local time for display; dates unchanged."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value)
    return value
