"""Newsletter demo: a few hundred subscribers (example.org), one sent issue and one draft.

Runs after the news demo (it needs topics and published news items). Idempotent: once the
demo issue exists nothing is written again. No mail is sent: the sent issue's deliveries are
recorded as they would be after a send, so the monitor can count the newsletter's reach.
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rathaus.news.models import Announcement, Topic
from rathaus.newsletter import services
from rathaus.newsletter.models import Delivery, Issue, IssueItem, Subscriber

SUBSCRIBERS = 300
SENT_SUBJECT = "Buxtehude aktuell – Ausgabe 1"
DRAFT_SUBJECT = "Buxtehude aktuell – Ausgabe 2"
# Shares of the demo addresses by status (the rest is active).
PENDING, UNSUBSCRIBED, BOUNCED = 0.05, 0.07, 0.03


@dataclass
class NewsletterDemoResult:
    subscribers: int = 0
    active: int = 0
    deliveries: int = 0
    created: bool = False


@transaction.atomic
def load_newsletter_demo(*, count: int = SUBSCRIBERS) -> NewsletterDemoResult:
    result = NewsletterDemoResult()
    if Issue.objects.filter(subject=SENT_SUBJECT).exists():
        result.subscribers = Subscriber.objects.filter(email__endswith="@example.org").count()
        result.active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count()
        return result
    topics = list(Topic.objects.order_by("name"))
    news = list(Announcement.objects.published().order_by("-publish_at")[:8])
    if not topics or len(news) < 2:
        return result  # no news demo: nothing to subscribe to

    rng = random.Random(2020)  # noqa: S311 (demo data, the same every time)
    now = timezone.now()
    sent_at = now - datetime.timedelta(days=6)
    consent = services.consent_text()
    subscribers = []
    for n in range(1, count + 1):
        consent_at = now - datetime.timedelta(days=rng.randint(7, 400), minutes=rng.randint(0, 900))
        draw = rng.random()
        status = Subscriber.Status.ACTIVE
        if draw < PENDING:
            status = Subscriber.Status.PENDING
            consent_at = now - datetime.timedelta(days=rng.randint(0, 5))
        elif draw < PENDING + UNSUBSCRIBED:
            status = Subscriber.Status.UNSUBSCRIBED
        elif draw < PENDING + UNSUBSCRIBED + BOUNCED:
            status = Subscriber.Status.BOUNCED
        confirmed = (
            None
            if status == Subscriber.Status.PENDING
            else consent_at + datetime.timedelta(minutes=rng.randint(2, 600))
        )
        subscribers.append(
            Subscriber(
                email=f"leserin{n:03d}@example.org",
                status=status,
                language="en" if rng.random() < 0.06 else "de",
                token=secrets.token_urlsafe(32),
                consent_text=consent,
                consent_at=consent_at,
                confirmation_sent_at=consent_at,
                confirmed_at=confirmed,
                unsubscribed_at=(
                    now - datetime.timedelta(days=rng.randint(1, 5))
                    if status == Subscriber.Status.UNSUBSCRIBED
                    else None
                ),
                bounced_at=(
                    now - datetime.timedelta(days=rng.randint(1, 5))
                    if status == Subscriber.Status.BOUNCED
                    else None
                ),
                hard_bounce_count=1 if status == Subscriber.Status.BOUNCED else 0,
            )
        )
    Subscriber.objects.bulk_create(subscribers)
    subscribers = list(Subscriber.objects.filter(email__startswith="leserin").order_by("pk"))
    links = []
    chosen: dict[int, set[int]] = {}
    for subscriber in subscribers:
        picked = rng.sample(topics, k=min(len(topics), rng.choice((1, 1, 2, 2, 3))))
        chosen[subscriber.pk] = {t.pk for t in picked}
        links += [
            Subscriber.topics.through(subscriber_id=subscriber.pk, topic_id=t.pk) for t in picked
        ]
    Subscriber.topics.through.objects.bulk_create(links)

    # The sent issue: the four newest items, to everyone following one of its topics.
    issue_topics = topics[: max(1, (len(topics) + 1) // 2)]
    issue = Issue.objects.create(
        subject=SENT_SUBJECT,
        intro=(
            "Liebe Leserinnen und Leser,\n\nhier ist die erste Ausgabe unseres Newsletters "
            "mit den wichtigsten Nachrichten aus dem Rathaus."
        ),
        status=Issue.Status.SENT,
        send_requested_at=sent_at,
        snapshot_at=sent_at,
        sent_at=sent_at + datetime.timedelta(minutes=3),
    )
    issue.topics.set(issue_topics)
    IssueItem.objects.bulk_create(
        IssueItem(issue=issue, announcement=item, position=n) for n, item in enumerate(news[:4], 1)
    )
    wanted = {t.pk for t in issue_topics}
    # Who was active then: confirmed before the send; unsubscribed or bounced later.
    recipients = [
        s
        for s in subscribers
        if s.confirmed_at is not None and s.confirmed_at < sent_at and chosen[s.pk] & wanted
    ]
    Delivery.objects.bulk_create(
        Delivery(
            issue=issue,
            subscriber=s,
            state=Delivery.State.SENT,
            attempts=1,
            claimed_at=sent_at,
            sent_at=sent_at + datetime.timedelta(seconds=n // 50),
        )
        for n, s in enumerate(recipients)
    )
    issue.recipient_count = len(recipients)
    issue.save(update_fields=["recipient_count"])

    # A draft for the demo editor to preview, test and send.
    draft = Issue.objects.create(
        subject=DRAFT_SUBJECT,
        intro="Liebe Leserinnen und Leser,\n\ndas ist neu in der Hansestadt.",
    )
    draft.topics.set(topics)
    IssueItem.objects.bulk_create(
        IssueItem(issue=draft, announcement=item, position=n)
        for n, item in enumerate(news[4:8] or news[:2], 1)
    )
    result.subscribers = len(subscribers)
    result.active = sum(1 for s in subscribers if s.status == Subscriber.Status.ACTIVE)
    result.deliveries = len(recipients)
    result.created = True
    return result
