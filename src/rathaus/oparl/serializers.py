"""OParl 1.1 JSON for council objects: plain functions from model instances to dicts.

Conventions of the specification followed here:

- `id` is the object's absolute URL built from `settings.SITE_URL`, so it does not depend on
  the host a request came in on. Mirrored objects get our URL as well; their id in the
  system they came from is the vendor attribute `rathaus:originId`.
- Attributes without a value are left out (no `null`, no `""`, no `[]`), except the ones the
  schema makes mandatory.
- Embedded ("internal") objects leave out the back reference to their parent; deleted or
  non-public objects are never embedded (the querysets in `selectors` see to that).
- A deleted object is a stub: `id`, `type`, `deleted`, `created`, `modified`, plus whatever
  the schema marks as required (a File keeps its `accessUrl`, which then answers 410).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

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
from rathaus.oparl.selectors import related_attr

SCHEMA = "https://schema.oparl.org/1.1/"
VENDOR_PREFIX = "rathaus:"
# Open data in German administrations is usually published under the Datenlizenz
# Deutschland; an installation may choose another licence in its settings.

TYPE_NAMES = {
    "system": "System",
    "body": "Body",
    "legislativeterm": "LegislativeTerm",
    "organization": "Organization",
    "person": "Person",
    "membership": "Membership",
    "meeting": "Meeting",
    "agendaitem": "AgendaItem",
    "paper": "Paper",
    "consultation": "Consultation",
    "file": "File",
    "location": "Location",
}
# Required by the schemas beyond id and type; kept in deleted stubs so they validate.
BODY_LISTS_REQUIRED = ("organization", "person", "meeting", "paper")


def type_url(kind: str) -> str:
    return SCHEMA + TYPE_NAMES[kind]


def api_base() -> str:
    """Absolute URL of the entry point (the System object), ending in a slash."""
    return settings.SITE_URL + reverse("oparl:system")


def date_time(value: datetime.datetime | None) -> str | None:
    """OParl's date-time: `yyyy-mm-ddThh:mm:ss±hh:mm` in the town's time zone."""
    if value is None:
        return None
    # The default zone, not the "current" one: OParl output must not depend on a request.
    return value.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


@cache
def _web_pattern(name: str, language: str) -> tuple[str, str]:
    # One reverse() per page kind instead of one per object: list pages stay cheap.
    marker = 987654321
    url = settings.SITE_URL + reverse(name, kwargs={"pk": marker})
    head, tail = url.split(str(marker))
    return head, tail


def web_url(name: str, pk: int) -> str:
    head, tail = _web_pattern(name, translation.get_language() or settings.LANGUAGE_CODE)
    return f"{head}{pk}{tail}"


@dataclass
class Context:
    """What every serializer needs: the URL base and the request's options."""

    base: str
    omit_internal: bool = False

    def url(self, kind: str, pk: int | None) -> str | None:
        return None if pk is None else f"{self.base}{kind}/{pk}"

    def urls(self, kind: str, ids: Iterable[int]) -> list[str]:
        return [f"{self.base}{kind}/{pk}" for pk in ids]

    def list_url(self, owner: str, pk: int, kind: str) -> str:
        return f"{self.base}{owner}/{pk}/{kind}"

    def file_access_url(self, pk: int) -> str:
        return f"{self.base}file/{pk}/access"

    def file_download_url(self, pk: int) -> str:
        return f"{self.base}file/{pk}/download"


def _rel(obj: Any, name: str) -> Any:
    """What `selectors.load` put on the object for relation `name` (ids, objects or one)."""
    return getattr(obj, related_attr(name))


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    """Set an attribute unless it has no value (OParl: leave out null, "" and [])."""
    if value is None or value in ("", [], {}):
        return
    data[key] = value


def _head(kind: str, obj: Any, ctx: Context) -> dict[str, Any]:
    return {"id": ctx.url(kind, obj.pk), "type": type_url(kind)}


def _tail(data: dict[str, Any], obj: Any, *, web: str | None = None) -> dict[str, Any]:
    _put(data, "keyword", list(obj.keywords or []))
    _put(data, "web", obj.web or web)
    _put(data, "license", obj.license)
    if obj.origin_url:
        data[f"{VENDOR_PREFIX}originId"] = obj.origin_url
    data["created"] = date_time(obj.created)
    data["modified"] = date_time(obj.modified)
    return data


def stub(kind: str, obj: Any, ctx: Context) -> dict[str, Any]:
    data = _head(kind, obj, ctx)
    if kind == "file":
        data["accessUrl"] = ctx.file_access_url(obj.pk)
    elif kind == "agendaitem":
        data["order"] = obj.order
    elif kind == "body":
        data["name"] = obj.name
        for name in BODY_LISTS_REQUIRED:
            data[name] = ctx.list_url("body", obj.pk, name)
        data["legislativeTerm"] = []
    data["deleted"] = True
    data["created"] = date_time(obj.created)
    data["modified"] = date_time(obj.modified)
    return data


# --- System and Body --------------------------------------------------------------------


def system(ctx: Context) -> dict[str, Any]:
    municipality = settings.RATHAUS_MUNICIPALITY
    site = settings.SITE_URL + "/"
    contact = settings.RATHAUS_OPARL_CONTACT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    data: dict[str, Any] = {
        "id": ctx.base,
        "type": type_url("system"),
        "oparlVersion": SCHEMA,
        "body": f"{ctx.base}body/",
        "name": f"Ratsinformationssystem {municipality}",
        "contactEmail": contact,
        "contactName": settings.RATHAUS_OPARL_CONTACT_NAME,
        "website": site,
        "vendor": settings.RATHAUS_VENDOR_URL,
        "product": settings.RATHAUS_PRODUCT_URL,
        "license": settings.RATHAUS_OPARL_LICENSE,
        "web": settings.SITE_URL + reverse("council:index"),
    }
    return data


def legislative_term(term: LegislativeTerm, ctx: Context, *, embedded: bool = False) -> dict:
    if term.deleted:
        return stub("legislativeterm", term, ctx)
    data = _head("legislativeterm", term, ctx)
    if not embedded:
        data["body"] = ctx.url("body", term.body_id)
    _put(data, "name", term.name)
    _put(data, "startDate", date(term.start_date))
    _put(data, "endDate", date(term.end_date))
    return _tail(data, term)


def body(obj: Body, ctx: Context) -> dict[str, Any]:
    if obj.deleted:
        return stub("body", obj, ctx)
    data = _head("body", obj, ctx)
    data["system"] = ctx.base
    _put(data, "shortName", obj.short_name)
    data["name"] = obj.name
    _put(data, "website", obj.website)
    _put(data, "ags", obj.ags)
    _put(data, "rgs", obj.rgs)
    _put(data, "equivalent", list(obj.equivalent or []))
    _put(data, "contactEmail", obj.contact_email)
    _put(data, "contactName", obj.contact_name)
    _put(data, "classification", obj.classification)
    for name in ("organization", "person", "meeting", "paper"):
        data[name] = ctx.list_url("body", obj.pk, name)
    # Required by the schema, so kept even with omit_internal (which only permits leaving out).
    data["legislativeTerm"] = [
        legislative_term(term, ctx, embedded=True) for term in _rel(obj, "legislative_terms")
    ]
    data["legislativeTermList"] = ctx.list_url("body", obj.pk, "legislativeterm")
    data["agendaItem"] = ctx.list_url("body", obj.pk, "agendaitem")
    data["consultation"] = ctx.list_url("body", obj.pk, "consultation")
    data["file"] = ctx.list_url("body", obj.pk, "file")
    data["locationList"] = ctx.list_url("body", obj.pk, "location")
    data["membership"] = ctx.list_url("body", obj.pk, "membership")
    return _tail(data, obj, web=settings.SITE_URL + reverse("council:index"))


# --- Locations and files ----------------------------------------------------------------


def _feature(geojson: Any) -> dict[str, Any] | None:
    """OParl wants a complete GeoJSON Feature; a bare geometry is wrapped in one."""
    if not isinstance(geojson, dict) or not geojson:
        return None
    if geojson.get("type") in ("Feature", "FeatureCollection"):
        return geojson
    return {"type": "Feature", "geometry": geojson, "properties": {}}


def location(obj: Location, ctx: Context, *, embedded: bool = False) -> dict[str, Any]:
    if obj.deleted:
        return stub("location", obj, ctx)
    data = _head("location", obj, ctx)
    _put(data, "description", obj.description or str(obj))
    _put(data, "geojson", _feature(obj.geojson))
    _put(data, "streetAddress", obj.street_address)
    _put(data, "room", obj.room)
    _put(data, "postalCode", obj.postal_code)
    _put(data, "subLocality", obj.sub_locality)
    _put(data, "locality", obj.locality)
    if not embedded:
        for attribute, kind in (
            ("organizations", "organization"),
            ("persons", "person"),
            ("meetings", "meeting"),
            ("papers", "paper"),
        ):
            _put(data, attribute, ctx.urls(kind, _rel(obj, attribute)))
    return _tail(data, obj)


def file(obj: File, ctx: Context, *, embedded: bool = False) -> dict[str, Any]:
    if obj.deleted:
        return stub("file", obj, ctx)
    data = _head("file", obj, ctx)
    _put(data, "name", obj.name)
    _put(data, "fileName", obj.file_name)
    _put(data, "mimeType", obj.mime_type)
    _put(data, "date", date(obj.date))
    _put(data, "size", obj.size)
    _put(data, "sha512Checksum", obj.sha512)
    if not embedded:
        # The text can be long: only the File itself carries it, not every embedding.
        _put(data, "text", obj.text)
    data["accessUrl"] = ctx.file_access_url(obj.pk)
    if obj.content or obj.remote_download_url or obj.remote_access_url:
        data["downloadUrl"] = ctx.file_download_url(obj.pk)
    _put(data, "externalServiceUrl", obj.external_service_url)
    if not embedded:
        if getattr(obj, "master_visible", False):
            data["masterFile"] = ctx.url("file", obj.master_file_id)
        _put(data, "derivativeFile", ctx.urls("file", _rel(obj, "derivativeFile")))
    _put(data, "fileLicense", obj.file_license)
    if not embedded:
        # Back references, only on the File itself (OParl: not when embedded).
        for attribute, kind in (
            ("meeting", "meeting"),
            ("agendaItem", "agendaitem"),
            ("paper", "paper"),
        ):
            _put(data, attribute, ctx.urls(kind, _rel(obj, attribute)))
    return _tail(data, obj)


def _files(files: Iterable[File | None], ctx: Context) -> list[dict[str, Any]]:
    return [file(f, ctx, embedded=True) for f in files if f is not None]


def _embedded_file(obj: File | None, ctx: Context) -> dict[str, Any] | None:
    return file(obj, ctx, embedded=True) if obj is not None else None


def _embedded_location(obj: Location | None, ctx: Context) -> dict[str, Any] | None:
    if obj is None or obj.deleted:
        return None
    return location(obj, ctx, embedded=True)


# --- Organizations, persons, memberships ------------------------------------------------


def organization(obj: Organization, ctx: Context) -> dict[str, Any]:
    if obj.deleted:
        return stub("organization", obj, ctx)
    data = _head("organization", obj, ctx)
    data["body"] = ctx.url("body", obj.body_id)
    data["name"] = obj.name
    _put(data, "membership", ctx.urls("membership", _rel(obj, "memberships")))
    data["meeting"] = ctx.list_url("organization", obj.pk, "meeting")
    data["consultation"] = ctx.list_url("organization", obj.pk, "consultation")
    _put(data, "shortName", obj.short_name)
    _put(data, "post", list(obj.post or []))
    _put(data, "subOrganizationOf", ctx.url("organization", obj.sub_organization_of_id))
    _put(data, "organizationType", obj.organization_type)
    _put(data, "classification", obj.classification)
    _put(data, "startDate", date(obj.start_date))
    _put(data, "endDate", date(obj.end_date))
    _put(data, "website", obj.website)
    _put(data, "location", _embedded_location(obj.location, ctx))
    _put(data, "externalBody", obj.external_body)
    return _tail(data, obj, web=settings.SITE_URL + obj.get_absolute_url())


def membership(obj: Membership, ctx: Context, *, embedded: bool = False) -> dict[str, Any]:
    if obj.deleted:
        return stub("membership", obj, ctx)
    data = _head("membership", obj, ctx)
    if not embedded:
        data["person"] = ctx.url("person", obj.person_id)
    data["organization"] = ctx.url("organization", obj.organization_id)
    _put(data, "role", obj.role)
    data["votingRight"] = obj.voting_right
    _put(data, "startDate", date(obj.start_date))
    _put(data, "endDate", date(obj.end_date))
    _put(data, "onBehalfOf", ctx.url("organization", obj.on_behalf_of_id))
    return _tail(data, obj)


def person(obj: Person, ctx: Context) -> dict[str, Any]:
    if obj.deleted:
        return stub("person", obj, ctx)
    data = _head("person", obj, ctx)
    data["body"] = ctx.url("body", obj.body_id)
    data["name"] = obj.name
    _put(data, "familyName", obj.family_name)
    _put(data, "givenName", obj.given_name)
    _put(data, "formOfAddress", obj.form_of_address)
    _put(data, "affix", obj.affix)
    _put(data, "title", list(obj.title or []))
    _put(data, "gender", obj.gender)
    _put(data, "phone", list(obj.phone or []))
    _put(data, "email", list(obj.email or []))
    place = _embedded_location(obj.location, ctx)
    if place is not None:
        # OParl 1.1: `locationObject` only together with `location` naming the same object.
        data["location"] = place["id"]
        data["locationObject"] = place
    _put(data, "status", list(obj.status or []))
    if not ctx.omit_internal:
        _put(
            data,
            "membership",
            [membership(m, ctx, embedded=True) for m in _rel(obj, "memberships")],
        )
    _put(data, "life", obj.life)
    _put(data, "lifeSource", obj.life_source)
    return _tail(data, obj, web=web_url("council:person", obj.pk))


# --- Meetings, agenda items, papers, consultations --------------------------------------


def agenda_item(obj: AgendaItem, ctx: Context, *, embedded: bool = False) -> dict[str, Any]:
    if obj.deleted:
        return stub("agendaitem", obj, ctx)
    data = _head("agendaitem", obj, ctx)
    if not embedded:
        data["meeting"] = ctx.url("meeting", obj.meeting_id)
    _put(data, "number", obj.number)
    data["order"] = obj.order
    _put(data, "name", obj.name)
    data["public"] = obj.public
    first = next(iter(_rel(obj, "consultations")), None)
    _put(data, "consultation", ctx.url("consultation", first))
    _put(data, "result", obj.result)
    _put(data, "resolutionText", obj.resolution_text)
    _put(data, "resolutionFile", _embedded_file(_rel(obj, "resolution_file"), ctx))
    if not ctx.omit_internal:
        _put(data, "auxiliaryFile", _files(_rel(obj, "auxiliary_files"), ctx))
    _put(data, "start", date_time(obj.start))
    _put(data, "end", date_time(obj.end))
    return _tail(data, obj)


def meeting(obj: Meeting, ctx: Context) -> dict[str, Any]:
    if obj.deleted:
        return stub("meeting", obj, ctx)
    data = _head("meeting", obj, ctx)
    data["name"] = obj.name
    _put(data, "meetingState", obj.meeting_state)
    data["cancelled"] = obj.cancelled
    _put(data, "start", date_time(obj.start))
    _put(data, "end", date_time(obj.end))
    _put(data, "location", _embedded_location(obj.location, ctx))
    _put(data, "organization", ctx.urls("organization", _rel(obj, "organizations")))
    _put(data, "participant", ctx.urls("person", _rel(obj, "participants")))
    _put(data, "invitation", _embedded_file(_rel(obj, "invitation"), ctx))
    _put(data, "resultsProtocol", _embedded_file(_rel(obj, "results_protocol"), ctx))
    _put(data, "verbatimProtocol", _embedded_file(_rel(obj, "verbatim_protocol"), ctx))
    if not ctx.omit_internal:
        _put(data, "auxiliaryFile", _files(_rel(obj, "auxiliary_files"), ctx))
        _put(
            data,
            "agendaItem",
            [agenda_item(item, ctx, embedded=True) for item in _rel(obj, "agenda_items")],
        )
    return _tail(data, obj, web=web_url("council:meeting", obj.pk))


def consultation(obj: Consultation, ctx: Context, *, embedded: bool = False) -> dict[str, Any]:
    if obj.deleted:
        return stub("consultation", obj, ctx)
    data = _head("consultation", obj, ctx)
    if not embedded:
        _put(data, "paper", ctx.url("paper", obj.paper_id))
    # A consultation of a public paper may sit in a non-public meeting: then it is not named.
    # Only a meeting and agenda item that may be shown (selectors checked them).
    for attribute, kind, ids in (
        ("agendaItem", "agendaitem", _rel(obj, "agenda_item")),
        ("meeting", "meeting", _rel(obj, "meeting")),
    ):
        if ids:
            data[attribute] = ctx.url(kind, ids[0])
    _put(data, "organization", ctx.urls("organization", _rel(obj, "organizations")))
    data["authoritative"] = obj.authoritative
    _put(data, "role", obj.role)
    return _tail(data, obj)


def paper(obj: Paper, ctx: Context) -> dict[str, Any]:
    if obj.deleted:
        return stub("paper", obj, ctx)
    data = _head("paper", obj, ctx)
    data["body"] = ctx.url("body", obj.body_id)
    data["name"] = obj.name
    _put(data, "reference", obj.reference)
    _put(data, "date", date(obj.date))
    _put(data, "paperType", obj.paper_type)
    _put(data, "relatedPaper", ctx.urls("paper", _rel(obj, "related_papers")))
    _put(data, "superordinatedPaper", ctx.urls("paper", _rel(obj, "superordinated_papers")))
    _put(data, "subordinatedPaper", ctx.urls("paper", _rel(obj, "subordinated_papers")))
    _put(data, "mainFile", _embedded_file(_rel(obj, "main_file"), ctx))
    if not ctx.omit_internal:
        # The answer to an inquiry is one more file of the paper.
        files = list(_rel(obj, "auxiliary_files"))
        answer = _rel(obj, "answer_file")
        if answer is not None and all(f.pk != answer.pk for f in files):
            files.append(answer)
        _put(data, "auxiliaryFile", _files(files, ctx))
        _put(data, "location", [location(p, ctx, embedded=True) for p in _rel(obj, "locations")])
    _put(data, "originatorPerson", ctx.urls("person", _rel(obj, "originator_persons")))
    _put(data, "underDirectionOf", ctx.urls("organization", _rel(obj, "under_direction_of")))
    _put(
        data,
        "originatorOrganization",
        ctx.urls("organization", _rel(obj, "originator_organizations")),
    )
    _put(
        data,
        "consultation",
        [consultation(c, ctx, embedded=True) for c in _rel(obj, "consultations")],
    )
    return _tail(data, obj, web=web_url("council:paper", obj.pk))


SERIALIZERS: dict[str, Callable[[Any, Context], dict[str, Any]]] = {
    "body": body,
    "legislativeterm": legislative_term,
    "organization": organization,
    "person": person,
    "membership": membership,
    "meeting": meeting,
    "agendaitem": agenda_item,
    "paper": paper,
    "consultation": consultation,
    "file": file,
    "location": location,
}


def serialize(kind: str, obj: Any, ctx: Context) -> dict[str, Any]:
    return SERIALIZERS[kind](obj, ctx)
