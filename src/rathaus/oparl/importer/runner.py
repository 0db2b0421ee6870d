"""One import run: System -> bodies -> each body's lists, page by page, resumable.

- Full runs read every list; incremental runs add `modified_since` (the start of the last
  complete run) and so only fetch what changed, deletions included.
- Each page is written in one transaction together with `SyncRun.cursor`, which records the
  next page of each list: an interrupted run resumes exactly after its last written page.
- Memory stays flat: one page (plus what it references) is held at a time.
- Faults of the remote system are logged as SyncProblem (URL, kind, message) and the run
  goes on; only an unreadable System object stops it (`ImportFailed`).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from rathaus.core.errors import RathausError
from rathaus.council.services import sync_search_index
from rathaus.oparl.importer import files, repair
from rathaus.oparl.importer.client import FetchError, OParlClient, with_params
from rathaus.oparl.importer.mapping import ChildRef, Mapper, Record
from rathaus.oparl.importer.writer import Batch, Writer, WriteStats, write_isolated
from rathaus.oparl.models import RemoteSystem, SyncProblem, SyncRun

logger = logging.getLogger(__name__)

# The lists of a Body in the order that lets most references point backwards. OParl 1.0 has
# only organization, person, meeting and paper; 1.1 added the others (its objects are also
# embedded, so unchanged ones cost a request but no write).
BODY_LISTS = (
    ("legislativeTermList", "LegislativeTerm"),
    ("locationList", "Location"),
    ("organization", "Organization"),
    ("person", "Person"),
    ("membership", "Membership"),
    ("meeting", "Meeting"),
    ("agendaItem", "AgendaItem"),
    ("paper", "Paper"),
    ("consultation", "Consultation"),
    ("file", "File"),
)
LIST_LABELS = {
    "Body": "Körperschaften",
    "LegislativeTerm": "Wahlperioden",
    "Location": "Orte",
    "Organization": "Gremien",
    "Person": "Personen",
    "Membership": "Mitgliedschaften",
    "Meeting": "Sitzungen",
    "AgendaItem": "Tagesordnungspunkte",
    "Paper": "Drucksachen",
    "Consultation": "Beratungen",
    "File": "Dateien",
}
# Referenced objects reference others in turn; a few rounds reach from a consultation to its
# agenda item's meeting and on.
MAX_FETCH_ROUNDS = 4
# Objects that may be embedded in others are fetched only once their containers are there:
# OParl 1.0 systems often serve an agenda item only inside its meeting.
EMBEDDABLE = frozenset(
    {"AgendaItem", "Consultation", "Membership", "File", "Location", "LegislativeTerm"}
)
# URLs that failed are not asked again during a run, a fault is logged once per object; both
# memories are bounded so that memory stays flat.
MAX_REMEMBERED = 10_000
# A run that wrote nothing for this long is taken as crashed and may be resumed.
STALE_RUNNING = datetime.timedelta(minutes=15)
LIST_FAILED = "list_failed"
SEARCHED = ("Paper", "AgendaItem", "Meeting", "File")

ProgressFn = Callable[[str, int, int | None], None]


class ImportFailed(RathausError):
    """The remote system as a whole cannot be read (or another run is active)."""

    code = "oparl_import_failed"


@dataclass
class ImportOptions:
    full: bool = False
    concurrency: int = 4
    limit_bodies: int | None = None
    download_files: bool = False
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    restart: bool = False
    progress: ProgressFn | None = None
    # Called after each committed page with the run and the page URL (tests interrupt here).
    after_page: Callable[[SyncRun, str], None] | None = None
    transport: httpx.BaseTransport | None = None


def import_system(url: str, options: ImportOptions | None = None) -> SyncRun:
    """Mirror the OParl system whose System object is at `url`; returns the finished run."""
    return Importer(url, options or ImportOptions()).run()


class Importer:
    def __init__(self, url: str, options: ImportOptions) -> None:
        self.url = url.strip()
        self.options = options
        self._problems: list[SyncProblem] = []
        self._failed_urls: set[str] = set()
        self._reported: set[tuple[str, str]] = set()

    # --- bookkeeping --------------------------------------------------------------------

    def report(self, url: str, kind: str, message: str) -> None:
        # An object embedded in many others (the town hall as every meeting's location) has
        # its faults once per run, not once per mention.
        if (url, kind) in self._reported:
            return
        if len(self._reported) >= MAX_REMEMBERED:
            self._reported.clear()
        self._reported.add((url, kind))
        logger.warning("OParl import problem", extra={"url": url, "kind": kind, "problem": message})
        self._problems.append(
            SyncProblem(run=self.sync_run, url=url[:1000], kind=kind[:60], message=message)
        )

    def _flush(self, *, seen: int = 0, written: int = 0) -> None:
        """Store problems, counters and cursor; inside the page's transaction."""
        run = self.sync_run
        if self._problems:
            SyncProblem.objects.bulk_create(self._problems)
            run.error_count += len(self._problems)
            self._problems = []
        run.objects_seen += seen
        run.objects_written += written
        SyncRun.objects.filter(pk=run.pk).update(
            cursor=run.cursor,
            objects_seen=run.objects_seen,
            objects_written=run.objects_written,
            error_count=run.error_count,
            modified=timezone.now(),
        )

    def _start(self) -> SyncRun:
        system, _ = RemoteSystem.objects.get_or_create(system_url=self.url)
        self.system = system
        now = timezone.now()
        unfinished = SyncRun.objects.filter(
            system=system,
            status__in=[SyncRun.Status.RUNNING, SyncRun.Status.FAILED],
            finished_at__isnull=True,
        ).order_by("-started_at")
        for run in unfinished:
            if run.status == SyncRun.Status.RUNNING and now - run.modified < STALE_RUNNING:
                raise ImportFailed(
                    f"Für {self.url} läuft bereits ein Import (seit "
                    f"{timezone.localtime(run.started_at):%d.%m.%Y %H:%M})."
                )
        incremental = not self.options.full and system.last_modified_since is not None
        resumable = unfinished.first()
        if (
            resumable is not None
            and not self.options.restart
            and resumable.cursor.get("bodies") is not None
            and not (self.options.full and resumable.incremental)
        ):
            resumable.status = SyncRun.Status.RUNNING
            resumable.save(update_fields=["status", "modified"])
            logger.info("resuming OParl import", extra={"run": resumable.pk, "url": self.url})
            return resumable
        unfinished.update(status=SyncRun.Status.FAILED, finished_at=now)
        return SyncRun.objects.create(
            system=system,
            status=SyncRun.Status.RUNNING,
            incremental=incremental,
            modified_since=system.last_modified_since if incremental else None,
            started_at=now,
        )

    # --- the run ------------------------------------------------------------------------

    def run(self) -> SyncRun:
        self.sync_run = self._start()
        self.writer = Writer(self.system, self.report)
        options = self.options
        try:
            with OParlClient(
                timeout=options.timeout,
                retries=options.retries,
                backoff=options.backoff,
                concurrency=options.concurrency,
                transport=options.transport,
            ) as client:
                self.client = client
                self._run()
        except ImportFailed:
            self._problems_only()
            SyncRun.objects.filter(pk=self.sync_run.pk).update(
                status=SyncRun.Status.FAILED, finished_at=timezone.now()
            )
            self.sync_run.refresh_from_db()
            raise
        except BaseException:
            # Interrupted: what is committed stays, and the cursor says where to go on.
            SyncRun.objects.filter(pk=self.sync_run.pk).update(status=SyncRun.Status.FAILED)
            raise
        return self.sync_run

    def _problems_only(self) -> None:
        if self._problems:
            SyncProblem.objects.bulk_create(self._problems)
            SyncRun.objects.filter(pk=self.sync_run.pk).update(
                error_count=self.sync_run.error_count + len(self._problems)
            )
            self._problems = []

    def _run(self) -> None:
        system_data = self._read_system()
        cursor = self.sync_run.cursor
        if cursor.get("bodies") is None:
            cursor["bodies"] = self._read_bodies(system_data)
            cursor.setdefault("lists", {})
            with transaction.atomic():
                self._flush()
        for index, body in enumerate(cursor["bodies"]):
            for key, kind in BODY_LISTS:
                list_url = body["lists"].get(key)
                state = cursor["lists"].get(f"{index}:{key}")
                if not list_url or state in ("done", LIST_FAILED):
                    continue
                start = state["next"] if isinstance(state, dict) else self._first_page(list_url)
                self._read_list(body["url"], f"{index}:{key}", kind, start)
        self._finish()

    def _params(self) -> dict[str, str]:
        since = self.sync_run.modified_since
        if not self.sync_run.incremental or since is None:
            return {}
        # Whole seconds, rounded down: some servers reject fractions, none miss a change.
        local = timezone.localtime(since, repair.BERLIN).replace(microsecond=0)
        return {"modified_since": local.isoformat()}

    def _first_page(self, list_url: str) -> str:
        return with_params(list_url, self._params())

    def _read_system(self) -> dict[str, Any]:
        try:
            data = self.client.get_json(self.url)
        except FetchError as exc:
            self.report(exc.url, exc.kind, exc.message)
            raise ImportFailed(
                f"Das System-Objekt {self.url} lässt sich nicht lesen: {exc.message}"
            ) from exc
        kind = repair.normalise_type(data.get("type"))
        if kind not in ("System", None):
            self.report(self.url, repair.WRONG_TYPE, f"Typ {kind} statt System")
            raise ImportFailed(f"{self.url} ist kein OParl-System-Objekt, sondern vom Typ {kind}.")
        body_list = data.get("body")
        if not isinstance(body_list, str) or not body_list.strip():
            self.report(self.url, repair.MISSING_FIELD, "'body' (Liste der Körperschaften) fehlt")
            raise ImportFailed(f"Das System-Objekt {self.url} nennt keine Körperschaften ('body').")
        if kind is None:
            self.report(self.url, repair.WRONG_TYPE, "'type' fehlt; als System gelesen")
        raw_name = data.get("name")
        name = raw_name.strip() if isinstance(raw_name, str) else ""
        version = repair.oparl_version(data)
        system = self.system
        if (system.name, system.oparl_version) != (name[:200] or system.name, version):
            system.name = name[:200] or system.name
            system.oparl_version = version
            system.save(update_fields=["name", "oparl_version", "modified"])
        return data

    def _read_bodies(self, system_data: dict[str, Any]) -> list[dict[str, Any]]:
        """Write the bodies; returns each one's URL and list URLs (kept in the cursor)."""
        bodies: list[dict[str, Any]] = []
        limit = self.options.limit_bodies
        url = system_data["body"].strip()
        try:
            for page in self.client.pages(url):
                mapper = Mapper(self.report)
                for item in page.data:
                    if limit is not None and len(bodies) >= limit:
                        break
                    body_url = mapper.map(item, "Body", source=page.url)
                    if body_url and not item.get("deleted"):
                        lists = {
                            key: item[key].strip()
                            for key, _kind in BODY_LISTS
                            if isinstance(item.get(key), str) and item[key].strip()
                        }
                        bodies.append({"url": body_url, "lists": lists})
                records, children = mapper.take()
                self._write_page(records, children, None)
                self._progress("Body", len(page.data), page.total)
                if limit is not None and len(bodies) >= limit:
                    break
        except FetchError as exc:
            self.report(exc.url, exc.kind, f"Liste der Körperschaften: {exc.message}")
            if not bodies:
                raise ImportFailed(
                    f"Die Körperschaften von {self.url} lassen sich nicht lesen: {exc.message}"
                ) from exc
            self.sync_run.cursor["incomplete"] = True
        return bodies

    def _read_list(self, body_url: str, state_key: str, kind: str, start: str) -> None:
        lists = self.sync_run.cursor["lists"]
        try:
            for page in self.client.pages(start, keep_params=self._params()):
                mapper = Mapper(self.report, body_url=body_url)
                for item in page.data:
                    mapper.map(item, kind, source=page.url)
                records, children = mapper.take()
                state: Any = {"next": page.next_url} if page.next_url else "done"
                self._write_page(records, children, body_url, cursor=(state_key, state))
                self._progress(kind, len(page.data), page.total)
                if self.options.after_page:
                    self.options.after_page(self.sync_run, page.url)
        except FetchError as exc:
            self.report(
                exc.url,
                exc.kind,
                f"Seite der Liste '{state_key.split(':', 1)[1]}' nicht lesbar, der Rest der Liste "
                f"fehlt in diesem Lauf: {exc.message}",
            )
            lists[state_key] = LIST_FAILED
            self.sync_run.cursor["incomplete"] = True
            with transaction.atomic():
                self._flush()

    def _progress(self, kind: str, advance: int, total: int | None) -> None:
        if self.options.progress:
            self.options.progress(LIST_LABELS.get(kind, kind), advance, total)

    # --- one page -----------------------------------------------------------------------

    def _write_page(
        self,
        records: list[Record],
        children: list[ChildRef],
        body_url: str | None,
        *,
        cursor: tuple[str, Any] | None = None,
    ) -> None:
        batch = Batch(self.system, records)
        self._complete(batch, children, body_url)
        # Every object of the page counts, embedded and fetched ones included.
        seen = len(batch.records)
        if self.options.download_files:
            self._download(batch)
        mark = len(self._problems)
        try:
            with transaction.atomic():
                stats = self.writer.write(batch)
                self._after_write(stats, cursor, seen)
        except Exception as exc:  # isolate the bad object, keep the rest
            logger.warning("page write failed, writing objects one by one", exc_info=exc)
            del self._problems[mark:]
            with transaction.atomic():
                stats = write_isolated(self.writer, batch)
                self._after_write(stats, cursor, seen)

    def _after_write(self, stats: WriteStats, cursor: tuple[str, Any] | None, seen: int) -> None:
        # Mirrored objects are searchable like the town's own; deleted ones leave the index.
        touched = {
            kind: [*stats.changed.get(kind, ()), *stats.removed.get(kind, ())] for kind in SEARCHED
        }
        sync_search_index(
            papers=touched["Paper"],
            agenda_items=touched["AgendaItem"],
            meetings=touched["Meeting"],
            files=touched["File"],
        )
        if cursor:
            self.sync_run.cursor["lists"][cursor[0]] = cursor[1]
        self._flush(seen=seen, written=stats.written)

    def _complete(self, batch: Batch, children: list[ChildRef], body_url: str | None) -> None:
        """Fetch embedded objects given as URLs and referenced objects not stored yet."""
        for _round in range(MAX_FETCH_ROUNDS):
            wanted: dict[str, tuple[str, tuple[str, str] | None]] = {}
            for child in children:
                if (child.type, child.url) not in batch.records:
                    wanted[child.url] = (child.type, (child.parent_field, child.parent_url))
            missing = {key for key in batch.missing() if key[1] not in self._failed_urls}
            containers = {key for key in missing if key[0] not in EMBEDDABLE}
            for kind, url in containers or missing:
                wanted.setdefault(url, (kind, None))
            wanted = {u: w for u, w in wanted.items() if u not in self._failed_urls}
            if not wanted:
                return
            mapper = Mapper(self.report, body_url=body_url)
            for url, result in self.client.fetch_many(wanted):
                kind, parent = wanted[url]
                if isinstance(result, FetchError):
                    self.report(url, result.kind, f"{kind} nicht abrufbar: {result.message}")
                    self._remember_failed(url)
                    continue
                object_url = mapper.map(result, kind, source=url, parent=parent)
                if object_url is None:
                    self._remember_failed(url)
                elif object_url != url:
                    batch.aliases[(kind, url)] = (kind, object_url)
            records, children = mapper.take()
            batch.add(records)

    def _remember_failed(self, url: str) -> None:
        if len(self._failed_urls) >= MAX_REMEMBERED:
            self._failed_urls.clear()
        self._failed_urls.add(url)

    def _download(self, batch: Batch) -> None:
        """Download new or changed files and extract their text (PDF through pypdf)."""
        todo: dict[str, Record] = {}
        for record in batch.records.values():
            if record.type != "File" or record.deleted:
                continue
            known = batch.existing.get(record.key)
            if known and known.modified and known.modified == record.fields.get("modified"):
                continue
            url = record.fields.get("remote_download_url") or record.fields.get("remote_access_url")
            if url:
                todo[url] = record
        for url, result in self.client.download_many(todo):
            record = todo[url]
            if isinstance(result, FetchError):
                self.report(url, "download_failed", result.message)
                continue
            content, media_type = result
            try:
                text = files.extract_text(content, record.fields.get("mime_type") or media_type)
            except files.TextExtractionFailed as exc:
                self.report(url, "text_extraction_failed", str(exc))
                continue
            if text:
                record.fields["text"] = text
                record.fields["text_extracted_at"] = timezone.now()

    # --- the end ------------------------------------------------------------------------

    def _finish(self) -> None:
        run = self.sync_run
        now = timezone.now()
        with transaction.atomic():
            self._flush()
            run.finished_at = now
            run.status = (
                SyncRun.Status.SUCCEEDED
                if run.error_count == 0
                else SyncRun.Status.SUCCEEDED_WITH_ERRORS
            )
            SyncRun.objects.filter(pk=run.pk).update(
                status=run.status, finished_at=now, modified=now
            )
            # Only a run that read every list counts as a success: the next incremental run
            # starts from its start, and a page that failed now must be read again then.
            if not run.cursor.get("incomplete"):
                self.system.last_success_at = now
                self.system.last_modified_since = run.started_at
                self.system.save(
                    update_fields=["last_success_at", "last_modified_since", "modified"]
                )
        logger.info(
            "OParl import finished",
            extra={
                "url": self.url,
                "status": run.status,
                "seen": run.objects_seen,
                "written": run.objects_written,
                "problems": run.error_count,
            },
        )
