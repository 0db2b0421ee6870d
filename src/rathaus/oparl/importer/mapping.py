"""OParl JSON (1.0 and 1.1) -> field values of `rathaus.council.models`, one type at a time.

The mapper is tolerant: a missing or broken value becomes a default and a reported problem,
never an exception. References between objects stay URLs here (`Record.refs`, `Record.m2m`);
the writer turns them into keys once the objects they point to are stored. Embedded objects
(a meeting's agenda items, a paper's consultations, a person's memberships, files,
locations) become records of their own, linked to their parent.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from rathaus.council.models import Meeting, Organization
from rathaus.oparl.importer import repair

ReportFn = Callable[[str, str, str], None]  # (url, kind, message)
Key = tuple[str, str]  # (OParl type, URL)

MISSING_FIELD = repair.MISSING_FIELD
INVALID_VALUE = repair.INVALID_VALUE


@dataclass(slots=True)
class Record:
    """One remote object as field values plus references still to resolve."""

    type: str
    url: str
    fields: dict[str, Any] = field(default_factory=dict)
    # model field name -> (OParl type, URL) for foreign keys; -> (type, [URLs]) for many-to-many
    refs: dict[str, Key] = field(default_factory=dict)
    m2m: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    # Embedded children as listed (type -> URLs): the ones no longer listed were removed.
    embedded: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False

    @property
    def key(self) -> Key:
        return (self.type, self.url)


@dataclass(frozen=True, slots=True)
class ChildRef:
    """An embedded object given only as a URL: fetch it and link it to its parent."""

    type: str
    url: str
    parent_field: str
    parent_url: str


_MEETING_STATES = (
    ("einlad", Meeting.State.INVITED),
    ("invited", Meeting.State.INVITED),
    ("durchgef", Meeting.State.RUNNING),
    ("stattgef", Meeting.State.RUNNING),
    ("abgeschlossen", Meeting.State.RUNNING),
    ("beendet", Meeting.State.RUNNING),
)
_ORGANIZATION_TYPES = {choice.value.lower(): choice.value for choice in Organization.Type}


class Mapper:
    """Maps the objects of one page (and what they embed); collect the result with `take`."""

    def __init__(self, report: ReportFn, *, body_url: str | None = None) -> None:
        self.report = report
        self.body_url = body_url
        self.records: list[Record] = []
        self.children: list[ChildRef] = []

    def take(self) -> tuple[list[Record], list[ChildRef]]:
        records, children = self.records, self.children
        self.records, self.children = [], []
        return records, children

    # --- entry point --------------------------------------------------------------------

    def map(
        self,
        data: Any,
        expected: str,
        *,
        source: str,
        parent: tuple[str, str] | None = None,
        position: int | None = None,
        _clean: bool = True,
    ) -> str | None:
        """Map one object; returns its URL, or None when it had to be skipped."""
        if not isinstance(data, dict):
            self.report(source, INVALID_VALUE, f"{expected}: Eintrag ist kein JSON-Objekt")
            return None
        url = data.get("id")
        if not isinstance(url, str) or not url.strip():
            self.report(source, MISSING_FIELD, f"{expected} ohne 'id' übersprungen")
            return None
        url = url.strip()
        if _clean:
            _, changed = repair.normalise_strings(data)
            if changed:
                self.report(url, repair.NBSP, "geschützte oder unsichtbare Leerzeichen ersetzt")
        raw_type = data.get("type")
        kind = repair.normalise_type(raw_type)
        if raw_type is not None and kind is None:
            self.report(
                url, repair.WRONG_TYPE, f"unbekannter Typ {raw_type!r}; als {expected} gelesen"
            )
        elif kind is not None and kind != expected:
            self.report(url, repair.WRONG_TYPE, f"Typ {kind} statt {expected}; übersprungen")
            return None
        record = Record(type=expected, url=url)
        self._common(data, record)
        if data.get("deleted") is True:
            record.deleted = True
            self.records.append(record)
            return url
        method = re.sub(r"(?<!^)([A-Z])", r"_\1", expected).lower()  # AgendaItem -> agenda_item
        getattr(self, f"_{method}")(data, record, parent, position)
        self.records.append(record)
        return url

    # --- value helpers ------------------------------------------------------------------

    def _str(self, data: dict[str, Any], record: Record, *keys: str) -> str:
        for key in keys:
            value = data.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                return value.strip()
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            self.report(record.url, INVALID_VALUE, f"'{key}': Text erwartet, {value!r} erhalten")
        return ""

    def _strings(self, data: dict[str, Any], key: str) -> list[str]:
        value = data.get(key)
        if isinstance(value, str):
            return [value.strip()] if value.strip() else []
        if isinstance(value, list):
            return [v.strip() for v in value if isinstance(v, str) and v.strip()]
        return []

    def _bool(self, data: dict[str, Any], record: Record, key: str, default: bool) -> bool:
        value = data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "ja", "false", "0"):
            return value.strip().lower() in ("true", "1", "ja")
        self.report(record.url, INVALID_VALUE, f"'{key}': Wahrheitswert erwartet, {value!r}")
        return default

    def _int(self, data: dict[str, Any], record: Record, key: str) -> int | None:
        number, kind, message = repair.parse_int(data.get(key))
        if kind and message:
            self.report(record.url, kind, f"'{key}': {message}")
        return number

    def _date(self, data: dict[str, Any], record: Record, *keys: str) -> datetime.date | None:
        for key in keys:
            if key in data:
                value, problem = repair.parse_date(data[key])
                if problem:
                    self.report(record.url, INVALID_VALUE, f"'{key}': {problem}")
                return value
        return None

    def _datetime(self, data: dict[str, Any], record: Record, key: str) -> datetime.datetime | None:
        value, problem = repair.parse_datetime(data.get(key))
        if problem:
            self.report(record.url, INVALID_VALUE, f"'{key}': {problem}")
        return value

    def _name(self, record: Record, name: str, *fallbacks: str) -> str:
        if name:
            return name
        for fallback in fallbacks:
            if fallback:
                self.report(record.url, MISSING_FIELD, f"'name' fehlt; {fallback!r} verwendet")
                return fallback
        self.report(record.url, MISSING_FIELD, "'name' fehlt; als „(ohne Bezeichnung)“ gespeichert")
        return "(ohne Bezeichnung)"

    def _ref(self, data: dict[str, Any], key: str, kind: str, *, source: str) -> str | None:
        """A reference: a URL, or an embedded object (mapped here) whose id is used."""
        value = data.get(key)
        if isinstance(value, dict):
            return self.map(value, kind, source=source, _clean=False)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value:
            # Some systems wrap a single reference in a list.
            return self._ref({key: value[0]}, key, kind, source=source)
        return None

    def _refs(self, data: dict[str, Any], key: str, kind: str, *, source: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        urls: list[str] = []
        for item in value:
            url = self._ref({key: item}, key, kind, source=source)
            if url and url not in urls:
                urls.append(url)
        return urls

    def _children(
        self, data: dict[str, Any], key: str, kind: str, parent_field: str, record: Record
    ) -> None:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return  # a URL of an external list: read with the body's lists
        if not isinstance(value, list):
            self.report(record.url, INVALID_VALUE, f"'{key}': Liste erwartet")
            return
        urls = record.embedded.setdefault(kind, [])
        for position, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                self.children.append(ChildRef(kind, item.strip(), parent_field, record.url))
                urls.append(item.strip())
            elif url := self.map(
                item,
                kind,
                source=record.url,
                parent=(parent_field, record.url),
                position=position,
                _clean=False,
            ):
                urls.append(url)

    def _body_ref(
        self, record: Record, data: dict[str, Any], parent: tuple[str, str] | None
    ) -> None:
        if parent and parent[0] == "body":
            record.refs["body"] = ("Body", parent[1])
            return
        # Objects read from a body's lists belong to that body, whatever their 'body' says.
        url = self.body_url or (data.get("body") if isinstance(data.get("body"), str) else None)
        if url:
            record.refs["body"] = ("Body", url)

    def _parent_ref(
        self,
        record: Record,
        *,
        data: dict[str, Any],
        parent: tuple[str, str] | None,
        field_name: str,
        kind: str,
    ) -> None:
        if parent and parent[0] == field_name:
            record.refs[field_name] = (kind, parent[1])
        elif url := self._ref(data, field_name, kind, source=record.url):
            record.refs[field_name] = (kind, url)

    def _fk(
        self, record: Record, data: dict[str, Any], field_name: str, key: str, kind: str
    ) -> None:
        if url := self._ref(data, key, kind, source=record.url):
            record.refs[field_name] = (kind, url)

    def _many(
        self, record: Record, data: dict[str, Any], field_name: str, key: str, kind: str
    ) -> None:
        record.m2m[field_name] = (kind, self._refs(data, key, kind, source=record.url))

    # --- common fields ------------------------------------------------------------------

    def _common(self, data: dict[str, Any], record: Record) -> None:
        created = self._datetime(data, record, "created")
        modified = self._datetime(data, record, "modified")
        modified, problem = repair.fix_timestamps(created, modified)
        if problem:
            self.report(record.url, repair.MODIFIED_BEFORE_CREATED, problem)
        record.fields["created"] = created
        record.fields["modified"] = modified
        if data.get("deleted") is True:
            return
        record.fields["deleted"] = False
        record.fields["keywords"] = self._strings(data, "keyword")
        record.fields["web"] = self._str(data, record, "web")
        record.fields["license"] = self._str(data, record, "license")

    # --- one method per type ------------------------------------------------------------

    def _body(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        f["short_name"] = self._str(data, r, "shortName")
        f["name"] = self._name(r, self._str(data, r, "name"), f["short_name"])
        f["website"] = self._str(data, r, "website")
        f["ags"] = self._str(data, r, "ags")
        f["rgs"] = self._str(data, r, "rgs")
        f["classification"] = self._str(data, r, "classification")
        f["contact_email"] = self._str(data, r, "contactEmail")
        f["contact_name"] = self._str(data, r, "contactName")
        f["equivalent"] = self._strings(data, "equivalent") or self._strings(data, "equivalentBody")
        self._children(data, "legislativeTerm", "LegislativeTerm", "body", r)
        if isinstance(data.get("location"), dict):
            self.map(data["location"], "Location", source=r.url, _clean=False)

    def _legislative_term(
        self, data: dict[str, Any], r: Record, parent: Any, position: Any
    ) -> None:
        self._body_ref(r, data, parent)
        name = self._str(data, r, "name")
        r.fields["name"] = self._name(r, name, self._str(data, r, "startDate"))
        r.fields["start_date"] = self._date(data, r, "startDate")
        r.fields["end_date"] = self._date(data, r, "endDate")

    def _location(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        f["description"] = self._str(data, r, "description")
        f["street_address"] = self._str(data, r, "streetAddress")
        f["room"] = self._str(data, r, "room")
        f["postal_code"] = self._str(data, r, "postalCode")
        f["locality"] = self._str(data, r, "locality")
        f["sub_locality"] = self._str(data, r, "subLocality")
        geojson, problem = repair.fix_geojson(data.get("geojson"))
        if problem:
            kind = repair.GEOJSON_SWAPPED if geojson is not None else INVALID_VALUE
            self.report(r.url, kind, problem)
        f["geojson"] = geojson

    def _organization(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        self._body_ref(r, data, parent)
        f["short_name"] = self._str(data, r, "shortName")
        f["name"] = self._name(r, self._str(data, r, "name"), f["short_name"])
        f["slug"] = slugify(f["short_name"] or f["name"])[:100] or "gremium"
        raw_type = self._str(data, r, "organizationType")
        f["organization_type"] = _ORGANIZATION_TYPES.get(
            raw_type.lower(), Organization.Type.OTHER if raw_type else Organization.Type.COMMITTEE
        )
        f["classification"] = self._str(data, r, "classification")
        f["post"] = self._strings(data, "post")
        f["start_date"] = self._date(data, r, "startDate")
        f["end_date"] = self._date(data, r, "endDate")
        f["website"] = self._str(data, r, "website")
        f["external_body"] = self._str(data, r, "externalBody")
        self._fk(r, data, "sub_organization_of", "subOrganizationOf", "Organization")
        self._fk(r, data, "location", "location", "Location")

    def _person(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        self._body_ref(r, data, parent)
        f["family_name"] = self._str(data, r, "familyName")
        f["given_name"] = self._str(data, r, "givenName")
        f["title"] = self._strings(data, "title")
        composed = " ".join([*f["title"], f["given_name"], f["family_name"]]).strip()
        f["name"] = self._name(r, self._str(data, r, "name"), composed)
        f["form_of_address"] = self._str(data, r, "formOfAddress")
        f["affix"] = self._str(data, r, "affix")
        f["gender"] = self._str(data, r, "gender")
        f["phone"] = self._strings(data, "phone")
        f["email"] = self._strings(data, "email")
        f["status"] = self._strings(data, "status")
        f["life"] = self._str(data, r, "life")
        f["life_source"] = self._str(data, r, "lifeSource")
        # 1.1: 'location' is a URL and 'locationObject' the embedded object; 1.0 embedded it.
        key = "locationObject" if isinstance(data.get("locationObject"), dict) else "location"
        self._fk(r, data, "location", key, "Location")
        self._children(data, "membership", "Membership", "person", r)

    def _membership(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        self._parent_ref(r, data=data, parent=parent, field_name="person", kind="Person")
        self._fk(r, data, "organization", "organization", "Organization")
        f["role"] = self._str(data, r, "role")
        f["voting_right"] = self._bool(data, r, "votingRight", True)
        f["start_date"] = self._date(data, r, "startDate")
        f["end_date"] = self._date(data, r, "endDate")
        self._fk(r, data, "on_behalf_of", "onBehalfOf", "Organization")

    def _meeting(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        f["start"] = self._datetime(data, r, "start")
        f["end"] = self._datetime(data, r, "end")
        when = f"Sitzung am {f['start']:%d.%m.%Y}" if f["start"] else "Sitzung"
        f["name"] = self._name(r, self._str(data, r, "name"), when)
        state = self._str(data, r, "meetingState").lower()
        f["meeting_state"] = next(
            (value for prefix, value in _MEETING_STATES if prefix in state), Meeting.State.SCHEDULED
        )
        f["cancelled"] = self._bool(data, r, "cancelled", False)
        self._fk(r, data, "location", "location", "Location")
        self._fk(r, data, "invitation", "invitation", "File")
        self._fk(r, data, "results_protocol", "resultsProtocol", "File")
        self._fk(r, data, "verbatim_protocol", "verbatimProtocol", "File")
        self._many(r, data, "organizations", "organization", "Organization")
        self._many(r, data, "participants", "participant", "Person")
        self._many(r, data, "auxiliary_files", "auxiliaryFile", "File")
        self._children(data, "agendaItem", "AgendaItem", "meeting", r)

    def _agenda_item(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        self._parent_ref(r, data=data, parent=parent, field_name="meeting", kind="Meeting")
        f["number"] = self._str(data, r, "number")
        order = self._int(data, r, "order")
        f["order"] = order if order is not None else (position or 0)
        f["name"] = self._name(r, self._str(data, r, "name"), f["number"] and f"TOP {f['number']}")
        f["public"] = self._bool(data, r, "public", True)
        f["result"] = self._str(data, r, "result")
        f["resolution_text"] = self._str(data, r, "resolutionText")
        f["start"] = self._datetime(data, r, "start")
        f["end"] = self._datetime(data, r, "end")
        self._fk(r, data, "resolution_file", "resolutionFile", "File")
        self._many(r, data, "auxiliary_files", "auxiliaryFile", "File")

    def _paper(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        self._body_ref(r, data, parent)
        f["reference"] = self._str(data, r, "reference")
        f["name"] = self._name(r, self._str(data, r, "name"), f["reference"])
        f["date"] = self._date(data, r, "date", "publishedDate")
        f["paper_type"] = self._str(data, r, "paperType")
        self._fk(r, data, "main_file", "mainFile", "File")
        self._many(r, data, "auxiliary_files", "auxiliaryFile", "File")
        self._many(r, data, "related_papers", "relatedPaper", "Paper")
        self._many(r, data, "superordinated_papers", "superordinatedPaper", "Paper")
        self._many(r, data, "locations", "location", "Location")
        self._many(r, data, "originator_persons", "originatorPerson", "Person")
        self._many(r, data, "under_direction_of", "underDirectionOf", "Organization")
        self._many(r, data, "originator_organizations", "originatorOrganization", "Organization")
        self._children(data, "consultation", "Consultation", "paper", r)

    def _consultation(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        self._parent_ref(r, data=data, parent=parent, field_name="paper", kind="Paper")
        self._fk(r, data, "agenda_item", "agendaItem", "AgendaItem")
        self._fk(r, data, "meeting", "meeting", "Meeting")
        self._many(r, data, "organizations", "organization", "Organization")
        r.fields["authoritative"] = self._bool(data, r, "authoritative", False)
        r.fields["role"] = self._str(data, r, "role")

    def _file(self, data: dict[str, Any], r: Record, parent: Any, position: Any) -> None:
        f = r.fields
        f["name"] = self._str(data, r, "name")
        f["file_name"] = self._str(data, r, "fileName")
        f["mime_type"] = self._str(data, r, "mimeType")
        f["date"] = self._date(data, r, "date")
        f["size"] = self._int(data, r, "size")
        f["sha512"] = self._str(data, r, "sha512Checksum")
        f["remote_access_url"] = self._str(data, r, "accessUrl")
        f["remote_download_url"] = self._str(data, r, "downloadUrl")
        if not f["remote_access_url"]:
            self.report(r.url, MISSING_FIELD, "'accessUrl' fehlt")
            f["remote_access_url"] = f["remote_download_url"]
        f["external_service_url"] = self._str(data, r, "externalServiceUrl")
        f["file_license"] = self._str(data, r, "fileLicense")
        if isinstance(data.get("text"), str) and data["text"].strip():
            # Only a text the remote system gives; else keep what a download extracted.
            f["text"] = data["text"].strip()
        if not f["name"]:
            f["name"] = f["file_name"]
        self._fk(r, data, "master_file", "masterFile", "File")
