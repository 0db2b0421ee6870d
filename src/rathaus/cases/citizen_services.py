"""What the applicant does to their own case: read messages, answer a request for documents.

The applicant never changes a case directly: answering moves it from "waiting" back to
"in review" through `cases.services.transition`, so the state machine, the optimistic lock
and the audit trail are the same as for a clerk.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import User
from rathaus.cases import services
from rathaus.cases.models import Case, CaseDocument, CaseMessage, State
from rathaus.core.errors import Conflict, NotFound, Problem, ValidationFailed
from rathaus.forms.uploads import CheckedFile, check_file

logger = logging.getLogger(__name__)

# What a citizen may send in answer to a request: documents and photos of them.
ANSWER_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
ANSWER_MAX_BYTES = 20 * 1024 * 1024
ANSWER_MAX_FILES = 10
ANSWER_MAX_TEXT = 5000


@dataclass
class Answer:
    """The applicant's answer to a request for documents, before it is checked."""

    text: str = ""
    files: Sequence[UploadedFile] = field(default_factory=list)


def _locked_own_case(case: Case, user: User) -> Case:
    locked = Case.objects.select_for_update().filter(pk=case.pk, applicant=user).first()
    if locked is None:
        raise NotFound(_("Diesen Vorgang gibt es nicht."))
    return locked


@transaction.atomic
def mark_messages_read(case: Case, *, user: User) -> int:
    """Mark the office's messages of the case as read; returns how many were unread."""
    _locked_own_case(case, user)
    count = CaseMessage.objects.filter(
        case=case, direction=CaseMessage.Direction.TO_APPLICANT, read_at__isnull=True
    ).update(read_at=timezone.now())
    if count:
        services.record_event(
            case,
            actor=user,
            action="messages_read",
            summary=f"{count} Nachricht(en) gelesen",
            after={"read": count},
        )
    return count


def check_answer(answer: Answer) -> list[CheckedFile]:
    """Check text and every file before anything is written; all problems at once."""
    problems: list[Problem] = []
    text = answer.text.strip()
    files = list(answer.files)
    if not files and not text:
        problems.append(
            Problem(
                _("Bitte laden Sie mindestens eine Datei hoch oder schreiben Sie eine Nachricht."),
                field="documents",
            )
        )
    if len(text) > ANSWER_MAX_TEXT:
        problems.append(
            Problem(
                _("Die Nachricht ist zu lang (höchstens %(max)d Zeichen).")
                % {"max": ANSWER_MAX_TEXT},
                field="text",
            )
        )
    if len(files) > ANSWER_MAX_FILES:
        problems.append(
            Problem(
                _("Bitte laden Sie höchstens %(max)d Dateien auf einmal hoch.")
                % {"max": ANSWER_MAX_FILES},
                field="documents",
            )
        )
    checked: list[CheckedFile] = []
    for uploaded in files[:ANSWER_MAX_FILES]:
        try:
            checked.append(
                check_file(
                    uploaded, field="documents", accept=ANSWER_ACCEPT, max_bytes=ANSWER_MAX_BYTES
                )
            )
        except ValidationFailed as exc:
            problems.extend(exc.problems or [Problem(exc.message, field="documents")])
    if problems:
        raise ValidationFailed(_("Die Antwort konnte nicht gesendet werden."), problems=problems)
    return checked


def answer_request(case: Case, *, user: User, answer: Answer) -> CaseMessage:
    """Send documents and a text in answer to the open request; the case goes back to review.

    Refuses (Conflict) when no request is open. Files are checked first (type by content,
    size, virus scan); they are written only when all pass, and removed again if the
    database part fails, so there is never a file without its row or half an answer.
    """
    checked = check_answer(answer)
    stored: list[str] = []
    storage = CaseDocument._meta.get_field("file").storage  # the one the field writes with
    try:
        with transaction.atomic():
            locked = _locked_own_case(case, user)
            request = (
                CaseMessage.objects.select_for_update()
                .filter(
                    case=locked,
                    direction=CaseMessage.Direction.TO_APPLICANT,
                    requests_documents=True,
                    answered_at__isnull=True,
                )
                .order_by("created", "pk")
                .first()
            )
            if request is None:
                raise Conflict(
                    _(
                        "Zu diesem Vorgang sind keine Unterlagen angefordert; "
                        "es gibt nichts zu beantworten."
                    )
                )
            now = timezone.now()
            documents = []
            for item in checked:
                document = CaseDocument(
                    case=locked,
                    kind=CaseDocument.Kind.CITIZEN,
                    title=item.name,
                    original_name=item.name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    visible_to_applicant=True,
                    created_by=user,
                )
                document.file.save("document", item.file, save=False)
                stored.append(document.file.name)
                document.save()
                documents.append(document)
            message = CaseMessage.objects.create(
                case=locked,
                direction=CaseMessage.Direction.FROM_APPLICANT,
                author=user,
                subject=(_("Antwort: %(subject)s") % {"subject": request.subject})[:200],
                body=answer.text.strip(),
            )
            request.answered_at = now
            request.read_at = request.read_at or now  # answering it means it was read
            request.save(update_fields=["answered_at", "read_at"])
            services.record_event(
                locked,
                actor=user,
                action="citizen_answer",
                summary=f"Antwort auf Anforderung mit {len(documents)} Datei(en)",
                after={
                    "message": message.pk,
                    "request": request.pk,
                    "documents": [d.pk for d in documents],
                },
            )
            if locked.state == State.WAITING:
                services.transition(
                    locked,
                    State.IN_REVIEW,
                    actor=user,
                    expected_version=locked.version,
                    reason="Unterlagen nachgereicht",
                )
    except BaseException:
        for name in stored:
            try:
                storage.delete(name)
            except OSError:  # pragma: no cover - storage trouble is logged, the error raised
                logger.exception("could not remove a stored file after a failed answer")
        raise
    logger.info(
        "citizen answered a request",
        extra={"case": case.reference, "documents": len(checked)},
    )
    return message
