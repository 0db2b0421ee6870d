"""The news demo: plausible amounts, every state present, idempotent."""

from __future__ import annotations

import pytest

from rathaus.core.models import SearchDocument
from rathaus.news.demo import load_news_demo
from rathaus.news.models import Announcement, Event, Topic

pytestmark = pytest.mark.django_db


def test_demo_loads_once() -> None:
    first = load_news_demo()
    assert first.created > 60
    assert Announcement.objects.filter(kind="notice").count() == 5
    assert Announcement.objects.exclude(kind="notice").count() >= 40
    assert Event.objects.count() >= 20
    assert {"rathaus", "bauen-verkehr", "kultur", "umwelt", "rat"} <= set(
        Topic.objects.values_list("slug", flat=True)
    )
    visible = Announcement.objects.published().count()
    assert Announcement.objects.count() - visible == 3  # two scheduled, one expired
    assert SearchDocument.objects.filter(kind="news").count() == visible
    assert all(e.accessibility for e in Event.objects.all())
    second = load_news_demo()
    assert second.created == 0
    assert second.unchanged == first.created
