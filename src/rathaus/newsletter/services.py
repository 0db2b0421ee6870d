"""Every write of the newsletter: subscribe (double opt-in), confirm, preferences, unsubscribe,
compose an issue, start and resume its sending. Views, tasks, commands and the admin call these.

No enumeration: `subscribe` behaves the same for a new, a pending, an active or a former
address, as seen from the form; what differs is only which mail goes out (a confirmation
request, or a note that the address is subscribed already), and at most one per address in
`CONFIRMATION_INTERVAL`.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import errors
from rathaus.news.models import Announcement, Topic
from rathaus.newsletter.models import Delivery, Issue, IssueItem, Subscriber

logger = logging.getLogger(__name__)

# At most one confirmation mail per address in this interval, however often the form is sent.
CONFIRMATION_INTERVAL = datetime.timedelta(minutes=5)
# The confirmation link expires; unconfirmed addresses are forgotten soon after.
CONFIRMATION_MAX_AGE = datetime.timedelta(days=7)
UNCONFIRMED_RETENTION = datetime.timedelta(days=8)
CONFIRM_SALT = "rathaus.newsletter.confirm"
MAX_ITEMS = 30
STALE_CLAIM = datetime.timedelta(minutes=10)

Status = Subscriber.Status


def normalize_email(email: str) -> str:
    # Addresses that differ only in case reach the same mailbox in practice.
    return (email or "").strip().lower()


def _invalid(message: str, field_name: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, problems=[errors.Problem(message, field=field_name)])


def consent_text() -> str:
    """The consent shown beside the checkbox; stored word for word with the subscriber."""
    return _(
        "Ich willige ein, dass die %(municipality)s meine E-Mail-Adresse und die gewählten "
        "Themen speichert, um mir den Newsletter zu diesen Themen zu schicken. Ich kann die "
        "Einwilligung jederzeit über den Abmelde-Link in jeder E-Mail widerrufen."
    ) % {"municipality": settings.RATHAUS_MUNICIPALITY}


def _topics(topic_ids: Iterable[object]) -> list[Topic]:
    ids: set[int] = set()
    for value in topic_ids:
        try:
            ids.add(int(str(value)))
        except ValueError:
            continue
    topics = list(Topic.objects.filter(pk__in=ids))
    if not topics or len(topics) != len(ids):
        raise _invalid(_("Bitte wählen Sie mindestens ein Thema aus der Liste."), "topics")
    return topics


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# --- subscribe, confirm, preferences, unsubscribe -------------------------------------------


@transaction.atomic
def subscribe(
    *,
    email: str,
    topic_ids: Sequence[object],
    language: str,
    consent: str,
    now: datetime.datetime | None = None,
) -> Subscriber:
    """Record a subscription request and queue the confirmation mail (double opt-in).

    Pending, former or bounced addresses start over with the new topics and consent. An
    active subscriber's topics are not changed from this public form (anyone may type any
    address into it); they get a mail with their preferences link instead.
    """
    now = now or timezone.now()
    address = normalize_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise _invalid(
            _("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@example.org."),
            "email",
        ) from None
    if not consent.strip():
        raise _invalid(_("Ohne Ihre Einwilligung können wir keine E-Mails schicken."), "consent")
    topics = _topics(topic_ids)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE

    subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            email=address,
            language=language,
            token=_new_token(),
            consent_text=consent,
            consent_at=now,
        )
        subscriber.topics.set(topics)
    elif subscriber.status != Status.ACTIVE:
        # What the person agrees to now is what the confirmation will activate.
        subscriber.status = Status.PENDING
        subscriber.language = language
        subscriber.consent_text = consent
        subscriber.consent_at = now
        subscriber.confirmed_at = None
        subscriber.save(
            update_fields=[
                "status",
                "language",
                "consent_text",
                "consent_at",
                "confirmed_at",
                "modified",
            ]
        )
        subscriber.topics.set(topics)

    last = subscriber.confirmation_sent_at
    if last is not None and now - last < CONFIRMATION_INTERVAL:
        return subscriber  # a mail went out a moment ago; no flooding through the form
    # Claimed here, in this transaction: two quick requests send one mail.
    subscriber.confirmation_sent_at = now
    subscriber.save(update_fields=["confirmation_sent_at", "modified"])

    from rathaus.newsletter import tasks

    pk = subscriber.pk
    # After the commit: a worker in another process must find the row.
    transaction.on_commit(lambda: tasks.send_confirmation.enqueue(pk))
    return subscriber


def confirmation_code(subscriber: Subscriber) -> str:
    """The signed, expiring code of the confirmation link."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.token)


def _unknown_link() -> errors.NotFound:
    return errors.NotFound(_("Diesen Link kennen wir nicht (mehr)."))


def subscriber_for_code(code: str) -> Subscriber:
    """The subscriber a confirmation link names, if the link is genuine and not too old."""
    try:
        token = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            code, max_age=CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise errors.NotFound(
            _(
                "Dieser Bestätigungslink ist abgelaufen. Bitte melden Sie sich noch einmal an; "
                "Sie erhalten dann einen neuen Link."
            )
        ) from None
    except signing.BadSignature:
        raise _unknown_link() from None
    return get_subscriber(token=token)


def get_subscriber(*, token: str) -> Subscriber:
    """The subscriber a link from a mail names; NotFound for anything else."""
    subscriber = Subscriber.objects.filter(token=token).first() if token else None
    if subscriber is None:
        raise _unknown_link()
    return subscriber


@transaction.atomic
def confirm(*, code: str, now: datetime.datetime | None = None) -> Subscriber:
    """Second step of the double opt-in: only now does the address receive issues."""
    now = now or timezone.now()
    subscriber = subscriber_for_code(code)
    if subscriber.status == Status.PENDING:
        subscriber.status = Status.ACTIVE
        subscriber.confirmed_at = now
        subscriber.unsubscribed_at = None
        subscriber.bounced_at = None
        subscriber.bounce_count = 0
        subscriber.save(
            update_fields=[
                "status",
                "confirmed_at",
                "unsubscribed_at",
                "bounced_at",
                "bounce_count",
                "modified",
            ]
        )
        logger.info("newsletter subscription confirmed")
    elif subscriber.status != Status.ACTIVE:
        # An old link after unsubscribing does not silently subscribe again.
        raise errors.Conflict(
            _(
                "Diese Anmeldung ist nicht mehr gültig. Wenn Sie den Newsletter wieder "
                "erhalten möchten, melden Sie sich bitte neu an."
            )
        )
    return subscriber


@transaction.atomic
def update_preferences(
    *, token: str, topic_ids: Sequence[object], language: str | None = None
) -> Subscriber:
    """Change the topics (and language) from the link in a mail."""
    subscriber = get_subscriber(token=token)
    if subscriber.status != Status.ACTIVE:
        raise errors.Conflict(_("Dieses Abonnement ist nicht aktiv. Bitte melden Sie sich neu an."))
    topics = _topics(topic_ids)
    subscriber.topics.set(topics)
    if language and language in dict(settings.LANGUAGES) and language != subscriber.language:
        subscriber.language = language
        subscriber.save(update_fields=["language", "modified"])
    return subscriber


@transaction.atomic
def unsubscribe(*, token: str, now: datetime.datetime | None = None) -> Subscriber:
    """One click, no login: the token in the address is the permission. Twice is harmless.

    The row stays (with the consent record and the time of the withdrawal), so that an
    issue being sent right now skips this address, and the proof of what happened remains.
    """
    now = now or timezone.now()
    subscriber = get_subscriber(token=token)
    if subscriber.status in (Status.ACTIVE, Status.PENDING):
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["status", "unsubscribed_at", "modified"])
        logger.info("newsletter unsubscribed")
    return subscriber


@transaction.atomic
def purge_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Forget addresses whose confirmation never came (privacy: only consented data stays)."""
    now = now or timezone.now()
    stale = Subscriber.objects.filter(
        status=Status.PENDING, confirmed_at__isnull=True, consent_at__lt=now - UNCONFIRMED_RETENTION
    ).exclude(deliveries__isnull=False)
    _deleted, by_model = stale.delete()
    count = by_model.get(Subscriber._meta.label, 0)
    if count:
        logger.info("unconfirmed newsletter addresses purged", extra={"count": count})
    return count


# --- issues ------------------------------------------------------------------------------


def _editable(issue: Issue) -> None:
    if issue.status != Issue.Status.DRAFT:
        raise errors.Conflict(
            _(
                "Diese Ausgabe wird schon versandt oder ist versandt und kann nicht mehr "
                "geändert werden."
            )
        )


@transaction.atomic
def save_issue(
    *,
    issue: Issue | None = None,
    subject: str,
    intro: str,
    topic_ids: Sequence[object],
    announcement_ids: Sequence[int],
    user: Any = None,
) -> Issue:
    """Create or change a draft; `announcement_ids` in the order the issue shows them."""
    problems = []
    subject = " ".join((subject or "").split())
    if not subject:
        problems.append(errors.Problem(_("Bitte geben Sie einen Betreff an."), field="subject"))
    elif len(subject) > 200:
        problems.append(
            errors.Problem(_("Der Betreff ist zu lang: höchstens 200 Zeichen."), field="subject")
        )
    topic_pks = {int(str(t)) for t in topic_ids}
    topics = list(Topic.objects.filter(pk__in=topic_pks))
    if not topics or len(topics) != len(topic_pks):
        problems.append(
            errors.Problem(
                _("Bitte wählen Sie mindestens ein Thema: es bestimmt, wer die Ausgabe erhält."),
                field="topics",
            )
        )
    order = list(dict.fromkeys(int(a) for a in announcement_ids))
    published = Announcement.objects.published().in_bulk(order)
    if len(order) > MAX_ITEMS:
        problems.append(
            errors.Problem(
                _("Höchstens %(max)d Meldungen je Ausgabe.") % {"max": MAX_ITEMS},
                field="announcements",
            )
        )
    missing = [pk for pk in order if pk not in published]
    if missing:
        problems.append(
            errors.Problem(
                _("Nur veröffentlichte Meldungen können in den Newsletter (nicht: %(ids)s).")
                % {"ids": ", ".join(map(str, missing))},
                field="announcements",
            )
        )
    if not order:
        problems.append(
            errors.Problem(_("Bitte wählen Sie mindestens eine Meldung."), field="announcements")
        )
    if problems:
        raise errors.ValidationFailed(_("Die Ausgabe ist unvollständig."), problems=problems)

    if issue is None:
        issue = Issue(created_by=user if getattr(user, "is_authenticated", False) else None)
    else:
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        _editable(issue)
    issue.subject = subject
    issue.intro = (intro or "").strip()
    issue.save()
    issue.topics.set(topics)
    IssueItem.objects.filter(issue=issue).delete()
    IssueItem.objects.bulk_create(
        IssueItem(issue=issue, announcement_id=pk, position=n) for n, pk in enumerate(order, 1)
    )
    return issue


@transaction.atomic
def start_sending(*, issue: Issue, user: Any = None, now: datetime.datetime | None = None) -> Issue:
    """Staff pressed "senden": mark the issue and queue the sending task (once)."""
    now = now or timezone.now()
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    _editable(issue)
    if not issue.items.exists() or not issue.topics.exists():
        raise errors.ValidationFailed(
            _("Eine Ausgabe braucht mindestens eine Meldung und ein Thema.")
        )
    issue.status = Issue.Status.SENDING
    issue.send_requested_at = now
    issue.send_requested_by = user if getattr(user, "is_authenticated", False) else None
    issue.save(update_fields=["status", "send_requested_at", "send_requested_by", "modified"])
    enqueue_sending(issue)
    logger.info("newsletter sending requested", extra={"issue": issue.pk})
    return issue


def enqueue_sending(issue: Issue) -> None:
    from rathaus.newsletter import tasks

    pk = issue.pk
    transaction.on_commit(lambda: tasks.send_issue.enqueue(pk))


@transaction.atomic
def release_uncertain(*, issue: Issue) -> int:
    """Put deliveries left "sending" by a crash back in the queue, on staff's decision.

    Each of these mails may or may not have reached the mail server (see sending.py);
    staff decide after checking the server's log that resending is better than missing.
    """
    now = timezone.now()
    # A claim younger than this may belong to a sender that is still running.
    released = Delivery.objects.filter(
        issue=issue, state=Delivery.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(state=Delivery.State.PENDING, claimed_at=None)
    if released:
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING, sent_at=None)
        enqueue_sending(issue)
    return released
