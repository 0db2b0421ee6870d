"""The news editor: roles, second factor, preview, validation, images, scheduling."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.core.models import SearchDocument
from rathaus.news.models import Announcement, Category, Event, Publishable, Topic
from tests.conftest import make_user, verified_login

from .conftest import make_announcement, png_bytes

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def editor(db: None, office: Office) -> User:
    return make_user("redaktion", roles.NEWS_EDITOR, office=office)


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    verified_login(client, editor)
    return client


def local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime(LOCAL)


def announcement_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "news",
        "title": "Neue Öffnungszeiten im Bürgerbüro",
        "summary": "Ab Montag länger geöffnet.",
        "body": '<p onclick="x()">Montags bis 18 Uhr.</p><script>alert(1)</script>',
        "status": "published",
        "publish_at": local(timezone.now() - datetime.timedelta(minutes=5)),
        "expires_at": "",
        "image_alt": "",
        "aktion": "speichern",
    }
    data.update(overrides)
    return data


def test_roles(client: Client, office: Office, clerk: User) -> None:
    url = reverse("news_staff:list")
    assert client.get(url).status_code == 302  # anonymous: sign in
    verified_login(client, clerk)
    assert client.get(url).status_code == 403  # a clerk has no news rights
    admin = make_user("verwaltung", roles.ADMINISTRATOR, office=office)
    verified_login(client, admin)
    assert client.get(url).status_code == 200
    assert client.get(reverse("news_staff:create", args=["veranstaltung"])).status_code == 200


def test_staff_pages_need_the_second_factor(client: Client, editor: User) -> None:
    client.force_login(editor)  # password only
    response = client.get(reverse("news_staff:list"))
    assert response.status_code == 302
    assert "/konto/" in response["Location"]


def test_create_sanitises_and_publishes(editor_client: Client, editor: User) -> None:
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]), announcement_data()
    )
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert item.author == editor
    assert item.slug == "neue-offnungszeiten-im-burgerburo"
    assert "onclick" not in item.body
    assert "<script" not in item.body
    assert "Montags bis 18 Uhr." in item.body
    assert SearchDocument.objects.filter(kind="news", object_id=item.pk).exists()
    assert editor_client.get(item.get_absolute_url()).status_code == 200


def test_preview_renders_the_public_page_without_saving(editor_client: Client) -> None:
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]), announcement_data(aktion="vorschau")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vorschau – noch nicht gespeichert" in page
    assert "<h1>Neue Öffnungszeiten im Bürgerbüro</h1>" in page
    assert "Montags bis 18 Uhr." in page
    assert "alert(1)" not in page.split("<form")[0]  # the preview shows the sanitised text
    assert not Announcement.objects.exists()


def test_event_preview(editor_client: Client) -> None:
    start = timezone.now() + datetime.timedelta(days=5)
    data = {
        "title": "Bürgerversammlung",
        "summary": "Zum Klimaschutzkonzept.",
        "body": "<p>Alle sind eingeladen.</p>",
        "starts_at": local(start),
        "ends_at": local(start + datetime.timedelta(hours=2)),
        "place": "Rathaus, Ratssaal",
        "address": "Bahnhofstraße 7",
        "accessibility": "Aufzug und Induktionsschleife",
        "status": "published",
        "publish_at": local(timezone.now()),
        "aktion": "vorschau",
    }
    url = reverse("news_staff:create", args=["veranstaltung"])
    page = editor_client.post(url, data).content.decode()
    assert "Aufzug und Induktionsschleife" in page
    assert "Rathaus, Ratssaal" in page
    assert not Event.objects.exists()
    data["aktion"] = "speichern"
    assert editor_client.post(url, data).status_code == 302
    assert Event.objects.get().place == "Rathaus, Ratssaal"


def test_image_needs_alt_text(editor_client: Client) -> None:
    upload = SimpleUploadedFile("rathaus.png", png_bytes(), content_type="image/png")
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]), announcement_data(image=upload)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_image_alt"' in page  # the error summary names and links the field
    assert "Alternativtext des Bildes: Ein Bild braucht einen Alternativtext" in page
    assert not Announcement.objects.exists()


def test_image_with_alt_text_is_stored_and_shown(editor_client: Client, client: Client) -> None:
    upload = SimpleUploadedFile("foto.jpg", png_bytes(), content_type="image/jpeg")
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(image=upload, image_alt="Das Rathaus von der Bahnhofstraße aus"),
    )
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert item.image.name.endswith(".png")  # the type comes from the bytes, not the name
    page = editor_client.get(item.get_absolute_url()).content.decode()
    assert 'alt="Das Rathaus von der Bahnhofstraße aus"' in page


def test_files_that_are_not_images_are_refused(editor_client: Client) -> None:
    fake = SimpleUploadedFile(
        "bild.png", b"<html><script>x</script></html>", content_type="image/png"
    )
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(image=fake, image_alt="Ein Bild"),
    )
    assert response.status_code == 200
    assert "kein Bild im Format JPEG, PNG, WebP oder GIF" in response.content.decode()
    assert not Announcement.objects.exists()


def test_too_large_images_are_refused(editor_client: Client, settings: Any) -> None:
    from rathaus.news import services

    big = SimpleUploadedFile("gross.png", png_bytes() + b"\0" * services.MAX_IMAGE_BYTES)
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(image=big, image_alt="Groß"),
    )
    assert "Das Bild ist zu groß" in response.content.decode()


def test_notice_needs_a_legal_effect_date(editor_client: Client) -> None:
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]), announcement_data(kind="notice")
    )
    assert response.status_code == 200
    assert 'href="#id_legal_effect_date"' in response.content.decode()
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(kind="notice", legal_effect_date="2027-01-01"),
    )
    assert response.status_code == 302
    assert Announcement.objects.get().legal_effect_date == datetime.date(2027, 1, 1)


def test_scheduled_item_stays_hidden_until_its_time(editor_client: Client, client: Client) -> None:
    later = timezone.now() + datetime.timedelta(days=2)
    editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(publish_at=local(later), title="Einladung zum Neujahrsempfang"),
    )
    item = Announcement.objects.get()
    assert item.status == Publishable.Status.PUBLISHED
    anonymous = Client()
    assert anonymous.get(item.get_absolute_url()).status_code == 404
    assert "Neujahrsempfang" not in anonymous.get(reverse("news:rss")).content.decode()
    assert not SearchDocument.objects.filter(kind="news").exists()
    listing = editor_client.get(reverse("news_staff:list") + "?status=geplant").content.decode()
    assert "Einladung zum Neujahrsempfang" in listing


def test_expiry_must_follow_publication(editor_client: Client) -> None:
    now = timezone.now()
    response = editor_client.post(
        reverse("news_staff:create", args=["meldung"]),
        announcement_data(
            publish_at=local(now), expires_at=local(now - datetime.timedelta(days=1))
        ),
    )
    assert 'href="#id_expires_at"' in response.content.decode()


def test_edit_publish_withdraw_delete(
    editor_client: Client, culture: Category, topic_culture: Topic
) -> None:
    item = make_announcement("Museum zeigt Hansegeschichte", status=Publishable.Status.DRAFT)
    edit_url = reverse("news_staff:edit", args=["meldung", item.pk])
    assert editor_client.get(edit_url).status_code == 200
    response = editor_client.post(
        edit_url,
        announcement_data(
            title="Museum zeigt Hansegeschichte neu",
            status="draft",
            category=culture.pk,
            topics=[topic_culture.pk],
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Museum zeigt Hansegeschichte neu"
    assert list(item.topics.all()) == [topic_culture]
    editor_client.post(reverse("news_staff:action", args=["meldung", item.pk, "freigeben"]))
    item.refresh_from_db()
    assert item.status == Publishable.Status.PUBLISHED
    editor_client.post(reverse("news_staff:action", args=["meldung", item.pk, "zurueckziehen"]))
    item.refresh_from_db()
    assert item.status == Publishable.Status.DRAFT
    delete_url = reverse("news_staff:delete", args=["meldung", item.pk])
    assert editor_client.get(delete_url).status_code == 200
    assert editor_client.post(delete_url).status_code == 302
    assert not Announcement.objects.exists()


def test_editor_without_delete_right_cannot_delete(client: Client, office: Office) -> None:
    from django.contrib.auth.models import Permission

    user = make_user("praktikum", roles.NEWS_EDITOR, office=office)
    user.user_permissions.clear()
    group_perms = Permission.objects.filter(group__user=user, codename="delete_announcement")
    assert group_perms.exists()
    item = make_announcement()
    citizen = make_user("leser", roles.CITIZEN)
    verified_login(client, citizen)
    assert client.post(reverse("news_staff:delete", args=["meldung", item.pk])).status_code == 403
    assert Announcement.objects.filter(pk=item.pk).exists()
