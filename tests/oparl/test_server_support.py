"""Helpers for the OParl server tests: a small realistic council, the schema validator, a crawler.

No tests here; the test modules build on these.
"""

from __future__ import annotations

import datetime
import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from rathaus.oparl import conformance
from rathaus.oparl.models import RemoteSystem

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "tests" / "fixtures" / "oparl" / "examples"
SCHEMA = conformance.SCHEMA
API = "/oparl/v1.1/"
PDF = b"%PDF-1.4\n% Rathaus test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- Schema validation ------------------------------------------------------------------


class OParlValidator(conformance.OParlValidator):
    def check(self, obj: dict[str, Any]) -> None:
        problems = self.errors(obj) + conventions(obj)
        assert not problems, "\n".join(problems)


def conventions(obj: Any, path: str = "") -> list[str]:
    """What the schemas do not say but the OParl text does, checked on every (nested) object.

    No `null` values; `created` and `modified` on every object, embedded ones too (OParl 1.1);
    ids are absolute URLs on the configured site.
    """
    problems: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if value is None:
                problems.append(f"{path}/{key} is null")
            problems += conventions(value, f"{path}/{key}")
        if "type" in obj and str(obj["type"]).startswith(SCHEMA) and "id" in obj:
            if obj["type"] != SCHEMA + "System":
                for name in ("created", "modified"):
                    if name not in obj:
                        problems.append(f"{obj['id']} has no {name}")
            if not str(obj["id"]).startswith(settings.SITE_URL + API):
                problems.append(f"{obj['id']} is not an absolute URL of this site")
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            problems += conventions(value, f"{path}/{index}")
    return problems


# --- Crawler ----------------------------------------------------------------------------


def local(url: str) -> str:
    """An absolute API URL as the test client wants it (path and query)."""
    assert url.startswith(settings.SITE_URL + API), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def is_api_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(settings.SITE_URL + API)


def _links_in(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [url for value in obj.values() for url in _links_in(value)]
    if isinstance(obj, list):
        return [url for value in obj for url in _links_in(value)]
    return [obj] if is_api_url(obj) else []


@dataclass
class Crawl:
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> top-level object
    embedded: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> embedded object
    lists: set[str] = field(default_factory=set)
    responses: list[str] = field(default_factory=list)  # every body, for "never shown" checks

    def ids_of(self, type_name: str) -> set[str]:
        return {oid for oid, obj in self.objects.items() if obj["type"] == SCHEMA + type_name}


def _collect_embedded(obj: Any, crawl: Crawl, top: bool = True) -> None:
    if isinstance(obj, dict):
        if not top and "id" in obj and "type" in obj:
            crawl.embedded[obj["id"]] = obj
        for value in obj.values():
            _collect_embedded(value, crawl, top=False)
    elif isinstance(obj, list):
        for value in obj:
            _collect_embedded(value, crawl, top=False)


def crawl(client: Client, validator: OParlValidator, start: str = API, **query: str) -> Crawl:
    """Walk the API from the System object along every link; validate everything seen.

    `query` is added to the first page of every list (later pages must carry it themselves:
    the crawler follows `links` as given). File contents (accessUrl, downloadUrl) are not
    JSON and are checked elsewhere.
    """
    result = Crawl()
    queue: deque[str] = deque([start])
    seen: set[str] = set()

    def follow(obj: dict[str, Any]) -> None:
        for link in _links_in(obj):
            if link.endswith(("/access", "/download")) or link == obj.get("id"):
                continue
            target = local(link)
            if query and _is_list(link):
                target += ("&" if "?" in target else "?") + urlencode(query)
            queue.append(target)
        queue.append(local(obj["id"]))  # every object is also fetched on its own

    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        assert response["Content-Type"] == "application/json; charset=utf-8", url
        assert response["Access-Control-Allow-Origin"] == "*", url
        text = response.content.decode()
        result.responses.append(text)
        data = json.loads(text)
        if "data" in data:
            result.lists.add(url)
            assert set(data) == {"data", "pagination", "links"}, url
            for obj in data["data"]:
                validator.check(obj)
                result.objects.setdefault(obj["id"], obj)
                _collect_embedded(obj, result)
                follow(obj)
            queue.extend(local(link) for link in data["links"].values())
        else:
            validator.check(data)
            result.objects[data["id"]] = data
            _collect_embedded(data, result)
            follow(data)
    return result


def _is_list(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or path.rsplit("/", 1)[-1].isalpha()


# --- A small council --------------------------------------------------------------------


@dataclass
class Council:
    body: Body
    term: LegislativeTerm
    old_term: LegislativeTerm
    rathaus: Location
    hall: Location
    office: Location
    council: Organization
    finance: Organization
    spd: Organization
    cdu: Organization
    persons: list[Person]
    memberships: list[Membership]
    deleted_membership: Membership
    invitation: File
    protocol: File
    attachment: File
    derivative: File
    secret_file: File
    deleted_file: File
    remote_file: File
    paper_file: File
    meeting: Meeting
    items: list[AgendaItem]
    secret_item: AgendaItem
    secret_meeting: Meeting
    deleted_meeting: Meeting
    paper: Paper
    inquiry: Paper
    secret_paper: Paper
    deleted_paper: Paper
    consultations: list[Consultation]
    secret_consultation: Consultation
    mirrored_person: Person

    def public_ids(self) -> dict[str, list[int]]:
        """What anonymous readers may see, by URL segment (deleted objects left out)."""
        return {
            "body": [self.body.pk],
            "legislativeterm": [self.term.pk, self.old_term.pk],
            "location": [self.rathaus.pk, self.hall.pk, self.office.pk],
            "organization": [o.pk for o in (self.council, self.finance, self.spd, self.cdu)],
            "person": [p.pk for p in [*self.persons, self.mirrored_person]],
            "membership": [m.pk for m in self.memberships],
            "file": [
                f.pk
                for f in (
                    self.invitation,
                    self.protocol,
                    self.attachment,
                    self.derivative,
                    self.remote_file,
                    self.paper_file,
                )
            ],
            "meeting": [self.meeting.pk],
            "agendaitem": [i.pk for i in self.items],
            "paper": [self.paper.pk, self.inquiry.pk],
            "consultation": [c.pk for c in self.consultations],
        }

    def hidden(self) -> dict[str, list[int]]:
        """Non-public objects: 404 and absent, whoever asks."""
        return {
            "file": [self.secret_file.pk],
            "meeting": [self.secret_meeting.pk],
            # Even a public agenda item of a non-public meeting stays hidden.
            "agendaitem": [
                self.secret_item.pk,
                *self.secret_meeting.agenda_items.values_list("pk", flat=True),
            ],
            "paper": [self.secret_paper.pk],
            "consultation": [self.secret_consultation.pk],
        }


def _file(name: str, **fields: Any) -> File:
    content = fields.pop("content", PDF)
    obj = File(name=name, file_name=f"{name}.pdf", mime_type="application/pdf", **fields)
    if content:
        obj.size = len(content)
        obj.content.save(f"{name}.pdf", ContentFile(content), save=False)
    obj.save()
    return obj


def build_council() -> Council:
    """Buxtehude in miniature: every OParl type, one of each kind of hidden or deleted object."""
    tz = timezone.get_current_timezone()
    body = Body.objects.create(
        name="Hansestadt Buxtehude",
        short_name="Buxtehude",
        website="https://www.buxtehude.de/",
        ags="03359010",
        classification="Stadt",
        contact_email="ratsbuero@example.org",
        contact_name="Ratsbüro",
        license="https://www.govdata.de/dl-de/by-2-0",
    )
    term = LegislativeTerm.objects.create(
        body=body,
        name="Wahlperiode 2021–2026",
        start_date=datetime.date(2021, 11, 1),
        end_date=datetime.date(2026, 10, 31),
    )
    old_term = LegislativeTerm.objects.create(
        body=body,
        name="Wahlperiode 2016–2021",
        start_date=datetime.date(2016, 11, 1),
        end_date=datetime.date(2021, 10, 31),
    )
    rathaus = Location.objects.create(
        description="Rathaus, Ratssaal",
        street_address="Bahnhofstraße 7",
        room="Ratssaal",
        postal_code="21614",
        locality="Buxtehude",
        geojson={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [9.6992, 53.4769]},
            "properties": {"name": "Rathaus"},
        },
    )
    # A bare geometry (as some systems store it): the server wraps it into a Feature.
    hall = Location.objects.create(
        description="Stadthalle",
        street_address="Hansestraße 12",
        postal_code="21614",
        locality="Buxtehude",
        sub_locality="Altkloster",
        geojson={"type": "Point", "coordinates": [9.6871, 53.4702]},
    )
    office = Location.objects.create(
        street_address="Am Markt 3", postal_code="21614", locality="Buxtehude"
    )
    council = Organization.objects.create(
        body=body,
        name="Rat der Hansestadt Buxtehude",
        short_name="Rat",
        slug="rat",
        classification="Parlament",
        post=["Ratsvorsitz", "Mitglied"],
        start_date=datetime.date(2021, 11, 1),
        location=rathaus,
        keywords=["rat"],
    )
    finance = Organization.objects.create(
        body=body,
        name="Ausschuss für Finanzen und Wirtschaft",
        short_name="Finanzausschuss",
        slug="finanzausschuss",
        classification="Ausschuss",
        sub_organization_of=council,
    )
    spd = Organization.objects.create(
        body=body,
        name="SPD-Fraktion",
        slug="spd",
        organization_type=Organization.Type.FACTION,
        classification="Fraktion",
    )
    cdu = Organization.objects.create(
        body=body,
        name="CDU-Fraktion",
        slug="cdu",
        organization_type=Organization.Type.FACTION,
        classification="Fraktion",
    )
    persons = [
        Person.objects.create(
            body=body,
            name="Dr. Anna Meyer",
            family_name="Meyer",
            given_name="Anna",
            title=["Dr."],
            form_of_address="Ratsfrau",
            gender="female",
            email=["anna.meyer@example.org"],
            location=office,
            status=["Ratsvorsitzende"],
        ),
        Person.objects.create(body=body, name="Jens Schröder", family_name="Schröder"),
        Person.objects.create(body=body, name="Leyla Aydın", family_name="Aydın"),
    ]
    start = datetime.date(2021, 11, 1)
    memberships = [
        Membership.objects.create(
            person=persons[0], organization=council, role="Vorsitz", start_date=start
        ),
        Membership.objects.create(person=persons[0], organization=spd, start_date=start),
        Membership.objects.create(
            person=persons[1], organization=finance, on_behalf_of=cdu, start_date=start
        ),
        Membership.objects.create(person=persons[1], organization=cdu, start_date=start),
        Membership.objects.create(
            person=persons[2], organization=finance, voting_right=False, role="Sachkundige Bürgerin"
        ),
    ]
    deleted_membership = Membership.objects.create(
        person=persons[2], organization=council, deleted=True
    )

    invitation = _file(
        "Einladung Rat", date=datetime.date(2025, 3, 3), text="Einladung zur Sitzung"
    )
    protocol = _file("Niederschrift Rat", text="Niederschrift der Sitzung", sha512="ab" * 64)
    attachment = _file("Haushaltsplan Anlage", text="Anlage zum Haushalt")
    derivative = _file("Haushaltsplan Anlage barrierefrei", master_file=attachment)
    secret_file = _file("Grundstücksangelegenheit", is_public=False, text="vertraulich")
    deleted_file = _file("Zurückgezogene Vorlage", deleted=True)
    remote_file = _file(
        "Stellungnahme Landkreis",
        content=b"",
        remote_access_url="https://ris.example.net/files/17.pdf",
        remote_download_url="https://ris.example.net/files/17/download",
    )
    paper_file = _file("Vorlage Haushalt 2025", text="Der Rat beschließt den Haushalt 2025.")

    meeting = Meeting.objects.create(
        name="12. Sitzung des Rates",
        meeting_state=Meeting.State.INVITED,
        start=datetime.datetime(2025, 3, 10, 18, 0, tzinfo=tz),
        end=datetime.datetime(2025, 3, 10, 21, 0, tzinfo=tz),
        location=rathaus,
        invitation=invitation,
        results_protocol=protocol,
    )
    meeting.organizations.set([council])
    meeting.participants.set(persons[:2])
    meeting.auxiliary_files.set([attachment, secret_file, deleted_file])
    items = [
        AgendaItem.objects.create(meeting=meeting, number="1", order=0, name="Eröffnung"),
        AgendaItem.objects.create(
            meeting=meeting,
            number="2",
            order=1,
            name="Haushaltssatzung 2025",
            result="Beschlossen",
            resolution_text="Der Rat beschließt die Haushaltssatzung 2025.",
            resolution_file=paper_file,
        ),
    ]
    items[1].auxiliary_files.set([attachment, secret_file])
    secret_item = AgendaItem.objects.create(
        meeting=meeting, number="3", order=2, name="Grundstücksverkauf", public=False
    )
    secret_item.auxiliary_files.set([secret_file])

    secret_meeting = Meeting.objects.create(
        name="Sitzung des Verwaltungsausschusses",
        start=datetime.datetime(2025, 3, 12, 17, 0, tzinfo=tz),
        location=hall,
        is_public=False,
        invitation=secret_file,
    )
    secret_meeting.organizations.set([finance])
    secret_meeting_item = AgendaItem.objects.create(
        meeting=secret_meeting, number="1", order=0, name="Personalangelegenheit"
    )
    deleted_meeting = Meeting.objects.create(name="Abgesagte Sitzung", deleted=True)
    deleted_meeting.organizations.set([council])

    paper = Paper.objects.create(
        body=body,
        name="Haushaltssatzung 2025",
        reference="2025/017",
        date=datetime.date(2025, 2, 20),
        paper_type="Beschlussvorlage",
        main_file=paper_file,
    )
    paper.auxiliary_files.set([attachment, secret_file, remote_file])
    paper.locations.set([hall])
    paper.under_direction_of.set([finance])
    inquiry = Paper.objects.create(
        body=body,
        name="Anfrage zum Stand der Digitalisierung",
        reference="2025/018",
        date=datetime.date(2025, 2, 21),
        paper_type="Anfrage",
        inquiry_status=Paper.InquiryStatus.ANSWERED,
        answer_file=protocol,
    )
    inquiry.originator_persons.set(persons[:1])
    inquiry.originator_organizations.set([spd])
    secret_paper = Paper.objects.create(
        body=body, name="Verkauf des Grundstücks Am Hafen", reference="2025/019", is_public=False
    )
    deleted_paper = Paper.objects.create(body=body, name="Zurückgezogen", deleted=True)
    paper.related_papers.set([inquiry, secret_paper, deleted_paper])
    inquiry.superordinated_papers.set([paper])

    consultations = [
        Consultation.objects.create(
            paper=paper, meeting=meeting, agenda_item=items[1], authoritative=True, role="Beschluss"
        ),
        # Also discussed in a non-public meeting: the consultation is public, the meeting not.
        Consultation.objects.create(
            paper=paper, meeting=secret_meeting, agenda_item=secret_meeting_item, role="Vorberatung"
        ),
        Consultation.objects.create(paper=inquiry, role="Kenntnisnahme"),
    ]
    consultations[0].organizations.set([council])
    consultations[1].organizations.set([finance])
    secret_consultation = Consultation.objects.create(
        paper=secret_paper, meeting=meeting, agenda_item=secret_item
    )

    remote = RemoteSystem.objects.create(system_url="https://ris.example.net/oparl/v1.1/")
    mirrored_person = Person.objects.create(
        body=body,
        name="Karin Hansen",
        origin=remote,
        origin_url="https://ris.example.net/oparl/v1.1/person/4711",
    )
    Membership.objects.filter(pk=deleted_membership.pk).update(modified=timezone.now())
    return Council(
        body=body,
        term=term,
        old_term=old_term,
        rathaus=rathaus,
        hall=hall,
        office=office,
        council=council,
        finance=finance,
        spd=spd,
        cdu=cdu,
        persons=persons,
        memberships=memberships,
        deleted_membership=deleted_membership,
        invitation=invitation,
        protocol=protocol,
        attachment=attachment,
        derivative=derivative,
        secret_file=secret_file,
        deleted_file=deleted_file,
        remote_file=remote_file,
        paper_file=paper_file,
        meeting=meeting,
        items=items,
        secret_item=secret_item,
        secret_meeting=secret_meeting,
        deleted_meeting=deleted_meeting,
        paper=paper,
        inquiry=inquiry,
        secret_paper=secret_paper,
        deleted_paper=deleted_paper,
        consultations=consultations,
        secret_consultation=secret_consultation,
        mirrored_person=mirrored_person,
    )


def url(kind: str, pk: int) -> str:
    return f"{settings.SITE_URL}{API}{kind}/{pk}"
