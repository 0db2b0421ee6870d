"""Import of services from CSV or JSON: validate every row first, then upsert by LeiKa key.

Nothing is written until the whole file has been checked. A file with any invalid row is
rejected as a whole (`ServiceImportRejected`, carrying the per-row report), unless the
caller asks for `skip_invalid`, in which case the valid rows are written and the invalid
ones reported. Writes use bulk operations (5,000 services in a few seconds) and still keep
the change history (one record per created or changed service, with the reason
"Import <file name>") and the search index in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from rathaus.accounts.models import Office
from rathaus.catalog.io.columns import BY_KEY, CellError, Kind, max_length, parse
from rathaus.catalog.io.tabular import RawRow, decode, guess_format, read_csv, read_json
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.services import DEFAULT_REVIEW_INTERVAL, SEARCH_KIND, sync_search_index
from rathaus.core import search
from rathaus.core.errors import ImportRejected, PermissionDenied, Problem, Report

ProgressCallback = Callable[[str, int, int], None]
"""Called as (stage, rows done since the last call, total rows of the stage)."""

STAGE_CHECK = "check"
STAGE_WRITE = "write"
DEFAULT_BATCH_SIZE = 500
# Keys per IN (...) query: far below SQLite's variable limit.
LOOKUP_CHUNK = 900
PROGRESS_EVERY = 100

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class ImportResult:
    """What an import did (or, in a dry run or when rejected, would do)."""

    filename: str
    format: str
    dry_run: bool = False
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)
    errors: Report = field(default_factory=Report)
    warnings: Report = field(default_factory=Report)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.errors.ok

    def summary(self) -> str:
        text = _(
            "{filename}: {rows} Zeilen geprüft: {created} neu, {updated} geändert, "
            "{unchanged} unverändert, {skipped} fehlerhaft."
        ).format(
            filename=self.filename or "-",
            rows=self.rows,
            created=len(self.created),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
            skipped=len(self.skipped_lines),
        )
        if self.dry_run:
            text += " " + _("Probelauf: nichts wurde geschrieben.")
        elif self.written and self.skipped_lines:
            text += " " + _("Die fehlerhaften Zeilen wurden übersprungen.")
        return text


class ServiceImportRejected(ImportRejected):
    """The file had invalid rows and nothing was written; `result` holds the full report."""

    def __init__(self, message: str, *, result: ImportResult) -> None:
        super().__init__(message, problems=sorted_problems(result.errors))
        self.result = result


def sorted_problems(report: Report) -> list[Problem]:
    return sorted(report.problems, key=lambda p: (p.line or 0, p.field or ""))


@dataclass
class _Lookups:
    offices_by_slug: dict[str, Office]
    offices_by_name: dict[str, Office]
    offices_by_pk: dict[int, Office]
    life_situations: dict[str, int]

    @classmethod
    def load(cls) -> _Lookups:
        offices = list(Office.objects.all())
        return cls(
            offices_by_slug={o.slug: o for o in offices},
            offices_by_name={o.name: o for o in offices},
            offices_by_pk={o.pk: o for o in offices},
            life_situations=dict(LifeSituation.objects.values_list("slug", "pk")),
        )

    def office(self, text: str) -> Office | None:
        return (
            self.offices_by_slug.get(text)
            or self.offices_by_slug.get(text.lower())
            or self.offices_by_name.get(text)
        )


@dataclass
class _Row:
    line: int
    key: str = ""
    valid: bool = True
    fields: dict[str, Any] = field(default_factory=dict)  # plain model fields that were given
    office_given: bool = False
    office: Office | None = None
    life_situations: set[int] | None = None  # None: column not in the file


def _clean(raw: RawRow, lookups: _Lookups, errors: Report) -> _Row:
    row = _Row(line=raw.line)

    def fail(message: str, column: str | None = None) -> None:
        errors.add(message, line=raw.line, field=column)
        row.valid = False

    if raw.problem:
        fail(raw.problem)
    for key, cell in raw.values.items():
        column = BY_KEY[key]
        try:
            value = parse(column, cell)
        except CellError as exc:
            fail(str(exc), key)
            continue
        if column.required and not value:
            fail(_("Pflichtfeld ist leer."), key)
            continue
        if key == "leika_key":
            row.key = value
        elif column.kind is Kind.OFFICE:
            row.office_given = True
            if value:
                row.office = lookups.office(value)
                if row.office is None:
                    fail(
                        _(
                            "Dienststelle {value!r} ist unbekannt (erwartet die Kennung oder "
                            "den genauen Namen einer Dienststelle)."
                        ).format(value=value),
                        key,
                    )
        elif column.kind is Kind.SLUGS:
            unknown = [slug for slug in value if slug not in lookups.life_situations]
            if unknown:
                fail(
                    _("Lebenslage {names} ist unbekannt. Bekannt sind: {known}.").format(
                        names=", ".join(repr(u) for u in unknown),
                        known=", ".join(sorted(lookups.life_situations)[:20]) or _("keine"),
                    ),
                    key,
                )
            else:
                row.life_situations = {lookups.life_situations[slug] for slug in value}
        elif value is not None:
            limit = max_length(column)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                fail(
                    _("Der Text ist {length} Zeichen lang, erlaubt sind {limit}.").format(
                        length=len(value), limit=limit
                    ),
                    key,
                )
                continue
            row.fields[key] = value
    return row


def _mark_duplicates(rows: Sequence[_Row], errors: Report) -> None:
    lines_by_key: dict[str, list[int]] = {}
    for row in rows:
        if row.key:
            lines_by_key.setdefault(row.key, []).append(row.line)
    by_line = {row.line: row for row in rows}
    for key, lines in lines_by_key.items():
        if len(lines) < 2:
            continue
        for line in lines:
            others = ", ".join(str(other) for other in lines if other != line)
            errors.add(
                _(
                    "LeiKa-Schlüssel {key} kommt in der Datei mehrfach vor "
                    "(auch in Zeile {others})."
                ).format(key=key, others=others),
                line=line,
                field="leika_key",
            )
            by_line[line].valid = False


def _existing(keys: Sequence[str]) -> tuple[dict[str, Service], dict[int, set[int]]]:
    """The stored services with these keys, and their life situations (by service pk)."""
    services: dict[str, Service] = {}
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        services.update((s.leika_key, s) for s in Service.objects.filter(leika_key__in=chunk))
    through, own, other = _through()
    links: dict[int, set[int]] = {}
    pks = [s.pk for s in services.values()]
    for pk_chunk in _chunks(pks, LOOKUP_CHUNK):
        pairs = through.objects.filter(**{f"{own}__in": pk_chunk}).values_list(own, other)
        for service_id, ls_id in pairs:
            links.setdefault(service_id, set()).add(ls_id)
    return services, links


def _through() -> tuple[Any, str, str]:
    """The M2M table of services and life situations with its two column names."""
    m2m = Service._meta.get_field("life_situations")
    return (
        Service.life_situations.through,
        f"{m2m.m2m_field_name()}_id",
        f"{m2m.m2m_reverse_field_name()}_id",
    )


class _SlugMaker:
    """Unique slugs for many new services with one query (save_service asks per service)."""

    def __init__(self) -> None:
        self.taken = set(Service.objects.values_list("slug", flat=True))

    def make(self, name: str) -> str:
        base = slugify(name.replace("ß", "ss"))[:100] or "leistung"
        slug, n = base, 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug


@dataclass
class _Plan:
    creates: list[tuple[Service, set[int]]] = field(default_factory=list)
    updates: list[Service] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    relinks: dict[int, set[int]] = field(default_factory=dict)  # service pk -> new set


def _plan(
    rows: Sequence[_Row],
    existing: dict[str, Service],
    links: dict[int, set[int]],
    result: ImportResult,
    now: datetime.datetime,
) -> _Plan:
    plan = _Plan()
    slugs: _SlugMaker | None = None
    for row in rows:
        current = existing.get(row.key)
        online = row.fields.get("channel_online", current.channel_online if current else False)
        url = row.fields.get("online_service_url", current.online_service_url if current else "")
        if online and not url:
            result.errors.add(
                _("Der Kanal online ist angegeben, aber die Adresse des Online-Dienstes fehlt."),
                line=row.line,
                field="online_service_url",
            )
            row.valid = False
            continue
        if current is None:
            service = Service(leika_key=row.key, **row.fields)
            if row.office_given:
                service.office = row.office
            if service.status == Service.Status.PUBLISHED:
                service.published_at = now
            if service.review_due is None:
                service.review_due = timezone.localdate() + DEFAULT_REVIEW_INTERVAL
            slugs = slugs or _SlugMaker()
            service.slug = slugs.make(service.name)
            plan.creates.append((service, row.life_situations or set()))
            result.created.append(row.key)
            continue
        changed = [name for name, value in row.fields.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, row.fields[name])
        if row.office_given and current.office_id != (row.office.pk if row.office else None):
            current.office = row.office
            changed.append("office")
        published = current.status == Service.Status.PUBLISHED
        if "status" in changed and published and current.published_at is None:
            current.published_at = now
            changed.append("published_at")
        relink = row.life_situations is not None and row.life_situations != links.get(
            current.pk, set()
        )
        if relink:
            plan.relinks[current.pk] = row.life_situations or set()
        if changed or relink:
            current.modified = now
            plan.updates.append(current)
            plan.update_fields.update(changed)
            result.updated.append(row.key)
        else:
            result.unchanged.append(row.key)
    return plan


def _update_rows(services: Sequence[Service], names: Sequence[str]) -> None:
    """UPDATE the given columns of many services with one prepared statement.

    Django's bulk_update builds a CASE expression per row and field; for thousands of rows
    that costs seconds, an executemany of one plain UPDATE a fraction of it.
    """
    meta = Service._meta
    fields = [f for f in map(meta.get_field, names) if isinstance(f, models.Field)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    pk_column = str(meta.pk.column) if meta.pk else "id"
    statement = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 (names from the model)
        f"WHERE {quote(pk_column)} = %s"
    )
    rows = [
        [*(f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields), s.pk]
        for s in services
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _write(
    plan: _Plan,
    *,
    lookups: _Lookups,
    reason: str,
    user: Any,
    now: datetime.datetime,
    batch_size: int,
    progress: ProgressCallback | None,
) -> None:
    through, own, other = _through()
    indexed: list[Service] = []
    with transaction.atomic():
        if plan.creates:
            created = bulk_create_with_history(
                [service for service, _links in plan.creates],
                Service,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
            by_key = {s.leika_key: s for s in created}
            through.objects.bulk_create(
                [
                    through(**{own: by_key[service.leika_key].pk, other: ls_id})
                    for service, ls_ids in plan.creates
                    for ls_id in sorted(ls_ids)
                ],
                batch_size=batch_size,
            )
            indexed.extend(by_key[service.leika_key] for service, _links in plan.creates)
        if plan.updates:
            _update_rows(plan.updates, sorted(plan.update_fields | {"modified"}))
            Service.history.bulk_history_create(
                plan.updates,
                batch_size=batch_size,
                update=True,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
            relinked = list(plan.relinks)
            for chunk in _chunks(relinked, LOOKUP_CHUNK):
                through.objects.filter(**{f"{own}__in": chunk}).delete()
            through.objects.bulk_create(
                [
                    through(**{own: pk, other: ls_id})
                    for pk, ls_ids in plan.relinks.items()
                    for ls_id in sorted(ls_ids)
                ],
                batch_size=batch_size,
            )
            indexed.extend(plan.updates)
        updated = {service.pk for service in plan.updates}
        for batch in _chunks(indexed, batch_size):
            for service in batch:
                # The index text names the office: hand it over instead of a query each.
                service.office = lookups.offices_by_pk.get(service.office_id or 0)
            # Re-adding a changed service's document is several times faster than letting
            # the index update it in place (Django's bulk_update builds a CASE per row).
            search.remove_documents(SEARCH_KIND, [s.pk for s in batch if s.pk in updated])
            sync_search_index(batch)
            if progress:
                progress(STAGE_WRITE, len(batch), len(indexed))


def import_rows(
    rows: Sequence[RawRow],
    *,
    filename: str = "",
    fmt: str = "",
    warnings: Report | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    user: Any = None,
    progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportResult:
    """Validate `rows` (already read from a file, or built in code) and upsert them."""
    if user is not None and not user.has_perm("catalog.import_services"):
        raise PermissionDenied(_("Es fehlt die Berechtigung, Leistungen zu importieren."))
    result = ImportResult(
        filename=filename,
        format=fmt,
        dry_run=dry_run,
        rows=len(rows),
        warnings=warnings or Report(),
    )
    lookups = _Lookups.load()
    cleaned: list[_Row] = []
    for i, raw in enumerate(rows, start=1):
        cleaned.append(_clean(raw, lookups, result.errors))
        if progress and (i % PROGRESS_EVERY == 0 or i == len(rows)):
            progress(STAGE_CHECK, (i - 1) % PROGRESS_EVERY + 1, len(rows))
    _mark_duplicates(cleaned, result.errors)
    valid = [row for row in cleaned if row.valid]
    existing, links = _existing([row.key for row in valid])
    now = timezone.now()
    plan = _plan(valid, existing, links, result, now)
    result.skipped_lines = [row.line for row in cleaned if not row.valid]
    if not result.ok and not skip_invalid:
        raise ServiceImportRejected(
            _(
                "Import abgelehnt: {count} von {rows} Zeilen sind fehlerhaft; nichts wurde "
                "geschrieben."
            ).format(count=len(result.skipped_lines), rows=len(rows)),
            result=result,
        )
    if dry_run:
        return result
    reason = f"Import {Path(filename).name}" if filename else "Import"
    try:
        _write(
            plan,
            lookups=lookups,
            reason=reason,
            user=user,
            now=now,
            batch_size=batch_size,
            progress=progress,
        )
    except IntegrityError as exc:
        raise ImportRejected(
            _(
                "Import abgebrochen, nichts wurde geschrieben: die Datenbank hat einen Eintrag "
                "abgelehnt ({error}). Wurden die Leistungen gleichzeitig anders geändert?"
            ).format(error=exc)
        ) from exc
    result.written = True
    return result


def import_services(
    *,
    data: bytes,
    filename: str = "",
    fmt: str | None = None,
    encoding: str = "utf-8",
    dry_run: bool = False,
    skip_invalid: bool = False,
    user: Any = None,
    progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportResult:
    """Import a CSV or JSON file (its bytes); the format follows the name unless given.

    Raises `ImportRejected` when the file cannot be read, `ServiceImportRejected` when rows
    are invalid (and `skip_invalid` is not set). Either way nothing has been written.
    """
    fmt = fmt or guess_format(filename, data)
    if fmt not in ("csv", "json"):
        raise ImportRejected(_("Unbekanntes Format {fmt!r} (csv oder json).").format(fmt=fmt))
    text = decode(data, encoding)
    parsed = read_json(text) if fmt == "json" else read_csv(text)
    return import_rows(
        parsed.rows,
        filename=filename,
        fmt=fmt,
        warnings=parsed.warnings,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        user=user,
        progress=progress,
        batch_size=batch_size,
    )


def import_file(*, path: Path, **options: Any) -> ImportResult:
    return import_services(data=path.read_bytes(), filename=path.name, **options)
