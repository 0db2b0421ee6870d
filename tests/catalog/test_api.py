"""The read-only catalog API under /api/v1/: endpoints, filters, errors, open-data headers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.catalog.models import LifeSituation, Service, Topic
from tests.conftest import make_service

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"


def keys(response: Any) -> list[str]:
    return [item["leika_key"] for item in response.json()["results"]]


def leika(n: int) -> str:
    return f"99{n:012d}"


@pytest.fixture
def catalog(office: Office, life_situation: LifeSituation) -> dict[str, Any]:
    """Four published services that differ in every filtered field, and one draft."""
    other_office = Office.objects.create(name="Fachgruppe Bauordnung", slug="bauordnung")
    birth = LifeSituation.objects.create(name="Geburt", name_en="Birth", slug="geburt")
    passport = make_service(
        leika_key="99010004001000",
        name="Personalausweis beantragen",
        summary="Den Personalausweis beantragen Sie im Bürgerbüro.",
        keywords="Perso, Ausweis",
        office=office,
        topic=Topic.LAW,
        maturity_level=1,
        maturity_level_v2=1,
        life_situations=[life_situation],
    )
    registration = make_service(
        leika_key="99115001000000",
        name="Anmeldung einer Wohnung",
        summary="Nach dem Umzug melden Sie die Wohnung an; bringen Sie den Personalausweis mit.",
        office=office,
        topic=Topic.BUILDING,
        maturity_level=3,
        maturity_level_v2=4,
        channel_online=True,
        online_service_url="https://service.example.org/ummeldung",
        online_service_name="Online-Ummeldung",
        online_service_own=False,
        trust_level="hoch",
        life_situations=[life_situation],
    )
    building = make_service(
        leika_key="99009005000000",
        name="Baugenehmigung beantragen",
        summary="Wer bauen will, braucht meist eine Baugenehmigung.",
        office=other_office,
        topic=Topic.BUILDING,
        maturity_level=4,
        maturity_level_v2=6,
        channel_online=True,
        online_service_url="https://bauportal.example.org/antrag",
        online_service_own=True,
    )
    birth_certificate = make_service(
        leika_key="99123001000000",
        name="Geburtsurkunde ausstellen",
        summary="Die Geburtsurkunde stellt das Standesamt aus.",
        maturity_level=2,
        life_situations=[birth],
    )
    draft = make_service(
        leika_key="99050012000000",
        name="Hundesteuer anmelden",
        summary="Entwurf.",
        status=Service.Status.DRAFT,
        published_at=None,
    )
    return {
        "passport": passport,
        "registration": registration,
        "building": building,
        "birth_certificate": birth_certificate,
        "draft": draft,
        "office": office,
        "other_office": other_office,
    }


# --- services: list and representation ----------------------------------------------------


def test_list_shows_published_services_by_name(client: Any, catalog: dict[str, Any]) -> None:
    response = client.get(SERVICES)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 4
    assert data["next"] is None
    assert data["previous"] is None
    names = [item["name"] for item in data["results"]]
    assert names == [
        "Anmeldung einer Wohnung",
        "Baugenehmigung beantragen",
        "Geburtsurkunde ausstellen",
        "Personalausweis beantragen",
    ]
    assert catalog["draft"].leika_key not in keys(response)


def test_service_representation(client: Any, catalog: dict[str, Any]) -> None:
    service = catalog["registration"]
    service.requirements = "Sie sind umgezogen."
    service.documents = "Personalausweis, Wohnungsgeberbestätigung"
    service.fees = "gebührenfrei"
    service.deadlines = "innerhalb von zwei Wochen nach dem Einzug"
    service.processing_time = "sofort"
    service.legal_basis = "§ 17 Bundesmeldegesetz"
    service.ozg_id = "10207"
    service.ozg_name = "Meldebescheinigung"
    service.keywords = "Ummeldung, Wohnsitz , Umzug"
    service.channel_email = True
    service.save()

    data = client.get(f"{SERVICES}{service.leika_key}/").json()

    assert data == {
        "leika_key": "99115001000000",
        "name": "Anmeldung einer Wohnung",
        "slug": service.slug,
        "url": f"http://testserver/leistungen/{service.slug}/",
        "ozg_id": "10207",
        "ozg_name": "Meldebescheinigung",
        "topic": {"code": "bauen-wohnen", "label": "Bauen & Wohnen"},
        "life_situations": [{"slug": "umzug", "name": "Umzug"}],
        "maturity": {
            "model_1_1": {
                "level": 3,
                "label": "3 \N{EN DASH} Online-Leistung",
                "obligation_met": True,
            },
            "model_2_0": {"level": 4, "label": "4 \N{EN DASH} Nachweise digital"},
        },
        "channels": ["online", "in_person", "email"],
        "online_service": {
            "url": "https://service.example.org/ummeldung",
            "name": "Online-Ummeldung",
            "own": False,
            "host": "service.example.org",
            "trust_level": "hoch",
        },
        "texts": {
            "summary": service.summary,
            "description": "",
            "requirements": "Sie sind umgezogen.",
            "documents": "Personalausweis, Wohnungsgeberbestätigung",
            "fees": "gebührenfrei",
            "deadlines": "innerhalb von zwei Wochen nach dem Einzug",
            "processing_time": "sofort",
            "legal_basis": "§ 17 Bundesmeldegesetz",
        },
        "office": {
            "slug": "buergerservice",
            "name": "Fachgruppe Bürgerservice",
            "url": "http://testserver/leistungen/dienststellen/buergerservice/",
        },
        "keywords": ["Ummeldung", "Wohnsitz", "Umzug"],
        "review_due": service.review_due.isoformat(),
        "modified": timezone.localtime(service.modified).isoformat(),
    }


def test_missing_topic_office_and_online_service_are_null(
    client: Any, catalog: dict[str, Any]
) -> None:
    data = client.get(f"{SERVICES}{catalog['birth_certificate'].leika_key}/").json()
    assert data["topic"] is None
    assert data["office"] is None
    assert data["online_service"] is None
    assert data["maturity"]["model_1_1"]["obligation_met"] is False
    assert data["channels"] == ["in_person"]


def test_online_service_without_sign_in_has_null_trust_level(
    client: Any, catalog: dict[str, Any]
) -> None:
    data = client.get(f"{SERVICES}{catalog['building'].leika_key}/").json()
    assert data["online_service"]["trust_level"] is None
    assert data["online_service"]["own"] is True
    assert data["online_service"]["name"] == ""


# --- services: detail errors --------------------------------------------------------------


def test_draft_answers_404_like_an_unknown_key(client: Any, catalog: dict[str, Any]) -> None:
    draft = client.get(f"{SERVICES}{catalog['draft'].leika_key}/")
    unknown = client.get(f"{SERVICES}99999999999999/")
    for response, key in [(draft, catalog["draft"].leika_key), (unknown, "99999999999999")]:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "not_found"
        assert key in body["message"]


def test_archived_service_is_hidden(client: Any, catalog: dict[str, Any]) -> None:
    Service.objects.filter(pk=catalog["passport"].pk).update(status=Service.Status.ARCHIVED)
    assert client.get(f"{SERVICES}{catalog['passport'].leika_key}/").status_code == 404
    assert catalog["passport"].leika_key not in keys(client.get(SERVICES))


@pytest.mark.parametrize("key", ["1234", "9901000400100A", "990100040010001", "personalausweis"])
def test_malformed_leika_key_answers_400(client: Any, key: str) -> None:
    response = client.get(f"{SERVICES}{key}/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "14 Ziffern" in body["message"]
    assert body["problems"] == [
        {
            "line": None,
            "field": "leika_key",
            "message": "Der LeiKa-Schlüssel besteht aus genau 14 Ziffern.",
        }
    ]


# --- services: filters --------------------------------------------------------------------


def test_search_orders_by_relevance(client: Any, catalog: dict[str, Any]) -> None:
    # Both mention "Personalausweis"; the one named so ranks first although "Anmeldung"
    # comes first by name.
    response = client.get(SERVICES, {"q": "Personalausweis"})
    assert response.status_code == 200
    assert keys(response) == [catalog["passport"].leika_key, catalog["registration"].leika_key]
    assert response.json()["count"] == 2


def test_search_uses_prefixes_and_hides_drafts(client: Any, catalog: dict[str, Any]) -> None:
    assert keys(client.get(SERVICES, {"q": "Perso"}))[0] == catalog["passport"].leika_key
    assert keys(client.get(SERVICES, {"q": "Hundesteuer"})) == []


def test_search_combines_with_filters(client: Any, catalog: dict[str, Any]) -> None:
    response = client.get(SERVICES, {"q": "Personalausweis", "online": "true"})
    assert keys(response) == [catalog["registration"].leika_key]


def test_search_without_hits_is_an_empty_page(client: Any, catalog: dict[str, Any]) -> None:
    data = client.get(SERVICES, {"q": "Xylophonunterricht"}).json()
    assert data == {"count": 0, "next": None, "previous": None, "results": []}


def test_blank_search_lists_everything(client: Any, catalog: dict[str, Any]) -> None:
    assert client.get(SERVICES, {"q": "  "}).json()["count"] == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"life_situation": "umzug"}, ["registration", "passport"]),
        ({"life_situation": "geburt"}, ["birth_certificate"]),
        ({"office": "buergerservice"}, ["registration", "passport"]),
        ({"office": "bauordnung"}, ["building"]),
        ({"topic": "bauen-wohnen"}, ["registration", "building"]),
        ({"online": "true"}, ["registration", "building"]),
        ({"online": "false"}, ["birth_certificate", "passport"]),
        ({"online": "1"}, ["registration", "building"]),
        ({"maturity_level_min": "3"}, ["registration", "building"]),
        (
            {"maturity_level_min": "0"},
            ["registration", "building", "birth_certificate", "passport"],
        ),
        ({"maturity_level_v2_min": "5"}, ["building"]),
        ({"topic": "bauen-wohnen", "office": "buergerservice"}, ["registration"]),
    ],
)
def test_filters(
    client: Any, catalog: dict[str, Any], params: dict[str, str], expected: list[str]
) -> None:
    response = client.get(SERVICES, params)
    assert response.status_code == 200, response.json()
    assert keys(response) == [catalog[name].leika_key for name in expected]


def test_online_channel_without_address_is_not_online(client: Any, catalog: dict[str, Any]) -> None:
    # The model refuses this through save_service; older data may still have it.
    Service.objects.filter(pk=catalog["registration"].pk).update(online_service_url="")
    assert keys(client.get(SERVICES, {"online": "true"})) == [catalog["building"].leika_key]
    assert catalog["registration"].leika_key in keys(client.get(SERVICES, {"online": "false"}))


def test_modified_since(client: Any, catalog: dict[str, Any]) -> None:
    berlin = timezone.get_current_timezone()
    old = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=berlin)
    Service.objects.exclude(pk=catalog["building"].pk).update(modified=old)
    Service.objects.filter(pk=catalog["building"].pk).update(
        modified=datetime.datetime(2025, 7, 1, 10, 0, tzinfo=berlin)
    )
    cases = {
        "2025-07-01T10:00:00+02:00": ["building"],  # the bound is inclusive
        "2025-07-01T10:00:01+02:00": [],
        "2025-07-01T08:00:00Z": ["building"],
        "2025-07-01": ["building"],  # a date means its midnight in Berlin
        "2025-07-01T10:00:00": ["building"],  # no offset: Berlin time
        "2025-07-01T10:00:00 02:00": ["building"],  # "+" decoded to a space
        "2023-12-31": ["registration", "building", "birth_certificate", "passport"],
    }
    for value, expected in cases.items():
        response = client.get(SERVICES, {"modified_since": value})
        assert response.status_code == 200, (value, response.json())
        assert keys(response) == [catalog[name].leika_key for name in expected], value


@pytest.mark.parametrize(
    ("params", "field", "message_part"),
    [
        ({"modified_since": "gestern"}, "modified_since", ""),
        ({"modified_since": "2025-13-01"}, "modified_since", ""),
        ({"maturity_level_min": "5"}, "maturity_level_min", "4"),
        ({"maturity_level_min": "drei"}, "maturity_level_min", ""),
        ({"maturity_level_v2_min": "8"}, "maturity_level_v2_min", "7"),
        ({"online": "vielleicht"}, "online", ""),
        ({"topic": "sport"}, "topic", "sport"),
        ({"office": "gibt-es-nicht"}, "office", "gibt-es-nicht"),
        ({"life_situation": "mondlandung"}, "life_situation", "mondlandung"),
        ({"q": "x" * 201}, "q", "200"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(
    client: Any, catalog: dict[str, Any], params: dict[str, str], field: str, message_part: str
) -> None:
    response = client.get(SERVICES, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert [p["field"] for p in body["problems"]] == [field]
    assert body["problems"][0]["line"] is None
    assert message_part in body["problems"][0]["message"]


def test_every_bad_parameter_is_reported_at_once(client: Any, catalog: dict[str, Any]) -> None:
    response = client.get(SERVICES, {"online": "nein-doch", "maturity_level_min": "9"})
    assert response.status_code == 400
    assert sorted(p["field"] for p in response.json()["problems"]) == [
        "maturity_level_min",
        "online",
    ]


# --- pagination ---------------------------------------------------------------------------


def test_pagination_links(client: Any, catalog: dict[str, Any]) -> None:
    first = client.get(SERVICES, {"page_size": 3, "online": "true"})
    assert first.json()["count"] == 2
    first = client.get(SERVICES, {"page_size": 3})
    data = first.json()
    assert data["count"] == 4
    assert len(data["results"]) == 3
    assert data["previous"] is None
    assert data["next"].startswith("http://testserver/api/v1/services/?")
    assert "page=2" in data["next"]
    assert "page_size=3" in data["next"]

    second = client.get(data["next"]).json()
    assert [r["name"] for r in second["results"]] == ["Personalausweis beantragen"]
    assert second["next"] is None
    assert second["previous"].startswith("http://testserver/api/v1/services/?")
    assert client.get(second["previous"]).json()["results"] == data["results"]


def test_pagination_keeps_the_filters(client: Any, catalog: dict[str, Any]) -> None:
    data = client.get(SERVICES, {"page_size": 1, "topic": "bauen-wohnen"}).json()
    assert data["count"] == 2
    assert "topic=bauen-wohnen" in data["next"]
    assert client.get(data["next"]).json()["results"][0]["name"] == "Baugenehmigung beantragen"


def test_search_results_paginate_in_ranked_order(client: Any, catalog: dict[str, Any]) -> None:
    data = client.get(SERVICES, {"q": "Personalausweis", "page_size": 1}).json()
    assert [r["name"] for r in data["results"]] == ["Personalausweis beantragen"]
    second = client.get(data["next"]).json()
    assert [r["name"] for r in second["results"]] == ["Anmeldung einer Wohnung"]


def test_page_out_of_range_is_a_json_404(client: Any, catalog: dict[str, Any]) -> None:
    response = client.get(SERVICES, {"page": 99})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- offices and life situations ----------------------------------------------------------


def test_offices(client: Any, catalog: dict[str, Any]) -> None:
    office = catalog["office"]
    office.short_name = "FG 31"
    office.room = "Raum 12, Erdgeschoss"
    office.website = "https://www.example.org/buergerbuero"
    office.save()
    data = client.get("/api/v1/offices/").json()
    assert data["count"] == 2
    assert [o["slug"] for o in data["results"]] == ["bauordnung", "buergerservice"]
    detail = client.get("/api/v1/offices/buergerservice/").json()
    assert detail == data["results"][1]
    assert detail == {
        "slug": "buergerservice",
        "name": "Fachgruppe Bürgerservice",
        "short_name": "FG 31",
        "address": {
            "street": "Bahnhofstraße 7",
            "postal_code": "21614",
            "city": "Buxtehude",
            "room": "Raum 12, Erdgeschoss",
        },
        "opening_hours": office.opening_hours,
        "phone": "04161 501-0",
        "email": "buergerbuero@example.org",
        "website": "https://www.example.org/buergerbuero",
        "accessibility": "Stufenloser Zugang, Aufzug, Behinderten-WC im Erdgeschoss.",
        "url": "http://testserver/leistungen/dienststellen/buergerservice/",
    }


def test_unknown_office_is_a_json_404(client: Any, db: None) -> None:
    response = client.get("/api/v1/offices/gibt-es-nicht/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "gibt-es-nicht" in response.json()["message"]


def test_life_situations_count_published_services_only(
    client: Any, catalog: dict[str, Any]
) -> None:
    catalog["draft"].life_situations.add(LifeSituation.objects.get(slug="umzug"))
    LifeSituation.objects.create(name="Ruhestand", slug="ruhestand", position=9)
    data = client.get("/api/v1/life-situations/").json()
    assert data["count"] == 3
    by_slug = {item["slug"]: item for item in data["results"]}
    assert by_slug["umzug"] == {
        "slug": "umzug",
        "name": "Umzug",
        "description": "",
        "service_count": 2,
    }
    assert by_slug["ruhestand"]["service_count"] == 0
    assert [item["slug"] for item in data["results"]][-1] == "ruhestand"


# --- language -----------------------------------------------------------------------------


def test_accept_language_selects_english(client: Any, catalog: dict[str, Any]) -> None:
    key = catalog["registration"].leika_key
    response = client.get(f"{SERVICES}{key}/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response["Content-Language"] == "en"
    data = response.json()
    assert data["life_situations"] == [{"slug": "umzug", "name": "Moving house"}]
    assert data["url"] == f"http://testserver/en/leistungen/{catalog['registration'].slug}/"

    german = client.get(f"{SERVICES}{key}/")
    assert german["Content-Language"] == "de"
    assert german.json()["life_situations"] == [{"slug": "umzug", "name": "Umzug"}]


# --- open-data headers and methods --------------------------------------------------------

ENDPOINTS = [
    SERVICES,
    f"{SERVICES}99010004001000/",
    "/api/v1/offices/",
    "/api/v1/offices/buergerservice/",
    "/api/v1/life-situations/",
    "/api/v1/schema.yaml",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_open_data_headers(client: Any, catalog: dict[str, Any], path: str) -> None:
    response = client.get(path, headers={"Origin": "https://opendata.example.net"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response
    assert not response.cookies
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    assert "accept-language" in vary
    assert "cookie" not in vary
    assert "origin" not in vary


@pytest.mark.parametrize("path", [f"{SERVICES}?online=nein", f"{SERVICES}123/", "/api/v1/x/"])
def test_errors_carry_the_open_data_headers(client: Any, db: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code in {400, 404}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("path", ENDPOINTS)
def test_head_and_preflight(client: Any, catalog: dict[str, Any], path: str) -> None:
    assert client.head(path).status_code == 200
    preflight = client.options(
        path,
        headers={
            "Origin": "https://opendata.example.net",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "accept-language" in preflight["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_writing_methods_answer_405_json(
    client: Any, catalog: dict[str, Any], path: str, method: str
) -> None:
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Service.objects.filter(status=Service.Status.PUBLISHED).count() == 4


def test_unknown_api_address_is_a_json_404(client: Any, db: None) -> None:
    response = client.get("/api/v1/leistungen/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    # A missing slash is still redirected to the real endpoint first.
    assert client.get("/api/v1/services")["Location"] == "/api/v1/services/"


# --- query counts -------------------------------------------------------------------------


def make_catalog(count: int, office: Office, situations: list[LifeSituation]) -> None:
    for n in range(count):
        make_service(
            leika_key=leika(n),
            name=f"Leistung {n:03d} Parkausweis",
            office=office,
            topic=Topic.MOBILITY,
            channel_online=n % 2 == 0,
            online_service_url="https://service.example.org/" if n % 2 == 0 else "",
            life_situations=situations,
        )


def count_queries(client: Any, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(SERVICES, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "Parkausweis"}, {"office": "buergerservice"}])
def test_list_query_count_does_not_grow_with_page_size(
    client: Any,
    office: Office,
    life_situation: LifeSituation,
    django_assert_max_num_queries: Any,
    params: dict[str, str],
) -> None:
    birth = LifeSituation.objects.create(name="Geburt", slug="geburt")
    make_catalog(30, office, [life_situation, birth])

    small = count_queries(client, {**params, "page_size": "2"})
    with django_assert_max_num_queries(small):
        response = client.get(SERVICES, {**params, "page_size": "30"})
    results = response.json()["results"]
    assert len(results) == 30
    assert all(len(r["life_situations"]) == 2 and r["office"] for r in results)


def test_list_query_count_is_small(
    client: Any, office: Office, life_situation: LifeSituation, django_assert_max_num_queries: Any
) -> None:
    make_catalog(30, office, [life_situation])
    # count, page with its office, life situations of the page
    with django_assert_max_num_queries(3):
        assert len(client.get(SERVICES, {"page_size": "30"}).json()["results"]) == 30
