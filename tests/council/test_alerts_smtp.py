"""Alerts end to end over a real SMTP server (aiosmtpd) and the database task queue.

No account anywhere: subscribe through the form, receive the confirmation mail, confirm
with the link from it, get a digest when a matching paper appears, unsubscribe with one
click as a mail program does (RFC 8058), and receive nothing afterwards.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from rathaus.council import alerts, services
from rathaus.council.models import AlertDelivery, AlertSubscription, Paper
from rathaus.council.tasks import send_alert_digests, send_confirmation
from tests.conftest import use_smtp
from tests.council.conftest import Council

SITE = "https://rathaus.example.org"
LINK = re.compile(r"https://rathaus\.example\.org/\S+")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_alerts(settings: Any, smtp_server: Any) -> Any:
    """Mail through Django's SMTP backend to the test's own server; tasks in the database."""
    controller, handler = smtp_server
    use_smtp(settings, controller)
    settings.SITE_URL = SITE
    queues = ["default", "mail", "import"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}
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


def new_paper(council: Council, reference: str, name: str, *, public: bool = True) -> Paper:
    paper = Paper.objects.create(
        body=council.body, reference=reference, name=name, is_public=public
    )
    services.sync_search_index(papers=[paper])
    return paper


def test_subscribe_confirm_digest_unsubscribe_over_smtp(
    client: Client, council: Council, smtp_alerts: Any
) -> None:
    # 1. Subscribe from the search results page's link: no account, just an address.
    response = client.get(
        "/rat/benachrichtigungen/abonnieren/", {"art": "search", "q": "Regenrückhaltebecken"}
    )
    assert response.status_code == 200
    response = client.post(
        "/rat/benachrichtigungen/abonnieren/",
        {
            "art": "search",
            "q": "Regenrückhaltebecken",
            "email": "leser@example.org",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert smtp_alerts.messages == []  # the worker sends it, not the web request

    # 2. The confirmation mail arrives over SMTP.
    run_worker()
    (confirmation,) = smtp_alerts.messages
    assert confirmation["X-Envelope-To"] == "leser@example.org"
    assert subject(confirmation) == "Bitte bestätigen Sie Ihre Benachrichtigung"
    assert confirmation.get_content_type() == "multipart/alternative"
    assert confirmation["Content-Language"] == "de"
    assert "Suchbegriff: „Regenrückhaltebecken“" in part(confirmation, "text/plain")
    (confirm_url,) = links(confirmation, "/bestaetigen/")
    assert f'href="{confirm_url}"' in part(confirmation, "text/html")

    # 3. Confirm with the link from the mail.
    assert "Ja, Benachrichtigung bestätigen" in client.get(path_of(confirm_url)).content.decode()
    assert client.post(path_of(confirm_url)).status_code == 200
    sub = AlertSubscription.objects.get()
    assert sub.confirmed_at is not None

    # 4. Nothing new, no mail; then a matching public paper and a non-public one appear.
    assert send_alert_digests.enqueue() is not None
    run_worker()
    assert len(smtp_alerts.messages) == 1
    public = new_paper(council, "2026/090", "Zweites Regenrückhaltebecken in Ovelgönne")
    new_paper(council, "2026/091", "Grundstück für ein Regenrückhaltebecken", public=False)

    result = send_alert_digests.enqueue()
    run_worker()
    result.refresh()
    assert result.return_value == 1
    digest = smtp_alerts.messages[-1]
    assert len(smtp_alerts.messages) == 2
    assert digest["X-Envelope-To"] == "leser@example.org"
    assert subject(digest) == "Neues aus dem Rat: 1 Meldung"
    text, html = part(digest, "text/plain"), part(digest, "text/html")
    assert "2026/090 Zweites Regenrückhaltebecken in Ovelgönne" in text
    assert f"{SITE}/rat/drucksachen/{public.pk}/" in text
    assert f'href="{SITE}/rat/drucksachen/{public.pk}/"' in html
    assert "Grundstück" not in text
    assert "Grundstück" not in html
    assert links(digest, f"/abbestellen/{sub.token}/")

    # RFC 2369 / RFC 8058 headers: an https address and the one-click POST.
    # Long header lines are folded (RFC 5322); the reader unfolds them.
    unsubscribe = re.sub(r"\r?\n", "", digest["List-Unsubscribe"]).strip()
    assert re.fullmatch(
        r"<https://rathaus\.example\.org/rat/benachrichtigungen/abbestellen/alle/[^>]+/>",
        unsubscribe,
    )
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["Auto-Submitted"] == "auto-generated"
    delivery = AlertDelivery.objects.get(kind=AlertDelivery.Kind.DIGEST)
    assert delivery.items == [f"council.paper:{public.pk}"]

    # 5. The mail program's one-click unsubscribe: a POST without cookie or CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe.strip("<>")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not AlertSubscription.objects.exists()

    # 6. No more mail, however much news there is.
    new_paper(council, "2026/092", "Drittes Regenrückhaltebecken am Ostviertel")
    send_alert_digests.enqueue()
    run_worker()
    assert len(smtp_alerts.messages) == 2


def test_confirmation_task_sends_once_per_request(council: Council, smtp_alerts: Any) -> None:
    sub = alerts.subscribe(
        email="a@example.org",
        kind="organization",
        target_id=council.bau.pk,
        language="en",
        consent="I agree.",
    )
    run_worker()
    assert len(smtp_alerts.messages) == 1
    assert smtp_alerts.messages[0]["Content-Language"] == "en"
    assert links(smtp_alerts.messages[0], f"{SITE}/en/rat/benachrichtigungen/bestaetigen/")

    # A retried or duplicate task finds nothing due and sends nothing.
    send_confirmation.enqueue(sub.pk)
    run_worker()
    assert len(smtp_alerts.messages) == 1
    # A task for a subscription deleted meanwhile does no harm.
    result = send_confirmation.enqueue(sub.pk + 1000)
    run_worker()
    result.refresh()
    assert result.return_value is False


def test_digest_run_interrupted_after_the_first_mail_sends_each_one_mail(
    council: Council, smtp_alerts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for email in ("erste@example.org", "zweite@example.org", "dritte@example.org"):
        sub = alerts.subscribe(
            email=email, kind="organization", target_id=council.rat.pk, language="de", consent="ok"
        )
        alerts.confirm(token=sub.token)
    run_worker()  # the confirmation mails
    smtp_alerts.messages.clear()
    from tests.council.conftest import make_meeting

    make_meeting("7. Sitzung des Rates", [council.rat], days=60)
    original = alerts._send

    def crash_after_first(connection: Any, message: Any) -> None:
        if smtp_alerts.messages:
            raise ConnectionResetError("Verbindung zum Mailserver verloren")
        original(connection, message)

    monkeypatch.setattr(alerts, "_send", crash_after_first)
    with pytest.raises(ConnectionResetError):
        alerts.send_digests()
    assert len(smtp_alerts.messages) == 1

    monkeypatch.setattr(alerts, "_send", original)
    result = send_alert_digests.enqueue()
    run_worker()
    result.refresh()
    assert result.return_value == 2

    recipients = sorted(m["X-Envelope-To"] for m in smtp_alerts.messages)
    assert recipients == ["dritte@example.org", "erste@example.org", "zweite@example.org"]
    assert AlertDelivery.objects.filter(kind=AlertDelivery.Kind.DIGEST).count() == 3
