"""WCAG 2.1, 3.1.2 "Language of Parts": German database content on English pages is lang="de".

The pages are parsed with html.parser; for a text node, the language is that of the nearest
ancestor with a lang attribute (as a screen reader decides it). On German pages nothing but
<html> carries lang="de": the page language covers the content already.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from rathaus.accounts.models import Office
from rathaus.catalog.models import LifeSituation
from tests.conftest import make_service
from tests.council.conftest import Council, council, council_media  # noqa: F401

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}


class _LanguageMap(HTMLParser):
    """Collects every text node of <body> with its language, and every element's lang."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []  # (text, nearest lang)
        self.lang_elements: list[tuple[str, str]] = []  # (tag, lang) of every element with lang

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if lang is not None:
            self.lang_elements.append((tag, lang))
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if lang is not None:
            self.lang_elements.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _lang in self.stack]
        if not data.strip() or "body" not in tags or {"script", "style"} & set(tags):
            return
        nearest = next((lang for _tag, lang in reversed(self.stack) if lang is not None), None)
        self.texts.append((data, nearest))


def parse(html: str) -> _LanguageMap:
    parser = _LanguageMap()
    parser.feed(html)
    parser.close()
    return parser


def languages_of(page: _LanguageMap, needle: str) -> list[str | None]:
    """The language of every text node of the body that contains `needle`."""
    found = [lang for text, lang in page.texts if needle in text]
    assert found, f"{needle!r} is not on the page"
    return found


def assert_german(page: _LanguageMap, *needles: str) -> None:
    for needle in needles:
        assert set(languages_of(page, needle)) == {"de"}, needle


def assert_english(page: _LanguageMap, *needles: str) -> None:
    for needle in needles:
        assert set(languages_of(page, needle)) == {"en"}, needle


def assert_unmarked(html: str) -> None:
    """A German page: lang="de" only on <html>."""
    page = parse(html)
    marked = [tag for tag, lang in page.lang_elements if lang == "de"]
    assert marked == ["html"], marked


def get(client: Client, url: str, language: str) -> str:
    prefix = "/en" if language == "en" else ""
    response = client.get(prefix + url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def catalog_data(office: Office, life_situation: LifeSituation) -> dict[str, Any]:
    untranslated = LifeSituation.objects.create(name="Hausbau", slug="hausbau")
    service = make_service(
        office=office,
        life_situations=[life_situation, untranslated],
        description="Der Ausweis ist bis zu zehn Jahre gültig.",
        documents="Sie brauchen:\n- Ihren alten Ausweis\n- ein biometrisches Passfoto",
        fees="37,00 Euro; unter 24 Jahren 22,80 Euro.",
        legal_basis="Personalausweisgesetz (PAuswG)",
        processing_time="etwa drei bis vier Wochen",
        channel_in_person=True,
    )
    return {"service": service, "office": office}


def test_service_detail_marks_german_content(client: Client, catalog_data: dict[str, Any]) -> None:
    url = catalog_data["service"].get_absolute_url()
    page = parse(get(client, url, "en"))
    assert_german(
        page,
        "Personalausweis beantragen",  # h1 and breadcrumb
        "Einen neuen Personalausweis beantragen",  # summary
        "Der Ausweis ist bis zu zehn Jahre",
        "Ihren alten Ausweis",
        "37,00 Euro",
        "Personalausweisgesetz",
        "etwa drei bis vier Wochen",
        "Fachgruppe Bürgerservice",  # office box, link text included
        "Bahnhofstraße 7",
        "Mo–Fr 8–12 Uhr",
        "Stufenloser Zugang",
        "Hausbau",  # a life situation without an English name
    )
    # UI labels and a translated life situation name stay English.
    assert_english(page, "Description", "Documents required", "Moving house", "Phone:")
    assert_unmarked(get(client, url, "de"))


def test_finder_results_mark_titles_snippets_and_offices(
    client: Client, catalog_data: dict[str, Any]
) -> None:
    page = parse(get(client, "/leistungen/?q=Personalausweis", "en"))
    assert_german(page, "Fachgruppe Bürgerservice", "Hausbau")
    results = [lang for text, lang in page.texts if "Personalausweis" in text]
    # In the result list, title and snippet; the query echo in the heading is the reader's own.
    assert results.count("de") >= 2
    assert_english(page, "Moving house")
    assert_unmarked(get(client, "/leistungen/?q=Personalausweis", "de"))


def test_a_to_z_marks_service_names(client: Client, catalog_data: dict[str, Any]) -> None:
    assert_german(parse(get(client, "/leistungen/a-z/", "en")), "Personalausweis beantragen")
    assert_unmarked(get(client, "/leistungen/a-z/", "de"))


def test_paper_page_marks_german_content(client: Client, council: Council) -> None:  # noqa: F811
    url = f"/rat/drucksachen/{council.vorlage.pk}/"
    page = parse(get(client, url, "en"))
    assert_german(
        page,
        "Regenrückhaltebecken am Geestrand",
        "Beschlussvorlage",
        "Rat der Hansestadt Buxtehude",
        "5. Sitzung des Rates",
    )
    assert_unmarked(get(client, url, "de"))


def test_meeting_page_marks_german_content(client: Client, council: Council) -> None:  # noqa: F811
    url = f"/rat/sitzungen/{council.rat_past.pk}/"
    page = parse(get(client, url, "en"))
    assert_german(
        page,
        "5. Sitzung des Rates",
        "Anfrage zur Digitalisierung der Verwaltung",  # agenda item title
        "Der Rat beschließt den Neubau",  # resolution
        "Frau Albers erläutert",  # minutes
        "beschlossen",  # result
        "CDU-Fraktion",
        "Anna Albers",
    )
    assert_english(page, "Agenda")
    assert_unmarked(get(client, url, "de"))


def test_person_page_marks_german_content(client: Client, council: Council) -> None:  # noqa: F811
    url = f"/rat/personen/{council.anna.pk}/"
    page = parse(get(client, url, "en"))
    assert_german(page, "Anna Albers", "CDU-Fraktion", "Verwaltungsausschuss")
    assert_unmarked(get(client, url, "de"))


def test_tag_marks_nothing_when_the_page_is_german() -> None:
    from rathaus.core.templatetags.rathaus_tags import content_lang, content_span

    with translation.override("de"):
        assert content_lang() == ""
        assert content_span("Umzug") == "Umzug"
    with translation.override("en"):
        assert content_lang() == ' lang="de"'
        assert content_span("<b>") == '<span lang="de">&lt;b&gt;</span>'
        assert content_span("") == ""
        translated = LifeSituation(name="Umzug", name_en="Moving house")
        assert content_lang(translated) == ""
        assert content_lang(LifeSituation(name="Hausbau")) == ' lang="de"'
