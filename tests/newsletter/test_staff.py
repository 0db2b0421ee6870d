"""Staff pages: reach per topic, compose, preview, test send, send and progress; permissions."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from rathaus.accounts import roles
from rathaus.news.models import Announcement
from rathaus.newsletter import sending
from rathaus.newsletter.models import Issue, IssueItem
from tests.conftest import make_user, verified_login
from tests.newsletter.conftest import (
    World,
    active_subscriber,
    draft_issue,
    make_announcement,
    part,
    run_worker,
    subject,
)

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "/verwaltung/newsletter/"


@pytest.fixture
def editor(client: Client, db: None) -> Client:
    verified_login(client, make_user("presse", roles.NEWS_EDITOR))
    return client


def test_access_needs_the_role_and_a_second_factor(client: Client, world: World) -> None:
    response = client.get(BASE)
    assert response.status_code == 302
    assert "/konto/" in response["Location"]
    citizen = make_user("buergerin", roles.CITIZEN)
    client.force_login(citizen)
    assert client.get(BASE).status_code == 403
    staff = make_user("presse", roles.NEWS_EDITOR)
    client.force_login(staff)  # password only: staff pages want the second factor
    assert client.get(BASE).status_code != 200
    verified_login(client, staff)
    assert client.get(BASE).status_code == 200


def test_reach_per_topic_without_addresses(
    client: Client, world: World, smtp: Any, django_assert_max_num_queries: Any
) -> None:
    active_subscriber("eins@example.org", world.verkehr)
    active_subscriber("zwei@example.org", world.verkehr, world.kultur)
    # A reader of the counts who may not see addresses.
    reader = make_user("leser", roles.CITIZEN, is_staff=True)
    group = Group.objects.create(name="Newsletter lesen")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="newsletter", codename="view_issue")
    )
    reader.groups.add(group)
    verified_login(client, reader)
    with django_assert_max_num_queries(12):
        response = client.get(BASE)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row">Verkehr</th><td>2</td>' in html
    assert '<th scope="row">Kultur</th><td>1</td>' in html
    assert "eins@example.org" not in html
    assert client.get(BASE + "abonnements/").status_code == 403

    verified_login(client, make_user("presse", roles.NEWS_EDITOR))
    html = client.get(BASE + "abonnements/").content.decode()
    assert "eins@example.org" in html
    assert "zwei@example.org" in html


def test_compose_preview_test_and_send(editor: Client, world: World, smtp: Any) -> None:
    readers = [
        active_subscriber("eins@example.org", world.verkehr),
        active_subscriber("zwei@example.org", world.kultur),
        active_subscriber("drei@example.org", world.bauen),
    ]
    run_worker()
    smtp.messages.clear()
    draft = make_announcement("Noch geheim", "geheim", topics=[world.verkehr])
    Announcement.objects.filter(pk=draft.pk).update(status=Announcement.Status.DRAFT)

    form = editor.get(BASE + "ausgaben/neu/").content.decode()
    assert "Altstadtfest im Juni" in form
    assert "Noch geheim" not in form  # only published items can be chosen
    radwege, sperrung, fest = world.news
    response = editor.post(
        BASE + "ausgaben/neu/",
        {
            "subject": "Buxtehude aktuell – Juni",
            "intro": "Guten Tag,\n\ndas ist neu.",
            "topics": [str(world.verkehr.pk), str(world.kultur.pk)],
            f"pos_{fest.pk}": "1",
            f"pos_{radwege.pk}": "2",
            f"pos_{sperrung.pk}": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    issue = Issue.objects.get()
    assert response["Location"] == f"{BASE}ausgaben/{issue.pk}/"
    assert list(
        IssueItem.objects.filter(issue=issue).values_list("announcement__slug", flat=True)
    ) == ["altstadtfest", "radwege"]

    # Preview: the text part exactly as sent, and the HTML part as its own document.
    page = editor.get(f"{BASE}ausgaben/{issue.pk}/").content.decode()
    assert "Buxtehude aktuell – Juni" in page
    assert "Altstadtfest im Juni" in page
    assert "Die Ausgabe geht an 2 aktive Abonnements" in page
    preview = editor.get(f"{BASE}ausgaben/{issue.pk}/vorschau.html")
    assert preview.status_code == 200
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    assert "Altstadtfest im Juni" in preview.content.decode()

    # A test mail to the editor's address; nobody else gets anything.
    response = editor.post(f"{BASE}ausgaben/{issue.pk}/test/", {"to": "presse@example.org"})
    assert response.status_code == 302
    (test_mail,) = smtp.messages
    assert test_mail["X-Envelope-To"] == "presse@example.org"
    assert subject(test_mail) == "[Test] Buxtehude aktuell – Juni"
    # The preview on the page is the text part of the mail, character for character.
    shown = re.search(r'<pre class="mail-preview"[^>]*>(.*?)</pre>', page, re.DOTALL)
    assert shown is not None
    sent_text = part(test_mail, "text/plain").replace("\r\n", "\n")
    assert html.unescape(shown.group(1)) == sent_text

    # Send: a background task; the page shows the progress.
    response = editor.post(f"{BASE}ausgaben/{issue.pk}/senden/")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert len(smtp.messages) == 1
    run_worker()
    got = sorted(m["X-Envelope-To"] for m in smtp.messages[1:])
    assert got == ["eins@example.org", "zwei@example.org"]
    assert readers[2].email not in got
    page = editor.get(f"{BASE}ausgaben/{issue.pk}/").content.decode()
    assert "2 von 2 erledigt (100 %)" in page
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT

    # A sent issue cannot be changed or sent again.
    assert editor.get(f"{BASE}ausgaben/{issue.pk}/bearbeiten/").status_code == 302
    editor.post(f"{BASE}ausgaben/{issue.pk}/senden/")
    run_worker()
    assert len(smtp.messages) == 3


def test_compose_errors_are_named(editor: Client, world: World) -> None:
    response = editor.post(
        BASE + "ausgaben/neu/",
        {"subject": "", "topics": [], f"pos_{world.news[0].pk}": "null"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Angaben" in html
    assert "Position muss eine ganze Zahl ab 1 sein" in html
    assert not Issue.objects.exists()
    response = editor.post(
        BASE + "ausgaben/neu/", {"subject": "Leer", "topics": [str(world.verkehr.pk)]}
    )
    assert "Bitte wählen Sie mindestens eine Meldung." in response.content.decode()


def test_uncertain_deliveries_are_shown_and_released_on_request(
    editor: Client, world: World, smtp: Any
) -> None:
    import datetime

    from django.utils import timezone

    from rathaus.newsletter import services
    from rathaus.newsletter.models import Delivery

    active_subscriber("eins@example.org", world.verkehr)
    issue = services.start_sending(issue=draft_issue(world))
    sending.take_snapshot(issue.pk)
    Delivery.objects.update(
        state=Delivery.State.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = editor.get(f"{BASE}ausgaben/{issue.pk}/").content.decode()
    assert "Ungewisse Zustellungen erneut versuchen" in page
    editor.post(f"{BASE}ausgaben/{issue.pk}/freigeben/")
    run_worker()
    assert Delivery.objects.get().state == Delivery.State.SENT
