"""Subscribing with double opt-in over a real SMTP server, preferences, one-click unsubscribe."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from rathaus.newsletter import sending, services
from rathaus.newsletter.models import Delivery, Subscriber
from tests.newsletter.conftest import (
    SITE,
    World,
    active_subscriber,
    draft_issue,
    links,
    part,
    path_of,
    run_worker,
    subject,
)

pytestmark = pytest.mark.django_db(transaction=True)


def post_subscribe(client: Client, email: str, *topic_ids: int, consent: bool = True) -> Any:
    data: dict[str, Any] = {"email": email, "topics": [str(t) for t in topic_ids]}
    if consent:
        data["consent"] = "on"
    return client.post("/newsletter/", data)


def test_double_opt_in_over_smtp(client: Client, world: World, smtp: Any) -> None:
    page = client.get("/newsletter/").content.decode()
    assert "<legend>Themen</legend>" in page
    assert services.consent_text() in page
    assert 'aria-describedby="consent-text"' in page

    response = post_subscribe(client, "Leserin@Example.org", world.verkehr.pk, world.kultur.pk)
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/angefordert/"
    subscriber = Subscriber.objects.get()
    # Consent proof: the exact text shown, and when; the address in lower case.
    assert subscriber.email == "leserin@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text == services.consent_text()
    assert "Hansestadt Buxtehude" in subscriber.consent_text
    assert abs((timezone.now() - subscriber.consent_at).total_seconds()) < 60
    assert subscriber.confirmed_at is None
    assert set(subscriber.topics.values_list("slug", flat=True)) == {"verkehr", "kultur"}
    assert smtp.messages == []  # the worker sends it, not the web request

    run_worker()
    (confirmation,) = smtp.messages
    assert confirmation["X-Envelope-To"] == "leserin@example.org"
    assert subject(confirmation) == "Bitte bestätigen Sie Ihre Anmeldung zum Newsletter"
    assert confirmation.get_content_type() == "multipart/alternative"
    assert "Verkehr" in part(confirmation, "text/plain")
    (confirm_url,) = links(confirmation, "/newsletter/bestaetigen/")
    assert f'href="{confirm_url}"' in part(confirmation, "text/html")

    # A pending address gets no issue.
    issue = draft_issue(world, world.verkehr)
    services.start_sending(issue=issue)
    sending.send_issue(issue.pk)
    assert len(smtp.messages) == 1
    assert not Delivery.objects.exists()

    # Opening the link changes nothing (mail scanners open links); the button confirms.
    page = client.get(path_of(confirm_url))
    assert page.status_code == 200
    assert "Ja, Anmeldung bestätigen" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert Client(enforce_csrf_checks=True).post(path_of(confirm_url)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.confirmed_at is not None
    assert subscriber.consent_text == services.consent_text()


def test_same_answer_for_known_and_unknown_addresses(
    client: Client, world: World, smtp: Any
) -> None:
    active_subscriber("bekannt@example.org", world.verkehr)
    run_worker()
    smtp.messages.clear()
    # The confirmation went out an hour ago (a mail right after it would be held back).
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(hours=1))

    known = post_subscribe(client, "bekannt@example.org", world.kultur.pk)
    unknown = post_subscribe(client, "neu@example.org", world.kultur.pk)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The active subscriber's topics are not changed by anyone typing the address.
    bekannt = Subscriber.objects.get(email="bekannt@example.org")
    assert list(bekannt.topics.values_list("slug", flat=True)) == ["verkehr"]
    run_worker()
    by_address = {m["X-Envelope-To"]: m for m in smtp.messages}
    assert subject(by_address["bekannt@example.org"]) == "Sie erhalten unseren Newsletter bereits"
    assert links(by_address["bekannt@example.org"], "/newsletter/einstellungen/")
    assert not links(by_address["bekannt@example.org"], "/bestaetigen/")
    assert links(by_address["neu@example.org"], "/bestaetigen/")


def test_confirmation_resent_at_most_every_few_minutes(
    client: Client, world: World, smtp: Any
) -> None:
    for _n in range(3):
        assert post_subscribe(client, "oft@example.org", world.verkehr.pk).status_code == 302
    run_worker()
    assert len(smtp.messages) == 1

    # Later the latest request counts (topics, consent time) and a new mail goes out.
    later = timezone.now() + services.CONFIRMATION_INTERVAL + datetime.timedelta(seconds=1)
    services.subscribe(
        email="OFT@example.org",
        topic_ids=[world.bauen.pk],
        language="en",
        consent="I agree.",
        now=later,
    )
    run_worker()
    assert len(smtp.messages) == 2
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "en"
    assert subscriber.consent_text == "I agree."
    assert list(subscriber.topics.values_list("slug", flat=True)) == ["bauen"]
    assert smtp.messages[1]["Content-Language"] == "en"
    assert links(smtp.messages[1], f"{SITE}/en/newsletter/bestaetigen/")


def test_form_errors_are_named_and_nothing_is_stored(client: Client, world: World) -> None:
    response = client.post("/newsletter/", {"email": "kaputt", "topics": ["999999"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message message-error error-summary"' in html
    assert 'href="#id_email"' in html
    assert 'href="#id_topics"' in html
    assert 'href="#id_consent"' in html
    assert 'id="id_topics"' in html  # the fieldset the summary links to
    assert not Subscriber.objects.exists()


def test_confirmation_link_is_signed_and_expires(client: Client, world: World, smtp: Any) -> None:
    subscriber = services.subscribe(
        email="a@example.org", topic_ids=[world.verkehr.pk], language="de", consent="ok"
    )
    # The bare token is not a confirmation code; a forged signature neither.
    assert client.post(f"/newsletter/bestaetigen/{subscriber.token}/").status_code == 404
    code = services.confirmation_code(subscriber)
    forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    assert client.post(f"/newsletter/bestaetigen/{forged}/").status_code == 404
    old = signing.TimestampSigner(salt=services.CONFIRM_SALT)
    old.timestamp = lambda: signing.b62_encode(  # type: ignore[method-assign]
        int((timezone.now() - datetime.timedelta(days=8)).timestamp())
    )
    expired = old.sign(subscriber.token)
    response = client.post(f"/newsletter/bestaetigen/{expired}/")
    assert response.status_code == 404
    assert "abgelaufen" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert client.post(f"/newsletter/bestaetigen/{code}/").status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_manage_preferences_from_the_link(client: Client, world: World, smtp: Any) -> None:
    subscriber = active_subscriber("leser@example.org", world.verkehr)
    url = f"/newsletter/einstellungen/{subscriber.token}/"
    page = client.get(url).content.decode()
    assert re.search(rf'<input[^>]*value="{world.verkehr.pk}"[^>]*checked', page)
    response = Client(enforce_csrf_checks=True).post(
        url, {"topics": [str(world.kultur.pk), str(world.bauen.pk)]}
    )
    assert response.status_code == 200
    assert "Ihre Themen sind gespeichert." in response.content.decode()
    assert set(subscriber.topics.values_list("slug", flat=True)) == {"kultur", "bauen"}
    response = client.post(url, {"topics": []})
    assert "Bitte wählen Sie mindestens ein Thema." in response.content.decode()
    assert subscriber.topics.count() == 2
    assert client.get("/newsletter/einstellungen/unbekannt/").status_code == 404


def test_one_click_unsubscribe_without_csrf_or_login(
    client: Client, world: World, smtp: Any
) -> None:
    subscriber = active_subscriber("weg@example.org", world.verkehr)
    url = f"/newsletter/abmelden/{subscriber.token}/"
    page = client.get(url)
    assert page.status_code == 200
    main = page.content.decode().split("<main", 1)[1]
    assert main.count("<button") == 1
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE  # GET changes nothing

    # What a mail program sends for RFC 8058: a POST without cookie or CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Newsletter abbestellt" in response.content.decode()
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    # The consent record stays as proof, with the withdrawal.
    assert subscriber.consent_text
    # Twice is harmless; an unknown token is a 404 page, not an error.
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert client.post("/newsletter/abmelden/gibtesnicht/").status_code == 404

    # An old confirmation link does not subscribe again.
    code = services.confirmation_code(subscriber)
    assert client.post(f"/newsletter/bestaetigen/{code}/").status_code == 409
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_resubscribe_after_unsubscribing_needs_a_new_confirmation(
    client: Client, world: World, smtp: Any
) -> None:
    subscriber = active_subscriber("zurueck@example.org", world.verkehr)
    services.unsubscribe(token=subscriber.token)
    later = timezone.now() + datetime.timedelta(hours=1)
    services.subscribe(
        email="zurueck@example.org",
        topic_ids=[world.kultur.pk],
        language="de",
        consent=services.consent_text(),
        now=later,
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_at == later
    services.confirm(code=services.confirmation_code(subscriber))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.unsubscribed_at is None


def test_unconfirmed_addresses_are_purged(world: World, smtp: Any) -> None:
    old = services.subscribe(
        email="alt@example.org",
        topic_ids=[world.verkehr.pk],
        language="de",
        consent="ok",
        now=timezone.now() - datetime.timedelta(days=9),
    )
    services.subscribe(
        email="neu@example.org", topic_ids=[world.verkehr.pk], language="de", consent="ok"
    )
    active_subscriber("aktiv@example.org", world.verkehr)
    assert services.purge_unconfirmed() == 1
    assert not Subscriber.objects.filter(pk=old.pk).exists()
    assert Subscriber.objects.count() == 2


def test_english_pages_and_dead_links(client: Client, world: World) -> None:
    response = client.get("/en/newsletter/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    # German topic names are marked as German on English pages.
    assert '<span lang="de">Verkehr</span>' in response.content.decode()
    assert client.get("/newsletter/bestaetigen/quatsch/").status_code == 404


def test_public_pages_need_few_queries(
    client: Client, world: World, smtp: Any, django_assert_max_num_queries: Any
) -> None:
    subscriber = active_subscriber("leser@example.org", world.verkehr, world.kultur)
    with django_assert_max_num_queries(3):
        assert client.get("/newsletter/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(f"/newsletter/einstellungen/{subscriber.token}/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"/newsletter/abmelden/{subscriber.token}/").status_code == 200
    code = services.confirmation_code(subscriber)
    with django_assert_max_num_queries(3):
        assert client.get(f"/newsletter/bestaetigen/{code}/").status_code == 200
