"""Load the OParl specification's example objects into the council models.

The examples (`System-01.json`, `Body-01.json` …) describe one fictitious system. They are
loaded as mirrored data: every object gets that system as its `origin` and its example id as
`origin_url`, keeps its `created` and `modified`, and is served by the OParl server under
Rathaus' own URLs. Loading twice updates instead of duplicating.

The examples reference objects they do not contain (`organization/96`, `person/1000` …);
those become placeholders named after their URL, so every reference can be served. Bodies
referenced under another URL than the example body's own (the examples are not consistent
there) resolve to the example body. What the model has no field for (`sha1Checksum`,
`Body.location`, `licenseValidSince`) is left out.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.db import models, transaction
from django.utils.text import slugify

from rathaus.core.errors import ValidationFailed
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
from rathaus.oparl.models import RemoteSystem

M = TypeVar("M", bound=models.Model)

# Load order: what others reference first.
EXAMPLE_ORDER = ("System", "Body", "Location", "Organization", "Person", "File", "Meeting", "Paper")


@dataclass
class LoadResult:
    system: RemoteSystem
    objects: dict[str, int] = field(default_factory=dict)  # OParl type -> number written

    def count(self, kind: str) -> None:
        self.objects[kind] = self.objects.get(kind, 0) + 1


def _date(value: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _date_time(value: Any) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


class _Loader:
    def __init__(self, system: RemoteSystem, result: LoadResult) -> None:
        self.system = system
        self.result = result
        self.body: Body | None = None
        # Timestamps are applied at the end: saving sets `modified` to now.
        self.stamps: list[tuple[models.Model, dict[str, Any]]] = []

    # -- helpers ------------------------------------------------------------------------

    def _find(self, model: type[M], url: str) -> M | None:
        return model._default_manager.filter(origin=self.system, origin_url=url).first()

    def _upsert(self, model: type[M], data: dict[str, Any], values: dict[str, Any]) -> M:
        obj = self._find(model, data["id"]) or model(origin=self.system, origin_url=data["id"])
        for name, value in values.items():
            setattr(obj, name, value)
        obj.keywords = list(data.get("keyword") or [])  # type: ignore[attr-defined]
        obj.web = data.get("web", "")  # type: ignore[attr-defined]
        obj.license = data.get("license", "")  # type: ignore[attr-defined]
        obj.deleted = bool(data.get("deleted", False))  # type: ignore[attr-defined]
        obj.save()
        self.stamps.append((obj, data))
        self.result.count(data.get("type", "").rsplit("/", 1)[-1] or model.__name__)
        return obj

    def _body_for(self, url: str | None) -> Body:
        found = self._find(Body, url) if url else None
        if found is not None:
            return found
        if self.body is None:
            raise ValidationFailed(
                f"Das Beispiel verweist auf die Körperschaft {url}, es wurde aber keine geladen."
            )
        return self.body

    def _placeholder(self, model: type[M], url: str, **values: Any) -> M:
        """An object known only by reference; a later example with that id fills it in."""
        found = self._find(model, url)
        if found is not None:
            return found
        name = f"{model._meta.verbose_name} {url.rstrip('/').rsplit('/', 1)[-1]}"
        if hasattr(model, "name"):
            values.setdefault("name", name)
        return model._default_manager.create(origin=self.system, origin_url=url, **values)

    def organization_ref(self, url: str) -> Organization:
        slug = slugify(urlsplit(url).path)[:120] or "organisation"
        return self._placeholder(Organization, url, body=self._body_for(None), slug=slug)

    def person_ref(self, url: str) -> Person:
        return self._placeholder(Person, url, body=self._body_for(None))

    def paper_ref(self, url: str) -> Paper:
        return self._placeholder(Paper, url, body=self._body_for(None))

    def meeting_ref(self, url: str) -> Meeting:
        return self._placeholder(Meeting, url)

    def file_ref(self, url: str) -> File:
        return self._placeholder(File, url)

    # -- object types -------------------------------------------------------------------

    def location(self, data: dict[str, Any]) -> Location:
        return self._upsert(
            Location,
            data,
            {
                "description": data.get("description", ""),
                "street_address": data.get("streetAddress", ""),
                "room": data.get("room", ""),
                "postal_code": data.get("postalCode", ""),
                "locality": data.get("locality", ""),
                "sub_locality": data.get("subLocality", ""),
                "geojson": data.get("geojson"),
            },
        )

    def body_(self, data: dict[str, Any]) -> Body:
        body = self._upsert(
            Body,
            data,
            {
                "name": data["name"],
                "short_name": data.get("shortName", ""),
                "website": data.get("website", ""),
                "ags": data.get("ags", ""),
                "rgs": data.get("rgs", ""),
                "classification": data.get("classification", ""),
                "contact_email": data.get("contactEmail", ""),
                "contact_name": data.get("contactName", ""),
                "equivalent": list(data.get("equivalent") or []),
            },
        )
        self.body = self.body or body
        for term in data.get("legislativeTerm") or []:
            self._upsert(
                LegislativeTerm,
                term,
                {
                    "body": body,
                    "name": term.get("name", ""),
                    "start_date": _date(term.get("startDate")),
                    "end_date": _date(term.get("endDate")),
                },
            )
        if isinstance(data.get("location"), dict):
            self.location(data["location"])  # the model has no body location: kept as a place
        return body

    def organization(self, data: dict[str, Any]) -> Organization:
        place = data.get("location")
        org = self._find(Organization, data["id"])
        slug = org.slug if org else slugify(data.get("shortName") or data["name"])[:120]
        return self._upsert(
            Organization,
            data,
            {
                "body": self._body_for(data.get("body")),
                "name": data["name"],
                "short_name": data.get("shortName", ""),
                "slug": slug,
                "organization_type": data.get("organizationType", Organization.Type.OTHER),
                "classification": data.get("classification", ""),
                "post": list(data.get("post") or []),
                "start_date": _date(data.get("startDate")),
                "end_date": _date(data.get("endDate")),
                "website": data.get("website", ""),
                "location": self.location(place) if isinstance(place, dict) else None,
                "sub_organization_of": (
                    self.organization_ref(data["subOrganizationOf"])
                    if data.get("subOrganizationOf")
                    else None
                ),
            },
        )

    def person(self, data: dict[str, Any]) -> Person:
        place = data.get("locationObject")
        person = self._upsert(
            Person,
            data,
            {
                "body": self._body_for(data.get("body")),
                "name": data["name"],
                "family_name": data.get("familyName", ""),
                "given_name": data.get("givenName", ""),
                "form_of_address": data.get("formOfAddress", ""),
                "affix": data.get("affix", ""),
                "title": list(data.get("title") or []),
                "gender": data.get("gender", ""),
                "phone": list(data.get("phone") or []),
                "email": list(data.get("email") or []),
                "status": list(data.get("status") or []),
                "life": data.get("life", ""),
                "life_source": data.get("lifeSource", ""),
                "location": self.location(place) if isinstance(place, dict) else None,
            },
        )
        for item in data.get("membership") or []:
            self._upsert(
                Membership,
                item,
                {
                    "person": person,
                    "organization": self.organization_ref(item["organization"]),
                    "role": item.get("role", ""),
                    "voting_right": bool(item.get("votingRight", True)),
                    "start_date": _date(item.get("startDate")),
                    "end_date": _date(item.get("endDate")),
                    "on_behalf_of": (
                        self.organization_ref(item["onBehalfOf"])
                        if item.get("onBehalfOf")
                        else None
                    ),
                },
            )
        return person

    def file(self, data: dict[str, Any]) -> File:
        obj = self._upsert(
            File,
            data,
            {
                "name": data.get("name", ""),
                "file_name": data.get("fileName", ""),
                "mime_type": data.get("mimeType", ""),
                "date": _date(data.get("date")),
                "size": data.get("size"),
                "sha512": data.get("sha512Checksum", ""),
                "text": data.get("text", ""),
                # The example's files stay where they are: our accessUrl redirects there.
                "remote_access_url": data.get("accessUrl", ""),
                "remote_download_url": data.get("downloadUrl", ""),
                "external_service_url": data.get("externalServiceUrl", ""),
                "file_license": data.get("fileLicense", ""),
                "master_file": self.file_ref(data["masterFile"])
                if data.get("masterFile")
                else None,
            },
        )
        for url in data.get("derivativeFile") or []:
            derived = self.file_ref(url)
            derived.master_file = obj
            derived.save(update_fields=["master_file"])
        return obj

    def _file(self, data: Any) -> File | None:
        return self.file(data) if isinstance(data, dict) else None

    def meeting(self, data: dict[str, Any]) -> Meeting:
        place = data.get("location")
        meeting = self._upsert(
            Meeting,
            data,
            {
                "name": data.get("name", ""),
                "meeting_state": data.get("meetingState", Meeting.State.SCHEDULED),
                "cancelled": bool(data.get("cancelled", False)),
                "start": _date_time(data.get("start")),
                "end": _date_time(data.get("end")),
                "location": self.location(place) if isinstance(place, dict) else None,
                "invitation": self._file(data.get("invitation")),
                "results_protocol": self._file(data.get("resultsProtocol")),
                "verbatim_protocol": self._file(data.get("verbatimProtocol")),
            },
        )
        meeting.organizations.set([self.organization_ref(u) for u in data.get("organization", [])])
        meeting.participants.set([self.person_ref(u) for u in data.get("participant", [])])
        meeting.auxiliary_files.set([self.file(f) for f in data.get("auxiliaryFile") or []])
        for order, item in enumerate(data.get("agendaItem") or []):
            agenda_item = self._upsert(
                AgendaItem,
                item,
                {
                    "meeting": meeting,
                    "number": item.get("number", ""),
                    "order": item.get("order", order),
                    "name": item.get("name", ""),
                    "public": bool(item.get("public", True)),
                    "result": item.get("result", ""),
                    "resolution_text": item.get("resolutionText", ""),
                    "resolution_file": self._file(item.get("resolutionFile")),
                    "start": _date_time(item.get("start")),
                    "end": _date_time(item.get("end")),
                },
            )
            agenda_item.auxiliary_files.set([self.file(f) for f in item.get("auxiliaryFile") or []])
            if item.get("consultation"):
                # Known only by reference here; the paper's example may describe it fully.
                consultation = self._find(Consultation, item["consultation"]) or Consultation(
                    origin=self.system, origin_url=item["consultation"]
                )
                consultation.agenda_item = agenda_item
                consultation.meeting = meeting
                consultation.save()
        return meeting

    def paper(self, data: dict[str, Any]) -> Paper:
        paper = self._upsert(
            Paper,
            data,
            {
                "body": self._body_for(data.get("body")),
                "name": data.get("name", ""),
                "reference": data.get("reference", ""),
                "date": _date(data.get("date")),
                "paper_type": data.get("paperType", ""),
                "main_file": self._file(data.get("mainFile")),
            },
        )
        paper.auxiliary_files.set([self.file(f) for f in data.get("auxiliaryFile") or []])
        paper.locations.set([self.location(p) for p in data.get("location") or []])
        paper.related_papers.set([self.paper_ref(u) for u in data.get("relatedPaper", [])])
        paper.superordinated_papers.set(
            [self.paper_ref(u) for u in data.get("superordinatedPaper", [])]
        )
        paper.originator_persons.set([self.person_ref(u) for u in data.get("originatorPerson", [])])
        paper.under_direction_of.set(
            [self.organization_ref(u) for u in data.get("underDirectionOf", [])]
        )
        paper.originator_organizations.set(
            [self.organization_ref(u) for u in data.get("originatorOrganization", [])]
        )
        for item in data.get("consultation") or []:
            meeting = self.meeting_ref(item["meeting"]) if item.get("meeting") else None
            agenda_item = self._find(AgendaItem, item.get("agendaItem", ""))
            if agenda_item is None and item.get("agendaItem") and meeting is not None:
                agenda_item = self._placeholder(AgendaItem, item["agendaItem"], meeting=meeting)
            consultation = self._upsert(
                Consultation,
                item,
                {
                    "paper": paper,
                    "meeting": meeting,
                    "agenda_item": agenda_item,
                    "authoritative": bool(item.get("authoritative", False)),
                    "role": item.get("role", ""),
                },
            )
            consultation.organizations.set(
                [self.organization_ref(u) for u in item.get("organization", [])]
            )
        return paper

    def apply_timestamps(self) -> None:
        for obj, data in self.stamps:
            stamps = {
                name: value
                for name in ("created", "modified")
                if (value := _date_time(data.get(name))) is not None
            }
            if stamps:
                type(obj)._default_manager.filter(pk=obj.pk).update(**stamps)


@transaction.atomic
def load_examples(*, directory: Path, system_url: str = "") -> LoadResult:
    """Load every `<Type>-NN.json` in `directory`; all or nothing."""
    paths = sorted(directory.glob("*-*.json"))
    if not paths:
        raise ValidationFailed(f"Im Ordner {directory} liegen keine OParl-Beispiele (*-NN.json).")
    examples: list[tuple[str, Path, dict[str, Any]]] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationFailed(f"{path.name}: kein lesbares JSON ({exc}).") from exc
        kind = path.name.split("-", 1)[0]
        if kind not in EXAMPLE_ORDER:
            raise ValidationFailed(f"{path.name}: unbekannter OParl-Typ „{kind}“.")
        examples.append((kind, path, data))
    examples.sort(key=lambda entry: EXAMPLE_ORDER.index(entry[0]))

    system_data = next((data for kind, _path, data in examples if kind == "System"), {})
    url = system_url or system_data.get("id") or "https://oparl.example.org/"
    system, _created = RemoteSystem.objects.update_or_create(
        system_url=url,
        defaults={
            "name": system_data.get("name", ""),
            "oparl_version": system_data.get("oparlVersion", ""),
        },
    )
    result = LoadResult(system=system)
    loader = _Loader(system, result)
    handlers = {
        "Body": loader.body_,
        "Location": loader.location,
        "Organization": loader.organization,
        "Person": loader.person,
        "File": loader.file,
        "Meeting": loader.meeting,
        "Paper": loader.paper,
    }
    for kind, path, data in examples:
        if kind == "System":
            continue
        try:
            handlers[kind](data)
        except KeyError as exc:
            raise ValidationFailed(f"{path.name}: Pflichtangabe {exc} fehlt.") from exc
    loader.apply_timestamps()
    return result
