"""Core pages: home, legal pages, error pages, and what every public page must have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from rathaus.catalog.models import LifeSituation, Service
from rathaus.core import views as core_views
from rathaus.core.templatetags import rathaus_tags
from tests.conftest import make_service

# --- a small structural reading of a page ------------------------------------------------

LABELLED_INPUTS = {
    "text",
    "search",
    "email",
    "password",
    "number",
    "date",
    "url",
    "checkbox",
    "radio",
    "tel",
}


@dataclass
class PageStructure:
    """What the accessibility rules need from a page, read with the standard library."""

    lang: str = ""
    title: str = ""
    h1: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    controls: list[dict[str, str]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)
    search_forms: list[dict[str, str]] = field(default_factory=list)
    breadcrumbs: bool = False
    scripts: list[dict[str, str]] = field(default_factory=list)
    script_bodies: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    csrf_fields: int = 0


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageStructure()
        self._text_target: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        page = self.page
        if "id" in a:
            page.ids.append(a["id"])
        if tag == "html":
            page.lang = a.get("lang", "")
        elif tag in {"title", "h1", "script"}:
            self._text_target, self._buffer = tag, []
            if tag == "script":
                page.scripts.append(a)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            page.headings.append(int(tag[1]))
        if tag == "label" and a.get("for"):
            page.label_for.add(a["for"])
        if tag in {"select", "textarea"} or (
            tag == "input" and a.get("type", "text") in LABELLED_INPUTS
        ):
            page.controls.append({"tag": tag, **a})
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            page.csrf_fields += 1
        if tag in {"header", "main", "footer", "nav"}:
            page.landmarks.append(tag)
        if tag == "form" and a.get("role") == "search":
            page.search_forms.append(a)
        if tag == "nav" and "breadcrumbs" in a.get("class", ""):
            page.breadcrumbs = True
        if tag == "a":
            page.links.append(a)

    def handle_data(self, data: str) -> None:
        if self._text_target:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._text_target:
            text = "".join(self._buffer)
            if tag == "title":
                self.page.title = " ".join(text.split())
            elif tag == "h1":
                self.page.h1.append(" ".join(text.split()))
            elif tag == "script":
                self.page.script_bodies.append(text)
            self._text_target = None


def read_page(html: str) -> PageStructure:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def assert_accessible_structure(html: str, *, breadcrumbs: bool = True) -> PageStructure:
    """The page-level rules every public page follows (axe checks the rest in a browser)."""
    page = read_page(html)
    assert page.lang in {"de", "en"}
    assert page.title
    assert len(page.h1) == 1, f"expected one h1, got {page.h1}"
    assert page.headings[0] == 1, "the first heading must be the h1"
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, f"heading level jumps from h{previous} to h{current}"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for control in page.controls:
        assert control.get("id") in page.label_for or control.get("aria-label"), (
            f"control without label: {control}"
        )
    assert {"header", "main", "footer"} <= set(page.landmarks)
    assert page.search_forms, "every page has the site search box"
    assert page.breadcrumbs is breadcrumbs
    assert page.csrf_fields == 0, "GET pages carry no CSRF token"
    return page


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def catalog(office: Any, life_situation: LifeSituation) -> list[Service]:
    family = LifeSituation.objects.create(name="Familie", name_en="Family", slug="familie")
    return [
        make_service(
            office=office,
            life_situations=[life_situation],
            annual_cases=9000,
        ),
        make_service(
            leika_key="99108001001000",
            name="Hundesteuer anmelden",
            office=office,
            maturity_level=3,
            channel_online=True,
            online_service_url="https://service.example.org/hundesteuer",
            annual_cases=800,
            life_situations=[life_situation, family],
        ),
        make_service(
            leika_key="99115001001000",
            name="Meldebescheinigung",
            office=office,
            annual_cases=3000,
        ),
        make_service(
            leika_key="99115001002000",
            name="Geheimer Entwurf",
            status=Service.Status.DRAFT,
            published_at=None,
            annual_cases=99999,
            life_situations=[family],
        ),
    ]


PUBLIC_PAGES = ["/", "/impressum/", "/datenschutz/", "/barrierefreiheit/"]


# --- home --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_search_life_situations_popular_services_and_coverage(
    client: Client, catalog: list[Service]
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html, breadcrumbs=False)
    assert page.title == "Hansestadt Buxtehude \u2013 Rathaus online"
    assert '<label for="home-q">' in html
    # Life situations with the number of *published* services (the draft does not count).
    assert 'href="/leistungen/?lebenslage=umzug"' in html
    assert '<span class="tile-count">2 Leistungen</span>' in html  # Personalausweis, Hundesteuer
    assert 'href="/leistungen/?lebenslage=familie"' in html
    assert '<span class="tile-count">1 Leistung</span>' in html  # Familie: Hundesteuer only
    # Popular services by demand, drafts never.
    assert html.index("Personalausweis beantragen") < html.index("Meldebescheinigung")
    assert html.index("Meldebescheinigung") < html.index("Hundesteuer anmelden")
    assert "Geheimer Entwurf" not in html
    # Coverage: one of three published services is online and meets the OZG obligation.
    assert "33 %" in html
    assert "(1 von 3)" in html
    assert 'href="/leistungen/reifegrade/"' in html


@pytest.mark.django_db
def test_home_without_services_still_renders(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Zurzeit sind keine Leistungen veröffentlicht." in response.content.decode()


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_catalog(
    client: Client, office: Any, life_situation: LifeSituation, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        make_service(
            leika_key=f"9901{n:010d}",
            name=f"Leistung {n:02d}",
            office=office,
            life_situations=[life_situation],
            channel_online=n % 2 == 0,
            online_service_url="https://service.example.org/x" if n % 2 == 0 else "",
        )
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert "30 Leistungen" in response.content.decode()


# --- legal pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_impressum_names_the_town_and_its_address(client: Client) -> None:
    response = client.get("/impressum/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Impressum"]
    assert "Hansestadt Buxtehude" in html
    assert "Bahnhofstraße 7<br>" in html
    assert "21614 Buxtehude<br>" in html
    assert 'href="mailto:rathaus@example.org"' in html  # the configured sender address


@pytest.mark.django_db
def test_privacy_statement_makes_the_true_claims(client: Client) -> None:
    response = client.get("/datenschutz/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_structure(html)
    assert "keine Cookies" in html
    assert "Keine Verfolgung" in html
    assert "ausschließlich von diesem Server" in html
    assert "IP-Adressen und Suchbegriffe werden nicht protokolliert" in html
    assert "Landesbeauftragten für den Datenschutz Niedersachsen" in html


@pytest.mark.django_db
def test_accessibility_statement_follows_the_required_structure(client: Client) -> None:
    response = client.get("/barrierefreiheit/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Erklärung zur Barrierefreiheit"]
    for heading in (
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Barrieren melden: Kontakt",
        "Schlichtungsverfahren",
        "Erstellung dieser Erklärung",
    ):
        assert heading in html
    assert "BITV 2.0" in html
    assert "Niedersächsischen Behindertengleichstellungsgesetzes (NBGG)" in html
    assert "teilweise" in html
    assert 'href="https://www.behindertenbeauftragte-niedersachsen.de/"' in html
    assert "mailto:rathaus@example.org?subject=Barrierefreiheit" in html


# --- every page --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_pages_set_no_cookie(client: Client, catalog: list[Service], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert not response.cookies, f"{path} set {list(response.cookies)}"
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_titles_are_unique(client: Client, catalog: list[Service]) -> None:
    titles = [read_page(client.get(path).content.decode()).title for path in PUBLIC_PAGES]
    assert len(set(titles)) == len(titles), titles


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_english_pages_have_lang_and_a_switch_back(
    client: Client, catalog: list[Service], path: str
) -> None:
    response = client.get("/en" + path)
    assert response.status_code == 200
    page = read_page(response.content.decode())
    assert page.lang == "en"
    switch = [link for link in page.links if link.get("hreflang") == "de"]
    assert [link["href"] for link in switch] == [path]
    # And the German page links to the English one.
    german = read_page(client.get(path).content.decode())
    assert german.lang == "de"
    assert any(
        link.get("hreflang") == "en" and link["href"] == "/en" + path for link in german.links
    )


# --- error pages -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Diese Seite gibt es nicht"), ("/en", "This page does not exist")]
)
def test_unknown_address_gets_the_404_page(client: Client, prefix: str, heading: str) -> None:
    response = client.get(prefix + "/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.lang == (prefix.strip("/") or "de")
    assert page.h1 == [heading]
    assert f'href="{prefix}/leistungen/a-z/"' in html
    assert not response.cookies


@pytest.mark.django_db
def test_500_page_renders_without_the_database(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/leistungen/")
    # No middleware runs here, so the language is set as LocaleMiddleware would.
    with translation.override("de"), django_assert_num_queries(0):
        response = core_views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    page = read_page(html)
    assert page.lang == "de"
    assert page.h1 == ["Technische Störung"]
    assert page.search_forms, "the search box is there even on the error page"
    assert 'href="/barrierefreiheit/"' in html


# --- template filters --------------------------------------------------------------------


def test_highlight_escapes_first_then_marks() -> None:
    assert (
        rathaus_tags.highlight("<b>\x02Hund\x03</b> & \x02Katze\x03")
        == "&lt;b&gt;<mark>Hund</mark>&lt;/b&gt; &amp; <mark>Katze</mark>"
    )
    # A marker can never smuggle HTML in, and stray markers are dropped.
    assert rathaus_tags.highlight("\x02<script>\x03 \x02offen") == (
        "<mark>&lt;script&gt;</mark> offen"
    )
    assert rathaus_tags.highlight(None) == ""


def test_textblocks_makes_paragraphs_and_lists_and_escapes() -> None:
    text = "Erster <Absatz>\nzweite Zeile\n\nSie brauchen:\n- Ausweis\n- Foto\n\n1. eins\n2. zwei"
    assert rathaus_tags.textblocks(text) == (
        "<p>Erster &lt;Absatz&gt;<br>zweite Zeile</p>"
        "<p>Sie brauchen:</p><ul><li>Ausweis</li><li>Foto</li></ul>"
        "<ol><li>eins</li><li>zwei</li></ol>"
    )
    assert rathaus_tags.textblocks("") == ""


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("04161 501-0", "tel:+4941615010"),
        ("+49 (0)4161 501-2000", "tel:+4941615012000"),
        ("0049 4161 5010", "tel:+4941615010"),
        ("", ""),
    ],
)
def test_tel_href(number: str, href: str) -> None:
    assert rathaus_tags.tel_href(number) == href


def test_breadcrumbs_start_at_home_and_mark_the_current_page() -> None:
    with translation.override("de"):
        html = rathaus_tags.breadcrumbs("Leistungen <finden>", "/leistungen/", "Hier & jetzt")
    assert html == (
        '<nav class="breadcrumbs" aria-label="Sie sind hier"><ol>'
        '<li><a href="/">Start</a></li>'
        '<li><a href="/leistungen/">Leistungen &lt;finden&gt;</a></li>'
        '<li aria-current="page">Hier &amp; jetzt</li></ol></nav>'
    )
