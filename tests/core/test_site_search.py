"""The one site search (/suche/): every kind in its group, only what citizens may see, the
same stemming and typo tolerance as the finder, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.core import search, site_search
from rathaus.council import services as council_services
from rathaus.council import visibility
from rathaus.council.models import AgendaItem, Body, File, Meeting, Paper
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.news.models import Announcement, Event, Publishable
from tests.conftest import make_service
from tests.news.conftest import make_announcement, make_event

pytestmark = pytest.mark.django_db


def make_form(
    office: Office, title: str, *, published: bool = True, slug: str = "hund-anmelden"
) -> FormDefinition:
    """A form indexed as kind "form" through the search index API (as the forms app does)."""
    definition = FormDefinition.objects.create(slug=slug, title=title, office=office)
    FormVersion.objects.create(
        definition=definition,
        number=1,
        status=FormVersion.Status.PUBLISHED if published else FormVersion.Status.DRAFT,
        schema={"type": "object"},
        ui={},
    )
    search.index_documents(
        [
            search.Document(
                kind="form",
                object_id=definition.pk,
                title=title,
                url=f"/antraege/{slug}/",
                body="Online-Antrag: melden Sie Ihren Hund zur Hundesteuer an.",
            )
        ]
    )
    return definition


@pytest.fixture
def town(db: None, office: Office) -> dict[str, Any]:
    """One thing of every kind about the dog tax, visible or not."""
    now = timezone.now()
    body = Body.objects.create(name="Hansestadt Buxtehude")
    public_pdf = File.objects.create(
        name="Vorlage 2026/224",
        text="Am häufigsten genutzt wurden die Terminbuchung und die Anmeldung einer Hundesteuer.",
        date=timezone.localdate(),
    )
    secret_pdf = File.objects.create(
        name="Vorlage 2026/225",
        text="Vertraulich: Hundesteuer Stundung Einzelfall",
        is_public=False,
    )
    paper = Paper.objects.create(
        body=body,
        reference="2026/224",
        name="Nutzung der Onlinedienste",
        paper_type="Mitteilungsvorlage",
        date=timezone.localdate(),
        main_file=public_pdf,
    )
    direct = Paper.objects.create(
        body=body,
        reference="2026/230",
        name="Änderung der Hundesteuersatzung",
        paper_type="Beschlussvorlage",
        date=timezone.localdate(),
    )
    secret = Paper.objects.create(
        body=body,
        reference="2026/225",
        name="Stundung der Hundesteuer im Einzelfall",
        paper_type="Beschlussvorlage",
        is_public=False,
        main_file=secret_pdf,
    )
    meeting = Meeting.objects.create(name="Finanzausschuss", start=now + datetime.timedelta(days=5))
    item = AgendaItem.objects.create(meeting=meeting, order=1, number="1", name="Hundesteuer 2027")
    hidden_meeting = Meeting.objects.create(
        name="Verwaltungsausschuss", start=now + datetime.timedelta(days=6), is_public=False
    )
    hidden_item = AgendaItem.objects.create(
        meeting=hidden_meeting, order=1, number="1", name="Hundesteuer Erlass"
    )
    secret_item = AgendaItem.objects.create(
        meeting=meeting, order=2, number="2", name="Hundesteuer Vergleich", public=False
    )
    council_services.sync_search_index(
        papers=[paper, direct, secret],
        files=[public_pdf, secret_pdf],
        meetings=[meeting, hidden_meeting],
        agenda_items=[item, hidden_item, secret_item],
    )
    return {
        "service": make_service(
            leika_key="99105001001000", name="Hundesteuer: Hund anmelden", keywords="Hund, Steuer"
        ),
        "draft_service": make_service(
            leika_key="99105001002000", name="Hundesteuer Entwurf", status=Service.Status.DRAFT
        ),
        "form": make_form(office, "Hund zur Hundesteuer anmelden"),
        "draft_form": make_form(
            office, "Hundesteuer Formularentwurf", published=False, slug="entwurf"
        ),
        "news": make_announcement("Hundesteuerbescheide jetzt digital"),
        "scheduled_news": make_announcement(
            "Hundesteuer steigt", publish_at=now + datetime.timedelta(days=2)
        ),
        "event": make_event("Hundesteuer-Sprechstunde"),
        "paper": paper,
        "direct_paper": direct,
        "secret_paper": secret,
        "meeting": meeting,
        "hidden_meeting": hidden_meeting,
    }


def slugs_and_counts(result: site_search.SiteSearchResult) -> dict[str, int]:
    return {g.slug: g.count for g in result.groups}


def test_groups_every_kind(town: dict[str, Any]) -> None:
    result = site_search.site_search("Hundesteuer")
    assert slugs_and_counts(result) == {
        "leistungen": 1,
        "antraege": 1,
        "meldungen": 1,
        "veranstaltungen": 1,
        "ratsdokumente": 2,
        "sitzungen": 1,
    }
    papers = result.group("ratsdokumente")
    assert papers is not None
    titles = {e.title for e in papers.entries}
    # The paper found through the text of its PDF is shown as the paper.
    assert titles == {
        "2026/224 Nutzung der Onlinedienste",
        "2026/230 Änderung der Hundesteuersatzung",
    }
    via_file = next(e for e in papers.entries if e.key == ("council.paper", town["paper"].pk))
    assert via_file.source == ("council.file", town["paper"].main_file_id)
    assert "\x02Hundesteuer\x03" in via_file.snippet
    assert via_file.url == town["paper"].get_absolute_url()
    meetings = result.group("sitzungen")
    assert meetings is not None
    assert [e.title for e in meetings.entries] == ["Finanzausschuss"]


def test_hidden_things_stay_hidden(town: dict[str, Any]) -> None:
    result = site_search.site_search("Hundesteuer")
    shown = {e.key for g in result.groups for e in g.entries}
    for name, kind in (
        ("draft_service", "catalog.service"),
        ("draft_form", "form"),
        ("scheduled_news", "news"),
        ("secret_paper", "council.paper"),
        ("hidden_meeting", "council.meeting"),
    ):
        assert (kind, town[name].pk) not in shown, name
    text = " ".join(e.snippet + e.title for g in result.groups for e in g.entries)
    assert "Vertraulich" not in text
    assert "Vergleich" not in text
    assert "Erlass" not in text


def test_a_non_public_file_lends_nothing_to_its_public_paper(town: dict[str, Any]) -> None:
    paper = town["paper"]
    hidden = File.objects.create(
        name="Antwortentwurf", text="Hundesteuer Hundesteuer Hundesteuer intern", is_public=False
    )
    paper.answer_file = hidden
    paper.save()
    council_services.sync_search_index(files=[hidden])
    result = site_search.site_search("Hundesteuer")
    group = result.group("ratsdokumente")
    assert group is not None
    entry = next(e for e in group.entries if e.key == ("council.paper", paper.pk))
    assert entry.source == ("council.file", paper.main_file_id)
    assert "intern" not in entry.snippet


def test_agenda_item_rule_matches_council_visibility(town: dict[str, Any]) -> None:
    """site_search checks agenda items without the subquery of `visibility.agenda_items`;
    both must agree for the public."""
    expected = set(visibility.agenda_items(visibility.PUBLIC).values_list("meeting_id", flat=True))
    result = site_search.site_search("Hundesteuer", group="sitzungen")
    found = {
        e.key[1] for g in result.groups for e in g.entries if e.source[0] == "council.agendaitem"
    }
    assert found == expected


def test_typo_and_did_you_mean(town: dict[str, Any], client: Client) -> None:
    result = site_search.site_search("Hundestuer")
    assert result.corrections == {"hundestuer": "hundesteuer"}
    assert slugs_and_counts(result)["leistungen"] == 1
    page = client.get(reverse("core:search") + "?q=Hundestuer").content.decode()
    assert "Meinten Sie" in page
    assert f'href="{reverse("core:search")}?q=Hundesteuer"' in page


def test_stemming_and_prefix(town: dict[str, Any]) -> None:
    assert slugs_and_counts(site_search.site_search("Hundesteuersatzung"))["ratsdokumente"] == 1
    assert slugs_and_counts(site_search.site_search("Hundest"))["leistungen"] == 1


def test_page_groups_with_counts_and_links(
    town: dict[str, Any], client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(15):
        response = client.get(reverse("core:search"), {"q": "Hundesteuer"})
    assert not response.cookies
    doc = html.fromstring(response.content)
    headings = [
        h.text_content().split(" (")[0].strip()
        for h in doc.xpath('//section[contains(@class, "search-group")]/h2')
    ]
    assert headings == [
        "Leistungen",
        "Online-Anträge",
        "Meldungen",
        "Veranstaltungen",
        "Ratsdokumente",
        "Sitzungen",
    ]
    links = {a.get("href") for a in doc.xpath('//section[contains(@class, "search-group")]//a')}
    assert reverse("core:search") + "?q=Hundesteuer&art=ratsdokumente" in links
    assert town["service"].get_absolute_url() in links
    assert "/antraege/hund-anmelden/" in links


def test_all_hits_of_one_kind_paged(db: None, client: Client) -> None:
    for n in range(23):
        make_announcement(f"Baustelle Nummer {n}", summary="Baustelle in der Altstadt")
    first = client.get(
        reverse("core:search"), {"q": "Baustelle", "art": "meldungen"}
    ).content.decode()
    assert "Meldungen: 23 Treffer" in first
    assert "Seite 1 von 2" in first
    second = html.fromstring(
        client.get(
            reverse("core:search"), {"q": "Baustelle", "art": "meldungen", "seite": "2"}
        ).content
    )
    assert len(second.xpath('//ol[contains(@class, "results")]/li')) == 3
    late = client.get(reverse("core:search"), {"q": "Baustelle", "art": "meldungen", "seite": "9"})
    assert "Seite 9 gibt es nicht" in late.content.decode()


def test_empty_and_nonsense_queries_help(
    db: None, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(0):
        empty = client.get(reverse("core:search")).content.decode()
    assert "Leistungen von A bis Z" in empty
    nonsense = client.get(reverse("core:search"), {"q": "xqzzvvkk"}).content.decode()
    assert "Zu „xqzzvvkk“ haben wir nichts gefunden." in nonsense
    stop = client.get(reverse("core:search"), {"q": "der die das"}).content.decode()
    assert "nur aus Füllwörtern" in stop
    odd = client.get(
        reverse("core:search"), {"q": "Hund", "art": "quatsch", "seite": "x"}
    ).content.decode()
    assert "Die Art „quatsch“ kennen wir nicht" in odd
    assert "keine Seitenzahl" in odd


def test_scheduled_news_appears_when_due(town: dict[str, Any]) -> None:
    from rathaus.news import services as news_services

    scheduled = town["scheduled_news"]
    Announcement.objects.filter(pk=scheduled.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    news_services.sync_due_items()
    result = site_search.site_search("steigt")
    assert ("news", scheduled.pk) in {e.key for g in result.groups for e in g.entries}


def test_index_lagging_behind_the_clock_shows_nothing_early(town: dict[str, Any]) -> None:
    """Even if a scheduled item is in the index (e.g. indexed before it was rescheduled),
    the search does not show it before its time."""
    item = town["news"]
    Announcement.objects.filter(pk=item.pk).update(
        publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    Event.objects.filter(pk=town["event"].pk).update(status=Publishable.Status.DRAFT)
    result = site_search.site_search("Hundesteuer")
    assert slugs_and_counts(result)["meldungen"] == 0
    assert slugs_and_counts(result)["veranstaltungen"] == 0


def test_english_pages_link_english_addresses(town: dict[str, Any], client: Client) -> None:
    german = town["service"].get_absolute_url()
    page = client.get("/en/suche/", {"q": "Hundesteuer"}).content.decode()
    assert f'href="/en{german}"' in page


def test_header_box_everywhere_points_here(client: Client, db: None) -> None:
    for url in (reverse("core:home"), reverse("catalog:finder"), reverse("council:index")):
        doc = html.fromstring(client.get(url).content)
        (form,) = doc.xpath('//form[contains(@class, "site-search")]')
        assert form.get("action") == reverse("core:search")
