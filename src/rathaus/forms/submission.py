"""Submitting an application: from a draft to a case, in one transaction, exactly once.

The order matters: the data and the files are stored (case, documents, draft marked
submitted) before anything else happens. Only after the commit are the receipt PDF and the
confirmation mail queued; if the queue or the mail server is down then, the application is
still received, and `rathaus.forms.tasks.sweep_submissions` catches up later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts.models import User
from rathaus.accounts.trust import meets, rank
from rathaus.cases.models import Case, CaseDocument, Channel, PaymentState
from rathaus.cases.services import create_case, record_event
from rathaus.core.errors import Conflict, PermissionDenied, Problem, ValidationFailed
from rathaus.forms import engine
from rathaus.forms.models import Draft, FormVersion, Upload

logger = logging.getLogger(__name__)

SUBMITTED_ACTION = "submitted"
DECLARATION_FIELD = "declaration"


def _file_ids(version: FormVersion, data: dict[str, Any]) -> list[int]:
    """Upload ids named in the (visible) data of file fields, in form order."""
    ids: list[int] = []
    for f in engine.all_fields(version):
        if f.widget != "file":
            continue
        value = data.get(f.name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) and not isinstance(item, bool) and item not in ids:
                ids.append(item)
    return ids


def _copy_uploads(
    case: Case,
    version: FormVersion,
    uploads: Iterable[Upload],
    *,
    user: User | None,
    written: list[str],
) -> list[CaseDocument]:
    """Each upload becomes a document of the case (a copy: the case keeps its own files)."""
    labels = {f.name: f.label for f in engine.all_fields(version)}
    documents = []
    for upload in uploads:
        document = CaseDocument(
            case=case,
            kind=CaseDocument.Kind.APPLICATION,
            title=f"{labels.get(upload.field, upload.field)}: {upload.original_name}"[:200],
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            visible_to_applicant=True,
            created_by=user,
        )
        with upload.file.open("rb") as source:
            document.file.save("document", source, save=False)
        written.append(document.file.name)
        document.save()
        documents.append(document)
    return documents


def _forget(storage: Storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - best effort after a failed transaction
            logger.warning("could not remove a file of a failed submission", extra={"name": name})


def submit(
    draft: Draft,
    *,
    user: User | None,
    declaration: bool,
    language: str | None = None,
    trust_level: str | None = None,
) -> Case:
    """Turn a complete draft into a case; a second call returns the same case.

    Raises ValidationFailed (with the problems per field, or for `declaration`),
    PermissionDenied (someone else's draft, sign-in too weak) or Conflict (draft expired).
    `language` is the language the applicant used ("de"/"en"); their mail follows it.
    `trust_level` is the level of the sign-in submitting now, if known; the case records the
    higher of it and the draft's (someone who started with a password and signed in with the
    eID card meanwhile submits at "hoch").
    """
    if user is not None and not user.is_authenticated:
        user = None
    language = language or translation.get_language() or "de"
    written: list[str] = []
    storage = CaseDocument._meta.get_field("file").storage
    try:
        with transaction.atomic():
            case = _submit_locked(
                draft,
                user=user,
                declaration=declaration,
                language=language,
                trust_level=trust_level,
                written=written,
            )
    except BaseException:
        _forget(storage, written)
        raise
    draft.refresh_from_db()
    return case


def _submit_locked(
    draft: Draft,
    *,
    user: User | None,
    declaration: bool,
    language: str,
    trust_level: str | None,
    written: list[str],
) -> Case:
    # The row lock serialises two submits of one draft (a double click, two tabs): the
    # second waits here and then finds the case of the first.
    locked = (
        Draft.objects.select_for_update()
        .select_related("version__definition__office")
        .get(pk=draft.pk)
    )
    if locked.case_id is not None:
        return Case.objects.get(pk=locked.case_id)
    if locked.owner_id is not None and (user is None or user.pk != locked.owner_id):
        raise PermissionDenied(_("Dieser Antrag gehört zu einem anderen Konto."))
    if locked.is_expired:
        raise Conflict(
            _("Dieser Antragsentwurf ist abgelaufen. Bitte beginnen Sie den Antrag neu.")
        )
    version = locked.version
    definition = version.definition
    level = locked.trust_level
    if user is not None and trust_level and rank(trust_level) > rank(level):
        level = trust_level
    if definition.min_trust_level and not meets(level, definition.min_trust_level):
        raise PermissionDenied(
            _("Für diesen Antrag ist eine Anmeldung mit höherem Vertrauensniveau nötig.")
        )
    if not declaration:
        message = _("Bitte bestätigen Sie, dass Ihre Angaben vollständig und richtig sind.")
        raise ValidationFailed(
            message, problems=[Problem(field=DECLARATION_FIELD, message=message)]
        )
    problems = engine.validate_all(version, locked.data)
    if problems:
        raise ValidationFailed(_("Bitte prüfen Sie Ihre Angaben."), problems=problems)

    data = engine.visible_data(version, locked.data)
    ids = _file_ids(version, data)
    uploads = {u.pk: u for u in Upload.objects.filter(draft=locked, pk__in=ids)}
    missing = [i for i in ids if i not in uploads]
    if missing:
        # An id in the data that is not a file of this draft: never attach someone else's.
        raise ValidationFailed(
            _("Eine angegebene Datei gehört nicht zu diesem Antrag. Bitte laden Sie sie neu hoch."),
            problems=[Problem(message=_("Datei nicht gefunden."))],
        )
    name, email = engine.applicant_for(version, data)
    account = user or locked.owner
    if account is not None:
        name = name or account.get_full_name()
        email = email or account.email
    now = timezone.now()
    fee = version.fee_cents
    case = create_case(
        office=definition.office,
        channel=Channel.ONLINE,
        subject=engine.subject_for(version, data),
        data=data,
        service_id=definition.service_id,
        form_version_id=version.pk,
        applicant=account,
        applicant_name=name,
        applicant_email=email,
        trust_level=level,
        fee_cents=fee,
        payment_state=PaymentState.OPEN if fee else PaymentState.NOT_REQUIRED,
        due_date=timezone.localdate(now) + dt.timedelta(days=definition.processing_days),
        received_at=now,
        actor=user,
    )
    documents = _copy_uploads(case, version, [uploads[i] for i in ids], user=user, written=written)
    record_event(
        case,
        actor=user,
        action=SUBMITTED_ACTION,
        summary=(
            f"Online-Antrag „{definition.title}“ (Version {version.number}) abgeschickt, "
            f"{len(documents)} Datei(en)"
        ),
        after={
            "draft": locked.pk,
            "form": definition.slug,
            "version": version.number,
            "documents": [d.pk for d in documents],
            "language": language,
        },
        at=now,
    )
    locked.case = case
    locked.submitted_at = now
    locked.save(update_fields=["case", "submitted_at", "modified"])
    draft_id = locked.pk
    transaction.on_commit(lambda: release_draft_files(draft_id))
    transaction.on_commit(lambda: enqueue_followups(case.pk))
    return case


def release_draft_files(draft_id: int) -> int:
    """Remove the draft's copies of the files once the case's own copies are committed.

    Data minimisation: the application's files now live in the case (with its retention
    period); the draft keeps only the rows (names, sizes, hashes) for the summary of answers.
    Files uploaded but not part of the application (a field hidden by a later answer) go too.
    """
    removed = 0
    uploads = Upload.objects.filter(draft_id=draft_id).exclude(file="")
    for upload in uploads:
        try:
            upload.file.storage.delete(upload.file.name)
            removed += 1
        except OSError:
            logger.warning("could not remove a draft file", extra={"upload": upload.pk})
    uploads.update(file="")
    return removed


def enqueue_followups(case_id: int) -> None:
    """Queue the receipt and the confirmation mail; a broken queue is logged, not fatal."""
    from rathaus.forms import tasks

    for job in (tasks.make_receipt, tasks.send_confirmation):
        try:
            job.enqueue(case_id)
        except Exception:
            # The case is stored; the hourly sweep sends what is missing once the queue is up.
            logger.exception("could not queue follow-up of a submission", extra={"case": case_id})


def submission_language(case: Case) -> str:
    """The language the applicant used when submitting ("de" if unknown)."""
    event = case.events.filter(action=SUBMITTED_ACTION).only("after").first()
    language = (event.after or {}).get("language") if event else None
    return language if language in {"de", "en"} else "de"
