"""Full-text search of the council information system (/rat/suche/): stemming, file texts,
filters, sorting, snippets, paging, and the visibility of every hit, role by role."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import search
from rathaus.core.models import SearchDocument
from rathaus.council import selectors, services, visibility
from rathaus.council.models import Meeting, Paper
from tests.conftest import verified_login
from tests.council.conftest import (
    PDF_ONLY_WORD,
    ROLES_SEEING_NON_PUBLIC,
    SECRET_TITLE,
    SECRET_WORD,
    Council,
)

pytestmark = pytest.mark.django_db


def results(html: str) -> list[str]:
    """The link targets of the result headings, in order."""
    if '<ol class="results"' not in html:
        return []
    listing = html.split('<ol class="results"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<h3><a href="([^"]+)">', listing)


def search_html(client: Client, **params: str) -> str:
    response = client.get("/rat/suche/", params)
    assert response.status_code == 200
    return response.content.decode()


def hits(council: Council, text: str, **filters: Any) -> list[tuple[str, int]]:
    page = selectors.search_council(
        visibility.PUBLIC, text, selectors.SearchFilters(**filters), limit=100
    )
    return [(r.kind, r.obj.pk) for r in page.results]


# --- finding -----------------------------------------------------------------------------


def test_german_stemming_finds_inflected_forms(client: Client, council: Council) -> None:
    html = search_html(client, q="Regenrückhaltebeckens")
    found = results(html)
    assert council.vorlage.get_absolute_url() in found
    rat_item = council.items["rat_vorlage"]
    assert f"{council.rat_past.get_absolute_url()}#top-{rat_item.pk}" in found
    assert ("council.paper", council.antrag.pk) in hits(council, "Grundschule")


def test_a_word_only_in_a_pdf_finds_the_file_and_leads_to_its_paper(
    client: Client, council: Council
) -> None:
    html = search_html(client, q=PDF_ONLY_WORD)
    assert "1 Treffer für" in html
    assert results(html) == [council.vorlage.get_absolute_url()]
    assert f"<mark>{PDF_ONLY_WORD}</mark>" in html
    assert "gehört zu:" in html
    assert f'href="/rat/dateien/{council.vorlage_pdf.pk}/"' in html


def test_meetings_are_found_by_name(council: Council) -> None:
    assert ("council.meeting", council.rat_next.pk) in hits(council, "6. Sitzung des Rates")


def test_titles_and_snippets_are_highlighted_and_escaped(client: Client, council: Council) -> None:
    paper = council.anfrage_open
    paper.answer_text = "<script>alert(1)</script> Ladesäulen am Bahnhof"
    paper.save()
    services.sync_search_index(papers=[paper])
    html = search_html(client, q="Ladesäulen")
    assert "<mark>Ladesäulen</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_no_hits_shows_help(client: Client, council: Council) -> None:
    html = search_html(client, q="Xylophonorchester")
    assert "0 Treffer" in html
    assert "Dazu haben wir nichts gefunden." in html


# --- filters and sorting -----------------------------------------------------------------


def test_type_filter_keeps_papers_of_that_type_and_what_belongs_to_them(
    council: Council,
) -> None:
    found = hits(council, "Tempo Grundschulen", paper_type="Antrag")
    assert ("council.paper", council.antrag.pk) in found
    assert all(kind != "council.meeting" for kind, _pk in found)
    assert ("council.agendaitem", council.items["bau_antrag"].pk) in found
    assert hits(council, "Regenrückhaltebecken", paper_type="Antrag") == []


def test_body_filter(council: Council) -> None:
    found = hits(council, "Regenrückhaltebecken", organization=council.rat)
    assert ("council.agendaitem", council.items["rat_vorlage"].pk) in found
    assert ("council.agendaitem", council.items["bau_vorlage"].pk) not in found
    assert ("council.paper", council.vorlage.pk) in found  # the Rat consulted it
    in_bau = hits(council, "Regenrückhaltebecken", organization=council.bau)
    assert ("council.agendaitem", council.items["bau_vorlage"].pk) in in_bau
    assert ("council.file", council.minutes_bau.pk) in in_bau  # minutes of a Bau meeting


def test_date_range_filter(council: Council) -> None:
    today = timezone.localdate()
    recent = hits(council, "Regenrückhaltebecken", date_from=today - datetime.timedelta(days=15))
    assert ("council.agendaitem", council.items["rat_vorlage"].pk) in recent
    assert ("council.agendaitem", council.items["bau_vorlage"].pk) not in recent
    assert ("council.paper", council.vorlage.pk) not in recent  # dated 40 days ago
    old = hits(council, "Regenrückhaltebecken", date_to=today - datetime.timedelta(days=25))
    assert ("council.agendaitem", council.items["bau_vorlage"].pk) in old
    assert ("council.agendaitem", council.items["rat_vorlage"].pk) not in old


def test_date_filter_in_the_page_accepts_german_dates_and_reports_bad_ones(
    client: Client, council: Council
) -> None:
    day = timezone.localdate() - datetime.timedelta(days=15)
    html = search_html(client, q="Regenrückhaltebecken", von=day.strftime("%d.%m.%Y"))
    assert f'value="{day.isoformat()}"' in html
    bad = search_html(client, q="Regenrückhaltebecken", von="gestern")
    assert "„gestern“ im Feld „von“ ist kein Datum" in bad
    swapped = search_html(client, q="Rat", von="2026-05-01", bis="2026-01-01")
    assert "wir haben die beiden getauscht" in swapped
    assert (
        'value="2026-01-01"'
        in swapped.split('name="von"')[0].rsplit("<input", 1)[1]
        + (swapped.split('id="council-search-von"')[1].split(">")[0])
    )


def test_unknown_filters_are_ignored_with_a_notice(client: Client, council: Council) -> None:
    html = search_html(client, q="Regenrückhaltebecken", gremium="abc", sortierung="zufall")
    assert "Das Gremium „abc“ kennen wir nicht" in html
    assert "Die Sortierung „zufall“ kennen wir nicht" in html
    assert len(results(html)) > 1


def test_sorting_by_date(council: Council) -> None:
    def dates(sort: str) -> list[datetime.date]:
        page = selectors.search_council(
            visibility.PUBLIC, "Regenrückhaltebecken", sort=sort, limit=100
        )
        return [r.date for r in page.results if r.date]

    newest = dates(selectors.SORT_NEWEST)
    assert len(newest) >= 4
    assert newest == sorted(newest, reverse=True)
    oldest = dates(selectors.SORT_OLDEST)
    assert oldest == sorted(oldest)


def test_relevance_puts_title_matches_before_text_matches(council: Council) -> None:
    found = hits(council, "Regenrückhaltebecken")
    # The paper has the word in its title, the minutes only in their text.
    assert found.index(("council.paper", council.vorlage.pk)) < found.index(
        ("council.file", council.minutes_bau.pk)
    )


def test_empty_query_lists_papers_newest_first_and_filters_them(
    client: Client, council: Council
) -> None:
    html = search_html(client)
    found = results(html)
    assert found[0] == council.anfrage_open.get_absolute_url()
    assert council.secret.get_absolute_url() not in found
    assert "5 Drucksachen" in html
    only_inquiries = results(search_html(client, typ="Anfrage"))
    assert only_inquiries == [
        council.anfrage_open.get_absolute_url(),
        council.anfrage.get_absolute_url(),
    ]
    assert '<option value="Anfrage" selected>' in search_html(client, typ="Anfrage")


def test_search_results_are_paginated(client: Client, council: Council) -> None:
    for n in range(25):
        paper = Paper.objects.create(
            body=council.body, reference=f"2026/{200 + n}", name=f"Haushaltssatzung Teil {n}"
        )
        services.sync_search_index(papers=[paper])
    html = search_html(client, q="Haushaltssatzung")
    assert "25 Treffer" in html
    assert len(results(html)) == 20
    assert "Seite 1 von 2" in html
    assert 'href="/rat/suche/?q=Haushaltssatzung&amp;seite=2" rel="next"' in html
    page2 = search_html(client, q="Haushaltssatzung", seite="2")
    assert len(results(page2)) == 5
    assert '<ol class="results" start="21">' in page2
    too_far = search_html(client, q="Haushaltssatzung", seite="7")
    assert "Seite 7 gibt es nicht" in too_far
    assert len(results(too_far)) == 5


# --- visibility --------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLES_SEEING_NON_PUBLIC))
def test_search_shows_non_public_hits_only_to_those_allowed(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    sees = ROLES_SEEING_NON_PUBLIC[role]
    for text in (SECRET_WORD, SECRET_TITLE, "Verwaltungsausschusses"):
        html = search_html(client, q=text)
        found = results(html)
        if sees:
            assert found, f"{role} finds nothing for {text}"
        else:
            assert found == [], f"{role} finds {found} for {text}"
            # The reader's own words are echoed back; nothing else may name the secret.
            listing = html.split('id="results-heading"')[1].split("</h2>", 1)[1]
            listing = listing.split("Über neue Treffer informiert bleiben")[0]
            assert SECRET_WORD not in listing
            assert SECRET_TITLE not in listing
    secret_hits = results(search_html(client, q=SECRET_WORD))
    assert (council.secret.get_absolute_url() in secret_hits) is sees  # via its file


def test_filters_cannot_reveal_non_public_papers(client: Client, council: Council) -> None:
    html = search_html(client, gremium=str(council.va.pk))
    assert council.secret.get_absolute_url() not in html
    assert SECRET_TITLE not in html


def test_snippets_are_never_computed_for_invisible_objects(
    council: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    original = search.make_snippet

    def spy(text: str, query: Any, length: int = 220) -> str:
        seen.append(text)
        return original(text, query, length)

    monkeypatch.setattr(search, "make_snippet", spy)
    page = selectors.search_council(visibility.PUBLIC, f"{SECRET_WORD} Geestrand")
    assert page.results  # the public Geestrand hits
    assert seen
    assert not any(SECRET_WORD in text or SECRET_TITLE in text for text in seen)


def test_did_you_mean_only_suggests_words_the_reader_may_see(
    client: Client, council: Council, council_member: Any
) -> None:
    typo = SECRET_WORD[:-2] + "xt"  # "Kaufpreisangebxt"
    html = search_html(client, q=typo)
    assert "Meinten Sie" not in html
    assert SECRET_WORD.lower() not in html.lower()
    verified_login(client, council_member)
    member_html = search_html(client, q=typo)
    assert "Meinten Sie" in member_html
    public_typo = search_html(client, q="Regenrückhaltebeckem")
    assert "Meinten Sie" in public_typo


# --- the index ---------------------------------------------------------------------------


def test_sync_search_index_removes_deleted_and_vanished_objects(council: Council) -> None:
    assert ("council.paper", council.antrag.pk) in hits(council, "Tempo")
    council.antrag.deleted = True
    council.antrag.save()
    services.sync_search_index(papers=[council.antrag])
    assert ("council.paper", council.antrag.pk) not in hits(council, "Tempo")
    meeting_pk = council.rat_next.pk
    Meeting.objects.filter(pk=meeting_pk).delete()
    services.sync_search_index(meetings=[meeting_pk])
    assert not SearchDocument.objects.filter(kind="council.meeting", object_id=meeting_pk).exists()


def test_sync_search_index_picks_up_changes(council: Council) -> None:
    paper = council.mitteilung
    paper.name = "Bericht über Schulwegsicherung"
    paper.save()
    assert hits(council, "Schulwegsicherung") == []
    services.sync_search_index(papers=[paper.pk])
    assert hits(council, "Schulwegsicherung") == [("council.paper", paper.pk)]


def test_rebuild_search_index_indexes_everything_again(council: Council) -> None:
    SearchDocument.objects.filter(kind__startswith="council.").delete()
    assert hits(council, "Regenrückhaltebecken") == []
    total = services.rebuild_search_index(batch_size=3)
    expected = (
        Paper.objects.count()
        + Meeting.objects.count()
        + sum(len(m.agenda_items.all()) for m in Meeting.objects.all())
        + len(council.files)
    )
    assert total == expected
    assert SearchDocument.objects.filter(kind__startswith="council.").count() == expected
    assert ("council.paper", council.vorlage.pk) in hits(council, "Regenrückhaltebecken")


def test_search_query_count_does_not_grow_with_the_hits(
    client: Client, council: Council, django_assert_max_num_queries: Any
) -> None:
    params = {"q": "Regenrückhaltebecken Haushalt", "sortierung": "neueste"}
    search_html(client, **params)  # the vocabulary is loaded once per process
    with django_assert_max_num_queries(19):
        search_html(client, **params)
    from tests.council.conftest import make_file

    for n in range(30):
        paper = Paper.objects.create(body=council.body, name=f"Haushalt {n}", date=None)
        file = make_file(f"Haushalt Anlage {n}", "Haushalt und Regenrückhaltebecken")
        paper.auxiliary_files.set([file])
        services.sync_search_index(papers=[paper], files=[file])
    search_html(client, **params)
    with django_assert_max_num_queries(19):
        html = search_html(client, **params)
    assert len(results(html)) == 20
    with django_assert_max_num_queries(19):
        search_html(client, **params, gremium=str(council.bau.pk), typ="Beschlussvorlage")
