"""Who sees what: drafts, scheduled and expired items stay off pages, feeds and search."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.core import search
from rathaus.core.models import SearchDocument
from rathaus.news import services
from rathaus.news.models import Announcement, Publishable

from .conftest import make_announcement, make_event

pytestmark = pytest.mark.django_db


def indexed(kind: str = services.NEWS_KIND) -> set[int]:
    return set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True))


def test_published_queryset_follows_the_clock(states: dict[str, Announcement]) -> None:
    visible = set(Announcement.objects.published().values_list("title", flat=True))
    assert visible == {states["visible"].title}
    later = timezone.now() + datetime.timedelta(days=4)
    assert states["scheduled"] in Announcement.objects.published(at=later)


def test_list_and_detail_show_only_visible_items(
    client: Client, states: dict[str, Announcement]
) -> None:
    page = client.get(reverse("news:list")).content.decode()
    assert states["visible"].title in page
    for hidden in ("draft", "scheduled", "expired"):
        assert states[hidden].title not in page
        response = client.get(states[hidden].get_absolute_url())
        assert response.status_code == 404, hidden
    assert client.get(states["visible"].get_absolute_url()).status_code == 200


def test_feeds_leave_out_hidden_items(client: Client, states: dict[str, Announcement]) -> None:
    for name in ("news:rss", "news:atom"):
        body = client.get(reverse(name)).content.decode()
        assert states["visible"].title in body
        assert all(states[h].title not in body for h in ("draft", "scheduled", "expired"))


def test_only_visible_items_are_indexed(states: dict[str, Announcement]) -> None:
    assert indexed() == {states["visible"].pk}
    hits, _query = search.search("Neujahrsempfang", kinds=[services.NEWS_KIND])
    assert hits == []


def test_due_items_enter_the_index_and_expired_ones_leave(
    states: dict[str, Announcement],
) -> None:
    scheduled, visible = states["scheduled"], states["visible"]
    # Time passes without a write: the scheduled item becomes due, the visible one expires.
    Announcement.objects.filter(pk=scheduled.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    Announcement.objects.filter(pk=visible.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.sync_due_items() == {"added": 1, "removed": 1}
    assert indexed() == {scheduled.pk}
    assert services.sync_due_items() == {"added": 0, "removed": 0}


def test_publish_unpublish_and_delete_keep_the_index_in_step(db: None) -> None:
    item = make_announcement("Wochenmarkt auf dem Petri-Platz", status=Publishable.Status.DRAFT)
    assert indexed() == set()
    services.publish(item=item)
    assert indexed() == {item.pk}
    services.unpublish(item=item)
    assert indexed() == set()
    services.publish(item=item)
    services.delete_item(item=item)
    assert indexed() == set()


def test_events_follow_the_same_rules(client: Client) -> None:
    shown = make_event("Repair-Café")
    scheduled = make_event("Osterfeuer", publish_at=timezone.now() + datetime.timedelta(days=2))
    draft = make_event("Kinderflohmarkt", status=Publishable.Status.DRAFT)
    page = client.get(reverse("news:events")).content.decode()
    assert shown.title in page
    assert scheduled.title not in page
    assert draft.title not in page
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    ical = client.get(reverse("news:events_ical")).content.decode()
    assert "Repair-Café" in ical
    assert "Osterfeuer" not in ical
    assert indexed(services.EVENT_KIND) == {shown.pk}


def test_past_events_leave_the_upcoming_list(client: Client) -> None:
    start = timezone.now() - datetime.timedelta(days=3)
    make_event("Vergangenes Konzert", starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    running = make_event(
        "Ausstellung läuft noch",
        starts_at=start,
        ends_at=timezone.now() + datetime.timedelta(days=3),
    )
    page = client.get(reverse("news:events")).content.decode()
    assert "Vergangenes Konzert" not in page
    assert running.title in page


def test_an_image_of_a_draft_is_not_served(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import png_bytes

    item = Announcement(
        title="Mit Bild",
        image_alt="Rathaus im Schnee",
        status=Publishable.Status.DRAFT,
    )
    services.save_item(item=item, image=SimpleUploadedFile("x.png", png_bytes()))
    url = reverse("news:image", args=["meldung", item.pk])
    assert client.get(url).status_code == 404
    services.publish(item=item)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
