"""Bounces by address: real RFC 3464 delivery status notifications in a Maildir and an mbox."""

from __future__ import annotations

import datetime
import mailbox
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rathaus.newsletter import bounces, sending, services
from rathaus.newsletter.models import Bounce, Delivery, Subscriber
from tests.newsletter.conftest import World, active_subscriber, draft_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "mail", "import"],
        }
    }


def dsn(
    recipient: str,
    status: str,
    *,
    action: str = "failed",
    diagnostic: str = "",
    when: datetime.datetime | None = None,
) -> bytes:
    """A delivery status notification as Postfix writes it (RFC 3464, RFC 3462)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.net (Mail Delivery System)"
    report["To"] = "bounces@example.org"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = format_datetime(when or timezone.now())
    report.attach(MIMEText("This is the mail system at host mx.example.net.\n", "plain"))
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.net"
    per_message["Arrival-Date"] = format_datetime(when or timezone.now())
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; {diagnostic or status + ' failure'}"
    status_part = Message()
    status_part["Content-Type"] = "message/delivery-status"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    headers = MIMEText(
        "From: newsletter@example.org\nSubject: Neues aus Buxtehude\n", "rfc822-headers"
    )
    report.attach(headers)
    return report.as_bytes()


def plain(subject: str, body: str = "Hallo") -> bytes:
    message = MIMEText(body)
    message["Subject"] = subject
    message["From"] = "jemand@example.net"
    return message.as_bytes()


@pytest.fixture
def maildir(tmp_path: Path) -> tuple[Path, mailbox.Maildir]:
    path = tmp_path / "bounces"
    return path, mailbox.Maildir(path, create=True)


def test_parse_a_dsn() -> None:
    from email import message_from_bytes

    parsed = bounces.parse_dsn(
        message_from_bytes(dsn("Leser@Example.org", "5.1.1", diagnostic="550 5.1.1 unknown"))
    )
    assert parsed == [
        bounces.RecipientStatus(
            address="leser@example.org",
            action="failed",
            status="5.1.1",
            diagnostic="smtp; 550 5.1.1 unknown",
        )
    ]
    assert parsed[0].kind == Bounce.Kind.HARD
    assert bounces.parse_dsn(message_from_bytes(plain("Hallo"))) is None


def test_hard_bounce_stops_mail_and_the_message_is_moved_aside(
    world: World, maildir: tuple[Path, mailbox.Maildir]
) -> None:
    path, box = maildir
    reader = active_subscriber("Weg@example.org", world.verkehr)
    other = active_subscriber("da@example.org", world.verkehr)
    key = box.add(dsn("weg@example.org", "5.1.1", diagnostic="550 5.1.1 User unknown"))

    run = bounces.process_mailbox(path)
    assert (run.messages, run.hard, run.soft) == (1, 1, 0)
    assert run.newly_bounced == ["weg@example.org"]
    assert run.unparseable == []
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    assert reader.hard_bounce_count == 1
    assert reader.bounced_at is not None
    bounce = Bounce.objects.get()
    assert (bounce.kind, bounce.status) == ("hard", "5.1.1")
    assert "User unknown" in bounce.diagnostic
    assert bounce.source == f"new/{key}"
    # Moved aside into the Maildir++ folder; the inbox is empty.
    assert list(box.keys()) == []
    assert len(box.get_folder("verarbeitet")) == 1

    # The next issue does not go to a bounced address.
    issue = services.start_sending(issue=draft_issue(world))
    sending.send_issue(issue.pk)
    assert list(Delivery.objects.values_list("subscriber_id", flat=True)) == [other.pk]


def test_three_soft_bounces_in_thirty_days_make_an_address_bounced(
    world: World, maildir: tuple[Path, mailbox.Maildir]
) -> None:
    path, box = maildir
    now = timezone.now()
    slow = active_subscriber("langsam@example.org", world.verkehr)
    full = active_subscriber("voll@example.org", world.verkehr)
    # Spread over 70 days: never three within 30.
    for days in (70, 45, 10):
        box.add(
            dsn(
                "langsam@example.org",
                "4.4.1",
                action="delayed",
                when=now - datetime.timedelta(days=days),
            )
        )
    # Three within a week.
    for days in (6, 3, 1):
        box.add(dsn("voll@example.org", "4.2.2", when=now - datetime.timedelta(days=days)))

    run = bounces.process_mailbox(path, now=now)
    assert (run.hard, run.soft) == (0, 6)
    slow.refresh_from_db()
    full.refresh_from_db()
    assert slow.status == Subscriber.Status.ACTIVE
    assert slow.bounce_count == 3
    assert full.status == Subscriber.Status.BOUNCED
    assert full.bounce_count == 3
    assert run.newly_bounced == ["voll@example.org"]


def test_unparseable_messages_stay_and_are_reported_by_file_name(
    world: World, maildir: tuple[Path, mailbox.Maildir]
) -> None:
    path, box = maildir
    active_subscriber("leser@example.org", world.verkehr)
    junk = box.add(plain("Out of office", "Ich bin im Urlaub."))
    box.add(dsn("fremd@example.net", "5.1.1"))  # nobody we know: handled, nothing to do
    box.add(dsn("leser@example.org", "2.0.0", action="delivered"))  # not a failure

    stdout, stderr = StringIO(), StringIO()
    call_command("process_bounces", "--path", str(path), stdout=stdout, stderr=stderr)
    assert "3 Nachrichten" in stdout.getvalue()
    assert "1 unbekannte Adressen" in stdout.getvalue()
    assert f"nicht verarbeitet: new/{junk}: kein Zustellbericht" in stderr.getvalue()
    assert list(box.keys()) == [junk]  # kept for a person to look at
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE
    assert not Bounce.objects.exists()


def test_mbox_and_mailto_unsubscribe(world: World, tmp_path: Path, settings: Any) -> None:
    reader = active_subscriber("leser@example.org", world.verkehr)
    hard = active_subscriber("hart@example.org", world.verkehr)
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    box.add(dsn("hart@example.org", "5.7.1", diagnostic="550 5.7.1 rejected"))
    box.add(plain(f"unsubscribe {reader.token}", ""))
    box.add(plain("Werbung"))
    box.flush()
    box.close()

    settings.RATHAUS_BOUNCE_MAILDIR = str(path)
    stdout, stderr = StringIO(), StringIO()
    call_command("process_bounces", stdout=stdout, stderr=stderr)
    assert "1 Abmeldungen per E-Mail" in stdout.getvalue()
    assert "bounces.mbox#3" in stderr.getvalue()
    reader.refresh_from_db()
    hard.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert hard.status == Subscriber.Status.BOUNCED
    left = mailbox.mbox(path)
    assert [m["Subject"] for m in left] == ["Werbung"]
    done = mailbox.mbox(tmp_path / "bounces.mbox.verarbeitet")
    assert len(done) == 2


def test_command_needs_a_mailbox(settings: Any, tmp_path: Path) -> None:
    settings.RATHAUS_BOUNCE_MAILDIR = ""
    with pytest.raises(CommandError, match="RATHAUS_BOUNCE_MAILDIR"):
        call_command("process_bounces")
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("process_bounces", "--path", str(tmp_path / "fehlt"))
    (tmp_path / "leer").mkdir()
    with pytest.raises(CommandError, match="kein Maildir"):
        call_command("process_bounces", "--path", str(tmp_path / "leer"))
