"""Full-text search without a search server: SQLite FTS5 or PostgreSQL text search.

Both backends stem with the Snowball German algorithm (PostgreSQL's `german` configuration
is built from it; on SQLite the stems are computed here, since FTS5 only knows English).
Query words are matched as prefixes ("Perso" finds "Personalausweis"), expanded by the
synonym table, and a word that appears nowhere in the index is replaced by the nearest
indexed words (typo tolerance through rapidfuzz over the vocabulary).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Max
from rapidfuzz import fuzz, process

from rathaus.core.models import SearchDocument, SearchTerm, Synonym

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MIN_WORD = 2
MAX_QUERY_WORDS = 8
TYPO_SCORE_CUTOFF = 80
# Words that carry no meaning for a search but would make AND queries fail.
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "der die das den dem des ein eine einer eines einem einen und oder für fur mit von vom "
        "zum zur im in am an auf aus bei ich wie was wo wer ist sind mein meine meinen the of "
        "and for to a an"
    ).split()
)

_stemmer = snowballstemmer.stemmer("german")
_stem_lock = threading.Lock()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    # Snowball stemmers keep state between calls and are not thread-safe.
    with _stem_lock:
        return str(_stemmer.stemWord(word.lower()))


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text or "")]


def stemmed(text: str) -> str:
    return " ".join(stem(w) for w in words(text))


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    title: str
    url: str
    keywords: str = ""
    body: str = ""


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    rank: float
    title: str = ""
    url: str = ""
    snippet: str = ""


class Ranked(NamedTuple):
    doc_id: int
    kind: str
    object_id: int
    rank: float


@dataclass
class ParsedQuery:
    """The query as the backends see it: every group must match, any word of a group may."""

    groups: list[list[str]] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.groups

    def all_words(self) -> set[str]:
        return {w for group in self.groups for w in group}


# --- vocabulary and query parsing --------------------------------------------------------


class _Vocabulary:
    """All indexed words, held per process and reloaded when any process adds words.

    The highest term id is the version: one indexed lookup per search, correct across the
    web and worker processes whatever the cache backend.
    """

    def __init__(self) -> None:
        self._version: object = None
        self._words: list[str] = []
        self._set: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def get(self) -> tuple[list[str], frozenset[str]]:
        version = SearchTerm.objects.aggregate(m=Max("id"))["m"]
        if version != self._version or not self._words:
            with self._lock:
                self._words = sorted(SearchTerm.objects.values_list("word", flat=True))
                self._set = frozenset(self._words)
                self._version = version
        return self._words, self._set


vocabulary = _Vocabulary()


def _has_prefix(sorted_words: list[str], prefix: str) -> bool:
    i = bisect_left(sorted_words, prefix)
    return i < len(sorted_words) and sorted_words[i].startswith(prefix)


def _synonyms(tokens: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for syn in Synonym.objects.filter(term__in=list(tokens)):
        found[syn.term] = [w for a in syn.alternatives.split(",") for w in words(a)]
    return found


def parse_query(text: str) -> ParsedQuery:
    tokens = [w for w in words(text) if len(w) >= MIN_WORD and w not in STOPWORDS]
    tokens = list(dict.fromkeys(tokens))[:MAX_QUERY_WORDS]
    parsed = ParsedQuery()
    if not tokens:
        return parsed
    synonyms = _synonyms(tokens)
    vocab, vocab_set = vocabulary.get()
    for token in tokens:
        group = [token, *synonyms.get(token, [])]
        known = token in vocab_set or _has_prefix(vocab, token) or _has_prefix(vocab, stem(token))
        if not known and token not in synonyms:
            matches = process.extract(
                token, vocab, scorer=fuzz.ratio, limit=2, score_cutoff=TYPO_SCORE_CUTOFF
            )
            corrected = [m[0] for m in matches]
            if corrected:
                parsed.corrections[token] = corrected[0]
                group.extend(corrected)
        parsed.groups.append(list(dict.fromkeys(group)))
    return parsed


def suggest(text: str, corrections: dict[str, str]) -> str:
    """The query with every corrected word replaced, for a "Meinten Sie …?" link; "" if none."""
    if not corrections:
        return ""

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        corrected = corrections.get(word.lower(), word)
        # Keep the reader's capitalisation: "Persnalausweis" -> "Personalausweis".
        return corrected[:1].upper() + corrected[1:] if word[:1].isupper() else corrected

    suggested = WORD_RE.sub(replace, text)
    return suggested if suggested != text else ""


# --- snippets ----------------------------------------------------------------------------


def make_snippet(text: str, query: ParsedQuery, length: int = 220) -> str:
    """A piece of `text` around the first matching word; matches wrapped in \x02...\x03.

    The markers are replaced by <mark> after HTML escaping (see the `highlight` filter).
    """
    if not text:
        return ""
    stems = {stem(w) for w in query.all_words()}
    prefixes = tuple(query.all_words())

    def matches(word: str) -> bool:
        low = word.lower()
        return stem(low) in stems or low.startswith(prefixes)

    spans = [m for m in WORD_RE.finditer(text) if matches(m.group())]
    start = max(0, spans[0].start() - length // 3) if spans else 0
    end = min(len(text), start + length)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    out: list[str] = ["… " if start > 0 else ""]
    pos = start
    for m in spans:
        if m.start() < start or m.end() > end:
            continue
        out.append(text[pos : m.start()])
        out.append("\x02" + m.group() + "\x03")
        pos = m.end()
    out.append(text[pos:end])
    if end < len(text):
        out.append(" …")
    return "".join(out)


# --- backends ----------------------------------------------------------------------------


class SearchBackend:
    vendor = ""

    def install(self) -> None:
        """Create the full-text structure beside core_searchdocument (run by a migration)."""
        raise NotImplementedError

    def _write_fulltext(self, docs: Sequence[SearchDocument]) -> None:
        raise NotImplementedError

    def _delete_fulltext(self, ids: Sequence[int]) -> None:
        raise NotImplementedError

    def _match(
        self, query: ParsedQuery, kinds: Sequence[str] | None, limit: int, *, any_group: bool
    ) -> list[Ranked]:
        raise NotImplementedError

    def search(
        self,
        text: str,
        *,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
        snippets: bool = True,
    ) -> tuple[list[Hit], ParsedQuery]:
        query = parse_query(text)
        if query.empty:
            return [], query
        ranked = self._match(query, kinds, limit, any_group=False)
        if not ranked and len(query.groups) > 1:
            # No document has every word: show the best partial matches rather than nothing.
            ranked = self._match(query, kinds, limit, any_group=True)
        if not snippets:
            # The finder only needs ids in rank order; it loads the page it shows itself.
            return [Hit(kind=r.kind, object_id=r.object_id, rank=r.rank) for r in ranked], query
        docs = SearchDocument.objects.in_bulk([r.doc_id for r in ranked])
        hits = []
        for r in ranked:
            doc = docs.get(r.doc_id)
            if doc is None:
                continue
            hits.append(
                Hit(
                    kind=doc.kind,
                    object_id=doc.object_id,
                    rank=r.rank,
                    title=doc.title,
                    url=doc.url,
                    snippet=make_snippet(doc.body, query),
                )
            )
        return hits, query


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def install(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5("
                "title, keywords, body, kind UNINDEXED, "
                "tokenize = 'unicode61 remove_diacritics 0')"
            )
            # Documents deleted by any path (ORM cascades, test flushes) leave no orphans.
            cur.execute(
                "CREATE TRIGGER IF NOT EXISTS core_searchdocument_fts_delete "
                "AFTER DELETE ON core_searchdocument BEGIN "
                "DELETE FROM core_search_fts WHERE rowid = old.id; END"
            )

    def _write_fulltext(self, docs: Sequence[SearchDocument]) -> None:
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM core_search_fts WHERE rowid = %s", [(d.pk,) for d in docs])
            cur.executemany(
                "INSERT INTO core_search_fts (rowid, title, keywords, body, kind) "
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    (d.pk, stemmed(d.title), stemmed(d.keywords), stemmed(d.body), d.kind)
                    for d in docs
                ],
            )

    def _delete_fulltext(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM core_search_fts WHERE rowid = %s", [(i,) for i in ids])

    @staticmethod
    def _fts_query(query: ParsedQuery, *, any_group: bool) -> str:
        parts = []
        for group in query.groups:
            stems = sorted({stem(w) for w in group})
            # Prefixes only in titles and keywords ("Perso" -> "Personalausweis"); in body
            # text they would match every "persönlich" and drown the answer.
            alternatives = [f'{{title keywords}} : "{s}"*' for s in stems]
            alternatives += [f'"{s}"' for s in stems]
            parts.append("(" + " OR ".join(alternatives) + ")")
        return (" OR " if any_group else " AND ").join(parts)

    def _match(
        self, query: ParsedQuery, kinds: Sequence[str] | None, limit: int, *, any_group: bool
    ) -> list[Ranked]:
        sql = (
            "SELECT d.id, d.kind, d.object_id, bm25(core_search_fts, 10.0, 6.0, 1.0) AS score "
            "FROM core_search_fts JOIN core_searchdocument d ON d.id = core_search_fts.rowid "
            "WHERE core_search_fts MATCH %s"
        )
        params: list[Any] = [self._fts_query(query, any_group=any_group)]
        if kinds:
            placeholders = ", ".join(["%s"] * len(kinds))
            sql += f" AND d.kind IN ({placeholders})"
            params.extend(kinds)
        sql += " ORDER BY score LIMIT %s"
        params.append(limit)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            # bm25 is lower-is-better and negative; turn it into a positive relevance.
            return [Ranked(row[0], row[1], row[2], -float(row[3])) for row in cur.fetchall()]


_UE = re.compile(r"(?<!q)ue")


def _umlaut_spellings(word: str) -> set[str]:
    """The word as typed and with ae/oe/ue read as umlauts ("buergerbuero" -> "bürgerbüro").

    The Snowball stemmer used on SQLite folds these itself; PostgreSQL's older `german`
    stemmer does not, so without this "Buergerbuero" found nothing there.
    """
    return {word, _UE.sub("ü", word).replace("ae", "ä").replace("oe", "ö")}


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def install(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "ALTER TABLE core_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector"
            )
            cur.execute(
                "CREATE INDEX IF NOT EXISTS core_searchdocument_vector "
                "ON core_searchdocument USING gin (search_vector)"
            )

    def _write_fulltext(self, docs: Sequence[SearchDocument]) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE core_searchdocument SET search_vector = "
                "setweight(to_tsvector('german', title), 'A') || "
                "setweight(to_tsvector('german', keywords), 'B') || "
                "setweight(to_tsvector('german', body), 'D') "
                "WHERE id = ANY(%s)",
                [[d.pk for d in docs]],
            )

    def _delete_fulltext(self, ids: Sequence[int]) -> None:
        """The vector lives in the document row and goes with it."""

    @staticmethod
    def _ts_query(query: ParsedQuery, *, any_group: bool) -> str:
        parts = []
        for group in query.groups:
            # Words are [^\W_]+ only, so quoting them cannot break out of the tsquery syntax.
            spellings = sorted({v for w in group for v in _umlaut_spellings(w)})
            # Prefixes only in titles and keywords (weights A, B), as on SQLite.
            alternatives = [f"'{v}':*AB" for v in spellings] + [f"'{v}'" for v in spellings]
            parts.append("(" + " | ".join(alternatives) + ")")
        return (" | " if any_group else " & ").join(parts)

    def _match(
        self, query: ParsedQuery, kinds: Sequence[str] | None, limit: int, *, any_group: bool
    ) -> list[Ranked]:
        sql = (
            "SELECT id, kind, object_id, ts_rank_cd(search_vector, q, 1) AS score "
            "FROM core_searchdocument, to_tsquery('german', %s) AS q "
            "WHERE search_vector @@ q"
        )
        params: list[Any] = [self._ts_query(query, any_group=any_group)]
        if kinds:
            sql += " AND kind = ANY(%s)"
            params.append(list(kinds))
        sql += " ORDER BY score DESC, id LIMIT %s"
        params.append(limit)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [Ranked(row[0], row[1], row[2], float(row[3])) for row in cur.fetchall()]


def backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"No full-text search backend for database {connection.vendor!r}")


# --- writing the index -------------------------------------------------------------------


def index_documents(documents: Iterable[Document]) -> int:
    """Insert or replace documents in the index; runs inside the caller's transaction."""
    docs = list(documents)
    if not docs:
        return 0
    engine = backend()
    with transaction.atomic():
        existing = {
            (d.kind, d.object_id): d
            for d in SearchDocument.objects.filter(
                kind__in={d.kind for d in docs}, object_id__in=[d.object_id for d in docs]
            )
        }
        to_create, to_update = [], []
        for doc in docs:
            row = existing.get((doc.kind, doc.object_id))
            if row is None:
                row = SearchDocument(kind=doc.kind, object_id=doc.object_id)
                to_create.append(row)
            else:
                to_update.append(row)
            row.title, row.url = doc.title[:300], doc.url
            row.keywords, row.body = doc.keywords, doc.body
        SearchDocument.objects.bulk_create(to_create, batch_size=500)
        SearchDocument.objects.bulk_update(
            to_update, ["title", "url", "keywords", "body", "updated"], batch_size=500
        )
        if to_create and to_create[0].pk is None:
            # Backends without RETURNING on bulk insert: look the new ids up.
            ids = dict(
                SearchDocument.objects.filter(
                    kind__in={d.kind for d in to_create},
                    object_id__in=[d.object_id for d in to_create],
                ).values_list("object_id", "pk")
            )
            for row in to_create:
                row.pk = ids[row.object_id]
        rows = to_create + to_update
        for start in range(0, len(rows), 500):
            engine._write_fulltext(rows[start : start + 500])
        _add_vocabulary(docs)
    return len(docs)


def remove_documents(kind: str, object_ids: Iterable[int]) -> None:
    ids = list(
        SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return
    with transaction.atomic():
        backend()._delete_fulltext(ids)
        SearchDocument.objects.filter(pk__in=ids).delete()


def _add_vocabulary(docs: Sequence[Document]) -> None:
    seen: set[str] = set()
    for doc in docs:
        for text in (doc.title, doc.keywords, doc.body):
            seen.update(w for w in words(text) if MIN_WORD <= len(w) <= 64 and not w.isdigit())
    _, known = vocabulary.get()
    new = seen - known
    if new:
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w) for w in sorted(new)], ignore_conflicts=True, batch_size=1000
        )


def search(
    text: str, *, kinds: Sequence[str] | None = None, limit: int = 500, snippets: bool = True
) -> tuple[list[Hit], ParsedQuery]:
    """Ranked hits for `text`; with `snippets=False` the hits carry none (see `snippets`).

    A list page shows 20 of up to `limit` hits: building a snippet for each of them would
    cost more than the search itself.
    """
    return backend().search(text, kinds=kinds, limit=limit, snippets=snippets)


def snippets(kind: str, object_ids: Iterable[int], query: ParsedQuery) -> dict[int, str]:
    """Snippets (see `make_snippet`) for the given documents, by object id: one query."""
    rows = SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids))
    return {
        object_id: make_snippet(body, query)
        for object_id, body in rows.values_list("object_id", "body")
    }
