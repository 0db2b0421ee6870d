"""Public catalog pages: finder, A-Z, detail (with JSON-LD), offices, maturity levels."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from rathaus.accounts.models import Office
from rathaus.catalog.maturity import (
    MATURITY_V1_DEFINITIONS,
    MATURITY_V2_DEFINITIONS,
    MaturityV1,
    MaturityV2,
)
from rathaus.catalog.models import LifeSituation, Service, Topic
from rathaus.core.models import Synonym
from tests.conftest import make_service
from tests.core.test_pages import assert_accessible_structure, read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_office(db: None) -> Office:
    return Office.objects.create(
        name="Fachgruppe Steuern",
        slug="steuern",
        street="Stavenort 1",
        postal_code="21614",
        city="Buxtehude",
        phone="+49 4161 501-2000",
        email="steuern@example.org",
    )


@pytest.fixture
def catalog(office: Office, other_office: Office, life_situation: LifeSituation) -> dict[str, Any]:
    personalausweis = make_service(
        office=office,
        life_situations=[life_situation],
        topic=Topic.MIGRATION,
        description="Der Ausweis ist bis zu zehn Jahre gültig. <b>Achtung</b>: Termin nötig.",
        requirements="Sie sind Deutsche oder Deutscher und mindestens 16 Jahre alt.",
        documents="Sie brauchen:\n- Ihren alten Ausweis\n- ein biometrisches Passfoto",
        fees="37,00 Euro; unter 24 Jahren 22,80 Euro.",
        deadlines="Spätestens wenn der alte Ausweis abläuft.",
        processing_time="etwa drei bis vier Wochen",
        legal_basis="Personalausweisgesetz (PAuswG)",
        keywords="Ausweis, Perso",
        channel_phone=True,
        ozg_id="10277",
        ozg_name="Personalausweis",
        maturity_level=2,
        maturity_level_v2=2,
    )
    hundesteuer = make_service(
        leika_key="99108001001000",
        name="Hundesteuer anmelden",
        summary="Wer in Buxtehude einen Hund hält, meldet ihn zur Hundesteuer an.",
        office=other_office,
        topic=Topic.TAXES,
        maturity_level=3,
        maturity_level_v2=5,
        channel_online=True,
        channel_email=True,
        online_service_url="https://service.example.org/hundesteuer",
        online_service_name="Hundesteuer online",
        trust_level="substantiell",
    )
    melde = make_service(
        leika_key="99115001001000",
        name="Meldebescheinigung",
        summary="Eine Bescheinigung über Ihre gemeldete Wohnung.",
        office=office,
        life_situations=[life_situation],
    )
    aerztlich = make_service(
        leika_key="99115001003000",
        name="Ärztliche Bescheinigung vorlegen",
        summary="Nachweise für die Schule.",
        office=office,
        channel_online=True,
        online_service_url="https://rathaus.example.org/formulare/arzt",
        online_service_own=True,
    )
    draft = make_service(
        leika_key="99115001002000",
        name="Hundeführerschein Entwurf",
        summary="Noch nicht freigegeben: Hund.",
        status=Service.Status.DRAFT,
        published_at=None,
        office=office,
    )
    archived = make_service(
        leika_key="99115001004000",
        name="Hundemarke alt",
        summary="Archiviert: Hund.",
        status=Service.Status.ARCHIVED,
        office=office,
    )
    return {
        "personalausweis": personalausweis,
        "hundesteuer": hundesteuer,
        "melde": melde,
        "aerztlich": aerztlich,
        "draft": draft,
        "archived": archived,
    }


def many_services(n: int, office: Office, **fields: Any) -> list[Service]:
    return [
        make_service(
            leika_key=f"9902{i:010d}",
            name=f"Testleistung {i:02d}",
            summary=f"Beschreibung der Testleistung {i:02d} für den Stadtteil.",
            office=office,
            **fields,
        )
        for i in range(n)
    ]


def result_names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


# --- finder ------------------------------------------------------------------------------


def test_finder_without_query_lists_published_services_by_name(
    client: Client, catalog: dict[str, Any]
) -> None:
    response = client.get("/leistungen/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Leistungen finden"]
    assert result_names(html) == [
        "Ärztliche Bescheinigung vorlegen",
        "Hundesteuer anmelden",
        "Meldebescheinigung",
        "Personalausweis beantragen",
    ]
    assert "4 Leistungen" in html
    assert "Entwurf" not in html
    assert "Hundemarke alt" not in html


def test_finder_form_works_without_javascript_and_labels_every_control(
    client: Client, catalog: dict[str, Any]
) -> None:
    html = client.get("/leistungen/").content.decode()
    form = html[
        html.index('<form class="finder-form"') : html.index("</form>", html.index("finder-form"))
    ]
    assert 'method="get"' in form
    assert 'action="/leistungen/"' in form
    for name, control_id in (
        ("q", "finder-q"),
        ("lebenslage", "finder-lebenslage"),
        ("dienststelle", "finder-dienststelle"),
        ("themenfeld", "finder-themenfeld"),
        ("online", "finder-online"),
    ):
        assert f'id="{control_id}" name="{name}"' in form
        assert f'<label for="{control_id}">' in form
    assert '<button type="submit">' in form
    assert "csrfmiddlewaretoken" not in form
    assert "<script" not in html


def test_search_ranks_and_highlights_with_escaped_snippets(
    client: Client, catalog: dict[str, Any]
) -> None:
    response = client.get("/leistungen/", {"q": "Personalausweis"})
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_structure(html)
    assert result_names(html)[0] == "Personalausweis beantragen"
    assert "gefunden für „Personalausweis“" in html
    assert "<mark>Personalausweis</mark>" in html
    # Text from the catalog is escaped before the <mark> elements are added.
    assert "&lt;b&gt;Achtung&lt;/b&gt;" in html
    assert "<b>Achtung</b>" not in html
    assert "\x02" not in html
    assert "\x03" not in html
    # The query is kept in the form and in the header box, escaped.
    assert 'id="finder-q" name="q" value="Personalausweis"' in html


def test_query_is_escaped_everywhere(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_prefix_finds_personalausweis(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/", {"q": "Perso"}).content.decode()
    assert "Personalausweis beantragen" in result_names(html)


def test_synonym_finds_the_service(client: Client, catalog: dict[str, Any]) -> None:
    Synonym.objects.create(term="Vierbeiner", alternatives="Hund")
    html = client.get("/leistungen/", {"q": "Vierbeiner"}).content.decode()
    assert result_names(html) == ["Hundesteuer anmelden"]


def test_typo_shows_did_you_mean_with_a_link_that_keeps_filters(
    client: Client, catalog: dict[str, Any]
) -> None:
    response = client.get("/leistungen/", {"q": "Persnalausweis", "lebenslage": "umzug"})
    html = response.content.decode()
    assert "Personalausweis beantragen" in result_names(html)
    assert "Meinten Sie" in html
    assert (
        '<a href="/leistungen/?q=Personalausweis&amp;lebenslage=umzug">Personalausweis</a>?' in html
    )


def test_no_did_you_mean_for_a_correct_query(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/", {"q": "Meldebescheinigung"}).content.decode()
    assert "Meinten Sie" not in html


def test_online_badge_only_for_online_services(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/", {"q": "Hundesteuer"}).content.decode()
    badge = '<span class="badge badge-online">online verfügbar</span>'
    assert badge in html
    html = client.get("/leistungen/", {"q": "Meldebescheinigung"}).content.decode()
    assert result_names(html) == ["Meldebescheinigung"]
    assert badge not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lebenslage": "umzug"}, ["Meldebescheinigung", "Personalausweis beantragen"]),
        ({"dienststelle": "steuern"}, ["Hundesteuer anmelden"]),
        ({"themenfeld": Topic.MIGRATION.value}, ["Personalausweis beantragen"]),
        ({"online": "1"}, ["Ärztliche Bescheinigung vorlegen", "Hundesteuer anmelden"]),
        ({"online": "1", "dienststelle": "buergerservice"}, ["Ärztliche Bescheinigung vorlegen"]),
        ({"q": "Bescheinigung", "lebenslage": "umzug"}, ["Meldebescheinigung"]),
        ({"q": "Hund", "online": "1"}, ["Hundesteuer anmelden"]),
    ],
)
def test_filters(
    client: Client, catalog: dict[str, Any], params: dict[str, str], expected: list[str]
) -> None:
    response = client.get("/leistungen/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(result_names(html)) == sorted(expected)
    assert "Filter zurücksetzen" in html


def test_selected_filters_are_shown_as_selected(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get(
        "/leistungen/", {"lebenslage": "umzug", "dienststelle": "steuern", "online": "1"}
    ).content.decode()
    assert '<option value="umzug" selected>' in html
    assert '<option value="steuern" selected>' in html
    assert 'name="online" value="1" checked' in html


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"lebenslage": "gibt-es-nicht"}, "Die Lebenslage „gibt-es-nicht“ kennen wir nicht"),
        ({"dienststelle": "<b>x</b>"}, "Die Dienststelle „&lt;b&gt;x&lt;/b&gt;“ kennen wir nicht"),
        ({"themenfeld": "quatsch"}, "Das Themenfeld „quatsch“ kennen wir nicht"),
        ({"seite": "zwei"}, "„zwei“ ist keine Seitenzahl"),
        ({"seite": "-3"}, "Seitenzahlen beginnen bei 1"),
        ({"seite": "99"}, "Seite 99 gibt es nicht"),
    ],
)
def test_invalid_parameters_are_ignored_with_a_notice(
    client: Client, catalog: dict[str, Any], params: dict[str, str], notice: str
) -> None:
    response = client.get("/leistungen/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html
    assert len(result_names(html)) == 4  # the filter was dropped, the page clamped


def test_huge_page_number_does_not_fail(client: Client, catalog: dict[str, Any]) -> None:
    response = client.get("/leistungen/", {"seite": "9" * 40})
    assert response.status_code == 200
    assert len(result_names(response.content.decode())) == 4


def test_pagination_keeps_query_and_filters(client: Client, office: Office) -> None:
    many_services(45, office, channel_online=True, online_service_url="https://x.example.org/a")
    first = client.get("/leistungen/", {"q": "Testleistung", "online": "1"}).content.decode()
    assert len(result_names(first)) == 20
    assert "45 Leistungen gefunden" in first
    assert "Seite 1 von 3" in first
    assert 'href="/leistungen/?q=Testleistung&amp;online=1&amp;seite=2" rel="next"' in first
    assert 'rel="prev"' not in first

    second = client.get("/leistungen/", {"q": "Testleistung", "online": "1", "seite": "2"})
    html = second.content.decode()
    assert len(result_names(html)) == 20
    assert 'href="/leistungen/?q=Testleistung&amp;online=1" rel="prev"' in html
    assert 'href="/leistungen/?q=Testleistung&amp;online=1&amp;seite=3" rel="next"' in html
    assert set(result_names(html)).isdisjoint(result_names(first))
    # Titles differ per page.
    assert read_page(html).title != read_page(first).title

    last = client.get("/leistungen/", {"q": "Testleistung", "online": "1", "seite": "3"})
    html = last.content.decode()
    assert len(result_names(html)) == 5
    assert 'rel="next"' not in html
    assert '<ol class="results" start="41">' in html


def test_list_without_query_is_paginated_too(client: Client, office: Office) -> None:
    many_services(25, office)
    html = client.get("/leistungen/", {"seite": "2"}).content.decode()
    assert result_names(html) == [f"Testleistung {i:02d}" for i in range(20, 25)]
    assert 'href="/leistungen/" rel="prev"' in html


def test_empty_result_explains_what_to_do(client: Client, catalog: dict[str, Any]) -> None:
    response = client.get("/leistungen/", {"q": "Xylophonreparatur", "online": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "0 Leistungen gefunden" in html
    assert "Dazu haben wir keine passende Leistung gefunden." in html
    assert 'href="/leistungen/a-z/"' in html
    assert 'href="/leistungen/?q=Xylophonreparatur">Entfernen Sie die Filter' in html


def test_finder_query_count_is_bounded(
    client: Client, office: Office, django_assert_max_num_queries: Any
) -> None:
    many_services(30, office)
    with django_assert_max_num_queries(4):
        response = client.get("/leistungen/")
    assert len(result_names(response.content.decode())) == 20
    with django_assert_max_num_queries(4):
        client.get("/leistungen/", {"dienststelle": "buergerservice", "online": "1"})
    with django_assert_max_num_queries(10):
        response = client.get("/leistungen/", {"q": "Testleistung Stadtteil"})
    assert len(result_names(response.content.decode())) == 20
    with django_assert_max_num_queries(11):
        client.get("/leistungen/", {"q": "Tesleistung", "dienststelle": "buergerservice"})


# --- A-Z ---------------------------------------------------------------------------------


def test_a_to_z_groups_by_letter_with_an_index(client: Client, catalog: dict[str, Any]) -> None:
    response = client.get("/leistungen/a-z/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Leistungen von A bis Z"]
    # Umlauts are sorted with their base letter: "Ärztliche ..." under A.
    assert '<a href="#buchstabe-a">A</a>' in html
    assert '<h2 id="buchstabe-a">A</h2>' in html
    a_group = html[html.index('id="buchstabe-a"') : html.index('id="buchstabe-h"')]
    assert "Ärztliche Bescheinigung vorlegen" in a_group
    for letter in "hmp":
        assert f'<a href="#buchstabe-{letter}">' in html
    # Letters without services are listed but not linked.
    assert '<a href="#buchstabe-z">' not in html
    assert 'id="buchstabe-z"' not in html
    assert "Entwurf" not in html
    assert "Hundemarke alt" not in html
    assert "4 Leistungen, alphabetisch geordnet." in html


def test_a_to_z_query_count_is_constant(
    client: Client, office: Office, django_assert_max_num_queries: Any
) -> None:
    many_services(30, office, channel_online=True, online_service_url="https://x.example.org/a")
    with django_assert_max_num_queries(1):
        response = client.get("/leistungen/a-z/")
    assert response.content.decode().count("Testleistung") == 30


# --- detail ------------------------------------------------------------------------------


def json_ld(html: str) -> dict[str, Any]:
    page = read_page(html)
    bodies = [
        body
        for attrs, body in zip(page.scripts, page.script_bodies, strict=True)
        if attrs.get("type") == "application/ld+json"
    ]
    assert len(bodies) == 1
    data: dict[str, Any] = json.loads(bodies[0])
    return data


def test_detail_has_everything_needed_before_the_visit(
    client: Client, catalog: dict[str, Any]
) -> None:
    response = client.get("/leistungen/personalausweis-beantragen/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Personalausweis beantragen"]
    assert page.title.startswith("Personalausweis beantragen")
    for heading in (
        "Beschreibung",
        "Voraussetzungen",
        "Erforderliche Unterlagen",
        "Kosten",
        "Fristen",
        "Bearbeitungsdauer",
        "Rechtsgrundlage",
        "So erreichen Sie die Leistung",
        "Zuständige Stelle",
        "Passt zu diesen Lebenslagen",
        "Stand der Digitalisierung",
    ):
        assert f">{heading}</h2>" in html, heading
    assert (
        "<p>Sie brauchen:</p><ul><li>Ihren alten Ausweis</li>"
        "<li>ein biometrisches Passfoto</li></ul>"
    ) in html
    assert "37,00 Euro" in html
    assert "etwa drei bis vier Wochen" in html
    assert "Personalausweisgesetz (PAuswG)" in html
    assert "&lt;b&gt;Achtung&lt;/b&gt;" in html
    # Office box: address, opening hours, phone as tel: link, email, accessibility, office page.
    assert "Bahnhofstraße 7<br>21614 Buxtehude" in html
    assert catalog["personalausweis"].office.opening_hours in html
    assert '<a href="tel:+4941615010">04161 501-0</a>' in html
    assert '<a href="mailto:buergerbuero@example.org">' in html
    assert "Stufenloser Zugang, Aufzug" in html
    assert 'href="/leistungen/dienststellen/buergerservice/"' in html
    assert '<a href="/leistungen/?lebenslage=umzug">Umzug</a>' in html
    # Not online: no apply button, but a clear note.
    assert "Online beantragen" not in html
    assert "noch nicht vollständig online beantragen" in html
    # Maturity in both models with the definitions and the link to the explanation.
    assert str(MaturityV1.FORM.label) in html
    assert str(MaturityV2.CONTACT.label) in html
    assert "OZG-Pflicht noch nicht erfüllt" in html
    assert "<details" in html
    for definition in [*MATURITY_V1_DEFINITIONS.values(), *MATURITY_V2_DEFINITIONS.values()]:
        assert str(definition) in html  # every level is explained
    assert 'href="/leistungen/reifegrade/"' in html
    assert "99010004001000" in html
    assert "Personalausweis (10277)" in html
    assert '<time datetime="' in html


def test_detail_of_an_external_online_service(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/hundesteuer-anmelden/").content.decode()
    assert (
        '<a class="button button-large" href="https://service.example.org/hundesteuer">'
        "Online beantragen" in html
    )
    assert "(externe Seite: service.example.org)" in html
    assert "<strong>service.example.org</strong>" in html
    assert "Vertrauensniveau <strong>substantiell (z. B. ELSTER-Zertifikat)</strong>" in html
    assert "OZG-Pflicht erfüllt" in html
    assert '<a href="tel:+4941615012000">+49 4161 501-2000</a>' in html


def test_detail_of_an_own_online_service_says_so(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/arztliche-bescheinigung-vorlegen/").content.decode()
    assert "Online beantragen" in html
    assert "Ein Online-Dienst der Stadt." in html
    assert "externe Seite" not in html
    assert "keine Anmeldung mit Nutzerkonto" in html


@pytest.mark.parametrize("key", ["draft", "archived"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_unpublished_services_are_not_found(
    client: Client, catalog: dict[str, Any], key: str, prefix: str
) -> None:
    service = catalog[key]
    response = client.get(f"{prefix}/leistungen/{service.slug}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert service.name not in html


def test_unknown_service_is_not_found(client: Client, catalog: dict[str, Any]) -> None:
    assert client.get("/leistungen/gibt-es-nicht/").status_code == 404


def test_json_ld_describes_the_government_service(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/leistungen/hundesteuer-anmelden/").content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentService"
    assert data["name"] == "Hundesteuer anmelden"
    assert data["description"].startswith("Wer in Buxtehude einen Hund hält")
    assert data["url"] == "http://testserver/leistungen/hundesteuer-anmelden/"
    assert {"@type": "PropertyValue", "propertyID": "LeiKa", "value": "99108001001000"} in data[
        "identifier"
    ]
    assert data["serviceType"] == "Steuern & Zoll"
    assert data["areaServed"] == {"@type": "City", "name": "Hansestadt Buxtehude"}
    provider = data["provider"]
    assert provider["@type"] == "GovernmentOrganization"
    assert provider["name"] == "Fachgruppe Steuern"
    assert provider["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Stavenort 1",
        "postalCode": "21614",
        "addressLocality": "Buxtehude",
        "addressCountry": "DE",
    }
    assert provider["contactPoint"]["telephone"] == "+49 4161 501-2000"
    assert provider["contactPoint"]["email"] == "steuern@example.org"
    channels = data["availableChannel"]
    assert all(c["@type"] == "ServiceChannel" for c in channels)
    urls = [c.get("serviceUrl") for c in channels]
    assert "https://service.example.org/hundesteuer" in urls
    assert "mailto:steuern@example.org" in urls
    in_person = next(c for c in channels if "serviceLocation" in c)
    assert in_person["serviceLocation"]["address"]["streetAddress"] == "Stavenort 1"


def test_json_ld_phone_channel_and_ozg_identifier(client: Client, catalog: dict[str, Any]) -> None:
    data = json_ld(client.get("/leistungen/personalausweis-beantragen/").content.decode())
    assert {"@type": "PropertyValue", "propertyID": "OZG", "value": "10277"} in data["identifier"]
    assert data["serviceType"] == "Personalausweis"
    phone = next(c for c in data["availableChannel"] if "servicePhone" in c)
    assert phone["servicePhone"] == {"@type": "ContactPoint", "telephone": "04161 501-0"}


def test_json_ld_cannot_close_its_script_element(client: Client, office: Office) -> None:
    nasty = "Test </script><script>alert(1)</script> & <!-- Kommentar"
    service = make_service(
        leika_key="99000000000001", name="Sonderfall", summary=nasty, office=office
    )
    html = client.get(service.get_absolute_url()).content.decode()
    head = html[: html.index("</head>")]
    assert head.count("</script>") == 1
    assert "alert(1)</script>" not in html
    assert json_ld(html)["description"] == nasty


def test_detail_query_count(
    client: Client,
    office: Office,
    life_situation: LifeSituation,
    django_assert_max_num_queries: Any,
) -> None:
    extra = [LifeSituation.objects.create(name=f"Lage {i}", slug=f"lage-{i}") for i in range(5)]
    many_services(30, office)
    service = make_service(
        leika_key="99000000000002",
        name="Viele Lebenslagen",
        office=office,
        life_situations=[life_situation, *extra],
    )
    with django_assert_max_num_queries(2):
        response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    assert "Lage 4" in response.content.decode()


# --- offices -----------------------------------------------------------------------------


def test_offices_list(client: Client, catalog: dict[str, Any]) -> None:
    Office.objects.create(name="Leeres Amt", slug="leer")
    response = client.get("/leistungen/dienststellen/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Dienststellen"]
    assert 'href="/leistungen/dienststellen/buergerservice/"' in html
    assert 'href="/leistungen/dienststellen/steuern/"' in html
    assert "3 Leistungen" in html  # Bürgerservice: drafts and archived ones do not count
    assert "Leeres Amt" not in html


def test_office_page_shows_contact_hours_access_and_published_services(
    client: Client, catalog: dict[str, Any], office: Office
) -> None:
    response = client.get("/leistungen/dienststellen/buergerservice/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Fachgruppe Bürgerservice"]
    assert "Bahnhofstraße 7<br>" in html
    assert office.opening_hours in html
    assert "Stufenloser Zugang" in html
    assert '<a href="tel:+4941615010">' in html
    assert "Personalausweis beantragen" in html
    assert "Meldebescheinigung" in html
    assert "Hundesteuer" not in html  # another office
    assert "Entwurf" not in html
    assert "Hundemarke alt" not in html


def test_unknown_office_is_not_found(client: Client, catalog: dict[str, Any]) -> None:
    assert client.get("/leistungen/dienststellen/gibt-es-nicht/").status_code == 404


# --- maturity ----------------------------------------------------------------------------


def test_maturity_page_explains_both_models_with_counts(
    client: Client, catalog: dict[str, Any]
) -> None:
    response = client.get("/leistungen/reifegrade/")
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.h1 == ["Reifegrade der Online-Leistungen"]
    assert "Reifegradmodell 1.1 (Stufen 0 bis 4)" in html
    assert "Reifegradmodell 2.0 (Stufen 0 bis 7)" in html
    assert "Ab Stufe 3 gilt die OZG-Pflicht als erfüllt" in html
    for level in [*MaturityV1, *MaturityV2]:
        assert f'<th scope="row">{level.label}</th>' in html
    # Hundesteuer is level 3 in model 1.1: 1 of 4 published services meets the obligation.
    assert "1 von 4 Leistungen (25 %) erfüllen die OZG-Pflicht." in html


# --- every catalog page ------------------------------------------------------------------

CATALOG_PAGES = [
    "/leistungen/",
    "/leistungen/?q=Personalausweis",
    "/leistungen/?q=Xylophon",
    "/leistungen/a-z/",
    "/leistungen/personalausweis-beantragen/",
    "/leistungen/hundesteuer-anmelden/",
    "/leistungen/dienststellen/",
    "/leistungen/dienststellen/buergerservice/",
    "/leistungen/reifegrade/",
]


@pytest.mark.parametrize("path", CATALOG_PAGES)
def test_anonymous_catalog_pages_set_no_cookie(
    client: Client, catalog: dict[str, Any], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert not response.cookies, f"{path} set {list(response.cookies)}"


@pytest.mark.parametrize("path", CATALOG_PAGES)
def test_english_catalog_pages_have_lang_and_switch(
    client: Client, catalog: dict[str, Any], path: str
) -> None:
    response = client.get("/en" + path)
    assert response.status_code == 200
    html = response.content.decode()
    page = assert_accessible_structure(html)
    assert page.lang == "en"
    switch = [link["href"] for link in page.links if link.get("hreflang") == "de"]
    assert switch == [path]


def test_catalog_page_titles_are_unique(client: Client, catalog: dict[str, Any]) -> None:
    titles = [read_page(client.get(p).content.decode()).title for p in CATALOG_PAGES]
    assert len(set(titles)) == len(titles), titles


def test_english_detail_links_stay_in_english(client: Client, catalog: dict[str, Any]) -> None:
    html = client.get("/en/leistungen/personalausweis-beantragen/").content.decode()
    assert 'href="/en/leistungen/dienststellen/buergerservice/"' in html
    assert json_ld(html)["url"] == "http://testserver/en/leistungen/personalausweis-beantragen/"


def test_detail_without_office_falls_back_to_the_town(client: Client, db: None) -> None:
    service = make_service(
        leika_key="99000000000003", name="Ohne Zuständigkeit", channel_post=True, fees=""
    )
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_structure(html)
    assert "Bitte wenden Sie sich an die Zentrale der Hansestadt Buxtehude." in html
    assert "<strong>Per Post:</strong> Hansestadt Buxtehude" in html
    assert "Keine Angaben. Bitte fragen Sie bei der zuständigen Stelle nach." in html
    data = json_ld(html)
    assert data["provider"] == {"@type": "GovernmentOrganization", "name": "Hansestadt Buxtehude"}
    assert [c["name"] for c in data["availableChannel"]] == ["persönlich", "per Post"]
