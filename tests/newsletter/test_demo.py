"""The newsletter demo: subscribers with consent records, one sent issue, one draft; idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from rathaus.newsletter.demo import DRAFT_SUBJECT, SENT_SUBJECT, load_newsletter_demo
from rathaus.newsletter.models import Delivery, Issue, Subscriber
from tests.newsletter.conftest import World

pytestmark = pytest.mark.django_db


def test_demo_subscribers_and_a_sent_issue(world: World, settings: Any) -> None:
    result = load_newsletter_demo(count=120)
    assert result.created
    assert result.subscribers == 120
    assert Subscriber.objects.count() == 120
    assert all(s.email.endswith("@example.org") for s in Subscriber.objects.all())
    assert not Subscriber.objects.filter(consent_text="").exists()
    active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    assert 80 <= active.count() < 120
    assert not Subscriber.objects.filter(status="active", confirmed_at__isnull=True).exists()

    sent = Issue.objects.get(subject=SENT_SUBJECT)
    assert sent.status == Issue.Status.SENT
    deliveries = Delivery.objects.filter(issue=sent)
    assert deliveries.count() == sent.recipient_count > 0
    assert set(deliveries.values_list("state", flat=True)) == {"sent"}
    # Only addresses following one of the issue's topics and confirmed before it went out.
    topic_ids = set(sent.topics.values_list("pk", flat=True))
    for delivery in deliveries.select_related("subscriber"):
        assert set(delivery.subscriber.topics.values_list("pk", flat=True)) & topic_ids
        assert delivery.subscriber.confirmed_at < sent.sent_at
    draft = Issue.objects.get(subject=DRAFT_SUBJECT)
    assert draft.status == Issue.Status.DRAFT
    assert draft.items.exists()

    again = load_newsletter_demo(count=120)
    assert not again.created
    assert Subscriber.objects.count() == 120
    assert Issue.objects.count() == 2


def test_without_news_the_demo_writes_nothing(db: None) -> None:
    assert not load_newsletter_demo().created
    assert not Subscriber.objects.exists()
