"""Sending an issue over a real SMTP server: recipients, mail format, batches, refusals, crashes.

Crash tests run the sender as a separate process (`rathaus send_newsletter`) against the SMTP
server of this process, kill it at a chosen point (or with SIGKILL at a random one), resume,
and count at the server what each address received.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client

from rathaus.newsletter import mail, sending, services
from rathaus.newsletter.models import Delivery, Issue, Subscriber
from rathaus.newsletter.tasks import send_issue as send_issue_task
from tests.newsletter.conftest import (
    SITE,
    World,
    active_subscriber,
    draft_issue,
    links,
    mail_settings,
    part,
    path_of,
    recipients,
    run_worker,
    subject,
)

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


# --- an SMTP server that can refuse and be slow ------------------------------------------


class Handler:
    """Counts what it accepts; refuses recipients by pattern; may take its time."""

    def __init__(self, *, refuse: dict[str, str] | None = None, delay: float = 0.0) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse or {}
        self.delay = delay

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        for fragment, reply in self.refuse.items():
            if fragment in address:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = message_from_bytes(envelope.content)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        msg["X-Envelope-From"] = envelope.mail_from
        self.messages.append(msg)
        return "250 OK"


class FreePortController(Controller):
    def _trigger_server(self) -> None:
        if self.server is not None and self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_with(settings: Any, handler: Handler) -> Iterator[FreePortController]:
    controller = FreePortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    mail_settings(settings, controller)
    try:
        yield controller
    finally:
        controller.stop()


def subscribers(world: World, count: int, prefix: str = "leser") -> list[Subscriber]:
    return [active_subscriber(f"{prefix}{n:03d}@example.org", world.verkehr) for n in range(count)]


def started(world: World, *topics: Any) -> Issue:
    issue = draft_issue(world, *topics)
    return services.start_sending(issue=issue)


# --- recipients and the mail itself --------------------------------------------------------


def test_topics_choose_the_recipients_each_once(world: World, smtp: Any) -> None:
    active_subscriber("verkehr@example.org", world.verkehr)
    active_subscriber("kultur@example.org", world.kultur)
    active_subscriber("beides@example.org", world.verkehr, world.kultur)
    active_subscriber("bauen@example.org", world.bauen)
    services.subscribe(
        email="unbestaetigt@example.org", topic_ids=[world.verkehr.pk], language="de", consent="ok"
    )
    gone = active_subscriber("weg@example.org", world.verkehr)
    services.unsubscribe(token=gone.token)
    run_worker()  # confirmation mails
    smtp.messages.clear()

    issue = started(world, world.verkehr, world.kultur)
    result = sending.send_issue(issue.pk)
    assert result.sent == 3
    assert recipients(smtp.messages) == {
        "verkehr@example.org": 1,
        "kultur@example.org": 1,
        "beides@example.org": 1,
    }
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.recipient_count == 3
    assert issue.sent_at is not None


def test_issue_mail_parts_links_and_headers(client: Client, world: World, smtp: Any) -> None:
    reader = active_subscriber("leser@example.org", world.verkehr)
    english = active_subscriber("reader@example.org", world.verkehr, language="en")
    issue = started(world, world.verkehr)
    sending.send_issue(issue.pk)
    by_address = {m["X-Envelope-To"]: m for m in smtp.messages if "Neues" in subject(m)}
    message = by_address["leser@example.org"]

    assert subject(message) == "Neues aus Buxtehude"
    assert message.get_content_type() == "multipart/alternative"
    text, html = part(message, "text/plain"), part(message, "text/html")
    # The news items in the chosen order, with their summaries, in both parts.
    assert text.index("Sperrung der Harburger Straße") < text.index("Neue Radwege am Bahnhof")
    assert html.index("Sperrung der Harburger Straße") < html.index("Neue Radwege am Bahnhof")
    assert "Kurz: Neue Radwege am Bahnhof." in text
    assert "hier das Neueste aus der Stadt." in html
    assert "Altstadtfest" not in text

    # Own links for each reader: preferences and unsubscribe, in text and HTML.
    unsubscribe = f"{SITE}/newsletter/abmelden/{reader.token}/"
    manage = f"{SITE}/newsletter/einstellungen/{reader.token}/"
    assert links(message, "/abmelden/") == [unsubscribe]
    assert links(message, "/einstellungen/") == [manage]
    assert f'href="{unsubscribe}"' in html
    assert f'href="{manage}"' in html
    assert mail.TOKEN_PLACEHOLDER not in text + html

    # RFC 2369 / RFC 8058: an https address and a mailto:, and the one-click POST.
    header = re.sub(r"\r?\n\s*", " ", message["List-Unsubscribe"]).strip()
    assert header == (
        f"<{unsubscribe}>, <mailto:bounces@example.org?subject=unsubscribe%20{reader.token}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"] == "Hansestadt Buxtehude <newsletter@example.org>"
    assert message["Content-Language"] == "de"
    delivery = Delivery.objects.get(subscriber=reader)
    assert message["Message-ID"] == f"<newsletter.{issue.pk}.{delivery.pk}@rathaus.example.org>"
    other = by_address["reader@example.org"]
    assert other["Message-ID"] != message["Message-ID"]
    assert other["Content-Language"] == "en"
    assert links(other, f"{SITE}/en/newsletter/abmelden/{english.token}/")

    # The one-click POST a mail program sends to that address works without CSRF.
    response = Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_envelope_sender_is_the_bounce_address(settings: Any, world: World) -> None:
    handler = Handler()
    with smtp_with(settings, handler):
        active_subscriber("leser@example.org", world.verkehr)
        sending.send_issue(started(world).pk)
    (message,) = handler.messages
    assert message["X-Envelope-From"] == "bounces@example.org"
    assert message["From"] == "Hansestadt Buxtehude <newsletter@example.org>"


# --- batches, resumption, refusals -------------------------------------------------------------


def test_batch_send_to_fifty_through_the_task_each_exactly_once(
    world: World, smtp: Any, django_assert_max_num_queries: Any
) -> None:
    subscribers(world, 50)
    run_worker()  # the confirmation mails
    smtp.messages.clear()
    issue = started(world)
    run_worker()  # runs the send_issue task enqueued by start_sending
    assert len(smtp.messages) == 50
    assert set(recipients(smtp.messages).values()) == {1}
    assert sending.state_counts(issue.pk)["sent"] == 50
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT

    # Running the task again sends nothing: there is nothing pending.
    send_issue_task.enqueue(issue.pk)
    run_worker()
    assert len(smtp.messages) == 50
    # One query to find the work; no per-row reads when nothing is due.
    with django_assert_max_num_queries(6):
        assert sending.send_issue(issue.pk).sent == 0


def test_small_batches_use_one_connection_each(settings: Any, world: World) -> None:
    handler = Handler()
    opened: list[Any] = []

    def counting_connection() -> Any:
        from django.core.mail import get_connection

        connection = get_connection()
        opened.append(connection)
        return connection

    with smtp_with(settings, handler):
        subscribers(world, 23)
        issue = started(world)
        result = sending.send_issue(issue.pk, batch_size=10, connection_factory=counting_connection)
    assert result.sent == 23
    assert result.batches == 3
    assert len(opened) == 3
    assert set(recipients(handler.messages).values()) == {1}
    assert len(handler.messages) == 23


def test_snapshot_is_taken_once(world: World, smtp: Any) -> None:
    subscribers(world, 3)
    issue = started(world)
    sending.take_snapshot(issue.pk)
    late = active_subscriber("spaet@example.org", world.verkehr)
    sending.take_snapshot(issue.pk)
    sending.send_issue(issue.pk)
    assert Delivery.objects.filter(issue=issue).count() == 3
    assert not Delivery.objects.filter(subscriber=late).exists()
    assert "spaet@example.org" not in recipients(smtp.messages)


def test_who_unsubscribes_during_the_send_is_skipped(world: World, smtp: Any) -> None:
    readers = subscribers(world, 4)
    issue = started(world)
    sending.take_snapshot(issue.pk)
    services.unsubscribe(token=readers[2].token)
    result = sending.send_issue(issue.pk)
    assert result.sent == 3
    assert result.skipped == 1
    assert readers[2].email not in recipients(smtp.messages)
    assert Delivery.objects.get(subscriber=readers[2]).state == Delivery.State.SKIPPED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_refused_recipients_fail_and_the_others_are_sent(settings: Any, world: World) -> None:
    handler = Handler(
        refuse={
            "unbekannt": "550 5.1.1 Mailbox unknown",
            "voll": "452 4.2.2 Mailbox full, try again later",
        }
    )
    with smtp_with(settings, handler):
        subscribers(world, 5, prefix="gut")
        active_subscriber("unbekannt@example.org", world.verkehr)
        active_subscriber("voll@example.org", world.verkehr)
        subscribers(world, 5, prefix="auch")
        handler.messages.clear()
        issue = started(world)
        result = sending.send_issue(issue.pk, batch_size=4)

        assert result.sent == 10
        assert result.failed == 1
        assert result.retry == 1
        assert len(handler.messages) == 10
        assert set(recipients(handler.messages).values()) == {1}
        failed = Delivery.objects.get(subscriber__email="unbekannt@example.org")
        assert failed.state == Delivery.State.FAILED
        assert failed.error.startswith("550 5.1.1")
        # Mailbox full (4xx): left pending for a later run, not retried in a tight loop.
        full = Delivery.objects.get(subscriber__email="voll@example.org")
        assert full.state == Delivery.State.PENDING
        assert full.attempts == 1
        assert "452" in full.error
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SENDING

        # The hourly resume tries again; after the third 4xx it gives up.
        assert sending.resume_all() == 1
        assert sending.resume_all() == 1
        full.refresh_from_db()
        assert full.state == Delivery.State.FAILED
        assert full.attempts == 3
        assert sending.resume_all() == 0
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SENT
        assert len(handler.messages) == 10


def test_lost_connection_leaves_the_mail_uncertain_and_never_resends_it(
    world: World, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers = subscribers(world, 6)
    issue = started(world)
    original = sending._send

    def drop_on_fourth(connection: Any, message: Any) -> None:
        if message.to == [readers[3].email]:
            original(connection, message)  # the server takes it ...
            raise ConnectionResetError("Verbindung verloren")  # ... but we never hear
        original(connection, message)

    monkeypatch.setattr(sending, "_send", drop_on_fourth)
    with pytest.raises(ConnectionResetError):
        sending.send_issue(issue.pk)
    monkeypatch.setattr(sending, "_send", original)
    assert Delivery.objects.get(subscriber=readers[3]).state == Delivery.State.SENDING

    result = sending.send_issue(issue.pk)
    assert result.sent == 2
    assert result.states == {"pending": 0, "sending": 1, "sent": 5, "failed": 0, "skipped": 0}
    assert set(recipients(smtp.messages).values()) == {1}
    assert len(smtp.messages) == 6


def test_test_mail_goes_only_to_the_given_address(world: World, smtp: Any) -> None:
    subscribers(world, 2)
    issue = draft_issue(world)
    sending.send_test(issue=issue, to="Redaktion@Example.org")
    (message,) = smtp.messages
    assert message["X-Envelope-To"] == "redaktion@example.org"
    assert subject(message) == "[Test] Neues aus Buxtehude"
    assert "Sperrung der Harburger Straße" in part(message, "text/plain")
    assert links(message, f"/abmelden/{mail.TEST_TOKEN}/")
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


# --- crashes -----------------------------------------------------------------------------


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def sender_process(controller: Any, issue_id: int, *, crash: str = "", batch: int = 8) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://{controller.hostname}:{controller.port}",
        "RATHAUS_SITE_URL": SITE,
        "RATHAUS_NEWSLETTER_FROM": "Hansestadt Buxtehude <newsletter@example.org>",
        "RATHAUS_BOUNCE_ADDRESS": "bounces@example.org",
        "RATHAUS_LOG_LEVEL": "WARNING",
    }
    env.pop(sending.CRASH_ENV, None)
    if crash:
        env[sending.CRASH_ENV] = crash
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rathaus",
            "send_newsletter",
            str(issue_id),
            f"--batch-size={batch}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: Any, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def test_crash_between_two_mails_then_resume_each_exactly_once(settings: Any, world: World) -> None:
    handler = Handler()
    with smtp_with(settings, handler) as controller:
        readers = subscribers(world, 30)
        issue = started(world)

        code, output = finish(sender_process(controller, issue.pk, crash="after-commit:13"))
        assert code == 17, output  # died by the hook, in the middle of the second batch
        assert len(handler.messages) == 13
        assert sending.state_counts(issue.pk) == {
            "pending": 17,
            "sending": 0,
            "sent": 13,
            "failed": 0,
            "skipped": 0,
        }

        code, output = finish(sender_process(controller, issue.pk))
        assert code == 0, output
        assert "17 verschickt" in output

    counts = recipients(handler.messages)
    assert counts == {r.email: 1 for r in readers}
    assert sending.state_counts(issue.pk)["sent"] == 30
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_crash_after_acceptance_before_commit_sends_nobody_twice(
    settings: Any, world: World, client: Client
) -> None:
    handler = Handler()
    with smtp_with(settings, handler) as controller:
        readers = subscribers(world, 20)
        issue = started(world)

        # The narrowest window: the server said 250 for mail 5, the commit never happened.
        code, output = finish(sender_process(controller, issue.pk, crash="before-commit:5"))
        assert code == 18, output
        assert len(handler.messages) == 5
        states = sending.state_counts(issue.pk)
        assert (states["sent"], states["sending"], states["pending"]) == (4, 1, 15)

        code, output = finish(sender_process(controller, issue.pk))
        assert code == 0, output

    # Everybody exactly once, the reader in the window included (the server had it).
    assert recipients(handler.messages) == {r.email: 1 for r in readers}
    states = sending.state_counts(issue.pk)
    assert (states["sent"], states["sending"]) == (19, 1)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING  # not "sent" while one row is uncertain


def test_killed_at_a_random_moment_nobody_gets_it_twice(settings: Any, world: World) -> None:
    handler = Handler(delay=0.02)
    with smtp_with(settings, handler) as controller:
        readers = subscribers(world, 60)
        issue = started(world)

        process = sender_process(controller, issue.pk, batch=25)
        deadline = time.monotonic() + 60
        while len(handler.messages) < 12 and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        first_run = len(handler.messages)
        assert 12 <= first_run < 60

        code, output = finish(sender_process(controller, issue.pk, batch=25))
        assert code == 0, output

    counts = recipients(handler.messages)
    assert max(counts.values()) == 1  # nobody twice
    states = dict(Delivery.objects.filter(issue=issue).values_list("subscriber__email", "state"))
    for reader in readers:
        if states[reader.email] == Delivery.State.SENT:
            assert counts[reader.email] == 1
        else:  # killed inside the window: at most one such row, at most one mail
            assert states[reader.email] == Delivery.State.SENDING
    assert list(states.values()).count(Delivery.State.SENDING) <= 1
    assert len(handler.messages) >= 59
