"""A citizen subscribes to a paper without an account, in a real Chromium, by keyboard.

The confirmation and the digest travel over a real SMTP server (aiosmtpd) and the database
task queue; the links in them are opened in the browser. axe-core finds nothing on the
subscribe (also with errors), confirm and unsubscribe pages.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from rathaus.council.models import AlertSubscription
from rathaus.council.tasks import send_alert_digests
from tests.conftest import use_smtp
from tests.council.conftest import Council, build_council, consult
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alert_world(
    settings: Any, smtp_server: Any, live_server: Any, tmp_path: Path
) -> Iterator[tuple[Council, Any]]:
    controller, handler = smtp_server
    use_smtp(settings, controller)
    # The live server runs in this process: links in mails point at it.
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    queues = ["default", "mail", "import"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield build_council(), handler
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


def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus, like a keyboard user."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_subscribe_confirm_and_unsubscribe_by_keyboard(
    page: Page,
    live_server: Any,
    alert_world: tuple[Council, Any],
    external_requests: list[str],
) -> None:
    council, smtp = alert_world
    paper = council.vorlage

    # The paper page links here with ?art=paper&id=<pk>.
    page.goto(f"{live_server.url}/rat/benachrichtigungen/abonnieren/?art=paper&id={paper.pk}")
    expect(page.locator("h1")).to_have_text("Benachrichtigung per E-Mail")
    expect(page.locator("main")).to_contain_text("Drucksache: 2026/041 Regenrückhaltebecken")
    assert axe_violations(page) == []

    # First without consent: the error summary names what is missing.
    tab_to(page, "#id_email")
    page.keyboard.type("leserin@example.org")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Bitte willigen Sie ein")
    expect(page.locator("#id_email")).to_have_value("leserin@example.org")
    assert axe_violations(page) == []
    assert not AlertSubscription.objects.exists()

    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/rat/benachrichtigungen/angefordert/")
    expect(page.locator("h1")).to_have_text("Bitte prüfen Sie Ihr Postfach")
    assert axe_violations(page) == []

    # The confirmation mail comes over SMTP; its link opens the confirm page.
    run_worker()
    (confirmation,) = smtp.messages
    assert confirmation["X-Envelope-To"] == "leserin@example.org"
    page.goto(link_in(confirmation, live_server.url, "/bestaetigen/"))
    expect(page.locator("h1")).to_have_text("Benachrichtigung bestätigen")
    assert axe_violations(page) == []
    assert AlertSubscription.objects.get().confirmed_at is None
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Benachrichtigung bestätigt")
    assert axe_violations(page) == []
    assert AlertSubscription.objects.get().confirmed_at is not None

    # News about the paper: a digest with an unsubscribe link.
    consult(paper, council.rat_next, council.rat, role="Kenntnisnahme")
    send_alert_digests.enqueue()
    run_worker()
    digest = smtp.messages[-1]
    assert len(smtp.messages) == 2
    assert "6. Sitzung des Rates" in text_of(digest)
    sub = AlertSubscription.objects.get()
    page.goto(link_in(digest, live_server.url, f"/abbestellen/{sub.token}/"))
    expect(page.locator("h1")).to_have_text("Benachrichtigung abbestellen")
    assert axe_violations(page) == []
    assert AlertSubscription.objects.exists()  # opening the link changes nothing
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Benachrichtigung abbestellt")
    assert axe_violations(page) == []
    assert not AlertSubscription.objects.exists()

    assert external_requests == []


def test_search_alert_form_and_dead_links_are_accessible_in_english(
    page: Page, live_server: Any, alert_world: tuple[Council, Any]
) -> None:
    page.goto(f"{live_server.url}/en/rat/benachrichtigungen/abonnieren/?art=search&q=Radweg")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_q")).to_have_value("Radweg")
    page.fill("#id_q", "")
    page.fill("#id_email", "reader@example.org")
    page.check("#id_consent")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary a[href='#id_q']")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/en/rat/benachrichtigungen/abbestellen/unknown-token/")
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/en/rat/benachrichtigungen/abonnieren/?art=paper&id=999999")
    assert axe_violations(page) == []
