"""Alerts without an account: the subscribe form, double opt-in, digests, unsubscribe.

Mail goes to Django's in-memory outbox here and tasks run immediately; the real SMTP server
and the database task worker are exercised in `test_alerts_smtp.py`.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.council import alerts, services
from rathaus.council.models import AlertDelivery, AlertSubscription, Paper
from rathaus.council.tasks import purge_unconfirmed_subscriptions, send_alert_digests
from tests.council.conftest import Council, at, consult, make_file, make_item, make_meeting

SITE = "https://rathaus.example.org"
SUBSCRIBE = "/rat/benachrichtigungen/abonnieren/"
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail", "import"],
    }
}
LINK = re.compile(r"https://rathaus\.example\.org/\S+")


@pytest.fixture
def alert_settings(settings: Any) -> Any:
    settings.SITE_URL = SITE
    settings.TASKS = IMMEDIATE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def subscribe_form(
    client: Client, django_capture_on_commit_callbacks: Any, alert_settings: Any
) -> Any:
    """POST the subscribe form like a browser; the confirmation task runs on commit."""

    def post(prefix: str = "", **data: Any) -> Any:
        data.setdefault("consent", "on")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(prefix + SUBSCRIBE, data)

    return post


def links(text: str, part: str) -> list[str]:
    return [url for url in LINK.findall(text) if part in url]


def path_of(url: str) -> str:
    return urlsplit(url).path


def confirm_by_mail(client: Client, message: Any) -> AlertSubscription:
    (url,) = links(message.body, "/bestaetigen/")
    response = client.post(path_of(url))
    assert response.status_code == 200
    token = path_of(url).rstrip("/").rsplit("/", 1)[-1]
    return AlertSubscription.objects.get(token=token)


def confirmed(
    council: Council, email: str, *, when: datetime.datetime | None = None, **target: Any
) -> AlertSubscription:
    """A confirmed subscription made through the services (no mail)."""
    kind = target.pop("kind")
    sub = alerts.subscribe(
        email=email,
        kind=kind,
        target_id=target.get("target_id"),
        query=target.get("query", ""),
        language=target.get("language", "de"),
        consent="Ich willige ein.",
    )
    return alerts.confirm(token=sub.token, now=when or timezone.now())


def run_digests(**kwargs: Any) -> list[Any]:
    before = len(mail.outbox)
    alerts.send_digests(**kwargs)
    return mail.outbox[before:]


# --- subscribe ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_subscribe_page_for_a_paper_shows_target_consent_and_privacy(
    client: Client, council: Council
) -> None:
    response = client.get(SUBSCRIBE, {"art": "paper", "id": council.vorlage.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drucksache: 2026/041 Regenrückhaltebecken am Geestrand" in html
    assert f'href="/rat/drucksachen/{council.vorlage.pk}/"' in html
    assert 'type="email"' in html
    assert 'name="consent"' in html
    assert "Ich willige ein, dass die Hansestadt Buxtehude meine E-Mail-Adresse" in html
    assert "Art. 6 Abs. 1 Buchst. a DSGVO" in html
    assert "IP-Adresse speichern wir nicht" in html
    # A form that takes personal data may set the CSRF cookie; the privacy text says so.
    assert "csrftoken" in response.cookies
    assert "technisch notwendiges Cookie" in html
    assert 'id="id_q"' not in html  # only a search alert asks for a term


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"art": "paper", "id": "999999"},
            "Eine Drucksache mit der Kennung „999999“ gibt es nicht.",
        ),
        ({"art": "paper", "id": "abc"}, "Eine Drucksache mit der Kennung „abc“ gibt es nicht."),
        ({"art": "person", "id": "0"}, "Eine Person mit der Kennung „0“ gibt es nicht."),
        ({"art": "organization"}, "Ein Gremium mit der Kennung „“ gibt es nicht."),
        ({"art": "newsletter", "id": "1"}, "Unbekannte Art der Benachrichtigung „newsletter“"),
    ],
)
def test_unknown_targets_get_a_friendly_404(
    client: Client, council: Council, params: dict[str, str], message: str
) -> None:
    response = client.get(SUBSCRIBE, params)

    assert response.status_code == 404
    html = response.content.decode()
    assert message in html
    assert "Benachrichtigung nicht möglich" in html
    assert "<form" not in html.split('role="search"', 1)[1].split("</form>", 1)[1]


@pytest.mark.django_db
def test_non_public_paper_is_answered_like_an_unknown_one(
    client: Client, council: Council, subscribe_form: Any
) -> None:
    secret_id = council.secret.pk
    response = client.get(SUBSCRIBE, {"art": "paper", "id": secret_id})
    assert response.status_code == 404
    assert (
        f"Eine Drucksache mit der Kennung „{secret_id}“ gibt es nicht." in response.content.decode()
    )
    assert "Verkauf" not in response.content.decode()

    response = subscribe_form(art="paper", id=secret_id, email="neugier@example.org")
    assert response.status_code == 404
    assert not AlertSubscription.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "keine-adresse"},
            "email",
            "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@example.org.",
        ),
        ({"email": ""}, "email", "Bitte geben Sie Ihre E-Mail-Adresse an."),
        ({"email": "anna@example.org", "consent": ""}, "consent", "Bitte willigen Sie ein"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(
    council: Council, subscribe_form: Any, data: dict[str, str], field: str, message: str
) -> None:
    response = subscribe_form(art="paper", id=council.vorlage.pk, **data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte prüfen Sie Ihre Angaben" in html
    assert message in html
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert not AlertSubscription.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_subscribe_stores_consent_and_sends_the_confirmation(
    council: Council, subscribe_form: Any
) -> None:
    before = timezone.now()
    response = subscribe_form(art="paper", id=council.vorlage.pk, email=" Leser@Example.ORG ")

    assert response.status_code == 302
    assert response["Location"] == "/rat/benachrichtigungen/angefordert/"
    sub = AlertSubscription.objects.get()
    assert sub.email == "leser@example.org"
    assert (sub.kind, sub.paper, sub.target_key) == (
        "paper",
        council.vorlage,
        f"paper:{council.vorlage.pk}",
    )
    assert sub.language == "de"
    assert sub.consent_text.startswith("Ich willige ein, dass die Hansestadt Buxtehude")
    assert "2026/041 Regenrückhaltebecken am Geestrand" in sub.consent_text
    assert before <= sub.consent_at <= timezone.now()
    assert sub.confirmed_at is None
    assert len(sub.token) >= 40
    delivery = sub.deliveries.get()
    assert delivery.kind == AlertDelivery.Kind.CONFIRMATION
    assert delivery.sent_at is not None

    (message,) = mail.outbox
    assert message.to == ["leser@example.org"]
    assert message.subject == "Bitte bestätigen Sie Ihre Benachrichtigung"
    assert message.extra_headers["Content-Language"] == "de"
    assert links(message.body, "/bestaetigen/") == [
        f"{SITE}/rat/benachrichtigungen/bestaetigen/{sub.token}/"
    ]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}/rat/benachrichtigungen/bestaetigen/{sub.token}/"' in html
    assert '<html lang="de">' in html
    assert "nach 7 Tagen" in message.body


@pytest.mark.django_db
def test_repeated_subscribe_resends_without_duplicates(
    client: Client, council: Council, subscribe_form: Any
) -> None:
    for email in ("leser@example.org", "LESER@example.org"):
        subscribe_form(art="paper", id=council.vorlage.pk, email=email)

    sub = AlertSubscription.objects.get()
    assert sub.deliveries.count() == 2
    assert len(mail.outbox) == 2
    assert [links(m.body, "/bestaetigen/") for m in mail.outbox] == [
        [f"{SITE}/rat/benachrichtigungen/bestaetigen/{sub.token}/"]
    ] * 2

    confirm_by_mail(client, mail.outbox[0])
    subscribe_form(art="paper", id=council.vorlage.pk, email="leser@example.org")

    assert AlertSubscription.objects.count() == 1
    note = mail.outbox[-1]
    assert note.subject == "Ihre Benachrichtigung ist bereits eingerichtet"
    assert links(note.body, "/abbestellen/") == [
        f"{SITE}/rat/benachrichtigungen/abbestellen/{sub.token}/"
    ]
    assert not links(note.body, "/bestaetigen/")


@pytest.mark.django_db
def test_confirmations_per_address_are_limited_per_day(
    council: Council, subscribe_form: Any
) -> None:
    targets = [
        ("paper", council.vorlage.pk),
        ("paper", council.antrag.pk),
        ("organization", council.bau.pk),
        ("person", council.anna.pk),
        ("paper", council.vorlage.pk),  # a resend counts as well
    ]
    for art, pk in targets:
        response = subscribe_form(art=art, id=pk, email="viel@example.org")
        assert response.status_code == 302

    response = subscribe_form(art="person", id=council.bernd.pk, email="viel@example.org")

    assert response.status_code == 200
    assert "An diese Adresse haben wir heute schon 5 Bestätigungsanfragen geschickt" in (
        response.content.decode()
    )
    assert len(mail.outbox) == 5
    assert AlertSubscription.objects.count() == 4
    # Another address is not affected, and the limit is per day.
    assert (
        subscribe_form(art="person", id=council.bernd.pk, email="a@example.org").status_code == 302
    )
    AlertDelivery.objects.update(created=timezone.now() - datetime.timedelta(hours=25))
    assert (
        subscribe_form(art="person", id=council.bernd.pk, email="viel@example.org").status_code
        == 302
    )


@pytest.mark.django_db
def test_search_alert_takes_the_term_from_the_results_page(
    client: Client, council: Council, subscribe_form: Any
) -> None:
    response = client.get(SUBSCRIBE, {"art": "search", "q": "  Regenrückhaltebecken   Geestrand "})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Regenrückhaltebecken Geestrand"' in html
    assert "Suchbegriff: „Regenrückhaltebecken Geestrand“" in html

    response = subscribe_form(art="search", q="x", email="suche@example.org")
    assert response.status_code == 200
    assert "Bitte geben Sie einen Suchbegriff mit mindestens zwei Buchstaben ein." in (
        response.content.decode()
    )
    assert 'href="#id_q"' in response.content.decode()

    response = subscribe_form(art="search", q="Regenrückhaltebecken", email="suche@example.org")
    assert response.status_code == 302
    sub = AlertSubscription.objects.get()
    assert (sub.kind, sub.query, sub.target_key) == (
        "search",
        "Regenrückhaltebecken",
        "search:regenrückhaltebecken",
    )
    assert "oben angegebenen Suchbegriff" in sub.consent_text


@pytest.mark.django_db
def test_english_page_means_english_mail_with_english_links(
    council: Council, subscribe_form: Any
) -> None:
    response = subscribe_form("/en", art="organization", id=council.bau.pk, email="en@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/en/rat/benachrichtigungen/angefordert/"
    sub = AlertSubscription.objects.get()
    assert sub.language == "en"
    (message,) = mail.outbox
    assert message.subject == "Please confirm your alert"
    assert message.extra_headers["Content-Language"] == "en"
    assert '<html lang="en">' in message.alternatives[0][0]
    assert links(message.body, "/bestaetigen/") == [
        f"{SITE}/en/rat/benachrichtigungen/bestaetigen/{sub.token}/"
    ]
    assert f"{SITE}/en/rat/gremien/{council.bau.pk}-{council.bau.slug}/" in message.body

    # The digest follows the language of the subscription, whatever the worker's language.
    alerts.confirm(token=sub.token)
    make_meeting("15. Sitzung des Bauausschusses", [council.bau], days=70)
    (digest,) = run_digests()
    assert digest.subject == "News from the council: 1 item"
    assert digest.extra_headers["Content-Language"] == "en"
    assert f"{SITE}/en/rat/benachrichtigungen/abbestellen/{sub.token}/" in digest.body


# --- confirm and unsubscribe ----------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_needs_the_button_not_just_the_link(client: Client, council: Council) -> None:
    sub = alerts.subscribe(
        email="a@example.org", kind="person", target_id=council.anna.pk, language="de", consent="ok"
    )
    url = f"/rat/benachrichtigungen/bestaetigen/{sub.token}/"

    response = client.get(url)
    assert response.status_code == 200
    assert "Ja, Benachrichtigung bestätigen" in response.content.decode()
    assert "Person: Anna Albers" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # the token authorises; no CSRF cookie on this page
    sub.refresh_from_db()
    assert sub.confirmed_at is None  # a mail scanner opening the link confirms nothing

    response = Client(enforce_csrf_checks=True).post(url)
    assert response.status_code == 200
    assert "Benachrichtigung bestätigt" in response.content.decode()
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    assert sub.last_sent_at == sub.confirmed_at
    first = sub.confirmed_at

    client.post(url)
    sub.refresh_from_db()
    assert sub.confirmed_at == first
    assert "bereits bestätigt" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("verb", ["get", "post"])
@pytest.mark.parametrize("page", ["bestaetigen", "abbestellen", "abbestellen/alle"])
def test_unknown_links_get_a_friendly_page(client: Client, db: None, verb: str, page: str) -> None:
    response = getattr(client, verb)(f"/rat/benachrichtigungen/{page}/gibt-es-nicht/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Link nicht (mehr) gültig" in html
    assert "Vielleicht haben Sie sie schon abbestellt" in html


@pytest.mark.django_db
def test_unsubscribe_get_changes_nothing_post_deletes_without_csrf(
    client: Client, council: Council
) -> None:
    sub = confirmed(council, "weg@example.org", kind="paper", target_id=council.antrag.pk)
    url = f"/rat/benachrichtigungen/abbestellen/{sub.token}/"

    response = client.get(url)
    assert response.status_code == 200
    assert "Drucksache: 2026/052 Tempo 30 vor allen Grundschulen" in response.content.decode()
    assert AlertSubscription.objects.filter(pk=sub.pk).exists()

    # RFC 8058: the mail program posts "List-Unsubscribe=One-Click", without cookies or token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Benachrichtigung abbestellt" in response.content.decode()
    assert not AlertSubscription.objects.exists()
    assert not AlertDelivery.objects.exists()

    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_purge_forgets_unconfirmed_addresses_after_a_week(
    council: Council, alert_settings: Any
) -> None:
    now = timezone.now()
    old = alerts.subscribe(
        email="alt@example.org",
        kind="paper",
        target_id=council.vorlage.pk,
        language="de",
        consent="ok",
        now=now - datetime.timedelta(days=8),
    )
    fresh = alerts.subscribe(
        email="neu@example.org",
        kind="paper",
        target_id=council.vorlage.pk,
        language="de",
        consent="ok",
        now=now - datetime.timedelta(days=6),
    )
    kept = confirmed(council, "treu@example.org", kind="paper", target_id=council.vorlage.pk)
    AlertSubscription.objects.filter(pk=kept.pk).update(
        requested_at=now - datetime.timedelta(days=30)
    )
    AlertDelivery.objects.filter(subscription=kept).update(
        created=now - datetime.timedelta(days=91)
    )

    result = purge_unconfirmed_subscriptions.enqueue()

    assert result.return_value == 1
    assert set(AlertSubscription.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}
    assert not AlertSubscription.objects.filter(pk=old.pk).exists()
    assert not AlertDelivery.objects.filter(subscription=kept).exists()  # older than 90 days


# --- digests -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_paper_digest_reports_consultations_results_and_public_files_only(
    council: Council, alert_settings: Any
) -> None:
    confirmed(council, "vorlage@example.org", kind="paper", target_id=council.vorlage.pk)
    assert run_digests() == []  # nothing new yet

    consult(council.vorlage, council.rat_next, council.rat, role="Kenntnisnahme")
    item = council.items["rat_vorlage"]
    item.result = "beschlossen (geändert)"
    item.save()
    gutachten = make_file("Bodengutachten Geestrand", "Der Boden ist tragfähig.")
    intern = make_file("Interne Kostenschätzung", "Nur für den Ausschuss.", is_public=False)
    council.vorlage.auxiliary_files.add(gutachten, intern)
    gutachten.save()
    intern.save()

    (message,) = run_digests()

    body = message.body
    assert message.to == ["vorlage@example.org"]
    assert message.subject == "Neues aus dem Rat: 3 Meldungen"
    assert "== Drucksache: 2026/041 Regenrückhaltebecken am Geestrand ==" in body
    assert "- Beratung (" in body
    assert "6. Sitzung des Rates" in body
    assert "- Ergebnis (" in body
    assert "beschlossen (geändert)" in body
    assert "Bodengutachten Geestrand" in body
    assert "Interne Kostenschätzung" not in body
    assert "Interne Kostenschätzung" not in message.alternatives[0][0]
    assert run_digests() == []  # reported once


@pytest.mark.django_db
def test_organization_digest_reports_public_meetings_and_papers_of_the_body(
    council: Council, alert_settings: Any
) -> None:
    confirmed(council, "bau@example.org", kind="organization", target_id=council.bau.pk)
    make_meeting("14. Sitzung des Bauausschusses", [council.bau], days=50)
    make_meeting(
        "Nichtöffentliche Klausur des Bauausschusses", [council.bau], days=51, is_public=False
    )
    make_meeting("10. Sitzung des Schulausschusses", [council.schule], days=52)
    radweg = Paper.objects.create(
        body=council.body, reference="2026/070", name="Radweg an der Este"
    )
    radweg.under_direction_of.set([council.bau])
    radweg.save()
    geheim = Paper.objects.create(
        body=council.body, reference="2026/071", name="Grundstückstausch Ost", is_public=False
    )
    geheim.under_direction_of.set([council.bau])
    geheim.save()

    (message,) = run_digests()

    assert "14. Sitzung des Bauausschusses" in message.body
    assert "2026/070 Radweg an der Este" in message.body
    assert "Klausur" not in message.body
    assert "Schulausschusses" not in message.body
    assert "Grundstückstausch" not in message.body
    assert f"{SITE}/rat/drucksachen/{radweg.pk}/" in message.body


@pytest.mark.django_db
def test_person_digest_reports_their_papers_and_meeting_participation(
    council: Council, alert_settings: Any
) -> None:
    since = timezone.now()
    confirmed(council, "fan@example.org", kind="person", target_id=council.bernd.pk, when=since)
    antrag = Paper.objects.create(body=council.body, reference="2026/080", name="Mehr Fahrradbügel")
    antrag.originator_persons.set([council.bernd])
    antrag.save()
    geheim = Paper.objects.create(
        body=council.body, reference="2026/081", name="Personalangelegenheit", is_public=False
    )
    geheim.originator_persons.set([council.bernd])
    geheim.save()
    sitzung = make_meeting("Sondersitzung des Rates", [council.rat], days=-1)
    sitzung.participants.set([council.bernd])
    sitzung.save()

    (message,) = run_digests(now=since + datetime.timedelta(days=2))

    assert "2026/080 Mehr Fahrradbügel" in message.body
    assert "Sondersitzung des Rates" in message.body
    assert "Personalangelegenheit" not in message.body


@pytest.mark.django_db
def test_search_digest_reports_new_public_matches_only(
    council: Council, alert_settings: Any
) -> None:
    # Older matches (the fixture's Regenrückhaltebecken papers) are not news.
    confirmed(council, "suche@example.org", kind="search", query="Regenrückhaltebecken")
    neu = Paper.objects.create(
        body=council.body, reference="2026/090", name="Zweites Regenrückhaltebecken in Ovelgönne"
    )
    geheim = Paper.objects.create(
        body=council.body,
        reference="2026/091",
        name="Grundstückskauf für ein Regenrückhaltebecken",
        is_public=False,
    )
    anhang = make_file("Gutachten Ovelgönne", "Das Regenrückhaltebecken fasst 4000 Kubikmeter.")
    intern = make_file("Notiz", "Regenrückhaltebecken: Kaufpreis vertraulich.", is_public=False)
    services.sync_search_index(papers=[neu, geheim], files=[anhang, intern])

    (message,) = run_digests()

    assert "== Suchbegriff: „Regenrückhaltebecken“ ==" in message.body
    assert "2026/090 Zweites Regenrückhaltebecken in Ovelgönne" in message.body
    assert f"{SITE}/rat/drucksachen/{neu.pk}/" in message.body
    assert "Gutachten Ovelgönne" in message.body
    assert "Grundstückskauf" not in message.body
    assert "Notiz" not in message.body
    assert "Regenrückhaltebecken am Geestrand" not in message.body
    assert f"{SITE}/rat/suche/?q=Regenr%C3%BCckhaltebecken" in message.body


@pytest.mark.django_db
def test_paper_withdrawn_from_the_public_reports_nothing(
    council: Council, alert_settings: Any
) -> None:
    confirmed(council, "a@example.org", kind="paper", target_id=council.antrag.pk)
    consult(council.antrag, council.rat_next, council.rat)
    Paper.objects.filter(pk=council.antrag.pk).update(is_public=False)

    assert run_digests() == []


@pytest.mark.django_db
def test_one_mail_per_address_batches_subscriptions_with_unsubscribe_links(
    client: Client, council: Council, alert_settings: Any
) -> None:
    paper_sub = confirmed(council, "viel@example.org", kind="paper", target_id=council.antrag.pk)
    org_sub = confirmed(council, "viel@example.org", kind="organization", target_id=council.rat.pk)
    quiet = confirmed(council, "viel@example.org", kind="person", target_id=council.katja.pk)
    other = confirmed(council, "andere@example.org", kind="organization", target_id=council.rat.pk)
    confirmed_not = alerts.subscribe(
        email="offen@example.org",
        kind="organization",
        target_id=council.rat.pk,
        language="de",
        consent="ok",
    )
    consult(council.antrag, council.rat_next, council.rat, authoritative=True)
    make_meeting("7. Sitzung des Rates", [council.rat], days=60)

    result = send_alert_digests.enqueue()

    assert result.return_value == 2
    messages = {m.to[0]: m for m in mail.outbox}
    assert set(messages) == {"viel@example.org", "andere@example.org"}
    assert confirmed_not.email not in messages
    message = messages["viel@example.org"]
    body = message.body
    assert "== Drucksache: 2026/052 Tempo 30 vor allen Grundschulen ==" in body
    assert "== Gremium: Rat der Hansestadt Buxtehude ==" in body
    assert "Katja" not in body  # nothing new for her
    assert links(body, f"/abbestellen/{paper_sub.token}/")
    assert links(body, f"/abbestellen/{org_sub.token}/")
    assert not links(body, f"/abbestellen/{quiet.token}/")
    assert not links(body, other.token)

    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/rat/benachrichtigungen/abbestellen/alle/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert header.strip("<>") in body

    deliveries = AlertDelivery.objects.filter(kind=AlertDelivery.Kind.DIGEST)
    assert {d.subscription_id for d in deliveries} == {paper_sub.pk, org_sub.pk, other.pk}
    assert any(
        ref.startswith("council.meeting:") for ref in deliveries.get(subscription=org_sub).items
    )

    # One click in the mail program: every subscription of that mail goes, others stay.
    response = Client(enforce_csrf_checks=True).post(
        path_of(header.strip("<>")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert set(AlertSubscription.objects.values_list("email", flat=True)) == {
        "andere@example.org",
        "offen@example.org",
    }


@pytest.mark.django_db
def test_a_forged_batch_link_unsubscribes_nobody(client: Client, council: Council) -> None:
    sub = confirmed(council, "a@example.org", kind="person", target_id=council.anna.pk)
    token = alerts.batch_token([sub])
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")

    assert client.post(f"/rat/benachrichtigungen/abbestellen/alle/{forged}/").status_code == 404
    assert AlertSubscription.objects.filter(pk=sub.pk).exists()
    assert client.get(f"/rat/benachrichtigungen/abbestellen/alle/{token}/").status_code == 200
    assert AlertSubscription.objects.filter(pk=sub.pk).exists()


@pytest.mark.django_db
def test_a_crash_between_mails_sends_nobody_two(
    council: Council, alert_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirmed(council, "erste@example.org", kind="organization", target_id=council.rat.pk)
    confirmed(council, "zweite@example.org", kind="organization", target_id=council.rat.pk)
    make_meeting("7. Sitzung des Rates", [council.rat], days=60)
    original = alerts._send
    calls: list[str] = []

    def crash_after_first(connection: Any, message: Any) -> None:
        calls.append(message.to[0])
        if len(calls) > 1:
            raise RuntimeError("Stromausfall im Rechenzentrum")
        original(connection, message)

    monkeypatch.setattr(alerts, "_send", crash_after_first)
    with pytest.raises(RuntimeError, match="Stromausfall"):
        alerts.send_digests()
    assert [m.to for m in mail.outbox] == [["erste@example.org"]]
    # The failed address's claim was rolled back with its delivery record.
    assert AlertDelivery.objects.filter(kind="digest").count() == 1

    monkeypatch.setattr(alerts, "_send", original)
    assert alerts.send_digests() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["erste@example.org", "zweite@example.org"]
    assert alerts.send_digests() == 0


@pytest.mark.django_db
def test_a_run_that_lost_the_race_sends_nothing(
    council: Council, alert_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = confirmed(council, "a@example.org", kind="organization", target_id=council.rat.pk)
    make_meeting("7. Sitzung des Rates", [council.rat], days=60)
    original = alerts.build_digest

    def other_worker_was_faster(**kwargs: Any) -> Any:
        items = original(**kwargs)
        AlertSubscription.objects.filter(pk=sub.pk).update(last_sent_at=timezone.now())
        return items

    monkeypatch.setattr(alerts, "build_digest", other_worker_was_faster)

    assert alerts.send_digests() == 0
    assert mail.outbox == []
    assert not AlertDelivery.objects.filter(kind="digest").exists()


@pytest.mark.django_db
def test_agenda_item_results_link_to_public_pages(council: Council, alert_settings: Any) -> None:
    confirmed(council, "a@example.org", kind="paper", target_id=council.antrag.pk)
    item = make_item(council.rat_next, 1, "Tempo 30 vor allen Grundschulen", result="abgelehnt")
    consult(council.antrag, council.rat_next, council.rat, item=item)
    secret_item = make_item(
        council.rat_next, 2, "Tempo 30: Personalfragen", public=False, result="vertagt"
    )
    consult(council.antrag, council.rat_next, council.rat, item=secret_item)

    (message,) = run_digests(now=at(1))

    assert "abgelehnt" in message.body
    assert "Personalfragen" not in message.body
    assert "vertagt" not in message.body


@pytest.mark.django_db
def test_an_address_the_mail_server_refuses_holds_up_nobody(
    council: Council, alert_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smtplib

    for email in ("kaputt@example.org", "gut@example.org"):
        confirmed(council, email, kind="organization", target_id=council.rat.pk)
    make_meeting("7. Sitzung des Rates", [council.rat], days=60)
    original = alerts._send

    def refuse(connection: Any, message: Any) -> None:
        if message.to == ["kaputt@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"kaputt@example.org": (550, b"No such user")})
        original(connection, message)

    monkeypatch.setattr(alerts, "_send", refuse)
    assert alerts.send_digests() == 1
    assert [m.to for m in mail.outbox] == [["gut@example.org"]]

    # The refused digest was not recorded as sent: it is tried again next time.
    monkeypatch.setattr(alerts, "_send", original)
    assert alerts.send_digests() == 1
    assert [m.to for m in mail.outbox] == [["gut@example.org"], ["kaputt@example.org"]]


@pytest.mark.parametrize("kind", ["paper", "organization", "person", "search"])
def test_public_pages_link_to_the_alert_form(client: Client, council: Any, kind: str) -> None:
    """Citizens reach the subscription from the page of what they want to follow."""
    if kind == "paper":
        url, expected = council.vorlage.get_absolute_url(), f"art=paper&amp;id={council.vorlage.pk}"
    elif kind == "organization":
        url = council.rat.get_absolute_url()
        expected = f"art=organization&amp;id={council.rat.pk}"
    elif kind == "person":
        url, expected = council.anna.get_absolute_url(), f"art=person&amp;id={council.anna.pk}"
    else:
        url, expected = reverse("council:search") + "?q=Radweg", "art=search&amp;q=Radweg"
    html = client.get(url).content.decode()
    assert reverse("council_alerts:subscribe") + "?" + expected in html
