"""Fixtures of the newsletter tests: topics, published news items, mail over a real SMTP server."""

from __future__ import annotations

import datetime
import re
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from rathaus.news.models import Announcement, Topic
from rathaus.newsletter import services
from rathaus.newsletter.models import Issue, Subscriber
from tests.conftest import use_smtp

SITE = "https://rathaus.example.org"
LINK = re.compile(r"https://rathaus\.example\.org/\S+")


@dataclass
class World:
    verkehr: Topic
    kultur: Topic
    bauen: Topic
    news: list[Announcement]


def make_topic(name: str, slug: str) -> Topic:
    return Topic.objects.create(name=name, slug=slug, description=f"Alles zu {name}")


def make_announcement(
    title: str, slug: str, *, topics: list[Topic], days_ago: int = 1
) -> Announcement:
    item = Announcement.objects.create(
        title=title,
        slug=slug,
        summary=f"Kurz: {title}.",
        body=f"<p>{title}</p>",
        status=Announcement.Status.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    item.topics.set(topics)
    return item


@pytest.fixture
def world(db: None) -> World:
    verkehr = make_topic("Verkehr", "verkehr")
    kultur = make_topic("Kultur", "kultur")
    bauen = make_topic("Bauen", "bauen")
    news = [
        make_announcement("Neue Radwege am Bahnhof", "radwege", topics=[verkehr], days_ago=3),
        make_announcement(
            "Sperrung der Harburger Straße", "sperrung", topics=[verkehr], days_ago=2
        ),
        make_announcement("Altstadtfest im Juni", "altstadtfest", topics=[kultur], days_ago=1),
    ]
    return World(verkehr=verkehr, kultur=kultur, bauen=bauen, news=news)


def mail_settings(settings: Any, controller: Any) -> None:
    use_smtp(settings, controller)
    settings.SITE_URL = SITE
    settings.RATHAUS_NEWSLETTER_FROM = "Hansestadt Buxtehude <newsletter@example.org>"
    settings.RATHAUS_BOUNCE_ADDRESS = "bounces@example.org"
    queues = ["default", "mail", "import"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}


@pytest.fixture
def smtp(settings: Any, smtp_server: Any) -> Any:
    """Mail through Django's SMTP backend to the test's own server; tasks in the database."""
    controller, handler = smtp_server
    mail_settings(settings, controller)
    return handler


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def part(message: Message, content_type: str) -> str:
    for piece in message.walk():
        if piece.get_content_type() == content_type:
            payload = piece.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(piece.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part in {message['Subject']}")


def links(message: Message, fragment: str) -> list[str]:
    return [url for url in LINK.findall(part(message, "text/plain")) if fragment in url]


def path_of(url: str) -> str:
    return urlsplit(url).path


def recipients(messages: list[Message]) -> Counter[str]:
    return Counter(m["X-Envelope-To"] for m in messages)


def active_subscriber(email: str, *topics: Topic, language: str = "de") -> Subscriber:
    """A confirmed subscriber, through the same services a citizen uses."""
    from django.db import transaction

    with transaction.atomic():
        subscriber = services.subscribe(
            email=email,
            topic_ids=[t.pk for t in topics],
            language=language,
            consent=services.consent_text(),
        )
    return services.confirm(code=services.confirmation_code(subscriber))


def draft_issue(world: World, *topics: Topic, subject_line: str = "Neues aus Buxtehude") -> Issue:
    return services.save_issue(
        subject=subject_line,
        intro="Liebe Leserinnen und Leser,\n\nhier das Neueste aus der Stadt.",
        topic_ids=[t.pk for t in topics or (world.verkehr,)],
        announcement_ids=[world.news[1].pk, world.news[0].pk],
    )
