"""Local citizen sign-up end to end: form, mail over a real SMTP server, link, sign-in.

The mails go through the database task queue ("mail") and Django's SMTP backend to the
aiosmtpd server of the `smtp_server` fixture; nothing is mocked.
"""

from __future__ import annotations

import datetime
import re
import signal
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import LocalSignup, User
from rathaus.accounts.trust import SESSION_KEY
from tests.conftest import PASSWORD, use_smtp

SITE = "https://rathaus.example.org"
LINK = re.compile(r"https://rathaus\.example\.org/\S+")
GOOD_PASSWORD = "Laterne-Schwimmbad-42"


@pytest.fixture
def mailbox(settings: Any, smtp_server: Any) -> Any:
    """Mail over SMTP to the test's own server; tasks in the database, run by `db_worker`."""
    controller, handler = smtp_server
    use_smtp(settings, controller)
    settings.SITE_URL = SITE
    queues = ["default", "mail", "import"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}
    return handler


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_mail_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "mail", verbosity=0)


@pytest.fixture
def outbox(mailbox: Any, settings: Any) -> Any:
    """The same SMTP server, with the task run at once when its transaction commits.

    Only the first test pays for a real worker and a transactional database (slow to tear
    down on PostgreSQL); the others run inside the test's transaction and `deliver` plays
    the commit callbacks the views registered.
    """
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "mail", "import"],
        }
    }
    return mailbox


def deliver() -> None:
    pending = list(connection.run_on_commit)
    connection.run_on_commit.clear()
    for _savepoints, callback, _robust in pending:
        callback()


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text_of(message: Message, content_type: str = "text/plain") -> str:
    for piece in message.walk():
        if piece.get_content_type() == content_type:
            payload = piece.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(piece.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")


def verify_link(message: Message) -> str:
    (url,) = [u for u in LINK.findall(text_of(message)) if "/registrieren/bestaetigen/" in u]
    return urlsplit(url).path


def register(client: Client, **overrides: str) -> Any:
    data = {
        "first_name": "Greta",
        "last_name": "Behrens",
        "email": "greta.behrens@example.org",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "privacy": "on",
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db(transaction=True)
def test_sign_up_confirm_by_mail_and_sign_in(client: Client, mailbox: Any) -> None:
    page = client.get(reverse("accounts:signup")).content.decode()
    assert 'autocomplete="new-password"' in page
    assert reverse("core:privacy") in page

    response = register(client, email="Greta.Behrens@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="greta.behrens@example.org")
    assert user.username == "greta.behrens@example.org"
    assert not user.is_active
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert LocalSignup.objects.get(user=user).verified_at is None
    assert mailbox.messages == []  # the worker sends it, not the web request

    # Not active yet: the password alone does not sign in.
    assert sign_in(client, "greta.behrens@example.org", GOOD_PASSWORD).status_code == 200

    run_mail_worker()
    (mail,) = mailbox.messages
    assert mail["X-Envelope-To"] == "greta.behrens@example.org"
    assert subject(mail) == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Guten Tag Greta Behrens" in text_of(mail)
    link = verify_link(mail)
    assert f'href="{SITE}{link}"' in text_of(mail, "text/html")

    # Opening the link (a mail scanner does) confirms nothing; the button does.
    assert "E-Mail-Adresse bestätigen" in client.get(link).content.decode()
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert LocalSignup.objects.get(user=user).verified_at is not None

    response = sign_in(client, "greta.behrens@example.org", GOOD_PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "niedrig"

    # The link did its work once; a second click says so and changes nothing.
    client.post(reverse("accounts:logout"))
    response = client.post(link, follow=True)
    assert "bereits bestätigt" in response.content.decode()


@pytest.mark.django_db
def test_known_address_gets_the_same_answer_and_a_note_instead(
    client: Client, outbox: Any, citizen: User
) -> None:
    new = register(client, email="neu@example.org")
    known = register(client, email=citizen.email.upper(), password1=GOOD_PASSWORD)
    assert new.status_code == known.status_code == 302
    assert new["Location"] == known["Location"]
    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)  # nothing about the account changed

    deliver()
    by_address = {m["X-Envelope-To"]: m for m in outbox.messages}
    assert subject(by_address["neu@example.org"]) == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    note = by_address[citizen.email]
    assert subject(note) == "Sie haben bereits ein Konto"
    assert "/registrieren/bestaetigen/" not in text_of(note)


@pytest.mark.django_db
def test_registering_a_pending_address_again_resends_without_changing_the_password(
    client: Client, outbox: Any
) -> None:
    register(client)
    register(client, password1="Anderes-Passwort-99", password2="Anderes-Passwort-99")
    assert User.objects.count() == 1
    user = User.objects.get()
    assert user.check_password(GOOD_PASSWORD)
    deliver()
    assert len(outbox.messages) == 2
    assert {subject(m) for m in outbox.messages} == {"Bitte bestätigen Sie Ihre E-Mail-Adresse"}


@pytest.mark.django_db
def test_weak_password_and_missing_consent_are_named(client: Client, outbox: Any) -> None:
    response = register(client, password1="greta1234", password2="greta1234", privacy="")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "Datenschutzhinweis gelesen haben" in page
    assert "zu kurz" in page or "too short" in page
    assert 'href="#id_password1"' in page
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in page
    response = register(client, password2="etwas-anderes-123")
    assert "stimmen nicht überein" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_expired_or_tampered_links_are_refused_and_a_new_one_can_be_asked_for(
    client: Client, outbox: Any, settings: Any
) -> None:
    register(client)
    deliver()
    link = verify_link(outbox.messages[0])

    tampered = link.replace("/bestaetigen/", "/bestaetigen/x")
    response = client.post(tampered)
    assert response.status_code == 400
    assert "Bestätigungslink ist ungültig" in response.content.decode()

    settings.RATHAUS_SIGNUP_LINK_HOURS = 0
    response = client.post(link)
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert not User.objects.get().is_active
    settings.RATHAUS_SIGNUP_LINK_HOURS = 48

    # Asking again: unknown addresses get the same answer and no mail.
    for address in ("greta.behrens@example.org", "niemand@example.org"):
        response = client.post(reverse("accounts:signup_resend"), {"email": address})
        assert response["Location"] == reverse("accounts:signup_done")
    deliver()
    assert [m["X-Envelope-To"] for m in outbox.messages] == ["greta.behrens@example.org"] * 2
    assert client.post(verify_link(outbox.messages[1])).status_code == 302
    assert User.objects.get().is_active


@pytest.mark.django_db
def test_a_locked_account_stays_locked_whatever_link_it_has(client: Client, outbox: Any) -> None:
    register(client)
    deliver()
    link = verify_link(outbox.messages[0])
    assert client.post(link).status_code == 302
    user = User.objects.get()
    user.is_active = False  # an administrator locks it
    user.save()
    client.post(link)
    client.post(reverse("accounts:signup_resend"), {"email": user.email})
    deliver()
    user.refresh_from_db()
    assert not user.is_active
    assert len(outbox.messages) == 1


@pytest.mark.django_db
def test_staff_sign_in_keeps_the_second_factor_and_gets_level_low(
    client: Client, settings: Any, clerk: User
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    response = sign_in(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.session[SESSION_KEY] == "niedrig"


@pytest.mark.django_db
def test_sign_up_can_be_switched_off(client: Client, settings: Any) -> None:
    settings.RATHAUS_SIGNUP = False
    assert client.get(reverse("accounts:signup")).status_code == 404
    assert reverse("accounts:signup") not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_unconfirmed_sign_ups_are_forgotten_after_a_week(client: Client, outbox: Any) -> None:
    from rathaus.accounts.tasks import purge_unconfirmed_signups
    from rathaus.core.schedule import SCHEDULES

    register(client)
    register(client, email="bestaetigt@example.org")
    deliver()
    confirmed = User.objects.get(email="bestaetigt@example.org")
    link = verify_link(next(m for m in outbox.messages if m["X-Envelope-To"] == confirmed.email))
    assert client.post(link).status_code == 302
    assert purge_unconfirmed_signups.call() == 0  # a fresh sign-up stays
    LocalSignup.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert purge_unconfirmed_signups.call() == 1
    assert list(User.objects.values_list("email", flat=True)) == ["bestaetigt@example.org"]
    assert "rathaus.accounts.tasks.purge_unconfirmed_signups" in SCHEDULES["daily"]
