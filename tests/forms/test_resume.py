"""Save and resume: the account keeps signed-in citizens' drafts; others get a signed link by
mail (over a real SMTP server, sent by the task worker), valid for 30 days."""

from __future__ import annotations

import datetime
import re
import signal
from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client

from rathaus.forms import resume, selectors
from rathaus.forms.models import Draft, FormDefinition
from tests.conftest import make_user, use_smtp

SITE = "https://rathaus.example.org"


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def smtp_mail(settings: Any, smtp_server: Any) -> Any:
    controller, handler = smtp_server
    use_smtp(settings, controller)
    settings.SITE_URL = SITE
    queues = ["default", "mail", "import"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}
    return handler


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def text_of(message: Any) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


@pytest.mark.django_db(transaction=True)
def test_anonymous_save_and_resume_by_mail(
    client: Client, dog_form: FormDefinition, smtp_mail: Any
) -> None:
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    step = f"/antraege/entwurf/{draft.resume_token}/halter/"
    # Saving never blocks on errors: an invalid address is stored as typed.
    response = client.post(step, {"action": "save", "vorname": "Anna", "email": "kaputt"})
    saved = f"/antraege/entwurf/{draft.resume_token}/gespeichert/"
    assert response["Location"] == saved
    html = client.get(saved).content.decode()
    assert "Link zum Fortsetzen per E-Mail" in html
    assert 'autocomplete="email"' in html

    response = client.post(saved, {"email": "kein-at"})
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()

    response = client.post(saved, {"email": "anna@example.org"})
    assert "Wir haben Ihnen den Link zum Fortsetzen an anna@example.org geschickt" in (
        response.content.decode()
    )
    assert smtp_mail.messages == []  # the worker sends it, not the web request
    run_worker()
    assert len(smtp_mail.messages) == 1
    message = smtp_mail.messages[0]
    assert message["X-Envelope-To"] == "anna@example.org"
    assert "Hund anmelden" in str(make_header(decode_header(message["Subject"])))
    body = text_of(message)
    links = re.findall(r"https://rathaus\.example\.org/\S+", body)
    assert len(links) == 1
    assert draft.resume_token not in links[0].split("/fortsetzen/")[0]

    # A new browser (no cookie) continues where the citizen stopped.
    browser = Client()
    response = browser.get(urlsplit(links[0]).path)
    assert response["Location"] == step
    assert 'value="Anna"' in browser.get(step).content.decode()


@pytest.mark.django_db
def test_resume_links_expire_and_cannot_be_forged(
    client: Client, dog_form: FormDefinition, monkeypatch: Any
) -> None:
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    path = resume.resume_path(draft)
    assert client.get(path).status_code == 302
    forged = path.replace(draft.resume_token[:4], "AAAA", 1)
    assert client.get(forged).status_code == 404
    signed = signing.TimestampSigner(salt=resume.SALT).sign(draft.resume_token)
    future = datetime.datetime.now(tz=datetime.UTC).timestamp() + 31 * 24 * 3600
    monkeypatch.setattr("time.time", lambda: future)
    response = client.get(f"/antraege/fortsetzen/{signed}/")
    assert response.status_code == 410
    assert "abgelaufen" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_drafts_are_in_the_account(
    client: Client, dog_form: FormDefinition, citizen: Any
) -> None:
    client.force_login(citizen)
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    response = client.post(
        f"/antraege/entwurf/{draft.resume_token}/halter/", {"action": "save", "vorname": "Ben"}
    )
    html = client.get(response["Location"]).content.decode()
    assert "Meine Anträge" in html
    assert "Link zum Fortsetzen per E-Mail" not in html
    assert list(selectors.open_drafts(citizen)) == [draft]
    assert selectors.continue_url(draft) == f"/antraege/entwurf/{draft.resume_token}/halter/"
    assert list(selectors.open_drafts(make_user("andere"))) == []
