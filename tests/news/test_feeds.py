"""RSS 2.0, Atom and iCalendar: valid documents with exactly the right items."""

from __future__ import annotations

import datetime

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from rathaus.news.models import Announcement, Category, Publishable, Topic

from .conftest import make_announcement, make_event

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def items(
    culture: Category, building: Category, topic_culture: Topic, topic_council: Topic
) -> None:
    make_announcement("Museum zeigt Hansegeschichte", category=culture, topics=[topic_culture])
    make_announcement("Radweg freigegeben", category=building, topics=[topic_council])
    make_announcement(
        "Haushaltssatzung",
        kind=Announcement.Kind.NOTICE,
        legal_effect_date=timezone.localdate(),
        category=building,
        topics=[topic_council],
    )
    make_announcement("Entwurf", category=culture, status=Publishable.Status.DRAFT)
    make_event("Jazz am Hafen", category=culture, topics=[topic_culture])
    make_event("Ratssitzung", category=building, topics=[topic_council], all_day=True)


def rss_titles(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title")
    for item in channel.findall("item"):
        assert item.findtext("link", "").startswith("http://testserver/aktuelles/meldung/")
        assert item.findtext("guid")
        assert item.findtext("pubDate")
    return {item.findtext("title", "") for item in channel.findall("item")}


def atom_titles(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id")
    assert root.findtext(f"{ATOM}updated")
    for entry in root.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}updated")
    return {e.findtext(f"{ATOM}title", "") for e in root.findall(f"{ATOM}entry")}


def test_all_news(client: Client, items: None) -> None:
    expected = {
        "Museum zeigt Hansegeschichte",
        "Radweg freigegeben",
        "Bekanntmachung: Haushaltssatzung",
    }
    assert rss_titles(client, reverse("news:rss")) == expected
    assert atom_titles(client, reverse("news:atom")) == expected


def test_per_category_and_topic(client: Client, items: None) -> None:
    assert rss_titles(client, reverse("news:category_rss", args=["kultur"])) == {
        "Museum zeigt Hansegeschichte"
    }
    assert atom_titles(client, reverse("news:category_atom", args=["bauen-verkehr"])) == {
        "Radweg freigegeben",
        "Bekanntmachung: Haushaltssatzung",
    }
    assert rss_titles(client, reverse("news:topic_rss", args=["rat"])) == {
        "Radweg freigegeben",
        "Bekanntmachung: Haushaltssatzung",
    }
    assert atom_titles(client, reverse("news:topic_atom", args=["kultur"])) == {
        "Museum zeigt Hansegeschichte"
    }
    assert client.get(reverse("news:topic_rss", args=["gibt-es-nicht"])).status_code == 404


def ical_summaries(client: Client, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar.get("version") == "2.0"
    assert calendar.get("prodid")
    events = {}
    for component in calendar.walk("VEVENT"):
        assert component.get("uid")
        assert component.get("dtstamp")
        events[str(component.get("summary"))] = component
    return events


def test_icalendar_feeds(client: Client, items: None) -> None:
    assert set(ical_summaries(client, reverse("news:events_ical"))) == {
        "Jazz am Hafen",
        "Ratssitzung",
    }
    assert set(ical_summaries(client, reverse("news:category_ical", args=["kultur"]))) == {
        "Jazz am Hafen"
    }
    topic = ical_summaries(client, reverse("news:topic_ical", args=["rat"]))
    assert set(topic) == {"Ratssitzung"}
    all_day = topic["Ratssitzung"]
    start = all_day.get("dtstart").dt  # type: ignore[attr-defined]
    assert isinstance(start, datetime.date)
    assert not isinstance(start, datetime.datetime)


def test_single_event_download(client: Client, items: None) -> None:
    response = client.get(reverse("news:event_ics", args=["jazz-am-hafen"]))
    assert response["Content-Disposition"] == 'attachment; filename="jazz-am-hafen.ics"'
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event.get("location")) == "Stadtbibliothek, Fischerstraße 2, 21614 Buxtehude"
    assert "Ebenerdiger Zugang" in str(event.get("description"))
    assert str(event.get("url")) == "http://testserver/aktuelles/veranstaltung/jazz-am-hafen/"


def test_pages_link_their_feeds(client: Client, items: None) -> None:
    page = client.get(reverse("news:list") + "?rubrik=kultur").content.decode()
    assert 'type="application/rss+xml"' in page
    assert f'href="{reverse("news:category_rss", args=["kultur"])}"' in page
    assert f'href="{reverse("news:category_ical", args=["kultur"])}"' in page
