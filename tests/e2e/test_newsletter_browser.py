"""The newsletter in a real Chromium: subscribe, confirm from the mail, receive, unsubscribe.

Mails travel over a real SMTP server (aiosmtpd) and the database task queue; the links in
them are opened in the browser. axe-core finds nothing on the subscription (also with
errors), confirmation, preferences and unsubscribe pages.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from rathaus.newsletter import services
from rathaus.newsletter.models import Delivery, Subscriber
from tests.e2e.conftest import axe_violations
from tests.newsletter.conftest import World, mail_settings, make_announcement, make_topic

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsletter_world(
    settings: Any, smtp_server: Any, live_server: Any
) -> Iterator[tuple[World, Any]]:
    controller, handler = smtp_server
    mail_settings(settings, controller)
    # The live server runs in this process: links in mails point at it.
    settings.SITE_URL = live_server.url
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    verkehr = make_topic("Verkehr", "verkehr")
    kultur = make_topic("Kultur", "kultur")
    bauen = make_topic("Bauen", "bauen")
    news = [
        make_announcement("Neue Radwege am Bahnhof", "radwege", topics=[verkehr], days_ago=2),
        make_announcement("Altstadtfest im Juni", "altstadtfest", topics=[kultur], days_ago=1),
    ]
    yield World(verkehr=verkehr, kultur=kultur, bauen=bauen, news=news), handler
    for sig, previous in saved.items():
        signal.signal(sig, previous)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def text_of(message: Message) -> str:
    for piece in message.walk():
        if piece.get_content_type() == "text/plain":
            payload = piece.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(piece.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def link_in(message: Message, base: str, fragment: str) -> str:
    urls = [u for u in re.findall(re.escape(base) + r"/\S+", text_of(message)) if fragment in u]
    assert len(urls) == 1, urls
    return urls[0]


def test_subscribe_confirm_receive_and_unsubscribe(
    page: Page,
    live_server: Any,
    newsletter_world: tuple[World, Any],
    external_requests: list[str],
) -> None:
    world, smtp = newsletter_world

    # 1. The subscription page, first sent with nothing chosen: errors, named and linked.
    page.goto(f"{live_server.url}/newsletter/")
    expect(page.locator("h1")).to_have_text("Newsletter abonnieren")
    assert axe_violations(page) == []
    page.fill("#id_email", "leserin@example.org")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_topics']")).to_be_visible()
    expect(summary.locator("a[href='#id_consent']")).to_be_visible()
    assert axe_violations(page) == []
    assert not Subscriber.objects.exists()

    # Topics are checkboxes in a fieldset with a legend; the consent text is stored.
    expect(page.locator("fieldset#id_topics legend")).to_have_text("Themen")
    page.get_by_label("Verkehr").check()
    page.locator("#id_consent").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/newsletter/angefordert/")
    expect(page.locator("h1")).to_have_text("Bitte prüfen Sie Ihr Postfach")
    assert axe_violations(page) == []
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text == services.consent_text()

    # 2. The confirmation mail; its link opens a page with one button.
    run_worker()
    (confirmation,) = smtp.messages
    assert confirmation["X-Envelope-To"] == "leserin@example.org"
    page.goto(link_in(confirmation, live_server.url, "/bestaetigen/"))
    expect(page.locator("h1")).to_have_text("Anmeldung bestätigen")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, Anmeldung bestätigen").click()
    expect(page.locator("h1")).to_have_text("Anmeldung bestätigt")
    assert axe_violations(page) == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE

    # 3. The editors send the next issue (through the same services as the staff pages).
    issue = services.save_issue(
        subject="Buxtehude aktuell",
        intro="Guten Tag!",
        topic_ids=[world.verkehr.pk],
        announcement_ids=[world.news[0].pk],
    )
    services.start_sending(issue=issue)
    run_worker()
    assert len(smtp.messages) == 2
    letter = smtp.messages[1]
    assert letter["X-Envelope-To"] == "leserin@example.org"
    assert "Neue Radwege am Bahnhof" in text_of(letter)
    assert Delivery.objects.get().state == Delivery.State.SENT

    # 4. Preferences from the mail's link.
    page.goto(link_in(letter, live_server.url, "/einstellungen/"))
    expect(page.locator("h1")).to_have_text("Newsletter-Einstellungen")
    expect(page.get_by_label("Verkehr")).to_be_checked()
    assert axe_violations(page) == []
    page.get_by_label("Kultur").check()
    page.get_by_role("button", name="Themen speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Themen sind gespeichert.")
    assert axe_violations(page) == []
    assert set(subscriber.topics.values_list("slug", flat=True)) == {"verkehr", "kultur"}

    # 5. Unsubscribe with one click from the mail's link (the List-Unsubscribe address).
    unsubscribe = link_in(letter, live_server.url, "/abmelden/")
    assert f"<{unsubscribe}>" in re.sub(r"\s+", " ", letter["List-Unsubscribe"])
    page.goto(unsubscribe)
    expect(page.locator("h1")).to_have_text("Newsletter abbestellen")
    assert axe_violations(page) == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE  # opening the page changes nothing
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Newsletter abbestellt")
    assert axe_violations(page) == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    assert external_requests == []


def test_english_subscription_page_and_dead_link(
    page: Page, live_server: Any, newsletter_world: tuple[World, Any]
) -> None:
    page.goto(f"{live_server.url}/en/newsletter/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/en/newsletter/abmelden/unknown-token/")
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []
