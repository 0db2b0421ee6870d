"""The OParl specification's examples load as fixtures, and Rathaus serves them validly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rathaus.core.errors import ValidationFailed
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from rathaus.oparl.fixtures import load_examples
from tests.oparl.test_server_support import (
    API,
    EXAMPLES_DIR,
    SCHEMA,
    OParlValidator,
    crawl,
    local,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def validator() -> OParlValidator:
    return OParlValidator()


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def served(client: Client, model: type, origin_url: str) -> dict[str, Any]:
    obj = model._default_manager.get(origin_url=origin_url)
    kind = model.__name__.lower()
    response = client.get(local(url(kind, obj.pk)))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_examples_load_and_the_whole_api_serves_them_validly(
    client: Client, validator: OParlValidator
) -> None:
    result = load_examples(directory=EXAMPLES_DIR)

    assert result.system.system_url == "https://oparl.example.org/"
    assert result.system.name == "Beispiel-System"
    for model, origin_url in [
        (Body, "https://oparl.example.org/body/0"),
        (Organization, "https://oparl.example.org/organization/34"),
        (Person, "https://oparl.example.org/person/29"),
        (Membership, "https://oparl.example.org/memberships/385"),
        (Meeting, "https://oparl.example.org/meeting/281"),
        (AgendaItem, "https://oparl.example.org/agendaitem/3271"),
        (Paper, "https://oparl.example.org/paper/749"),
        (Consultation, "https://oparl.example.org/consultation/47594"),
        (File, "https://oparl.example.org/files/57737"),
        (Location, "https://oparl.example.org/locations/29856"),
    ]:
        assert model._default_manager.filter(origin=result.system, origin_url=origin_url).exists()

    walked = crawl(client, validator)

    # Every example object is served, each as a mirrored object under Rathaus' own URL.
    origins = {
        obj.get("rathaus:originId") for obj in [*walked.objects.values(), *walked.embedded.values()]
    }
    for name in ("Body-01", "Organization-01", "Person-01", "Meeting-01", "Paper-01", "File-01"):
        assert example(name)["id"] in origins, name
    for obj in walked.objects.values():
        assert obj["id"].startswith(f"http://127.0.0.1:8000{API}")


def test_served_examples_keep_their_content(client: Client) -> None:
    load_examples(directory=EXAMPLES_DIR)

    paper = served(client, Paper, "https://oparl.example.org/paper/749")
    original = example("Paper-01")
    for key in ("name", "reference", "date", "paperType", "created", "modified"):
        assert paper[key] == original[key], key
    assert paper["rathaus:originId"] == original["id"]
    assert paper["consultation"][0]["role"] == "Beschlussfassung"
    assert paper["consultation"][0]["authoritative"] is False
    assert paper["mainFile"]["name"] == "Anlage 1 zur Anfrage"
    # The example's location holds a bare geometry: served as a GeoJSON Feature.
    assert paper["location"][0]["geojson"]["type"] == "Feature"
    assert paper["location"][0]["geojson"]["geometry"]["coordinates"] == [7.03291, 50.98249]
    assert len(paper["originatorPerson"]) == 2
    assert len(paper["relatedPaper"]) == 1

    person = served(client, Person, "https://oparl.example.org/person/29")
    assert person["name"] == "Prof. Dr. Max Mustermann"
    assert person["title"] == ["Prof.", "Dr."]
    assert [m["role"] for m in person["membership"]] == ["Vorsitzende", "Sachkundige Bürgerin"]
    assert person["membership"][1]["endDate"] == "2014-07-28"
    assert person["modified"] == "2012-08-16T14:05:27+02:00"

    meeting = served(client, Meeting, "https://oparl.example.org/meeting/281")
    assert meeting["start"] == "2013-01-04T08:00:00+01:00"
    assert meeting["agendaItem"][0]["result"] == "Geändert beschlossen"
    assert meeting["agendaItem"][0]["order"] == 0
    assert meeting["organization"] == [
        url(
            "organization", Organization.objects.get(origin_url=example("Organization-01")["id"]).pk
        )
    ]

    body = served(client, Body, "https://oparl.example.org/body/0")
    assert body["ags"] == "05315000"
    assert body["equivalent"] == example("Body-01")["equivalent"]
    assert body["legislativeTerm"][0]["name"] == "21. Wahlperiode"
    assert body["legislativeTerm"][0]["created"] == "2014-01-08T14:28:31+01:00"


def test_example_files_stay_on_their_server(client: Client) -> None:
    load_examples(directory=EXAMPLES_DIR)
    data = served(client, File, "https://oparl.example.org/files/57737")

    # File-01 names 57739 as its derivative, Paper-01 (loaded later) gives 57739 the master
    # 57738: the last statement wins, and 57738 is known only by that reference.
    derived = served(client, File, "https://oparl.example.org/files/57739")
    master = File.objects.get(origin_url="https://oparl.example.org/files/57738")
    assert derived["masterFile"] == url("file", master.pk)
    assert served(client, File, master.origin_url)["derivativeFile"] == [derived["id"]]
    access = client.get(local(data["accessUrl"]))
    assert access.status_code == 302
    assert access["Location"] == "https://oparl.example.org/files/57737.pdf"
    download = client.get(local(data["downloadUrl"]))
    assert download["Location"] == "https://oparl.example.org/files/download/57737.pdf"


def test_loading_twice_updates_instead_of_duplicating() -> None:
    load_examples(directory=EXAMPLES_DIR)
    counts = {
        m.__name__: m._default_manager.count() for m in (Body, Paper, File, Person, Membership)
    }
    load_examples(directory=EXAMPLES_DIR)
    assert {
        m.__name__: m._default_manager.count() for m in (Body, Paper, File, Person, Membership)
    } == counts


def test_a_broken_example_folder_is_rejected_whole(tmp_path: Path) -> None:
    for name in ("System-01.json", "Body-01.json"):
        shutil.copy(EXAMPLES_DIR / name, tmp_path / name)
    (tmp_path / "Paper-01.json").write_text('{"id": "https://oparl.example.org/paper/1",', "utf-8")

    with pytest.raises(ValidationFailed, match=r"Paper-01\.json"):
        load_examples(directory=tmp_path)
    assert not Body.objects.exists()  # nothing half-written

    with pytest.raises(ValidationFailed, match="keine OParl-Beispiele"):
        load_examples(directory=tmp_path / "leer")


def test_example_types_are_the_schemas_types(client: Client) -> None:
    load_examples(directory=EXAMPLES_DIR)
    response = client.get(f"{API}body/")
    data = json.loads(response.content)["data"]
    assert [b["type"] for b in data] == [SCHEMA + "Body"]
