"""Every write to a case goes through here, with its audit-trail entry in the same transaction.

The rules every clerk action follows:

- The case row is locked (`select_for_update`) and its `version` compared with the version
  the clerk saw (`expected_version`, carried by every form). A different version raises
  Conflict and nothing is written: no lost update between two clerks.
- The actor must be allowed to work the case (`selectors.may_work`); `actor=None` is the
  system itself (tasks, imports), which may.
- Each action writes one or more `CaseEvent` rows with the values before and after, and bumps
  `version` once, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Office, User
from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseTerm,
    Channel,
    LetterTemplate,
    MediaBreak,
    Outcome,
    ReferenceCounter,
    State,
)
from rathaus.cases.selectors import cases_visible_to, may_work, terms_of
from rathaus.cases.workflow import can_move
from rathaus.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Problem,
    RathausError,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "BUX"


def next_reference(year: int) -> str:
    """The next free case reference of a year, e.g. BUX-2026-000123 (gap-free per year)."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = ReferenceCounter.objects.select_for_update().get(year=year).last
    return f"{REFERENCE_PREFIX}-{year}-{last:06d}"


def actor_label(user: User | None) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def record_event(
    case: Case,
    *,
    actor: User | None,
    action: str,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Append one line to the case's audit trail."""
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor_label(actor),
        action=action,
        summary=summary,
        before=before or {},
        after=after or {},
    )


@transaction.atomic
def create_case(
    *,
    office: Office,
    channel: str,
    subject: str,
    data: dict[str, Any] | None = None,
    service_id: int | None = None,
    form_version_id: int | None = None,
    applicant: User | None = None,
    applicant_name: str = "",
    applicant_email: str = "",
    applicant_address: str = "",
    trust_level: str = "",
    fee_cents: int = 0,
    payment_state: str = "",
    due_date: dt.date | None = None,
    received_at: dt.datetime | None = None,
    actor: User | None = None,
) -> Case:
    """Open a case in state "received" and write its first audit entry."""
    received = received_at or timezone.now()
    case = Case.objects.create(
        reference=next_reference(timezone.localtime(received).year),
        office=office,
        channel=Channel(channel),
        state=State.RECEIVED,
        subject=subject,
        data=data or {},
        service_id=service_id,
        form_version_id=form_version_id,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_email=applicant_email,
        applicant_address=applicant_address,
        trust_level=trust_level,
        fee_cents=fee_cents,
        payment_state=payment_state,
        due_date=due_date,
        received_at=received,
    )
    record_event(
        case,
        actor=actor or applicant,
        action="created",
        summary=f"Eingang über {Channel(channel).label}",
        after={"state": State.RECEIVED, "channel": channel},
        at=received,
    )
    index_terms(case)
    return case


@transaction.atomic
def transition(
    case: Case,
    target: str,
    *,
    actor: User | None,
    expected_version: int | None = None,
    reason: str = "",
) -> Case:
    """Move a case to `target` if the state machine allows it; refuses a stale version.

    `expected_version` is the version the actor saw; if someone else changed the case since,
    nothing is written and Conflict names the clash (no lost update).
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Der Vorgang %(reference)s wurde inzwischen geändert. Bitte neu laden.")
            % {"reference": locked.reference}
        )
    if not can_move(locked.state, target):
        raise Conflict(
            _("Von „%(current)s“ kann der Vorgang nicht nach „%(target)s“ wechseln.")
            % {"current": State(locked.state).label, "target": State(target).label}
        )
    before: dict[str, Any] = {"state": locked.state}
    after: dict[str, Any] = {"state": target}
    now = timezone.now()
    locked.state = target
    if target == State.DECIDED and locked.decided_at is None:
        locked.decided_at = now
    if target == State.CLOSED:
        locked.closed_at = now
        before["retention_until"] = _iso(locked.retention_until)
        locked.retention_until = retention_date(locked, closed=now)
        after["retention_until"] = _iso(locked.retention_until)
    locked.version += 1
    locked.save()
    summary = f"Status: {State(before['state']).label} → {State(target).label}"
    record_event(
        locked,
        actor=actor,
        action="state",
        summary=f"{summary} ({reason})" if reason else summary,
        before=before,
        after=after,
    )
    return locked


# --- shared pieces -----------------------------------------------------------------------------

DEFAULT_RETENTION_YEARS = 6
# Registered applications come from outside Rathaus; the online channels come from the forms.
OFFLINE_CHANNELS = (Channel.POST, Channel.EMAIL, Channel.IN_PERSON, Channel.PHONE)
PAPER_CHANNELS = (Channel.POST, Channel.IN_PERSON)
DOCUMENT_ACCEPT = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
)
SCAN_ACCEPT = ("application/pdf", "image/jpeg", "image/png", "image/tiff")
DOCUMENT_MAX_BYTES = 25 * 1024 * 1024
NOTE_MAX = 10_000
MESSAGE_MAX = 10_000


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_date(case: Case, *, closed: dt.datetime) -> dt.date:
    """Closed day + the form definition's retention days; six years without a form."""
    day = timezone.localdate(closed)
    if case.form_version_id:
        from rathaus.forms.models import FormVersion

        days = (
            FormVersion.objects.filter(pk=case.form_version_id)
            .values_list("definition__retention_days", flat=True)
            .first()
        )
        if days:
            return day + dt.timedelta(days=days)
    return _add_years(day, DEFAULT_RETENTION_YEARS)


def index_terms(case: Case) -> None:
    """Keep the inbox search words of a case in step with its reference, name and subject."""
    wanted = terms_of(case.reference, case.applicant_name, case.subject)
    existing = set(CaseTerm.objects.filter(case=case).values_list("term", flat=True))
    stale = existing - wanted
    if stale:
        CaseTerm.objects.filter(case=case, term__in=stale).delete()
    CaseTerm.objects.bulk_create(
        [CaseTerm(case=case, term=term) for term in sorted(wanted - existing)]
    )


def index_terms_bulk(cases: Iterable[Case], *, batch_size: int = 5000) -> int:
    """Search words for many new cases at once (demo data, imports); returns the rows written.

    For cases without words yet: it only inserts. Use `index_terms` for changed cases.
    """
    rows = [
        CaseTerm(case_id=case.pk, term=term)
        for case in cases
        for term in sorted(terms_of(case.reference, case.applicant_name, case.subject))
    ]
    CaseTerm.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def _notify_after_commit(task_name: str, object_id: int) -> None:
    """Enqueue a notice once the change is committed; a queue outage is logged, not raised.

    The action itself has succeeded by then; a failing notice must not turn it into an error
    page (the message is in the account whatever happens to the mail).
    """
    from rathaus.cases import tasks

    def enqueue() -> None:
        try:
            getattr(tasks, task_name).enqueue(object_id)
        except Exception:
            logger.exception("notice not enqueued", extra={"task": task_name, "id": object_id})

    transaction.on_commit(enqueue)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, problems=[Problem(field=field, message=message)])


def _lock(case: Case | int, *, actor: User | None, expected_version: int | None) -> Case:
    """The case row locked for this transaction, after the permission and version checks."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("Diesen Vorgang gibt es nicht."))
    if actor is not None and not may_work(actor, locked):
        raise PermissionDenied(
            _("Sie dürfen den Vorgang %(reference)s nicht bearbeiten.")
            % {"reference": locked.reference}
        )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Der Vorgang %(reference)s wurde inzwischen geändert. Bitte neu laden.")
            % {"reference": locked.reference}
        )
    return locked


def _refuse_closed(case: Case) -> None:
    if case.state == State.CLOSED:
        raise Conflict(
            _("Der Vorgang %(reference)s ist abgeschlossen und kann nicht mehr geändert werden.")
            % {"reference": case.reference}
        )


def _bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "modified"])


def _user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": actor_label(user)}


# --- assignment, deadline, state ---------------------------------------------------------------


@transaction.atomic
def assign(
    case: Case | int,
    *,
    actor: User | None,
    assignee: User | None,
    expected_version: int | None = None,
) -> Case:
    """Give the case to `assignee` (None: nobody); they must be allowed to work it."""
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    if assignee is not None and not (assignee.is_active and may_work(assignee, locked)):
        raise _invalid(
            "assignee",
            _("%(name)s darf Vorgänge dieser Stelle nicht bearbeiten.")
            % {"name": actor_label(assignee)},
        )
    if locked.assignee_id == (assignee.pk if assignee else None):
        return locked  # nothing changes, nothing to record
    before = _user_ref(locked.assignee)
    locked.assignee = assignee
    _bump(locked, "assignee")
    if assignee is None:
        summary = _("Zuweisung aufgehoben")
    elif actor is not None and assignee.pk == actor.pk:
        summary = _("Vorgang übernommen")
    else:
        summary = _("Zugewiesen an %(name)s") % {"name": actor_label(assignee)}
    record_event(
        locked,
        actor=actor,
        action="assigned",
        summary=summary,
        before={"assignee": before},
        after={"assignee": _user_ref(assignee)},
    )
    if assignee is not None and actor is not None and assignee.pk != actor.pk:
        _notify_after_commit("notify_assignee", locked.pk)
    return locked


def take(case: Case | int, *, actor: User, expected_version: int | None = None) -> Case:
    """The actor takes the case over."""
    return assign(case, actor=actor, assignee=actor, expected_version=expected_version)


def unassign(case: Case | int, *, actor: User, expected_version: int | None = None) -> Case:
    return assign(case, actor=actor, assignee=None, expected_version=expected_version)


@transaction.atomic
def set_deadline(
    case: Case | int,
    *,
    actor: User | None,
    due_date: dt.date | None,
    expected_version: int | None = None,
) -> Case:
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    if locked.due_date == due_date:
        return locked
    before = _iso(locked.due_date)
    locked.due_date = due_date
    _bump(locked, "due_date")
    record_event(
        locked,
        actor=actor,
        action="deadline",
        summary=(
            _("Frist gesetzt: %(day)s") % {"day": due_date.strftime("%d.%m.%Y")}
            if due_date
            else _("Frist entfernt")
        ),
        before={"due_date": before},
        after={"due_date": _iso(due_date)},
    )
    return locked


@transaction.atomic
def change_state(
    case: Case | int,
    target: str,
    *,
    actor: User | None,
    expected_version: int | None = None,
    reason: str = "",
) -> Case:
    """`transition` for a clerk: checks that they may work the case first.

    A decision needs an outcome, so "decided" goes through `decide`.
    """
    if target not in State.values:
        raise _invalid("target", _("Diesen Status gibt es nicht."))
    if target == State.DECIDED:
        raise _invalid("target", _("Eine Entscheidung braucht ein Ergebnis: bitte „Entscheiden“."))
    locked = _lock(case, actor=actor, expected_version=expected_version)
    return transition(locked, target, actor=actor, expected_version=expected_version, reason=reason)


def close(case: Case | int, *, actor: User | None, expected_version: int | None = None) -> Case:
    """Close the case; it is kept until `retention_until`, then the retention job acts."""
    return change_state(case, State.CLOSED, actor=actor, expected_version=expected_version)


# --- notes, media breaks -----------------------------------------------------------------------


@transaction.atomic
def add_note(
    case: Case | int, *, actor: User, text: str, expected_version: int | None = None
) -> CaseNote:
    """An internal note (never shown to the applicant); allowed on closed cases too."""
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("Bitte geben Sie einen Text für die Notiz ein."))
    if len(text) > NOTE_MAX:
        raise _invalid(
            "text", _("Eine Notiz darf höchstens %(max)d Zeichen lang sein.") % {"max": NOTE_MAX}
        )
    locked = _lock(case, actor=actor, expected_version=expected_version)
    note = CaseNote.objects.create(case=locked, author=actor, text=text)
    _bump(locked)
    record_event(
        locked,
        actor=actor,
        action="note",
        summary=_("Notiz hinzugefügt"),
        after={"note": note.pk, "text": text[:500]},
    )
    return note


def _media_break(
    locked: Case, *, actor: User | None, kind: str, note: str = "", at: dt.datetime | None = None
) -> MediaBreak:
    entry = MediaBreak.objects.create(
        case=locked, kind=kind, at=at or timezone.now(), by=actor, note=note[:300]
    )
    record_event(
        locked,
        actor=actor,
        action="media_break",
        summary=_("Medienbruch: %(kind)s") % {"kind": MediaBreak.Kind(kind).label},
        after={"media_break": entry.pk, "kind": kind, "note": entry.note},
    )
    return entry


@transaction.atomic
def record_media_break(
    case: Case | int,
    *,
    actor: User | None,
    kind: str,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> MediaBreak:
    """Printed, scanned, posted, received on paper: the monitor's paper-free rate counts them."""
    if kind not in MediaBreak.Kind.values:
        raise _invalid("kind", _("Bitte wählen Sie die Art des Medienbruchs."))
    if at is not None and at > timezone.now():
        raise _invalid("at", _("Der Zeitpunkt darf nicht in der Zukunft liegen."))
    locked = _lock(case, actor=actor, expected_version=expected_version)
    entry = _media_break(locked, actor=actor, kind=kind, note=note, at=at)
    _bump(locked)
    return entry


# --- documents and letters ---------------------------------------------------------------------


def _store_document(
    locked: Case,
    *,
    actor: User | None,
    content: File[Any],
    kind: str,
    title: str,
    original_name: str,
    content_type: str,
    size: int,
    sha256: str,
    visible_to_applicant: bool,
) -> CaseDocument:
    document = CaseDocument(
        case=locked,
        kind=kind,
        title=title[:200],
        original_name=original_name[:200],
        content_type=content_type,
        size=size,
        sha256=sha256,
        visible_to_applicant=visible_to_applicant,
        created_by=actor,
    )
    document.file.save("document", content, save=False)
    try:
        document.save()
    except Exception:
        # No file without its row.
        document.file.storage.delete(document.file.name)
        raise
    record_event(
        locked,
        actor=actor,
        action="document",
        summary=_("Dokument hinzugefügt: %(title)s (%(kind)s)")
        % {"title": document.title, "kind": CaseDocument.Kind(kind).label},
        after={
            "document": document.pk,
            "title": document.title,
            "kind": kind,
            "sha256": sha256,
            "visible_to_applicant": visible_to_applicant,
        },
    )
    return document


@transaction.atomic
def add_document(
    case: Case | int,
    *,
    actor: User | None,
    uploaded: Any,
    title: str = "",
    kind: str = CaseDocument.Kind.INTERNAL,
    visible_to_applicant: bool = False,
    expected_version: int | None = None,
) -> CaseDocument:
    """A file the office adds (an internal document or a scan), checked like every upload."""
    from rathaus.forms.uploads import check_file

    if kind not in (CaseDocument.Kind.INTERNAL, CaseDocument.Kind.SCAN):
        raise _invalid("kind", _("Bitte wählen Sie die Art des Dokuments."))
    accept = SCAN_ACCEPT if kind == CaseDocument.Kind.SCAN else DOCUMENT_ACCEPT
    checked = check_file(uploaded, field="file", accept=accept, max_bytes=DOCUMENT_MAX_BYTES)
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    document = _store_document(
        locked,
        actor=actor,
        content=checked.file,
        kind=kind,
        title=(title or "").strip() or checked.name,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        visible_to_applicant=visible_to_applicant,
    )
    _bump(locked)
    return document


def _letter(
    locked: Case, *, actor: User | None, template: LetterTemplate, send: bool
) -> CaseDocument:
    from rathaus.cases import letters

    if template.office_id not in (None, locked.office_id) or not template.is_active:
        raise _invalid("template", _("Diese Vorlage gibt es für diesen Vorgang nicht."))
    rendered = letters.render_letter(locked, template, clerk=actor)
    document = _store_document(
        locked,
        actor=actor,
        content=ContentFile(rendered.pdf),
        kind=CaseDocument.Kind.LETTER,
        title=rendered.subject,
        original_name=f"{locked.reference} {template.name}.pdf",
        content_type="application/pdf",
        size=len(rendered.pdf),
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        visible_to_applicant=send,
    )
    if send:
        _message(
            locked,
            actor=actor,
            subject=rendered.subject,
            body=_("Unser Schreiben „%(title)s“ finden Sie bei den Dokumenten Ihres Antrags.")
            % {"title": rendered.subject},
        )
    return document


@transaction.atomic
def generate_letter(
    case: Case | int,
    *,
    actor: User | None,
    template: LetterTemplate,
    send_to_applicant: bool = False,
    expected_version: int | None = None,
) -> CaseDocument:
    """A PDF letter from `template` as a document of the case; optionally sent as a message."""
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    if send_to_applicant:
        _require_account(locked)
    document = _letter(locked, actor=actor, template=template, send=send_to_applicant)
    _bump(locked)
    return document


# --- messages to the applicant -------------------------------------------------------------------


def _require_account(case: Case) -> None:
    # Messages are read in the applicant's account; without one they would never arrive.
    if case.applicant_id is None:
        raise _invalid(
            "body",
            _(
                "Der Vorgang %(reference)s hat kein Konto der Antragsteller*in. "
                "Bitte schreiben Sie einen Brief."
            )
            % {"reference": case.reference},
        )


def _message(
    locked: Case,
    *,
    actor: User | None,
    subject: str,
    body: str,
    requests_documents: bool = False,
) -> CaseMessage:
    message = CaseMessage.objects.create(
        case=locked,
        direction=CaseMessage.Direction.TO_APPLICANT,
        author=actor,
        subject=subject[:200],
        body=body,
        requests_documents=requests_documents,
    )
    record_event(
        locked,
        actor=actor,
        action="message",
        summary=(
            _("Unterlagen angefordert: %(subject)s")
            if requests_documents
            else _("Nachricht an Antragsteller*in: %(subject)s")
        )
        % {"subject": message.subject},
        after={
            "message": message.pk,
            "subject": message.subject,
            "requests_documents": requests_documents,
        },
    )
    _notify_after_commit("notify_applicant", message.pk)
    return message


def _check_message(subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    problems = []
    if not subject:
        problems.append(Problem(field="subject", message=_("Bitte geben Sie einen Betreff ein.")))
    elif len(subject) > 200:
        problems.append(
            Problem(field="subject", message=_("Der Betreff darf höchstens 200 Zeichen haben."))
        )
    if not body:
        problems.append(Problem(field="body", message=_("Bitte geben Sie eine Nachricht ein.")))
    elif len(body) > MESSAGE_MAX:
        problems.append(
            Problem(
                field="body",
                message=_("Die Nachricht darf höchstens %(max)d Zeichen haben.")
                % {"max": MESSAGE_MAX},
            )
        )
    if problems:
        raise ValidationFailed(problems[0].message, problems=problems)
    return subject, body


@transaction.atomic
def send_message(
    case: Case | int,
    *,
    actor: User | None,
    subject: str,
    body: str,
    expected_version: int | None = None,
) -> CaseMessage:
    """A message shown in the applicant's account; they get a mail without its content."""
    subject, body = _check_message(subject, body)
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    _require_account(locked)
    message = _message(locked, actor=actor, subject=subject, body=body)
    _bump(locked)
    return message


@transaction.atomic
def request_documents(
    case: Case | int,
    *,
    actor: User | None,
    subject: str,
    body: str,
    expected_version: int | None = None,
) -> CaseMessage:
    """Ask the applicant for documents; the case waits for them ("waiting for citizen")."""
    subject, body = _check_message(subject, body)
    locked = _lock(case, actor=actor, expected_version=expected_version)
    _refuse_closed(locked)
    _require_account(locked)
    if locked.state != State.WAITING and not can_move(locked.state, State.WAITING):
        raise Conflict(
            _("Im Status „%(state)s“ können keine Unterlagen angefordert werden.")
            % {"state": State(locked.state).label}
        )
    message = _message(locked, actor=actor, subject=subject, body=body, requests_documents=True)
    if locked.state != State.WAITING:
        before = locked.state
        locked.state = State.WAITING
        locked.save(update_fields=["state", "modified"])
        record_event(
            locked,
            actor=actor,
            action="state",
            summary=f"Status: {State(before).label} → {State.WAITING.label}",
            before={"state": before},
            after={"state": State.WAITING},
        )
    _bump(locked)
    return message


# --- decision ----------------------------------------------------------------------------------


@transaction.atomic
def decide(
    case: Case | int,
    *,
    actor: User | None,
    outcome: str,
    template: LetterTemplate | None = None,
    send_to_applicant: bool = True,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Record the outcome and move to "decided"; optionally with a decision letter."""
    if outcome not in Outcome.values or not outcome:
        raise _invalid("outcome", _("Bitte wählen Sie das Ergebnis."))
    locked = _lock(case, actor=actor, expected_version=expected_version)
    if not can_move(locked.state, State.DECIDED):
        raise Conflict(
            _("Von „%(current)s“ kann der Vorgang nicht nach „%(target)s“ wechseln.")
            % {"current": State(locked.state).label, "target": State.DECIDED.label}
        )
    send = bool(template and send_to_applicant and locked.applicant_id)
    before = {"state": locked.state, "outcome": locked.outcome}
    locked.state = State.DECIDED
    locked.outcome = outcome
    locked.decided_at = timezone.now()
    _bump(locked, "state", "outcome", "decided_at")
    summary = _("Entschieden: %(outcome)s") % {"outcome": Outcome(outcome).label}
    record_event(
        locked,
        actor=actor,
        action="decided",
        summary=f"{summary} ({reason})" if reason else summary,
        before=before,
        after={"state": State.DECIDED, "outcome": outcome},
    )
    if template is not None:
        _letter(locked, actor=actor, template=template, send=send)
    return locked


# --- applications that came on another channel ---------------------------------------------------


@dataclass
class Registration:
    """An application a clerk registers: it came by post, email, in person or phone."""

    channel: str
    subject: str
    applicant_name: str
    received_on: dt.date
    applicant_email: str = ""
    applicant_address: str = ""
    service_id: int | None = None
    office_id: int | None = None
    due_date: dt.date | None = None
    scan: Any = None
    scan_title: str = ""
    note: str = ""


def _received_at(day: dt.date) -> dt.datetime:
    today = timezone.localdate()
    if day == today:
        return timezone.now()
    # Earlier days: noon, so the local date stays the same in every zone arithmetic.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@transaction.atomic
def register_case(*, actor: User, registration: Registration) -> Case:
    """Open a case for an application that did not come online, with its scan if any.

    Paper (post, in person) is recorded as a media break "received on paper", a scan of it
    as "scanned", so the online share and the paper-free rate of the monitor are real.
    """
    from rathaus.catalog.models import Service

    r = registration
    problems = []
    if r.channel not in OFFLINE_CHANNELS:
        problems.append(Problem(field="channel", message=_("Bitte wählen Sie den Eingangsweg.")))
    if not (r.subject or "").strip():
        problems.append(Problem(field="subject", message=_("Bitte geben Sie einen Betreff ein.")))
    if not (r.applicant_name or "").strip():
        problems.append(
            Problem(field="applicant_name", message=_("Bitte geben Sie den Namen ein."))
        )
    if r.received_on > timezone.localdate():
        problems.append(
            Problem(
                field="received_on",
                message=_("Das Eingangsdatum darf nicht in der Zukunft liegen."),
            )
        )
    service = None
    if r.service_id is not None:
        service = Service.objects.filter(pk=r.service_id).first()
        if service is None:
            problems.append(Problem(field="service", message=_("Diese Leistung gibt es nicht.")))
    if problems:
        raise ValidationFailed(problems[0].message, problems=problems)
    office_id = (service.office_id if service else None) or r.office_id or actor.office_id
    office = Office.objects.filter(pk=office_id).first() if office_id else None
    if office is None:
        raise _invalid("service", _("Bitte wählen Sie eine Leistung mit zuständiger Stelle."))
    if not _may_work_office(actor, office):
        raise PermissionDenied(
            _("Sie dürfen keine Vorgänge für %(office)s erfassen.") % {"office": office.name}
        )
    checked = None
    if r.scan is not None:
        from rathaus.forms.uploads import check_file

        paper = r.channel in PAPER_CHANNELS
        checked = check_file(
            r.scan,
            field="scan",
            accept=SCAN_ACCEPT if paper else DOCUMENT_ACCEPT,
            max_bytes=DOCUMENT_MAX_BYTES,
        )
    due = r.due_date or _default_due(service, r.received_on)
    case = create_case(
        office=office,
        channel=r.channel,
        subject=r.subject.strip(),
        service_id=service.pk if service else None,
        applicant_name=r.applicant_name.strip(),
        applicant_email=(r.applicant_email or "").strip(),
        applicant_address=(r.applicant_address or "").strip(),
        due_date=due,
        received_at=_received_at(r.received_on),
        actor=actor,
    )
    if r.channel in PAPER_CHANNELS:
        _media_break(
            case,
            actor=actor,
            kind=MediaBreak.Kind.PAPER_RECEIVED,
            note=str(Channel(r.channel).label),
            at=case.received_at,
        )
    if checked is not None:
        paper = r.channel in PAPER_CHANNELS
        _store_document(
            case,
            actor=actor,
            content=checked.file,
            kind=CaseDocument.Kind.SCAN if paper else CaseDocument.Kind.APPLICATION,
            title=(r.scan_title or "").strip() or _("Antrag (%(name)s)") % {"name": checked.name},
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            visible_to_applicant=True,
        )
        if paper:
            _media_break(case, actor=actor, kind=MediaBreak.Kind.SCANNED)
    if r.note.strip():
        note = CaseNote.objects.create(case=case, author=actor, text=r.note.strip()[:NOTE_MAX])
        record_event(
            case,
            actor=actor,
            action="note",
            summary=_("Notiz hinzugefügt"),
            after={"note": note.pk, "text": note.text[:500]},
        )
    return case


def _may_work_office(actor: User, office: Office) -> bool:
    if actor.has_perm("cases.work_all_cases"):
        return True
    return bool(actor.has_perm("cases.work_case") and actor.office_id == office.pk)


def _default_due(service: Any, received: dt.date) -> dt.date | None:
    """The processing days of the service's active form, counted from the day received."""
    if service is None:
        return None
    from rathaus.forms.models import FormDefinition

    days = (
        FormDefinition.objects.filter(service=service, is_active=True)
        .values_list("processing_days", flat=True)
        .first()
    )
    return received + dt.timedelta(days=days) if days else None


# --- bulk actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    """What happened to one case of a bulk action."""

    case_id: int
    reference: str
    ok: bool
    message: str


BULK_ACTIONS = ("take", "assign", "unassign", "transition")


def bulk_apply(
    *,
    actor: User,
    action: str,
    items: list[tuple[int, int | None]],
    assignee: User | None = None,
    target: str = "",
) -> list[BulkResult]:
    """Apply one action to many cases, each in its own transaction.

    `items` are (case id, version the clerk saw). A stale, forbidden or impossible case is
    reported and skipped; the others are done.
    """
    if action not in BULK_ACTIONS:
        raise _invalid("action", _("Bitte wählen Sie eine Aktion."))
    if action == "assign" and assignee is None:
        raise _invalid("assignee", _("Bitte wählen Sie, wem die Vorgänge zugewiesen werden."))
    if action == "transition" and target not in State.values:
        raise _invalid("target", _("Bitte wählen Sie den neuen Status."))
    visible = cases_visible_to(actor).filter(pk__in=[pk for pk, _v in items])
    references = dict(visible.values_list("pk", "reference"))
    results = []
    for pk, version in items:
        reference = references.get(pk)
        if reference is None:
            results.append(
                BulkResult(pk, "", False, _("Vorgang nicht gefunden oder nicht erlaubt."))
            )
            continue
        try:
            if action == "take":
                assign(pk, actor=actor, assignee=actor, expected_version=version)
                message = _("übernommen")
            elif action == "assign":
                assign(pk, actor=actor, assignee=assignee, expected_version=version)
                message = _("zugewiesen an %(name)s") % {"name": actor_label(assignee)}
            elif action == "unassign":
                assign(pk, actor=actor, assignee=None, expected_version=version)
                message = _("Zuweisung aufgehoben")
            else:
                change_state(pk, target, actor=actor, expected_version=version)
                message = _("Status: %(state)s") % {"state": State(target).label}
        except RathausError as exc:
            results.append(BulkResult(pk, reference, False, exc.message))
        else:
            results.append(BulkResult(pk, reference, True, message))
    return results


# --- letter templates ----------------------------------------------------------------------------


@transaction.atomic
def save_letter_template(template: LetterTemplate, *, actor: User) -> LetterTemplate:
    """Save a template after checking its placeholders and who may write for which office."""
    from rathaus.cases import letters

    all_offices = actor.has_perm("cases.work_all_cases")
    if not all_offices and (template.office_id is None or template.office_id != actor.office_id):
        raise PermissionDenied(_("Sie dürfen nur Vorlagen Ihrer eigenen Stelle bearbeiten."))
    if template.pk is not None and not all_offices:
        stored = LetterTemplate.objects.filter(pk=template.pk).values_list("office_id", flat=True)
        if stored.first() != actor.office_id:
            raise PermissionDenied(_("Sie dürfen nur Vorlagen Ihrer eigenen Stelle bearbeiten."))
    letters.validate_template(subject=template.subject, body=template.body)
    template.save()
    return template


def ensure_default_letter_templates() -> int:
    """Create the standard templates for all offices that do not exist yet; returns how many."""
    from rathaus.cases import letters

    created = 0
    for spec in letters.DEFAULT_TEMPLATES:
        _template, made = LetterTemplate.objects.get_or_create(
            name=spec["name"],
            office=None,
            defaults={"subject": spec["subject"], "body": spec["body"]},
        )
        created += int(made)
    return created
