"""Sending an issue: the recipient snapshot, then batches over one SMTP connection each.

The guarantee is "at most once, and exactly once unless a crash hits one narrow window":

1. The snapshot (one `Delivery` row per recipient, state pending) is written in one
   transaction, exactly once per issue; later subscribers wait for the next issue.
2. Before a mail is handed to the server, its row is claimed in its own commit:
   pending → sending (a conditional UPDATE, so two senders never claim the same row).
3. Right after the server's 250 reply to the mail, the row becomes sent in its own commit.

Running the task again (or `rathaus send_newsletter ISSUE_ID`) continues with the pending
rows. A crash between two mails leaves no row in between: the next run sends exactly the
rest. A crash in the window between the server's 250 reply and the commit of step 3 (or a
lost connection while the server was answering) leaves the row in "sending": the mail may
or may not have gone out. Such rows are never sent again automatically, so nobody gets an
issue twice; staff see them as "uncertain" and may release them after checking the mail
server's log (`services.release_uncertain`). The window is a local database commit, well
under a millisecond per mail.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import errors
from rathaus.newsletter import mail
from rathaus.newsletter.models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_ATTEMPTS = 3
State = Delivery.State

# Test hook for the crash tests (a subprocess kills itself at a chosen point):
# "after-commit:N" exits after the N-th mail was recorded as sent, between two mails;
# "before-commit:N" exits after the server accepted the N-th mail, before recording it.
CRASH_ENV = "RATHAUS_TEST_NEWSLETTER_CRASH"


@dataclass
class SendResult:
    issue_id: int
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry: int = 0  # refused for now (4xx), left pending for the next run
    batches: int = 0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return not self.states.get(State.PENDING) and not self.states.get(State.SENDING)


def recipients(issue: Issue) -> Any:
    """Active subscribers following at least one of the issue's topics (each once)."""
    return (
        Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, topics__in=issue.topics.all())
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def take_snapshot(issue_id: int) -> Issue:
    """Write the Delivery rows of the issue once, in one transaction; later calls do nothing."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.snapshot_at is not None:
            return issue
        if issue.status == Issue.Status.DRAFT:
            raise errors.Conflict(
                f"Ausgabe {issue_id} ist ein Entwurf; der Versand wurde nicht angestoßen."
            )
        ids = list(recipients(issue))
        Delivery.objects.bulk_create(
            (Delivery(issue_id=issue.pk, subscriber_id=pk) for pk in ids), batch_size=1000
        )
        issue.snapshot_at = timezone.now()
        issue.recipient_count = len(ids)
        issue.save(update_fields=["snapshot_at", "recipient_count", "modified"])
    logger.info("newsletter snapshot", extra={"issue": issue_id, "recipients": len(ids)})
    return issue


def state_counts(issue_id: int) -> dict[str, int]:
    rows = (
        Delivery.objects.filter(issue_id=issue_id)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(State.values, 0)
    counts.update(dict(rows))
    return counts


def _crash_point() -> tuple[str, int] | None:
    value = os.environ.get(CRASH_ENV, "")
    if ":" not in value:
        return None
    where, _sep, count = value.partition(":")
    return where, int(count)


def _send(connection: Any, message: Any) -> None:
    """The one place an issue mail leaves the house."""
    connection.send_messages([message])


def _error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()]
        return "; ".join(parts)[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{exc.smtp_code} {text}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _transient(exc: smtplib.SMTPException) -> bool:
    """4xx: the server may take it later; 5xx: it never will."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 500)]
    return bool(codes) and all(400 <= code < 500 for code in codes)


def send_issue(
    issue_id: int,
    *,
    batch_size: int = BATCH_SIZE,
    connection_factory: Callable[[], Any] = get_connection,
) -> SendResult:
    """Send every pending delivery of the issue; resumable (see the module docstring)."""
    issue = take_snapshot(issue_id)
    result = SendResult(issue_id=issue.pk)
    rendered: dict[str, mail.RenderedIssue] = {}
    crash = _crash_point()

    # Rows refused for now (4xx) wait for the next run instead of being hammered at once.
    deferred: set[int] = set()
    while True:
        batch = list(
            Delivery.objects.filter(issue_id=issue.pk, state=State.PENDING)
            .exclude(pk__in=deferred)
            .select_related("subscriber")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        result.batches += 1
        # One connection per batch: a server that drops long sessions costs one batch at most.
        connection = connection_factory()
        connection.open()
        try:
            for delivery in batch:
                outcome = _deliver(delivery, issue, rendered, connection)
                if outcome == "retry":
                    deferred.add(delivery.pk)
                setattr(result, outcome, getattr(result, outcome) + 1)
                if crash == ("after-commit", result.sent) and outcome == "sent":
                    os._exit(17)
        finally:
            connection.close()

    result.states = state_counts(issue.pk)
    if result.finished:
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    logger.info(
        "newsletter sent",
        extra={
            "issue": issue.pk,
            "sent": result.sent,
            "failed": result.failed,
            "skipped": result.skipped,
            "uncertain": result.states.get(State.SENDING, 0),
        },
    )
    return result


def _deliver(
    delivery: Delivery, issue: Issue, rendered: dict[str, mail.RenderedIssue], connection: Any
) -> str:
    """Claim, send and record one delivery; returns sent, failed, skipped or retry."""
    now = timezone.now()
    # Claim only while the subscriber is still active: who left meanwhile is skipped.
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        state=State.PENDING,
        subscriber__status=Subscriber.Status.ACTIVE,
    ).update(state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        skipped = Delivery.objects.filter(pk=delivery.pk, state=State.PENDING).update(
            state=State.SKIPPED, error="abgemeldet oder unzustellbar vor dem Versand"
        )
        return "skipped" if skipped else "retry"  # another sender took it

    subscriber = delivery.subscriber
    language = subscriber.language
    if language not in rendered:
        rendered[language] = mail.render_issue(issue, language)
    message = mail.issue_message(
        rendered[language],
        to=subscriber.email,
        token=subscriber.token,
        delivery_id=delivery.pk,
        connection=connection,
    )
    row = Delivery.objects.filter(pk=delivery.pk, state=State.SENDING)
    try:
        _send(connection, message)
    except smtplib.SMTPSenderRefused as exc:
        # Our own address is refused: every mail would be. Not taken, so back in the queue.
        row.update(state=State.PENDING, error=_error(exc))
        raise
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
        # Refused before acceptance, so trying again later cannot duplicate anything.
        if _transient(exc) and delivery.attempts + 1 < MAX_ATTEMPTS:
            row.update(state=State.PENDING, error=_error(exc))
            return "retry"
        row.update(state=State.FAILED, error=_error(exc))
        return "failed"
    # Any other error (connection lost, crash) leaves the row in "sending": uncertain.
    crash = _crash_point()
    if crash and crash[0] == "before-commit" and _sent_so_far(delivery.issue_id) + 1 == crash[1]:
        os._exit(18)
    row.update(state=State.SENT, sent_at=timezone.now(), error="")
    return "sent"


def _sent_so_far(issue_id: int) -> int:
    return Delivery.objects.filter(issue_id=issue_id, state=State.SENT).count()


def resume_all() -> int:
    """Continue the issues whose sending was started and has pending deliveries."""
    ids = list(
        Issue.objects.filter(status=Issue.Status.SENDING)
        .filter(Q(snapshot_at__isnull=True) | Q(deliveries__state=State.PENDING))
        .values_list("pk", flat=True)
        .distinct()
    )
    for issue_id in ids:
        send_issue(issue_id)
    return len(ids)


def send_test(*, issue: Issue, to: str, language: str = "de", connection: Any = None) -> None:
    """One mail of the issue, as a reader gets it, to a staff address (links are dummies)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from rathaus.newsletter.services import normalize_email

    address = normalize_email(to)
    try:
        validate_email(address)
    except ValidationError:
        message = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
        raise errors.ValidationFailed(
            message, problems=[errors.Problem(message, field="to")]
        ) from None
    rendered = mail.render_issue(issue, language)
    mail.issue_message(
        rendered,
        to=address,
        token=mail.TEST_TOKEN,
        delivery_id=None,
        connection=connection,
        subject_prefix="[Test] ",
    ).send()
