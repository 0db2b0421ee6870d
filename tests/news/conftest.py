"""Fixtures of the news tests: categories, topics and items in every state of visibility."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from rathaus.news import services
from rathaus.news.models import Announcement, Category, Event, Publishable, Topic

PUBLISHED = Publishable.Status.PUBLISHED


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_announcement(title: str = "Bürgerbüro samstags geöffnet", **fields: Any) -> Announcement:
    topics = fields.pop("topics", [])
    defaults: dict[str, Any] = {
        "title": title,
        "summary": "Das Bürgerbüro öffnet am ersten Samstag im Monat.",
        "body": "<p>Termine gibt es online.</p>",
        "status": PUBLISHED,
        "publish_at": timezone.now() - datetime.timedelta(days=1),
    }
    defaults.update(fields)
    item = services.save_item(item=Announcement(**defaults), topics=topics)
    assert isinstance(item, Announcement)
    return item


def make_event(title: str = "Lesung in der Stadtbibliothek", **fields: Any) -> Event:
    topics = fields.pop("topics", [])
    starts = timezone.now() + datetime.timedelta(days=7)
    defaults: dict[str, Any] = {
        "title": title,
        "summary": "Regionale Autorinnen lesen aus ihren Krimis.",
        "body": "<p>Eintritt frei.</p>",
        "status": PUBLISHED,
        "publish_at": timezone.now() - datetime.timedelta(days=1),
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "place": "Stadtbibliothek",
        "address": "Fischerstraße 2, 21614 Buxtehude",
        "accessibility": "Ebenerdiger Zugang, Behinderten-WC.",
    }
    defaults.update(fields)
    item = services.save_item(item=Event(**defaults), topics=topics)
    assert isinstance(item, Event)
    return item


@pytest.fixture
def culture(db: None) -> Category:
    return Category.objects.create(name="Kultur und Freizeit", slug="kultur")


@pytest.fixture
def building(db: None) -> Category:
    return Category.objects.create(name="Bauen und Verkehr", slug="bauen-verkehr")


@pytest.fixture
def topic_culture(db: None) -> Topic:
    return Topic.objects.create(name="Kultur", slug="kultur")


@pytest.fixture
def topic_council(db: None) -> Topic:
    return Topic.objects.create(name="Rat und Ausschüsse", slug="rat")


@pytest.fixture
def states(db: None, culture: Category, topic_culture: Topic) -> dict[str, Announcement]:
    """One announcement per state: visible, draft, scheduled, expired."""
    now = timezone.now()
    common = {"category": culture, "topics": [topic_culture]}
    return {
        "visible": make_announcement("Stadtbibliothek öffnet sonntags", **common),
        "draft": make_announcement(
            "Entwurf zur Sommerpause", status=Publishable.Status.DRAFT, **common
        ),
        "scheduled": make_announcement(
            "Neujahrsempfang der Bürgermeisterin",
            publish_at=now + datetime.timedelta(days=3),
            **common,
        ),
        "expired": make_announcement(
            "Sommerferien Öffnungszeiten",
            publish_at=now - datetime.timedelta(days=90),
            expires_at=now - datetime.timedelta(days=1),
            **common,
        ),
    }
