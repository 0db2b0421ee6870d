"""Public pages of the service catalog: finder, A-Z, detail, offices, maturity levels.

Views only read request parameters, call `selectors` and pick a template. Every page
answers GET without touching the session or the CSRF cookie, so anonymous readers get no
cookie at all.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rathaus.accounts.models import Office
from rathaus.catalog import selectors
from rathaus.catalog.maturity import (
    MATURITY_V1_DEFINITIONS,
    MATURITY_V2_DEFINITIONS,
    OZG_OBLIGATION_LEVEL_V1,
    MaturityV1,
    MaturityV2,
)
from rathaus.catalog.models import LifeSituation, Service, Topic
from rathaus.core import search

PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 200
TRUE_VALUES = frozenset({"1", "true", "on", "ja", "yes"})


# --- finder ------------------------------------------------------------------------------


@dataclass
class FinderRequest:
    """The finder's GET parameters after checking them against what exists."""

    text: str = ""
    filters: selectors.Filters = field(default_factory=selectors.Filters)
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def params(self, **overrides: Any) -> dict[str, str]:
        """The canonical query parameters (only valid ones), for links that keep the query."""
        values = {
            "q": self.text,
            "lebenslage": self.filters.life_situation,
            "dienststelle": self.filters.office,
            "themenfeld": self.filters.topic,
            "online": "1" if self.filters.online_only else "",
            "seite": str(self.page) if self.page > 1 else "",
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}

    def url(self, **overrides: Any) -> str:
        if overrides.get("seite") == "1":
            overrides["seite"] = ""  # page 1 has the plain address
        query = urlencode(self.params(**overrides))
        return reverse("catalog:finder") + (f"?{query}" if query else "")


def _read_finder_request(
    data: QueryDict, life_situations: list[LifeSituation], offices: list[Office]
) -> FinderRequest:
    """Unknown filter values are dropped with a notice instead of failing the page."""
    parsed = FinderRequest(text=data.get("q", "").strip()[:MAX_QUERY_LENGTH])
    life_situation = data.get("lebenslage", "").strip()
    if life_situation:
        if any(ls.slug == life_situation for ls in life_situations):
            parsed.filters.life_situation = life_situation
        else:
            parsed.notices.append(
                _("Die Lebenslage „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
                % {"value": life_situation}
            )
    office = data.get("dienststelle", "").strip()
    if office:
        if any(o.slug == office for o in offices):
            parsed.filters.office = office
        else:
            parsed.notices.append(
                _("Die Dienststelle „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
                % {"value": office}
            )
    topic = data.get("themenfeld", "").strip()
    if topic:
        if topic in Topic.values:
            parsed.filters.topic = topic
        else:
            parsed.notices.append(
                _("Das Themenfeld „%(value)s“ kennen wir nicht; dieser Filter wurde ignoriert.")
                % {"value": topic}
            )
    parsed.filters.online_only = data.get("online", "").strip().lower() in TRUE_VALUES
    raw_page = data.get("seite", "").strip()
    if raw_page:
        try:
            parsed.page = int(raw_page)
        except ValueError:
            parsed.page = 1
            parsed.notices.append(
                _("„%(value)s“ ist keine Seitenzahl; wir zeigen die erste Seite.")
                % {"value": raw_page[:20]}
            )
        else:
            if parsed.page < 1:
                parsed.page = 1
                parsed.notices.append(_("Seitenzahlen beginnen bei 1; wir zeigen die erste Seite."))
    return parsed


def finder(request: HttpRequest) -> HttpResponse:
    life_situations, offices = selectors.finder_facets()
    query = _read_finder_request(request.GET, life_situations, offices)

    # A silly page number must not reach the database as an enormous OFFSET.
    offset = (min(query.page, MAX_PAGE) - 1) * PAGE_SIZE
    result = selectors.find_services(query.text, query.filters, offset=offset, limit=PAGE_SIZE)
    num_pages = max(1, math.ceil(result.total / PAGE_SIZE))
    if query.page > num_pages:
        query.notices.append(
            _("Seite %(page)s gibt es nicht; wir zeigen die letzte Seite.") % {"page": query.page}
        )
        query.page = num_pages
        result = selectors.find_services(
            query.text, query.filters, offset=(query.page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )

    suggestion = search.suggest(query.text, result.corrections)
    language = get_language() or settings.LANGUAGE_CODE
    context = {
        "q": query.text,
        "search_query": query.text,
        "filters": query.filters,
        "filters_active": query.filters != selectors.Filters(),
        "notices": query.notices,
        "results": [(s, result.snippets.get(s.pk, "")) for s in result.services],
        "total": result.total,
        "page": query.page,
        "num_pages": num_pages,
        "first_index": (query.page - 1) * PAGE_SIZE + 1,
        "prev_url": query.url(seite=str(query.page - 1)) if query.page > 1 else "",
        "next_url": query.url(seite=str(query.page + 1)) if query.page < num_pages else "",
        "reset_url": query.url(lebenslage="", dienststelle="", themenfeld="", online="", seite=""),
        "suggestion": suggestion,
        "suggestion_url": query.url(q=suggestion, seite="") if suggestion else "",
        "life_situations": [
            (ls.slug, ls.display_name(language), ls.service_count)  # type: ignore[attr-defined]
            for ls in life_situations
        ],
        # Names shown in German on a page in another language, marked lang="de" (WCAG 3.1.2).
        "life_situations_untranslated": {
            ls.slug for ls in life_situations if ls.display_name(language) == ls.name
        },
        "offices": offices,
        "topics": Topic.choices,
    }
    return render(request, "catalog/finder.html", context)


# --- A-Z ---------------------------------------------------------------------------------

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _anchor(letter: str) -> str:
    return "buchstabe-" + (letter.lower() if letter.isalpha() else "weitere")


def a_to_z(request: HttpRequest) -> HttpResponse:
    groups = selectors.a_to_z()
    letters = list(dict.fromkeys([*ALPHABET, *groups]))
    context = {
        # Every letter is shown; only those with services link to their group.
        "index": [(letter, _anchor(letter), letter in groups) for letter in letters],
        "groups": [(letter, _anchor(letter), services) for letter, services in groups.items()],
        "total": sum(len(services) for services in groups.values()),
    }
    return render(request, "catalog/a_to_z.html", context)


# --- detail ------------------------------------------------------------------------------


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the surrounding <script> element early (nor open a comment)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _postal_address(office: Office) -> dict[str, str]:
    address = {
        "@type": "PostalAddress",
        "streetAddress": office.street,
        "postalCode": office.postal_code,
        "addressLocality": office.city,
        "addressCountry": "DE",
    }
    return {key: value for key, value in address.items() if value}


def government_service_ld(service: Service, request: HttpRequest) -> dict[str, Any]:
    """schema.org GovernmentService for search engines and the portal network."""
    municipality = settings.RATHAUS_MUNICIPALITY
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "LeiKa", "value": service.leika_key},
    ]
    if service.ozg_id:
        identifiers.append({"@type": "PropertyValue", "propertyID": "OZG", "value": service.ozg_id})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": service.name,
        "url": request.build_absolute_uri(service.get_absolute_url()),
        "identifier": identifiers,
        "serviceType": service.ozg_name or service.get_topic_display() or service.name,
        "areaServed": {"@type": "City", "name": municipality},
    }
    if description := (service.summary or service.description).strip():
        data["description"] = description

    office = service.office
    if office is not None:
        provider: dict[str, Any] = {
            "@type": "GovernmentOrganization",
            "name": office.name,
            "url": request.build_absolute_uri(office.get_absolute_url()),
            "parentOrganization": {"@type": "GovernmentOrganization", "name": municipality},
        }
        if office.street or office.city:
            provider["address"] = _postal_address(office)
        contact = {"@type": "ContactPoint", "telephone": office.phone, "email": office.email}
        contact = {key: value for key, value in contact.items() if value}
        if len(contact) > 1:
            provider["contactPoint"] = contact
            provider.update({k: v for k, v in contact.items() if k in {"telephone", "email"}})
    else:
        provider = {"@type": "GovernmentOrganization", "name": municipality}
    data["provider"] = provider

    channels: list[dict[str, Any]] = []
    for code, label in service.channels:
        channel: dict[str, Any] = {"@type": "ServiceChannel", "name": label}
        if code == "online" and service.online_service_url:
            channel["serviceUrl"] = service.online_service_url
            if service.online_service_name:
                channel["name"] = service.online_service_name
        elif code == "phone" and office is not None and office.phone:
            channel["servicePhone"] = {"@type": "ContactPoint", "telephone": office.phone}
        elif code == "in_person" and office is not None:
            channel["serviceLocation"] = {
                "@type": "GovernmentOffice",
                "name": office.name,
                "address": _postal_address(office),
            }
        elif code == "post" and office is not None and office.street:
            channel["servicePostalAddress"] = _postal_address(office)
        elif code == "email" and office is not None and office.email:
            channel["serviceUrl"] = f"mailto:{office.email}"
        channels.append(channel)
    if channels:
        data["availableChannel"] = channels
    return data


def _levels(
    choices: list[tuple[int, Any]], definitions: dict[int, Any], current: int
) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "definition": definitions[value],
            "current": value == current,
        }
        for value, label in choices
    ]


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        service = selectors.service_detail(slug)
    except Service.DoesNotExist:
        # Drafts and archived services are not public: they do not exist for readers.
        raise Http404(_("Diese Leistung gibt es nicht (mehr).")) from None
    language = get_language() or settings.LANGUAGE_CODE
    context = {
        "service": service,
        "office": service.office,
        "external": service.is_online and not service.online_service_own,
        "life_situations": [
            (ls.slug, ls.display_name(language)) for ls in service.life_situations.all()
        ],
        "channels": [code for code, _label in service.channels],
        "levels_v1": _levels(MaturityV1.choices, MATURITY_V1_DEFINITIONS, service.maturity_level),
        "levels_v2": _levels(
            MaturityV2.choices, MATURITY_V2_DEFINITIONS, service.maturity_level_v2
        ),
        "definition_v1": MATURITY_V1_DEFINITIONS[service.maturity_level],
        "definition_v2": MATURITY_V2_DEFINITIONS[service.maturity_level_v2],
        "json_ld": _json_for_script(government_service_ld(service, request)),
    }
    return render(request, "catalog/detail.html", context)


# --- offices -----------------------------------------------------------------------------


def offices(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/offices.html", {"offices": selectors.offices_with_services()})


def office(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = selectors.office_detail(slug)
    except Office.DoesNotExist:
        raise Http404(_("Diese Dienststelle gibt es nicht.")) from None
    return render(
        request,
        "catalog/office.html",
        {"office": found, "services": list(found.services.all())},
    )


# --- maturity models ---------------------------------------------------------------------


def maturity_levels(request: HttpRequest) -> HttpResponse:
    coverage = selectors.online_coverage()
    context = {
        "coverage": coverage,
        "obligation_level": OZG_OBLIGATION_LEVEL_V1,
        "levels_v1": [
            {**level, "count": coverage.by_level.get(level["value"], 0)}
            for level in _levels(MaturityV1.choices, MATURITY_V1_DEFINITIONS, -1)
        ],
        "levels_v2": [
            {**level, "count": coverage.by_level_v2.get(level["value"], 0)}
            for level in _levels(MaturityV2.choices, MATURITY_V2_DEFINITIONS, -1)
        ],
    }
    return render(request, "catalog/maturity.html", context)
