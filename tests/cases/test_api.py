"""The case API: scope, authentication (token, verified session), filters, transitions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, Channel, State
from tests.cases.citizen_helpers import (
    add_document,
    make_case,
    private_dir_fixture,  # noqa: F401 (the private_dir fixture)
)
from tests.conftest import make_service, make_user, verified_login

pytestmark = pytest.mark.usefixtures("private_dir")
LIST = "/api/v1/cases/"
JSON = "application/json"


@pytest.fixture
def other_office(db: None) -> Office:
    return Office.objects.create(name="Fachgruppe Ordnung", slug="ordnung")


@pytest.fixture
def cases(office: Office, other_office: Office, citizen: User) -> dict[str, Case]:
    service = make_service(office=office)
    return {
        "own": make_case(office, applicant=citizen, service_id=service.pk),
        "own_post": make_case(office, channel=Channel.POST, state=State.IN_REVIEW),
        "foreign": make_case(other_office, applicant=citizen),
    }


def token_client(user: User) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_anonymous_gets_401_with_error_body(client: Any, db: None) -> None:
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert client.get("/api/v1/me/cases/").status_code == 401


def test_clerk_lists_only_own_office(
    client: Any, clerk: User, cases: dict[str, Case], django_assert_max_num_queries: Any
) -> None:
    verified_login(client, clerk)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    body = response.json()
    references = {row["reference"] for row in body["results"]}
    assert references == {cases["own"].reference, cases["own_post"].reference}
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["reference"] == cases["own"].reference)
    assert row["service"]["leika_key"] == "99010004001000"
    assert row["office"] == {"slug": "buergerservice", "name": "Fachgruppe Bürgerservice"}
    assert row["version"] == 1
    assert "applicant_name" not in row  # lists carry no personal data
    assert "Access-Control-Allow-Origin" not in response
    assert "no-store" in response["Cache-Control"]


def test_filters(client: Any, clerk: User, cases: dict[str, Case]) -> None:
    verified_login(client, clerk)

    def refs(query: str) -> set[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs("state=in_review") == {cases["own_post"].reference}
    assert refs("channel=post") == {cases["own_post"].reference}
    assert refs("service=99010004001000") == {cases["own"].reference}
    assert refs("received_after=2000-01-01") == {
        cases["own"].reference,
        cases["own_post"].reference,
    }
    assert refs("received_before=2000-01-01") == set()
    assert len(refs("page_size=1")) == 1
    assert client.get(f"{LIST}?page_size=1").json()["next"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=offen", "state"),
        ("channel=brieftaube", "channel"),
        ("service=123", "service"),
        ("service=99999999999999", "service"),
        ("office=gibtsnicht", "office"),
        ("received_after=gestern", "received_after"),
        ("received_after=2026-02-01&received_before=2026-01-01", "received_before"),
    ],
)
def test_bad_filters_answer_400_naming_the_field(
    client: Any, clerk: User, cases: dict[str, Case], query: str, field: str
) -> None:
    verified_login(client, clerk)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [p["field"] for p in body["problems"]] == [field]


def test_unverified_staff_session_is_refused(
    client: Any, clerk: User, cases: dict[str, Case]
) -> None:
    client.force_login(clerk)  # password only, no second factor
    response = client.get(LIST)
    assert response.status_code == 403
    assert "zweiten Faktor" in response.json()["message"]
    assert client.get("/api/v1/me/cases/").status_code == 403


def test_token_works_for_machine_clients(clerk: User, cases: dict[str, Case]) -> None:
    api = token_client(clerk)
    response = api.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert "sessionid" not in response.cookies
    assert Client(HTTP_AUTHORIZATION="Token falsch").get(LIST).status_code == 401


def test_citizen_may_not_use_the_staff_api(
    client: Any, citizen: User, cases: dict[str, Case]
) -> None:
    client.force_login(citizen)
    assert client.get(LIST).status_code == 403
    detail = client.get(f"{LIST}{cases['own'].reference}/")
    assert detail.status_code == 403


def test_detail_with_documents_and_trail(
    client: Any, clerk: User, cases: dict[str, Case], django_assert_max_num_queries: Any
) -> None:
    verified_login(client, clerk)
    case = cases["own"]
    for number in range(5):
        add_document(case, title=f"Dokument {number}")
    with django_assert_max_num_queries(12):
        response = client.get(f"{LIST}{case.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["applicant_name"] == "Erika Mustermann"
    assert body["data"]["hund"] == "Bello"
    assert body["events"][0]["action"] == "created"
    assert len(body["documents"]) == 5
    assert len(body["documents"][0]["sha256"]) == 64
    assert body["allowed_states"] == ["in_review", "waiting", "decided", "closed"]
    foreign = client.get(f"{LIST}{cases['foreign'].reference}/")
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "not_found"


def test_transition_moves_the_case_and_writes_the_trail(
    client: Any, clerk: User, cases: dict[str, Case]
) -> None:
    verified_login(client, clerk)
    case = cases["own"]
    response = client.post(
        f"{LIST}{case.reference}/transition/",
        {"state": "in_review", "version": case.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "in_review"
    assert body["version"] == case.version + 1
    event = Case.objects.get(pk=case.pk).events.last()
    assert event is not None
    assert event.actor_id == clerk.pk
    assert event.after["state"] == "in_review"


def test_stale_version_answers_409(client: Any, clerk: User, cases: dict[str, Case]) -> None:
    verified_login(client, clerk)
    case = cases["own"]
    url = f"{LIST}{case.reference}/transition/"
    first = client.post(url, {"state": "in_review", "version": 1}, content_type="application/json")
    assert first.status_code == 200
    stale = client.post(url, {"state": "waiting", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict"
    assert case.reference in body["message"]
    assert body["problems"][0]["field"] == "version"
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_forbidden_transition_answers_409(client: Any, clerk: User, cases: dict[str, Case]) -> None:
    verified_login(client, clerk)
    case = cases["own"]
    url = f"{LIST}{case.reference}/transition/"
    response = client.post(url, {"state": "received", "version": 1}, content_type=JSON)
    assert response.status_code == 409
    body = response.json()
    assert body["problems"][0]["field"] == "state"
    assert "eingegangen" in body["message"]
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"state": "in_review"}, ["version"]),
        ({"version": 1}, ["state"]),
        ({"state": "fertig", "version": 1}, ["state"]),
        ({"state": "in_review", "version": "eins"}, ["version"]),
        ({"state": "in_review", "version": 0}, ["version"]),
    ],
)
def test_malformed_transition_answers_400_naming_the_field(
    client: Any, clerk: User, cases: dict[str, Case], payload: dict[str, Any], fields: list[str]
) -> None:
    verified_login(client, clerk)
    url = f"{LIST}{cases['own'].reference}/transition/"
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == fields


def test_broken_json_answers_400(client: Any, clerk: User, cases: dict[str, Case]) -> None:
    verified_login(client, clerk)
    url = f"{LIST}{cases['own'].reference}/transition/"
    response = client.post(url, "{state:", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_session_post_needs_csrf(clerk: User, cases: dict[str, Case]) -> None:
    browser = Client(enforce_csrf_checks=True)
    verified_login(browser, clerk)
    url = f"{LIST}{cases['own'].reference}/transition/"
    response = browser.post(
        url, json.dumps({"state": "in_review", "version": 1}), content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    # A token client is not a browser: no CSRF token needed.
    api = token_client(clerk)
    ok = api.post(url, {"state": "in_review", "version": 1}, content_type="application/json")
    assert ok.status_code == 200


def test_other_office_cannot_move_a_case(
    client: Any, other_office: Office, cases: dict[str, Case]
) -> None:
    stranger = make_user("ordnung", roles.CLERK, office=other_office)
    verified_login(client, stranger)
    url = f"{LIST}{cases['own'].reference}/transition/"
    response = client.post(url, {"state": "in_review", "version": 1}, content_type=JSON)
    assert response.status_code == 404
    assert Case.objects.get(pk=cases["own"].pk).state == State.RECEIVED


def test_administrator_sees_all_offices(cases: dict[str, Case], office: Office) -> None:
    admin = make_user("admin", roles.ADMINISTRATOR, office=office)
    assert token_client(admin).get(LIST).json()["count"] == 3


def test_my_cases_lists_only_the_own(
    client: Any, citizen: User, cases: dict[str, Case], django_assert_max_num_queries: Any
) -> None:
    neighbour = make_user("nachbar", roles.CITIZEN)
    make_case(cases["own"].office, applicant=neighbour)
    client.force_login(citizen)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/me/cases/")
    assert response.status_code == 200
    body = response.json()
    assert {row["reference"] for row in body["results"]} == {
        cases["own"].reference,
        cases["foreign"].reference,
    }
    row = body["results"][0]
    assert row["status"].startswith("Ihr Antrag")
    assert row["url"].endswith(f"/konto/antraege/{row['reference']}/")
    assert "data" not in row
    assert "events" not in row


def test_language_follows_accept_language(client: Any, db: None) -> None:
    response = client.get(LIST, headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response["Content-Language"] == "en"
