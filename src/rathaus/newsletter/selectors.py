"""Reads of the newsletter pages: topics with their reach, issues with progress, candidates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from rathaus.news.models import Announcement, Topic
from rathaus.newsletter import sending
from rathaus.newsletter.models import Delivery, Issue, IssueItem, Subscriber

CANDIDATES = 60


def topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def topics_with_reach() -> QuerySet[Topic]:
    """Every topic with the number of active and of pending subscribers."""
    return Topic.objects.annotate(
        active=Count(
            "newsletter_subscribers",
            filter=Q(newsletter_subscribers__status=Subscriber.Status.ACTIVE),
            distinct=True,
        ),
        pending=Count(
            "newsletter_subscribers",
            filter=Q(newsletter_subscribers__status=Subscriber.Status.PENDING),
            distinct=True,
        ),
    ).order_by("name")


def subscriber_counts() -> dict[str, int]:
    counts = dict.fromkeys(Subscriber.Status.values, 0)
    counts.update(dict(Subscriber.objects.values_list("status").annotate(n=Count("id")).order_by()))
    return counts


def issues() -> QuerySet[Issue]:
    return (
        Issue.objects.select_related("created_by")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
        )
        .order_by("-created")
    )


def issue_items(issue: Issue) -> QuerySet[IssueItem]:
    return issue.items.select_related("announcement").order_by("position", "id")


def candidate_announcements(issue: Issue | None = None) -> list[Announcement]:
    """Published news items to choose from: the newest, plus those already in the issue."""
    chosen: list[int] = []
    if issue is not None and issue.pk:
        chosen = list(issue.items.values_list("announcement_id", flat=True))
    newest = list(
        Announcement.objects.published()
        .order_by("-publish_at")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    ids = list(dict.fromkeys([*chosen, *newest]))
    by_pk = Announcement.objects.select_related("category").in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


@dataclass(frozen=True)
class Progress:
    total: int
    counts: dict[str, int]

    @property
    def done(self) -> int:
        return sum(self.counts.get(s, 0) for s in ("sent", "failed", "skipped"))

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def uncertain(self) -> int:
        return self.counts.get(Delivery.State.SENDING, 0)


def progress(issue: Issue) -> Progress:
    counts = sending.state_counts(issue.pk)
    return Progress(total=sum(counts.values()), counts=counts)


def subscribers(*, status: str = "", query: str = "") -> QuerySet[Subscriber]:
    qs = Subscriber.objects.prefetch_related("topics").order_by("email")
    if status in Subscriber.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(email__icontains=query.strip().lower())
    return qs


def recipient_estimate(topic_ids: Any) -> int:
    return (
        Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, topics__in=list(topic_ids))
        .distinct()
        .count()
    )
