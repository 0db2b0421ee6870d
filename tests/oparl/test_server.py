"""The OParl 1.1 server: every object it emits is valid, and it follows the spec's rules.

The crawler walks the whole API of a small council from the System object and validates each
object (embedded ones included) against the vendored OParl 1.1 JSON schemas.
"""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.council.models import Body, Consultation, File, Meeting, Paper, Person
from rathaus.oparl import selectors
from rathaus.oparl.models import RemoteSystem
from tests.conftest import make_user, verified_login
from tests.oparl.test_server_support import (
    API,
    EXAMPLES_DIR,
    PDF,
    SCHEMA,
    Council,
    OParlValidator,
    build_council,
    crawl,
    local,
    url,
)

pytestmark = pytest.mark.django_db

ERROR_TYPE = SCHEMA + "Error"
SINCE_2000 = "2000-01-01T00:00:00+01:00"


@pytest.fixture(scope="module")
def validator() -> OParlValidator:
    return OParlValidator()


@pytest.fixture
def council(settings: Any, tmp_path: Any) -> Council:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_council()


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def get_json(client: Client, path: str, status: int = 200, **query: Any) -> Any:
    response = client.get(path, query)
    assert response.status_code == status, (path, response.status_code, response.content[:400])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def ids(page: dict[str, Any]) -> list[str]:
    return [obj["id"] for obj in page["data"]]


# --- The validator itself ---------------------------------------------------------------


def test_validator_accepts_the_spec_examples_and_rejects_broken_objects(
    validator: OParlValidator,
) -> None:
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        example = json.loads(path.read_text(encoding="utf-8"))
        errors = validator.errors(example)
        if path.name == "Meeting-01.json":
            # The spec's own example predates `order` becoming required (OParl 1.1).
            missing_order = "agendaItem/0: 'order' is a required property"
            assert errors == [f"https://oparl.example.org/meeting/281: {missing_order}"]
        else:
            assert errors == [], path.name
    paper = json.loads((EXAMPLES_DIR / "Paper-01.json").read_text(encoding="utf-8"))
    # Errors deep inside embedded objects are found, through the schemas' references.
    paper["consultation"][0]["authoritative"] = "ja"
    paper["mainFile"].pop("accessUrl")
    paper["date"] = "04.04.2014"
    messages = "\n".join(validator.errors(paper))
    assert "consultation/0/authoritative" in messages
    assert "'accessUrl' is a required property" in messages
    assert "is not a 'date'" in messages


# --- Walking the whole API --------------------------------------------------------------


def test_crawl_from_the_system_object_reaches_every_public_object_and_validates_it(
    council: Council, client: Client, validator: OParlValidator
) -> None:
    # limit=2: every list has several pages, so the crawler follows `next` links too.
    result = crawl(client, validator, limit="2")

    for kind, pks in council.public_ids().items():
        type_name = {"legislativeterm": "LegislativeTerm", "agendaitem": "AgendaItem"}.get(
            kind, kind.capitalize()
        )
        assert result.ids_of(type_name) == {url(kind, pk) for pk in pks}, kind
    # Non-public objects are nowhere: not listed, not embedded, not referenced.
    everything = "\n".join(result.responses)
    for kind, pks in council.hidden().items():
        for pk in pks:
            assert f'"{url(kind, pk)}"' not in everything, (kind, pk)
            assert f'"{url(kind, pk)}/' not in everything, (kind, pk)
    # Without modified_since, deleted objects do not appear in lists or embeddings either.
    assert '"deleted":true' not in everything
    assert len(result.lists) > 20


def test_crawl_with_modified_since_lists_deleted_objects_as_valid_stubs(
    council: Council, client: Client, validator: OParlValidator
) -> None:
    result = crawl(client, validator, modified_since=SINCE_2000)

    stubs = {oid: obj for oid, obj in result.objects.items() if obj.get("deleted")}
    assert set(stubs) == {
        url("meeting", council.deleted_meeting.pk),
        url("paper", council.deleted_paper.pk),
        url("file", council.deleted_file.pk),
        url("membership", council.deleted_membership.pk),
    }
    for obj in stubs.values():
        required = {"id", "type", "deleted", "created", "modified"}
        extra = {"accessUrl"} if obj["type"] == SCHEMA + "File" else set()
        assert set(obj) == required | extra
    # The filter reaches every page of every list.
    assert all("modified_since=" in link for link in result.lists if "/body/1/" in link)
    # Deleted objects are still never embedded.
    for obj in result.embedded.values():
        assert "deleted" not in obj


# --- System and Body --------------------------------------------------------------------


def test_entry_point_is_the_system_object(council: Council, client: Client) -> None:
    system = get_json(client, API)

    assert system["id"] == f"{settings.SITE_URL}{API}"
    assert system["type"] == SCHEMA + "System"
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    assert system["body"] == f"{settings.SITE_URL}{API}body/"
    assert system["name"] == "Ratsinformationssystem Hansestadt Buxtehude"
    assert system["contactEmail"]
    assert {"website", "vendor", "product", "license"} <= set(system)


def test_body_embeds_its_legislative_terms_and_links_every_list(
    council: Council, client: Client
) -> None:
    body = get_json(client, local(url("body", council.body.pk)))

    base = url("body", council.body.pk)
    assert body["organization"] == f"{base}/organization"
    assert body["locationList"] == f"{base}/location"
    assert body["legislativeTermList"] == f"{base}/legislativeterm"
    for name in ("person", "meeting", "paper", "agendaItem", "consultation", "file", "membership"):
        assert body[name] == f"{base}/{name.lower()}"
    terms = body["legislativeTerm"]
    assert [t["name"] for t in terms] == ["Wahlperiode 2021–2026", "Wahlperiode 2016–2021"]
    assert all("body" not in t for t in terms)  # no back reference when embedded
    term = get_json(client, local(terms[0]["id"]))
    assert term["body"] == base


def test_lists_of_a_body_hold_only_that_bodys_objects(council: Council, client: Client) -> None:
    remote = RemoteSystem.objects.create(system_url="https://ris.example.com/")
    other = Body.objects.create(
        name="Landkreis Stade", origin=remote, origin_url="https://ris.example.com/b/1"
    )
    foreign = Paper.objects.create(body=other, name="Kreistagsvorlage")

    ours = get_json(client, local(url("body", council.body.pk)) + "/paper")
    theirs = get_json(client, local(url("body", other.pk)) + "/paper")

    assert url("paper", foreign.pk) not in ids(ours)
    assert ids(theirs) == [url("paper", foreign.pk)]
    bodies = get_json(client, f"{API}body/")
    assert ids(bodies) == [url("body", council.body.pk), url("body", other.pk)]
    assert bodies["data"][1]["rathaus:originId"] == "https://ris.example.com/b/1"


# --- Embedded objects and references ----------------------------------------------------


def test_meeting_embeds_public_agenda_items_files_and_location(
    council: Council, client: Client
) -> None:
    meeting = get_json(client, local(url("meeting", council.meeting.pk)))

    items = meeting["agendaItem"]
    assert [i["id"] for i in items] == [url("agendaitem", i.pk) for i in council.items]
    assert all("meeting" not in i for i in items)
    assert items[1]["consultation"] == url("consultation", council.consultations[0].pk)
    assert items[1]["resolutionFile"]["id"] == url("file", council.paper_file.pk)
    assert [f["id"] for f in items[1]["auxiliaryFile"]] == [url("file", council.attachment.pk)]
    assert meeting["invitation"]["id"] == url("file", council.invitation.pk)
    assert meeting["resultsProtocol"]["id"] == url("file", council.protocol.pk)
    # Neither the non-public nor the deleted attachment is embedded.
    assert [f["id"] for f in meeting["auxiliaryFile"]] == [url("file", council.attachment.pk)]
    assert "text" not in meeting["invitation"]  # the file's text only on the File itself
    assert meeting["location"]["geojson"]["geometry"]["coordinates"] == [9.6992, 53.4769]
    assert "meetings" not in meeting["location"]  # embedded: no back references
    assert meeting["organization"] == [url("organization", council.council.pk)]
    assert meeting["participant"] == [url("person", p.pk) for p in council.persons[:2]]
    assert meeting["start"] == "2025-03-10T18:00:00+01:00"
    assert meeting["web"] == settings.SITE_URL + council.meeting.get_absolute_url()

    item = get_json(client, local(items[1]["id"]))
    assert item["meeting"] == url("meeting", council.meeting.pk)
    assert item["order"] == 1


def test_paper_embeds_consultations_files_and_locations(council: Council, client: Client) -> None:
    paper = get_json(client, local(url("paper", council.paper.pk)))

    assert paper["mainFile"]["id"] == url("file", council.paper_file.pk)
    assert [f["id"] for f in paper["auxiliaryFile"]] == [
        url("file", council.attachment.pk),
        url("file", council.remote_file.pk),
    ]
    # The hall's geometry was stored bare; OParl wants a Feature.
    assert paper["location"][0]["geojson"] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [9.6871, 53.4702]},
        "properties": {},
    }
    # Related papers: only the visible, undeleted one.
    assert paper["relatedPaper"] == [url("paper", council.inquiry.pk)]
    assert paper["subordinatedPaper"] == [url("paper", council.inquiry.pk)]
    assert paper["underDirectionOf"] == [url("organization", council.finance.pk)]
    decided, prepared = paper["consultation"]
    assert "paper" not in decided
    assert decided["meeting"] == url("meeting", council.meeting.pk)
    assert decided["agendaItem"] == url("agendaitem", council.items[1].pk)
    assert decided["authoritative"] is True
    # Consulted in a non-public meeting: the consultation is public, the meeting is not named.
    assert prepared["role"] == "Vorberatung"
    assert "meeting" not in prepared
    assert "agendaItem" not in prepared
    assert prepared["organization"] == [url("organization", council.finance.pk)]
    consultation = get_json(client, local(decided["id"]))
    assert consultation["paper"] == url("paper", council.paper.pk)

    inquiry = get_json(client, local(url("paper", council.inquiry.pk)))
    # The answer to an inquiry is one of its files.
    assert [f["id"] for f in inquiry["auxiliaryFile"]] == [url("file", council.protocol.pk)]
    assert inquiry["originatorPerson"] == [url("person", council.persons[0].pk)]
    assert inquiry["superordinatedPaper"] == [url("paper", council.paper.pk)]


def test_file_names_what_uses_it_but_nothing_hidden(council: Council, client: Client) -> None:
    attachment = get_json(client, local(url("file", council.attachment.pk)))

    assert attachment["meeting"] == [url("meeting", council.meeting.pk)]
    assert attachment["agendaItem"] == [url("agendaitem", council.items[1].pk)]
    assert attachment["paper"] == [url("paper", council.paper.pk)]
    assert attachment["derivativeFile"] == [url("file", council.derivative.pk)]
    assert attachment["text"] == "Anlage zum Haushalt"
    assert attachment["size"] == len(PDF)
    derivative = get_json(client, local(url("file", council.derivative.pk)))
    assert derivative["masterFile"] == url("file", council.attachment.pk)
    protocol = get_json(client, local(url("file", council.protocol.pk)))
    assert protocol["meeting"] == [url("meeting", council.meeting.pk)]
    assert protocol["paper"] == [url("paper", council.inquiry.pk)]
    assert protocol["sha512Checksum"] == "ab" * 64


def test_person_embeds_memberships_and_location(council: Council, client: Client) -> None:
    anna = get_json(client, local(url("person", council.persons[0].pk)))

    assert [m["organization"] for m in anna["membership"]] == [
        url("organization", council.council.pk),
        url("organization", council.spd.pk),
    ]
    assert all("person" not in m for m in anna["membership"])
    assert anna["location"] == url("location", council.office.pk)
    assert anna["locationObject"]["id"] == anna["location"]
    assert anna["title"] == ["Dr."]
    assert anna["web"] == settings.SITE_URL + council.persons[0].get_absolute_url()
    # Leyla's second membership is deleted: not embedded.
    leyla = get_json(client, local(url("person", council.persons[2].pk)))
    assert [m["id"] for m in leyla["membership"]] == [url("membership", council.memberships[4].pk)]
    assert leyla["membership"][0]["votingRight"] is False
    membership = get_json(client, local(url("membership", council.memberships[2].pk)))
    assert membership["person"] == url("person", council.persons[1].pk)
    assert membership["onBehalfOf"] == url("organization", council.cdu.pk)


def test_location_names_its_users(council: Council, client: Client) -> None:
    hall = get_json(client, local(url("location", council.hall.pk)))
    # The non-public meeting in the hall is not named.
    assert hall["papers"] == [url("paper", council.paper.pk)]
    assert "meetings" not in hall
    rathaus = get_json(client, local(url("location", council.rathaus.pk)))
    assert rathaus["meetings"] == [url("meeting", council.meeting.pk)]
    assert rathaus["organizations"] == [url("organization", council.council.pk)]


def test_organization_lists_its_meetings_and_consultations(
    council: Council, client: Client
) -> None:
    organization = get_json(client, local(url("organization", council.finance.pk)))
    assert organization["subOrganizationOf"] == url("organization", council.council.pk)
    assert organization["membership"] == [
        url("membership", council.memberships[2].pk),
        url("membership", council.memberships[4].pk),
    ]
    # The finance committee's only meeting is non-public.
    assert ids(get_json(client, local(organization["meeting"]))) == []
    consultations = get_json(client, local(organization["consultation"]))
    assert ids(consultations) == [url("consultation", council.consultations[1].pk)]
    council_meetings = get_json(client, local(url("organization", council.council.pk)) + "/meeting")
    assert ids(council_meetings) == [url("meeting", council.meeting.pk)]


def test_mirrored_objects_are_served_under_our_ids(council: Council, client: Client) -> None:
    person = get_json(client, local(url("person", council.mirrored_person.pk)))

    assert person["id"] == url("person", council.mirrored_person.pk)
    assert person["rathaus:originId"] == "https://ris.example.net/oparl/v1.1/person/4711"
    own = get_json(client, local(url("person", council.persons[1].pk)))
    assert "rathaus:originId" not in own


def test_ids_do_not_depend_on_the_host_of_the_request(council: Council) -> None:
    one = get_json(Client(HTTP_HOST="127.0.0.1"), f"{API}body/")
    other = get_json(Client(HTTP_HOST="localhost"), f"{API}body/")
    assert one == other
    assert one["data"][0]["id"].startswith(settings.SITE_URL)


# --- omit_internal ----------------------------------------------------------------------


def test_omit_internal_leaves_out_the_internal_lists_the_spec_names(
    council: Council, client: Client, validator: OParlValidator
) -> None:
    meetings = get_json(
        client, local(url("body", council.body.pk)) + "/meeting", omit_internal="true"
    )
    papers = get_json(client, local(url("body", council.body.pk)) + "/paper", omit_internal="true")
    persons = get_json(
        client, local(url("body", council.body.pk)) + "/person", omit_internal="true"
    )
    items = get_json(
        client, local(url("body", council.body.pk)) + "/agendaitem", omit_internal="true"
    )
    bodies = get_json(client, f"{API}body/", omit_internal="true")

    meeting = meetings["data"][0]
    assert "agendaItem" not in meeting
    assert "auxiliaryFile" not in meeting
    assert meeting["invitation"]["id"] == url("file", council.invitation.pk)  # not a list
    paper = next(p for p in papers["data"] if p["id"] == url("paper", council.paper.pk))
    assert "auxiliaryFile" not in paper
    assert "location" not in paper
    assert len(paper["consultation"]) == 2  # not among the lists omit_internal names
    assert all("membership" not in p for p in persons["data"])
    assert all("auxiliaryFile" not in i for i in items["data"])
    # Body.legislativeTerm is required by the schema; omit_internal only permits leaving out.
    assert bodies["data"][0]["legislativeTerm"]
    for page in (meetings, papers, persons, items, bodies):
        assert "omit_internal=true" in page["links"]["self"]
        for obj in page["data"]:
            validator.check(obj)
    full = get_json(client, local(url("body", council.body.pk)) + "/meeting")
    assert full["data"][0]["agendaItem"]


# --- Lists: pagination and filters ------------------------------------------------------


def test_pagination_walks_the_list_in_id_order_with_the_filters_in_every_link(
    council: Council, client: Client, list_reading: str
) -> None:
    first = get_json(
        client, local(url("body", council.body.pk)) + "/file", limit="2", modified_since=SINCE_2000
    )

    assert first["pagination"] == {
        "totalElements": 7,  # six public files and the deleted one (modified_since is given)
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 4,
    }
    assert "prev" not in first["links"]
    seen = ids(first)
    page = first
    while "next" in page["links"]:
        link = page["links"]["next"]
        query = parse_qs(urlsplit(link).query)
        assert query["modified_since"] == [SINCE_2000]
        assert query["limit"] == ["2"]
        for other in page["links"].values():
            assert "modified_since=2000-01-01T00%3A00%3A00%2B01%3A00" in other
            assert other.startswith(settings.SITE_URL + API)
        page = get_json(client, local(link))
        assert page["links"]["prev"]
        seen += ids(page)
    assert page["pagination"]["currentPage"] == 4
    assert page["links"]["self"] == page["links"]["last"]
    expected = sorted([*council.public_ids()["file"], council.deleted_file.pk])
    assert seen == [url("file", pk) for pk in expected]


@pytest.fixture(params=["short", "long"])
def list_reading(request: Any, monkeypatch: Any) -> str:
    """Run a test with short lists read whole and with every list read page by page."""
    if request.param == "long":
        monkeypatch.setattr(selectors, "SHORT_LIST", 0)
    return str(request.param)


def _papers(council: Council, n: int) -> list[int]:
    return [Paper.objects.create(body=council.body, name=f"Vorlage {i}").pk for i in range(n)]


def test_next_and_prev_links_walk_the_same_pages_as_page_numbers(
    council: Council, client: Client, list_reading: str
) -> None:
    _papers(council, 23)
    path = local(url("body", council.body.pk)) + "/paper"
    by_number = [
        ids(get_json(client, path, limit="5", page=str(n))) for n in range(1, 6)
    ]  # 25 papers: pages 4 and 5 are read from the end of the list

    forward, page = [], get_json(client, path, limit="5")
    forward.append(ids(page))
    while "next" in page["links"]:
        assert "after=" in page["links"]["next"]
        page = get_json(client, local(page["links"]["next"]))
        forward.append(ids(page))
    backward = [ids(page)]
    while "prev" in page["links"]:
        assert "before=" in page["links"]["prev"]
        page = get_json(client, local(page["links"]["prev"]))
        backward.append(ids(page))

    assert forward == by_number
    assert backward == by_number[::-1]
    walked = [oid for page_ids in by_number for oid in page_ids]
    assert walked == sorted(walked, key=lambda oid: int(oid.rsplit("/", 1)[1]))
    assert len(set(walked)) == 25


def test_walking_by_next_links_misses_nothing_while_objects_come_and_go(
    council: Council, client: Client, list_reading: str
) -> None:
    _papers(council, 8)
    path = local(url("body", council.body.pk)) + "/paper"
    first = get_json(client, path, limit="5")
    # Meanwhile a paper on the first page is depublished and a new one is added.
    Paper.objects.filter(pk=council.paper.pk).update(is_public=False)
    added = Paper.objects.create(body=council.body, name="Neu").pk

    seen, page = ids(first), first
    while "next" in page["links"]:
        page = get_json(client, local(page["links"]["next"]))
        seen += ids(page)

    expected = {
        url("paper", pk)
        for pk in Paper.objects.filter(is_public=True, deleted=False).values_list("pk", flat=True)
    }
    assert expected - set(seen) == set()  # page numbers would have skipped one
    assert url("paper", added) in seen
    assert len(seen) == len(set(seen))


def test_cursors_are_checked(council: Council, client: Client) -> None:
    path = local(url("body", council.body.pk)) + "/paper"
    error = get_json(client, path, status=400, after="1", before="9")
    assert "after" in error["message"]
    assert "before" in error["message"]
    error = get_json(client, path, status=400, after="x")
    assert error["debug"]["parameter"] == "after"


def test_created_and_modified_filters_are_inclusive_bounds(
    council: Council, client: Client
) -> None:
    tz = timezone.get_current_timezone()
    old = datetime.datetime(2020, 5, 1, 12, 0, tzinfo=tz)
    Paper.objects.filter(pk=council.inquiry.pk).update(created=old, modified=old)
    papers = local(url("body", council.body.pk)) + "/paper"

    assert ids(get_json(client, papers, created_until="2020-05-01T12:00:00+02:00")) == [
        url("paper", council.inquiry.pk)
    ]
    assert ids(get_json(client, papers, created_since="2020-05-01T12:00:01+02:00")) == [
        url("paper", council.paper.pk)
    ]
    assert ids(
        get_json(
            client,
            papers,
            modified_since="2020-05-01T10:00:00Z",
            modified_until="2020-05-01T10:00:00+00:00",
        )
    ) == [url("paper", council.inquiry.pk)]


def test_an_unencoded_plus_in_a_date_is_understood(council: Council, client: Client) -> None:
    # "+01:00" typed into a URL arrives as " 01:00"; the client clearly meant the offset.
    response = client.get(f"{API}body/?modified_since=2000-01-01T00:00:00+01:00")
    assert response.status_code == 200
    assert "modified_since=2000-01-01T00%3A00%3A00%2B01%3A00" in response.json()["links"]["self"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"created_since": "gestern"}, "created_since"),
        ({"created_until": "2024-13-01T00:00:00+01:00"}, "created_until"),
        ({"modified_since": "2024-01-01T00:00:00"}, "modified_since"),  # no time zone
        ({"modified_until": "2024-01-01T25:00:00+01:00"}, "modified_until"),
        ({"limit": "viele"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"page": "-1"}, "page"),
        ({"omit_internal": "vielleicht"}, "omit_internal"),
    ],
)
def test_bad_parameters_answer_400_with_an_error_naming_the_parameter(
    council: Council, client: Client, query: dict[str, str], parameter: str
) -> None:
    error = get_json(client, local(url("body", council.body.pk)) + "/paper", status=400, **query)

    assert error["type"] == ERROR_TYPE
    assert parameter in error["message"]
    assert error["debug"]["parameter"] == parameter


def test_a_page_past_the_end_is_404_and_limit_is_capped(
    council: Council, client: Client, list_reading: str
) -> None:
    papers = local(url("body", council.body.pk)) + "/paper"
    error = get_json(client, papers, status=404, page="3")
    assert error["type"] == ERROR_TYPE
    assert "Seite 3" in error["message"]

    page = get_json(client, papers, limit="100000")
    assert page["pagination"]["elementsPerPage"] == 500
    assert "limit=500" in page["links"]["self"]
    default = get_json(client, papers)
    assert default["pagination"]["elementsPerPage"] == 100
    assert "limit=" not in default["links"]["self"]


def test_empty_list_has_one_page(council: Council, client: Client) -> None:
    page = get_json(
        client, local(url("body", council.body.pk)) + "/paper", created_since="2100-01-01T00:00:00Z"
    )
    assert page["data"] == []
    assert page["pagination"]["totalElements"] == 0
    assert page["pagination"]["totalPages"] == 1
    assert "next" not in page["links"]


# --- Non-public, deleted and unknown objects --------------------------------------------


def test_non_public_objects_are_404_for_everybody(council: Council, client: Client) -> None:
    for kind, pks in council.hidden().items():
        for pk in pks:
            error = get_json(client, local(url(kind, pk)), status=404)
            assert error["type"] == ERROR_TYPE
            assert str(pk) in error["message"]
    for suffix in ("access", "download"):
        response = client.get(local(url("file", council.secret_file.pk)) + f"/{suffix}")
        assert response.status_code == 404
        assert response.json()["type"] == ERROR_TYPE


def test_signed_in_council_office_gets_the_same_anonymous_answers(
    council: Council, client: Client
) -> None:
    # The council office sees non-public papers on the citizen pages; the API has no
    # sessions, so even its signed-in client gets exactly what everybody gets.
    verified_login(client, make_user("ratsbuero", roles.COUNCIL_OFFICE))
    get_json(client, local(url("paper", council.secret_paper.pk)), status=404)
    papers = get_json(client, local(url("body", council.body.pk)) + "/paper")
    assert url("paper", council.secret_paper.pk) not in ids(papers)
    response = client.get(API)
    assert not response.cookies


def test_non_public_objects_do_not_count_in_lists(council: Council, client: Client) -> None:
    papers = get_json(client, local(url("body", council.body.pk)) + "/paper")
    assert papers["pagination"]["totalElements"] == 2
    meetings = get_json(client, local(url("body", council.body.pk)) + "/meeting")
    assert meetings["pagination"]["totalElements"] == 1
    items = get_json(client, local(url("body", council.body.pk)) + "/agendaitem")
    assert ids(items) == [url("agendaitem", i.pk) for i in council.items]


def test_deleted_objects_answer_200_with_a_stub(council: Council, client: Client) -> None:
    stub = get_json(client, local(url("paper", council.deleted_paper.pk)))

    assert stub["deleted"] is True
    assert set(stub) == {"id", "type", "deleted", "created", "modified"}
    assert stub["type"] == SCHEMA + "Paper"
    listed = get_json(client, local(url("body", council.body.pk)) + "/paper")
    assert url("paper", council.deleted_paper.pk) not in ids(listed)
    changed = get_json(
        client, local(url("body", council.body.pk)) + "/paper", modified_since=SINCE_2000
    )
    assert url("paper", council.deleted_paper.pk) in ids(changed)


def test_a_deleted_non_public_object_stays_invisible(council: Council, client: Client) -> None:
    Paper.objects.filter(pk=council.secret_paper.pk).update(deleted=True)
    get_json(client, local(url("paper", council.secret_paper.pk)), status=404)
    changed = get_json(
        client, local(url("body", council.body.pk)) + "/paper", modified_since=SINCE_2000
    )
    assert url("paper", council.secret_paper.pk) not in ids(changed)


def test_deleted_files_are_gone(council: Council, client: Client) -> None:
    stub = get_json(client, local(url("file", council.deleted_file.pk)))
    assert stub["deleted"] is True

    for link in (stub["accessUrl"], local(stub["accessUrl"])[:-6] + "download"):
        response = client.get(local(link) if link.startswith("http") else link)
        assert response.status_code == 410
        assert response.json()["type"] == ERROR_TYPE
        assert response["Access-Control-Allow-Origin"] == "*"


def test_unknown_ids_and_addresses_are_oparl_errors(council: Council, client: Client) -> None:
    for kind in ("body", "paper", "meeting", "file", "location", "consultation"):
        error = get_json(client, f"{API}{kind}/999999", status=404)
        assert error == {
            "type": ERROR_TYPE,
            "message": error["message"],
            "debug": {"type": error["debug"]["type"], "id": 999999},
        }
    get_json(client, f"{API}body/999999/paper", status=404)
    get_json(client, f"{API}organization/999999/meeting", status=404)
    error = get_json(client, f"{API}drucksache/1", status=404)
    assert "/oparl/v1.1/drucksache/1" in error["message"]


def test_a_non_canonical_address_redirects_permanently(council: Council, client: Client) -> None:
    paper = local(url("paper", council.paper.pk))
    response = client.get(f"{paper}/")
    assert response.status_code == 301
    assert response["Location"] == paper
    response = client.get(f"{API}body?limit=5")
    assert response.status_code == 301
    assert response["Location"] == f"{API}body/?limit=5"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_file_whose_content_went_missing_is_404(council: Council, client: Client) -> None:
    council.invitation.content.delete(save=False)
    error = get_json(client, local(url("file", council.invitation.pk)) + "/download", status=404)
    assert "nicht auffindbar" in error["message"]


# --- Files ------------------------------------------------------------------------------


def test_access_url_serves_inline_and_download_url_as_attachment(
    council: Council, client: Client
) -> None:
    data = get_json(client, local(url("file", council.invitation.pk)))

    access = client.get(local(data["accessUrl"]))
    assert access.status_code == 200
    assert b"".join(access.streaming_content) == PDF
    assert access["Content-Type"] == "application/pdf"
    assert not access["Content-Disposition"].startswith("attachment")
    assert access["Access-Control-Allow-Origin"] == "*"
    assert access["Last-Modified"]

    download = client.get(local(data["downloadUrl"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="Einladung Rat.pdf"'
    assert download["Content-Length"] == str(len(PDF))


def test_a_file_kept_on_the_remote_system_redirects_there(council: Council, client: Client) -> None:
    data = get_json(client, local(url("file", council.remote_file.pk)))

    access = client.get(local(data["accessUrl"]))
    assert access.status_code == 302
    assert access["Location"] == "https://ris.example.net/files/17.pdf"
    download = client.get(local(data["downloadUrl"]))
    assert download["Location"] == "https://ris.example.net/files/17/download"


def test_a_file_without_content_has_no_download_url(council: Council, client: Client) -> None:
    empty = File.objects.create(name="Nur Metadaten")
    Meeting.objects.get(pk=council.meeting.pk).auxiliary_files.add(empty)
    data = get_json(client, local(url("file", empty.pk)))

    assert "downloadUrl" not in data
    error = get_json(client, local(data["accessUrl"]), status=404)
    assert "kein Inhalt" in error["message"]


# --- HTTP: methods, headers, no cookies -------------------------------------------------


def test_every_answer_is_json_with_cors_and_without_cookies(
    council: Council, client: Client
) -> None:
    paths = [
        API,
        f"{API}body/",
        local(url("body", council.body.pk)) + "/paper",
        local(url("paper", council.paper.pk)),
        local(url("paper", council.secret_paper.pk)),  # 404
        local(url("body", council.body.pk)) + "/paper?created_since=x",  # 400
    ]
    for path in paths:
        for method in (client.get, client.head):
            response = method(path)
            assert response["Content-Type"] == "application/json; charset=utf-8", path
            assert response["Access-Control-Allow-Origin"] == "*", path
            assert not response.cookies, path
            assert "Cookie" not in response.get("Vary", ""), path
    head = client.head(API)
    assert head.status_code == 200
    assert head.content == b""


def test_options_answers_which_methods_are_allowed(council: Council, client: Client) -> None:
    response = client.options(local(url("paper", council.paper.pk)))

    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_methods_answer_405_with_an_error_object(
    council: Council, client: Client, method: str
) -> None:
    response = getattr(client, method)(local(url("paper", council.paper.pk)))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    error = response.json()
    assert error["type"] == ERROR_TYPE
    assert method.upper() in error["message"]
    assert Paper.objects.filter(pk=council.paper.pk).exists()


# --- Query counts -----------------------------------------------------------------------


def _more_data(council: Council, n: int) -> None:
    """n more of everything, each with the relations a page has to load."""
    for i in range(n):
        file = File.objects.create(name=f"Anlage {i}", text="Text")
        meeting = Meeting.objects.create(
            name=f"Sitzung {i}", location=council.rathaus, invitation=file
        )
        meeting.organizations.set([council.council])
        meeting.auxiliary_files.set([file])
        meeting.participants.set(council.persons)
        item = meeting.agenda_items.create(name=f"TOP {i}", order=0)
        item.auxiliary_files.set([file])
        paper = Paper.objects.create(body=council.body, name=f"Vorlage {i}", main_file=file)
        paper.auxiliary_files.set([file])
        paper.locations.set([council.hall])
        paper.related_papers.set([council.paper])
        paper.originator_persons.set(council.persons)
        consultation = Consultation.objects.create(paper=paper, meeting=meeting, agenda_item=item)
        consultation.organizations.set([council.council])
        person = Person.objects.create(
            body=council.body, name=f"Person {i}", location=council.office
        )
        person.memberships.create(organization=council.council)


@pytest.mark.parametrize(
    "kind",
    [
        "paper",
        "meeting",
        "agendaitem",
        "consultation",
        "file",
        "person",
        "membership",
        "location",
        "organization",
        "legislativeterm",
    ],
)
def test_list_pages_need_the_same_number_of_queries_however_many_objects(
    council: Council, client: Client, kind: str
) -> None:
    path = local(url("body", council.body.pk)) + f"/{kind}"
    _more_data(council, 3)
    with CaptureQueriesContext(connection) as before:
        small = get_json(client, path)
    _more_data(council, 20)
    cache.clear()  # both pages count afresh
    with CaptureQueriesContext(connection) as after:
        large = get_json(client, path)

    if kind not in ("location", "organization", "legislativeterm"):
        assert len(large["data"]) >= len(small["data"]) + 20
    assert len(after.captured_queries) == len(before.captured_queries), [
        q["sql"][:120] for q in after.captured_queries
    ]


def test_a_page_of_100_papers_takes_at_most_a_handful_of_queries(
    council: Council, client: Client, django_assert_max_num_queries: Any
) -> None:
    _more_data(council, 40)
    path = local(url("body", council.body.pk)) + "/paper"
    # body check, table state, count, page ids, papers, consultations, references, files,
    # locations
    with django_assert_max_num_queries(9):
        page = get_json(client, path)
    assert len(page["data"]) == 42
    # The next page of the same list reuses the count while the table is unchanged.
    with CaptureQueriesContext(connection) as again:
        get_json(client, path)
    assert not any("COUNT(" in q["sql"] for q in again.captured_queries)


def test_the_count_follows_every_change_through_the_orm(council: Council, client: Client) -> None:
    path = local(url("body", council.body.pk)) + "/paper"
    assert get_json(client, path)["pagination"]["totalElements"] == 2

    added = Paper.objects.create(body=council.body, name="Neue Vorlage")
    assert get_json(client, path)["pagination"]["totalElements"] == 3
    added.deleted = True
    added.save()
    assert get_json(client, path)["pagination"]["totalElements"] == 2
    council.secret_paper.is_public = True
    council.secret_paper.save()
    assert get_json(client, path)["pagination"]["totalElements"] == 3
