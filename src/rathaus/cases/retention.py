"""Retention: closed cases whose retention period is over are anonymised or deleted.

`Case.retention_until` is set when a case is closed (`cases.services.transition`). Once it
has passed, the daily task `apply_retention` (see `core/schedule.py`) does, depending on
`settings.RATHAUS_CASE_RETENTION`:

- "anonymise" (default): keep what the statistics and the digitalisation monitor need
  (service, office, channel, state, outcome, dates, fee, trust level, media breaks, counts of
  messages and events, the reference) and remove everything personal: the applicant's
  account link, name, e-mail and address, the submitted data, the subject, the bodies and
  subjects of messages, notes, documents (rows *and* files), the draft the case came from
  with its uploads, the search words, and personal values in the audit trail.
- "delete": remove the case with everything belonging to it, files included.

The audit trail is append-only: `CaseEvent.save` refuses changes and `CaseEvent.delete`
refuses single deletions. This module is deliberately the one place that changes or deletes
trail rows, through queryset `update()` and `delete()`, which bypass those guards; nothing
else may do so.

Idempotent (anonymised cases are skipped, deleted ones are gone), works in batches, and
files are removed only after the database change is committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    State,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
ANONYMISE = "anonymise"
DELETE = "delete"
ANONYMOUS_SUBJECT = "anonymisierter Vorgang"
APPLICANT_LABEL = "Antragsteller*in"
REMOVED = "[entfernt]"

# Audit-trail values that say nothing about a person and that statistics read.
SAFE_EVENT_KEYS = frozenset(
    {
        "state",
        "channel",
        "outcome",
        "office",
        "office_id",
        "service",
        "service_id",
        "payment_state",
        "fee_cents",
        "due_date",
        "retention_until",
        "kind",
        "read",
        "bytes",
        "count",
    }
)
# Actions whose summary is generated from safe values only; others may quote people.
SAFE_SUMMARY_ACTIONS = frozenset({"created", "state", "messages_read", "exported"})


@dataclass
class RetentionReport:
    mode: str
    dry_run: bool
    cases: int = 0
    documents: int = 0
    files: int = 0
    messages: int = 0
    notes: int = 0
    events: int = 0
    references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "dry_run": self.dry_run,
            "cases": self.cases,
            "documents": self.documents,
            "files": self.files,
            "messages": self.messages,
            "notes": self.notes,
            "events": self.events,
        }


def due(today: dt.date | None = None, *, mode: str = ANONYMISE) -> QuerySet[Case]:
    """Closed cases past their retention date that are still to be handled."""
    day = today or timezone.localdate()
    cases = Case.objects.filter(
        state=State.CLOSED, retention_until__isnull=False, retention_until__lt=day
    )
    if mode == ANONYMISE:
        cases = cases.filter(anonymised_at__isnull=True)
    return cases.order_by("pk")


def _scrub(values: Any) -> Any:
    if not isinstance(values, dict):
        return {}
    return {key: (value if key in SAFE_EVENT_KEYS else REMOVED) for key, value in values.items()}


def _draft_files(case_ids: list[int]) -> tuple[QuerySet[Any], list[tuple[Any, str]]]:
    """The drafts the cases were submitted from (they hold the same personal data)."""
    from rathaus.forms.models import Draft, Upload

    drafts = Draft.objects.filter(case_id__in=case_ids)
    storage = _storage(Upload)
    names = Upload.objects.filter(draft__in=drafts).exclude(file="").values_list("file", flat=True)
    return drafts, [(storage, name) for name in names]


def _document_files(case_ids: list[int]) -> list[tuple[Any, str]]:
    storage = _storage(CaseDocument)
    names = (
        CaseDocument.objects.filter(case_id__in=case_ids)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    return [(storage, name) for name in names]


def _storage(model: type[Any]) -> Any:
    # The storage the field wrote with (the private storage), not a fresh lookup.
    return model._meta.get_field("file").storage


def _delete_files(names: Iterable[tuple[Any, str]]) -> int:
    deleted = 0
    for storage, name in names:
        try:
            storage.delete(name)
            deleted += 1
        except OSError:
            logger.exception("retention: could not delete a file", extra={"file": name})
    return deleted


def _count(report: RetentionReport, ids: list[int]) -> None:
    documents = CaseDocument.objects.filter(case_id__in=ids)
    report.cases += len(ids)
    report.documents += documents.count()
    report.messages += CaseMessage.objects.filter(case_id__in=ids).count()
    report.notes += CaseNote.objects.filter(case_id__in=ids).count()
    report.events += CaseEvent.objects.filter(case_id__in=ids).count()
    report.references.extend(
        Case.objects.filter(pk__in=ids).order_by("pk").values_list("reference", flat=True)
    )


def _anonymise_batch(ids: list[int], now: dt.datetime) -> list[tuple[Any, str]]:
    """Anonymise the cases with these ids; returns the files to delete after commit."""
    documents = CaseDocument.objects.filter(case_id__in=ids)
    files = _document_files(ids)
    drafts, draft_files = _draft_files(ids)
    files.extend(draft_files)
    applicants = dict(Case.objects.filter(pk__in=ids).values_list("pk", "applicant_id"))

    documents.delete()
    drafts.delete()  # cascades to the draft's uploads
    CaseNote.objects.filter(case_id__in=ids).delete()
    CaseMessage.objects.filter(case_id__in=ids).update(subject="", body="", author=None)
    _delete_search_terms(ids)

    # The trail: bypassing CaseEvent.save on purpose (see the module docstring). Only rows
    # that hold something personal are written; state changes by staff stay as they are.
    names = {
        case_id: name
        for case_id, name in Case.objects.filter(pk__in=ids).values_list("pk", "applicant_name")
        if name
    }
    events = CaseEvent.objects.filter(case_id__in=ids).values_list(
        "pk", "case_id", "actor_id", "actor_name", "action", "summary", "before", "after"
    )
    for pk, case_id, actor_id, actor_name, action, summary, before, after in events.iterator():
        wanted: dict[str, Any] = {"before": _scrub(before), "after": _scrub(after)}
        if action not in SAFE_SUMMARY_ACTIONS:
            wanted["summary"] = action
        by_applicant = actor_id is not None and actor_id == applicants.get(case_id)
        if by_applicant or (case_id in names and actor_name == names[case_id]):
            wanted.update(actor=None, actor_name=APPLICANT_LABEL)
        current = {
            "before": before,
            "after": after,
            "summary": summary,
            "actor": actor_id,
            "actor_name": actor_name,
        }
        changes = {key: value for key, value in wanted.items() if current[key] != value}
        if changes:
            CaseEvent.objects.filter(pk=pk).update(**changes)

    fields: dict[str, Any] = {
        "applicant": None,
        "applicant_name": "",
        "applicant_email": "",
        "applicant_address": "",
        "subject": ANONYMOUS_SUBJECT,
        "data": {},
        "anonymised_at": now,
    }
    Case.objects.filter(pk__in=ids).update(**fields)
    return files


def _delete_search_terms(ids: list[int]) -> None:
    from rathaus.cases.models import CaseTerm

    CaseTerm.objects.filter(case_id__in=ids).delete()


def _delete_batch(ids: list[int]) -> list[tuple[Any, str]]:
    files = _document_files(ids)
    drafts, draft_files = _draft_files(ids)
    files.extend(draft_files)
    drafts.delete()
    # The collector deletes the trail with the case in bulk, without CaseEvent.delete.
    Case.objects.filter(pk__in=ids).delete()
    return files


def run(
    *,
    dry_run: bool = False,
    mode: str | None = None,
    today: dt.date | None = None,
    batch_size: int = BATCH_SIZE,
) -> RetentionReport:
    """Apply retention to every case that is due; see the module docstring."""
    mode = mode or settings.RATHAUS_CASE_RETENTION
    if mode not in (ANONYMISE, DELETE):
        raise ValueError(f"unknown retention mode {mode!r}")
    report = RetentionReport(mode=mode, dry_run=dry_run)
    cases = due(today, mode=mode)
    if dry_run:
        for start in range(0, cases.count(), batch_size):
            _count(report, list(cases.values_list("pk", flat=True)[start : start + batch_size]))
        return report
    while True:
        # Each batch is its own transaction; an interrupted run resumes where it stopped.
        with transaction.atomic():
            ids = list(cases.select_for_update().values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            _count(report, ids)
            if mode == ANONYMISE:
                files = _anonymise_batch(ids, timezone.now())
            else:
                files = _delete_batch(ids)
            transaction.on_commit(partial(_count_files, report, files))
        logger.info("retention batch done", extra={"mode": mode, "cases": len(ids)})
    logger.info("retention applied", extra=report.as_dict())
    return report


def _count_files(report: RetentionReport, names: list[tuple[Any, str]]) -> None:
    report.files += _delete_files(names)


@task()
def apply_retention() -> dict[str, Any]:
    """The daily retention run (see `run`); returns the counts."""
    return run().as_dict()
