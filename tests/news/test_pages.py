"""Public pages: filters, pagination, notices, the month view, query counts, no cookies."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.news.models import Announcement, Category, Topic

from .conftest import make_announcement, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(culture: Category, building: Category, topic_culture: Topic, topic_council: Topic) -> None:
    for n in range(25):
        make_announcement(
            f"Meldung Nummer {n}",
            kind=Announcement.Kind.PRESS if n % 2 else Announcement.Kind.NEWS,
            category=culture if n % 3 else building,
            topics=[topic_culture, topic_council] if n % 2 else [topic_culture],
            publish_at=timezone.now() - datetime.timedelta(hours=n + 1),
        )
    for n in range(12):
        make_event(
            f"Veranstaltung {n}",
            category=culture,
            topics=[topic_culture],
            starts_at=timezone.now() + datetime.timedelta(days=n + 1),
            ends_at=None,
        )


def test_list_filters_and_pages(
    client: Client, many: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        response = client.get(reverse("news:list"))
    page = response.content.decode()
    assert "25 Meldungen" in page
    assert "Seite 1 von 3" in page
    assert "Meldung Nummer 0" in page
    assert "Meldung Nummer 10" not in page
    assert 'rel="next"' in page
    assert not response.cookies
    assert "Meldung Nummer 10" in client.get(reverse("news:list") + "?seite=2").content.decode()
    press = client.get(reverse("news:list") + "?art=press").content.decode()
    assert "12 Meldungen" in press
    topic = client.get(reverse("news:list") + "?thema=rat&rubrik=kultur").content.decode()
    assert "8 Meldungen" in topic


def test_unknown_filters_give_a_notice(client: Client, many: None) -> None:
    page = client.get(reverse("news:list") + "?rubrik=xyz&art=foo&seite=abc").content.decode()
    assert "Die Rubrik „xyz“ kennen wir nicht" in page
    assert "Die Art „foo“ kennen wir nicht" in page
    assert "„abc“ ist keine Seitenzahl" in page
    assert "25 Meldungen" in page


def test_detail(
    client: Client, culture: Category, topic_culture: Topic, django_assert_max_num_queries: Any
) -> None:
    item = make_announcement(
        "Haushaltssatzung 2027",
        kind=Announcement.Kind.NOTICE,
        legal_effect_date=datetime.date(2027, 1, 1),
        category=culture,
        topics=[topic_culture],
    )
    with django_assert_max_num_queries(3):
        page = client.get(item.get_absolute_url()).content.decode()
    assert "rechtswirksam ab" in page
    assert "1. Januar 2027" in page
    assert "Amtliche Bekanntmachung" in page
    assert f'href="{reverse("news:list")}?thema=kultur"' in page


def test_notices_list(client: Client, django_assert_max_num_queries: Any) -> None:
    make_announcement(
        "Bebauungsplan Nr. 112",
        kind=Announcement.Kind.NOTICE,
        legal_effect_date=datetime.date(2026, 5, 1),
    )
    make_announcement("Keine Bekanntmachung")
    with django_assert_max_num_queries(4):
        page = client.get(reverse("news:notices")).content.decode()
    assert "Bebauungsplan Nr. 112" in page
    assert "Keine Bekanntmachung" not in page
    assert "01.05.2026" in page


def test_events_and_detail(client: Client, many: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        page = client.get(reverse("news:events")).content.decode()
    assert "12 kommende Veranstaltungen" in page
    with django_assert_max_num_queries(3):
        detail = client.get(reverse("news:event", args=["veranstaltung-0"])).content.decode()
    assert "Ebenerdiger Zugang, Behinderten-WC." in detail
    assert "Fischerstraße 2, 21614 Buxtehude" in detail
    assert "In Kalender übernehmen" in detail
    assert reverse("news:event_ics", args=["veranstaltung-0"]) in detail


def test_month_view(client: Client, django_assert_max_num_queries: Any) -> None:
    start = datetime.datetime(2031, 3, 30, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    make_event(
        "Messe über das Monatsende", starts_at=start, ends_at=start + datetime.timedelta(days=3)
    )
    make_event("Aprilkonzert", starts_at=start + datetime.timedelta(days=10), ends_at=None)
    with django_assert_max_num_queries(2):
        march = client.get(reverse("news:event_month", args=[2031, 3])).content.decode()
    assert "Messe über das Monatsende" in march
    assert "Aprilkonzert" not in march
    assert "2 Veranstaltungen in diesem Monat" not in march
    april = client.get(reverse("news:event_month", args=[2031, 4])).content.decode()
    assert "2 Veranstaltungen in diesem Monat." in april  # the fair runs into April
    assert april.count("Messe über das Monatsende") == 2  # on April 1 and 2
    assert client.get(reverse("news:event_month", args=[2031, 13])).status_code == 404


def test_nav_and_search_box_on_every_page(client: Client) -> None:
    page = client.get(reverse("news:list")).content.decode()
    assert f'action="{reverse("core:search")}"' in page
    assert f'href="{reverse("catalog:finder")}"' in page  # the service finder stays reachable
