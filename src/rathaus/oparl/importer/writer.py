"""Writes mapped records into `rathaus.council.models`: upsert by (origin, origin_url).

A batch is one list page plus everything fetched for it. Records are written type by type
in an order in which every required reference points backwards (a meeting before its agenda
items, a paper before its consultations), so objects may arrive in any order: what a batch
references is either in the batch, already stored, or fetched by the runner beforehand.
Unchanged objects (same remote `modified`) are not written again.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.council import models as council
from rathaus.oparl.importer.mapping import Key, Record, ReportFn
from rathaus.oparl.models import RemoteSystem

MODELS: dict[str, type[council.OParlObject]] = {
    "Body": council.Body,
    "LegislativeTerm": council.LegislativeTerm,
    "Location": council.Location,
    "Organization": council.Organization,
    "Person": council.Person,
    "Membership": council.Membership,
    "File": council.File,
    "Meeting": council.Meeting,
    "AgendaItem": council.AgendaItem,
    "Paper": council.Paper,
    "Consultation": council.Consultation,
}
# Every required reference points to a type earlier in this order.
WRITE_ORDER = (
    "Location",
    "File",
    "Body",
    "LegislativeTerm",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
)
# Bodies are read from the system's body list, never fetched as a loose reference.
FETCHABLE = frozenset(WRITE_ORDER) - {"Body"}

# Embedded children and the foreign key to their parent: a child its parent no longer lists
# was removed in the remote system.
CHILD_LINKS = {
    ("Body", "LegislativeTerm"): "body",
    ("Person", "Membership"): "person",
    ("Meeting", "AgendaItem"): "meeting",
    ("Paper", "Consultation"): "paper",
}

MISSING_REFERENCE = "missing_reference"
TRUNCATED = "truncated"
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class _TypeInfo:
    required: tuple[str, ...]  # foreign keys that may not be null
    max_lengths: dict[str, int]  # attname -> max_length of text columns
    names: dict[str, str]  # attname -> field name (bulk_update wants names)


def _type_info(model: type[models.Model]) -> _TypeInfo:
    required, lengths, names = [], {}, {}
    for f in model._meta.concrete_fields:
        names[f.attname] = f.name
        if f.is_relation and not f.null and f.name != "origin":
            required.append(f.name)
        if isinstance(f, models.CharField) and f.max_length:
            lengths[f.attname] = f.max_length
    return _TypeInfo(tuple(required), lengths, names)


TYPE_INFO = {kind: _type_info(model) for kind, model in MODELS.items()}


@dataclass(frozen=True, slots=True)
class Existing:
    pk: int
    modified: datetime.datetime | None
    deleted: bool


@dataclass
class WriteStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    # pks written (created or updated) and marked deleted, per OParl type: for the search index
    changed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted

    def add(self, other: WriteStats) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.skipped += other.skipped
        for kind, pks in other.changed.items():
            self.changed[kind].extend(pks)
        for kind, pks in other.removed.items():
            self.removed[kind].extend(pks)


class Batch:
    """Records of one page and what was fetched for them; knows which already exist."""

    def __init__(self, system: RemoteSystem, records: Iterable[Record] = ()) -> None:
        self.system = system
        self.records: dict[Key, Record] = {}
        self.existing: dict[Key, Existing] = {}
        # A fetched object whose id differs from the URL it was fetched by (redirects,
        # trailing slashes): references by that URL mean the object.
        self.aliases: dict[Key, Key] = {}
        self._looked_up: set[Key] = set()
        self.add(records)

    def add(self, records: Iterable[Record]) -> None:
        for record in records:
            if record.type in MODELS:
                # The same object embedded twice (a file as invitation and as protocol) is
                # one record; a full copy wins over a deleted-stub.
                known = self.records.get(record.key)
                if known is None or known.deleted or not record.deleted:
                    self.records[record.key] = record

    def references(self) -> set[Key]:
        keys: set[Key] = set()
        for record in self.records.values():
            keys.update(record.refs.values())
            for kind, urls in record.m2m.values():
                keys.update((kind, url) for url in urls)
        return keys

    def lookup(self, keys: Iterable[Key]) -> None:
        by_type: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            if key not in self._looked_up and key[0] in MODELS:
                self._looked_up.add(key)
                by_type[key[0]].append(key[1])
        for kind, urls in by_type.items():
            model = MODELS[kind]
            for start in range(0, len(urls), LOOKUP_CHUNK):
                rows = (
                    model._default_manager.filter(
                        origin=self.system, origin_url__in=urls[start : start + LOOKUP_CHUNK]
                    )
                    # The unique index on (origin, origin_url) is partial (origin_url <> ''):
                    # SQLite uses it only when the query names its condition.
                    .exclude(origin_url="")
                    .order_by()
                    .values_list("origin_url", "pk", "modified", "deleted")
                )
                for url, pk, modified, deleted in rows:
                    self.existing[(kind, url)] = Existing(pk, modified, deleted)

    def missing(self) -> set[Key]:
        """Referenced objects neither in this batch nor stored: the runner fetches them."""
        refs = self.references()
        self.lookup(refs | set(self.records))
        return {
            key
            for key in refs
            if key[0] in FETCHABLE
            and key not in self.records
            and key not in self.existing
            and key not in self.aliases
        }


def insert_raw(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT keeping every value as given, with the new keys set on the objects.

    `bulk_create` would overwrite `created` and `modified` (auto_now) with the time of the
    import; a mirror keeps the remote system's times. `raw=True` is what fixtures use.
    """
    if not objs:
        return
    opts = model._meta
    db = router.db_for_write(model)
    from django.db import connections

    connection = connections[db]
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    batch_size = max(1, connection.ops.bulk_batch_size(fields, objs))
    queryset = model._base_manager.using(db)
    returning = opts.db_returning_fields
    for start in range(0, len(objs), batch_size):
        chunk = objs[start : start + batch_size]
        rows = queryset._insert(  # type: ignore[attr-defined]
            chunk, fields=fields, returning_fields=returning, raw=True, using=db
        )
        for obj, row in zip(chunk, rows, strict=True):
            for value, f in zip(row, returning, strict=True):
                setattr(obj, f.attname, value)
            obj._state.adding = False
            obj._state.db = db


class Writer:
    def __init__(self, system: RemoteSystem, report: ReportFn) -> None:
        self.system = system
        self.report = report

    def write(self, batch: Batch) -> WriteStats:
        """Write the batch; the caller holds the transaction."""
        stats = WriteStats()
        batch.lookup(set(batch.records) | batch.references())
        pk_map = {key: e.pk for key, e in batch.existing.items()}
        skipped: set[Key] = set()
        written: list[tuple[Record, int]] = []
        by_type: dict[str, list[Record]] = defaultdict(list)
        for record in batch.records.values():
            by_type[record.type].append(record)
        for kind in WRITE_ORDER:
            if by_type.get(kind):
                self._write_type(
                    kind,
                    records=by_type[kind],
                    batch=batch,
                    pk_map=pk_map,
                    skipped=skipped,
                    written=written,
                    stats=stats,
                )
            for alias, target in batch.aliases.items():
                if alias[0] == kind and target in pk_map:
                    pk_map[alias] = pk_map[target]
        self._write_m2m(written, pk_map)
        self._retire_children(written, stats)
        return stats

    def _write_type(
        self,
        kind: str,
        *,
        records: list[Record],
        batch: Batch,
        pk_map: dict[Key, int],
        skipped: set[Key],
        written: list[tuple[Record, int]],
        stats: WriteStats,
    ) -> None:
        model = MODELS[kind]
        info = TYPE_INFO[kind]
        now = timezone.now()
        creates: list[tuple[Record, Any]] = []
        updates: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        deferred: list[tuple[Record, str, Key]] = []
        deletions: dict[datetime.datetime, list[int]] = defaultdict(list)

        for record in records:
            existing = batch.existing.get(record.key)
            if record.deleted:
                if existing and not existing.deleted:
                    deletions[record.fields.get("modified") or now].append(existing.pk)
                    stats.removed[kind].append(existing.pk)
                    stats.deleted += 1
                else:
                    stats.unchanged += 1
                continue
            values = self._resolve(
                record, info=info, batch=batch, pk_map=pk_map, skipped=skipped, deferred=deferred
            )
            if values is None:
                skipped.add(record.key)
                stats.skipped += 1
                continue
            if (
                existing
                and not existing.deleted
                and values["modified"] is not None
                and existing.modified == values["modified"]
            ):
                pk_map[record.key] = existing.pk
                stats.unchanged += 1
                continue
            self._truncate(record, info, values)
            if values["modified"] is None:
                values["modified"] = now
            if existing:
                if values["created"] is None:
                    del values["created"]
                values.pop("slug", None)  # a published address stays stable
                obj = model(**values)
                obj.pk = existing.pk
                updates[tuple(values)].append(obj)
                pk_map[record.key] = existing.pk
                written.append((record, existing.pk))
                stats.changed[kind].append(existing.pk)
                stats.updated += 1
            else:
                if values["created"] is None:
                    values["created"] = min(now, values["modified"])
                obj = model(origin=self.system, origin_url=record.url, **values)
                creates.append((record, obj))

        if kind == "Organization" and creates:
            self._unique_slugs([obj for _, obj in creates])
        insert_raw(model, [obj for _, obj in creates])
        for record, obj in creates:
            pk_map[record.key] = obj.pk
            written.append((record, obj.pk))
            stats.changed[kind].append(obj.pk)
        stats.created += len(creates)
        for attnames, objs in updates.items():
            names = [info.names[a] for a in attnames]
            model._default_manager.bulk_update(objs, names, batch_size=200)
        for modified, pks in deletions.items():
            model._default_manager.filter(pk__in=pks).update(deleted=True, modified=modified)
        # References within the type (a file's master file, a sub-organization) once all
        # objects of the type have keys.
        for record, name, target in deferred:
            if (own := pk_map.get(record.key)) and (other := pk_map.get(target)):
                model._default_manager.filter(pk=own).update(**{f"{name}_id": other})

    def _resolve(
        self,
        record: Record,
        *,
        info: _TypeInfo,
        batch: Batch,
        pk_map: dict[Key, int],
        skipped: set[Key],
        deferred: list[tuple[Record, str, Key]],
    ) -> dict[str, Any] | None:
        """Field values with references turned into keys; None if a required one is missing."""
        values = dict(record.fields)
        for name in info.required:
            if name not in record.refs:
                self.report(
                    record.url, "missing_field", f"Pflichtverweis '{name}' fehlt; übersprungen"
                )
                return None
        for name, target in record.refs.items():
            pk = pk_map.get(target)
            if pk is None and target[0] == record.type and target in batch.records:
                deferred.append((record, name, target))
            elif pk is None and name in info.required:
                if target not in skipped:
                    self.report(
                        record.url,
                        MISSING_REFERENCE,
                        f"'{name}' verweist auf {target[1]}, das nicht geladen werden konnte; "
                        "übersprungen",
                    )
                return None
            values[f"{name}_id"] = pk
        return values

    def _truncate(self, record: Record, info: _TypeInfo, values: dict[str, Any]) -> None:
        for attname, limit in info.max_lengths.items():
            value = values.get(attname)
            if isinstance(value, str) and len(value) > limit:
                values[attname] = value[:limit]
                self.report(record.url, TRUNCATED, f"'{attname}' auf {limit} Zeichen gekürzt")

    @staticmethod
    def _unique_slugs(objs: list[council.Organization]) -> None:
        wanted = Q()
        for obj in objs:
            wanted |= Q(body_id=obj.body_id, slug__startswith=obj.slug)
        used = set(council.Organization.objects.filter(wanted).values_list("body_id", "slug"))
        for obj in objs:
            slug = obj.slug
            if (obj.body_id, slug) in used:
                suffix = hashlib.sha1(obj.origin_url.encode()).hexdigest()[:8]  # noqa: S324
                slug = f"{obj.slug[:100]}-{suffix}"
                n = 2
                while (obj.body_id, slug) in used:
                    slug, n = f"{obj.slug[:100]}-{suffix}-{n}", n + 1
            obj.slug = slug
            used.add((obj.body_id, slug))

    def _retire_children(self, written: list[tuple[Record, int]], stats: WriteStats) -> None:
        """Mark children deleted that their changed parent no longer embeds."""
        parents: dict[tuple[str, str], list[int]] = defaultdict(list)
        listed: dict[tuple[str, str], list[str]] = defaultdict(list)
        for record, pk in written:
            for kind, urls in record.embedded.items():
                if (record.type, kind) in CHILD_LINKS:
                    parents[(record.type, kind)].append(pk)
                    listed[(record.type, kind)].extend(urls)
        for (parent_type, kind), pks in parents.items():
            model = MODELS[kind]
            link = CHILD_LINKS[(parent_type, kind)]
            keep = set(listed[(parent_type, kind)])
            gone = [
                pk
                for pk, url in model._default_manager.filter(
                    origin=self.system, deleted=False, **{f"{link}_id__in": pks}
                ).values_list("pk", "origin_url")
                if url not in keep
            ]
            if gone:
                model._default_manager.filter(pk__in=gone).update(
                    deleted=True, modified=timezone.now()
                )
                stats.removed[kind].extend(gone)
                stats.deleted += len(gone)

    @staticmethod
    def _write_m2m(written: list[tuple[Record, int]], pk_map: dict[Key, int]) -> None:
        owners: dict[tuple[str, str], set[int]] = defaultdict(set)
        rows: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
        for record, pk in written:
            for name, (kind, urls) in record.m2m.items():
                owners[(record.type, name)].add(pk)
                for url in urls:
                    if (target := pk_map.get((kind, url))) is not None:
                        rows[(record.type, name)].add((pk, target))
        for (kind, name), owner_pks in owners.items():
            m2m = MODELS[kind]._meta.get_field(name)
            assert isinstance(m2m, models.ManyToManyField)  # noqa: S101 - names come from the mapper
            through = cast(type[models.Model], m2m.remote_field.through)
            src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            pks = list(owner_pks)
            for start in range(0, len(pks), LOOKUP_CHUNK):
                through._default_manager.filter(
                    **{f"{src}__in": pks[start : start + LOOKUP_CHUNK]}
                ).delete()
            pairs = set(rows.get((kind, name), ()))
            if getattr(m2m.remote_field, "symmetrical", False):
                pairs |= {(b, a) for a, b in pairs}
            through._default_manager.bulk_create(
                [through(**{f"{src}_id": a, f"{dst}_id": b}) for a, b in pairs],
                batch_size=500,
                ignore_conflicts=True,
            )


def write_isolated(writer: Writer, batch: Batch) -> WriteStats:
    """Fallback after a batch failed: each record in its own savepoint; failures reported."""
    stats = WriteStats()
    ordered = sorted(batch.records.values(), key=lambda r: WRITE_ORDER.index(r.type))
    for record in ordered:
        single = Batch(batch.system, [record])
        try:
            with transaction.atomic():
                stats.add(writer.write(single))
        except Exception as exc:  # one bad object must not stop the import
            writer.report(record.url, "write_failed", f"{type(exc).__name__}: {exc}"[:500])
            stats.skipped += 1
    return stats
