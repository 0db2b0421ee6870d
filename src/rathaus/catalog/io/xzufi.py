"""Export of the catalog as an XML document shaped after XZuFi 2.2.

XZuFi ("Zuständigkeitsfinder") is the XÖV standard in which the portal network
(Portalverbund, PVOG) exchanges Leistungen, Organisationseinheiten, Onlinedienste and
Zuständigkeiten. This module writes what a municipality owns of that picture.

What follows XZuFi 2.2, as far as we could check it without the XSD:

- the namespace `http://xoev.de/schemata/xzufi/2_2_0` and the attribute `xzufiVersion`;
- per service a `leistung` with `id`, `referenzLeiKa/code` (the 14-digit LeiKa key),
  `modulText` elements carrying `positionDarstellung`, `inhalt languageCode="de"` and the
  code of the LeiKa text module (`leikaTextmodul/code`, codelist
  urn:de:xzufi:codeliste:leistungstextmodulleika: 02 Leistungsbezeichnung, 05 Kurztext,
  06 Volltext, 07 Rechtsgrundlage(n), 08 Erforderliche Unterlagen, 09 Voraussetzungen,
  22 Zuständige Stelle, 23 Ansprechpunkt), the separate modules `modulKosten`,
  `modulFrist` and `modulBearbeitungsdauer` with a `beschreibung`, `modulBegriffImKontext`
  for the search words, `modulUrsprungsportal` with the address of the service's page,
  `sprachversion` (de) and `versionsinformation`;
- `organisationseinheit` with `id`, `name`, `anschrift` (strasse, hausnummer,
  postleitzahl, ort), `kommunikation` (channel codes of the XÖV "Erreichbarkeit"
  codelist as we know it: 01 E-Mail, 02 Telefon) and its `zustaendigkeit` for each
  service by `leistungID`;
- `onlinedienst` with `id`, `bezeichnung`, `link` (link, titel) and `vertrauensniveau`.

What is our own and NOT the full schema:

- the root element `leistungsexport` and its small `nachrichtenkopf`: the real XZuFi
  transfer messages have their own root elements and header structure;
- `onlinedienst/zustaendigkeit/leistungID` links an online service to its Leistung the same
  way organisational units do; in the PVOG that link is a Zuständigkeit object of its own;
- code values: `vertrauensniveau/code` carries our trust level names (niedrig,
  substantiell, hoch) instead of the official codelist codes, and no `listURI` or
  `listVersionID` attributes are written; `oeffnungszeiten` is plain text;
- many optional XZuFi parts are missing (Leistungsstruktur and Typisierung, Kategorien,
  Formulare, Verfahrensablauf, fachliche Freigabe, Gebietsbezug per Zuständigkeit,
  structured fees and deadlines with amounts and durations, other languages).

So the file is meant as a faithful hand-over of our data in the XZuFi vocabulary, not as a
schema-valid message. Validate against the official XSD before feeding a portal directly.
All element names live in `X` and the text module codes in `TEXT_MODULES`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from importlib import metadata
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from lxml import etree

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
PREFIX = "xzufi"
XZUFI_VERSION = "2.2.0"
LANGUAGE = "de"
LANGUAGE_NAME = "Deutsch"


class X:
    """Element and attribute names, all in one place."""

    ROOT = "leistungsexport"
    HEADER = "nachrichtenkopf"
    MESSAGE_ID = "nachrichtenID"
    CREATED = "erstellungszeitpunkt"
    SENDER = "absender"
    NAME = "name"

    LEISTUNG = "leistung"
    ID = "id"
    REFERENZ_LEIKA = "referenzLeiKa"
    CODE = "code"  # XÖV code types keep `code` unqualified
    MODUL_TEXT = "modulText"
    POSITION = "positionDarstellung"
    INHALT = "inhalt"
    LEIKA_TEXTMODUL = "leikaTextmodul"
    MODUL_KOSTEN = "modulKosten"
    MODUL_FRIST = "modulFrist"
    MODUL_BEARBEITUNGSDAUER = "modulBearbeitungsdauer"
    BESCHREIBUNG = "beschreibung"
    MODUL_BEGRIFF = "modulBegriffImKontext"
    BEGRIFF_IM_KONTEXT = "begriffImKontext"
    BEGRIFF = "begriff"
    MODUL_URSPRUNGSPORTAL = "modulUrsprungsportal"
    URI = "uri"
    TITEL = "titel"
    GEBIET = "gueltigkeitGebietID"
    VERSIONSINFORMATION = "versionsinformation"
    GEAENDERT = "geaendertDatumZeit"
    SPRACHVERSION = "sprachversion"
    LANGUAGE_CODE = "languageCode"
    SPRACHE_DEUTSCH = "sprachbezeichnungDeutsch"
    SPRACHE_NATIV = "sprachbezeichnungNativ"

    ORGANISATIONSEINHEIT = "organisationseinheit"
    ANSCHRIFT = "anschrift"
    STRASSE = "strasse"
    HAUSNUMMER = "hausnummer"
    POSTLEITZAHL = "postleitzahl"
    ORT = "ort"
    ZUSATZ = "zusatz"
    KOMMUNIKATION = "kommunikation"
    KANAL = "kanal"
    KENNUNG = "kennung"
    OEFFNUNGSZEITEN = "oeffnungszeiten"
    ZUSTAENDIGKEIT = "zustaendigkeit"
    LEISTUNG_ID = "leistungID"

    ONLINEDIENST = "onlinedienst"
    BEZEICHNUNG = "bezeichnung"
    LINK = "link"
    VERTRAUENSNIVEAU = "vertrauensniveau"

    # attributes
    XZUFI_VERSION = "xzufiVersion"
    PRODUKT = "produkt"
    PRODUKTVERSION = "produktversion"
    SCHEME_AGENCY = "schemeAgencyID"
    SCHEME_ID = "schemeID"


# (LeiKa text module code, service attribute) in the order of display.
TEXT_MODULES: tuple[tuple[str, str], ...] = (
    ("02", "name"),  # Leistungsbezeichnung
    ("05", "summary"),  # Kurztext
    ("06", "description"),  # Volltext
    ("09", "requirements"),  # Voraussetzungen
    ("08", "documents"),  # Erforderliche Unterlagen
    ("07", "legal_basis"),  # Rechtsgrundlage(n)
)
TEXT_MODULE_OFFICE = "22"  # Zuständige Stelle
TEXT_MODULE_CONTACT = "23"  # Ansprechpunkt
# (module element, service attribute): modules of their own in XZuFi 2.2.
DESCRIBED_MODULES: tuple[tuple[str, str], ...] = (
    (X.MODUL_KOSTEN, "fees"),
    (X.MODUL_FRIST, "deadlines"),
    (X.MODUL_BEARBEITUNGSDAUER, "processing_time"),
)
CHANNEL_EMAIL = "01"
CHANNEL_PHONE = "02"
ID_SCHEME_LEISTUNG = "rathaus:leistung"
ID_SCHEME_OE = "rathaus:organisationseinheit"
ID_SCHEME_ONLINEDIENST = "rathaus:onlinedienst"

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\D)\s+(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-\u2013/]\s*\d+\s*[a-zA-Z]?)?)$"
)


def q(name: str) -> str:
    """Qualified name in the XZuFi namespace."""
    return f"{{{NAMESPACE}}}{name}"


def _clean(text: Any) -> str:
    # XML 1.0 cannot carry most control characters; a stray one must not break the export.
    return _NOT_XML.sub("", str(text))


def _el(parent: etree._Element, name: str, text: Any = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, q(name), {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = _clean(text)
    return element


def _code(parent: etree._Element, name: str, code: str) -> etree._Element:
    element = _el(parent, name)
    etree.SubElement(element, X.CODE).text = code
    return element


def _id(parent: etree._Element, name: str, value: str, scheme: str) -> None:
    _el(parent, name, value, **{X.SCHEME_AGENCY: settings.RATHAUS_AGS, X.SCHEME_ID: scheme})


def _language(parent: etree._Element) -> None:
    version = _el(parent, X.SPRACHVERSION)
    _el(version, X.LANGUAGE_CODE, LANGUAGE)
    _el(version, X.SPRACHE_DEUTSCH, LANGUAGE_NAME)
    _el(version, X.SPRACHE_NATIV, LANGUAGE_NAME)


def leistung_id(service: Service) -> str:
    return f"L{service.pk}"


def office_id(office: Office) -> str:
    return f"OE{office.pk}"


def onlinedienst_id(service: Service) -> str:
    return f"OD{service.pk}"


def _office_text(office: Office) -> str:
    return "\n".join([office.name, *office.address_lines])


def _contact_text(office: Office) -> str:
    parts = [
        f"Telefon: {office.phone}" if office.phone else "",
        f"E-Mail: {office.email}" if office.email else "",
        f"Öffnungszeiten: {office.opening_hours}" if office.opening_hours else "",
    ]
    return "\n".join(p for p in parts if p)


def _text_module(parent: etree._Element, position: int, code: str, text: str) -> None:
    module = _el(parent, X.MODUL_TEXT)
    _el(module, X.POSITION, position)
    _el(module, X.INHALT, text, **{X.LANGUAGE_CODE: LANGUAGE})
    _code(module, X.LEIKA_TEXTMODUL, code)


def _leistung(root: etree._Element, service: Service) -> None:
    element = _el(root, X.LEISTUNG)
    _id(element, X.ID, leistung_id(service), ID_SCHEME_LEISTUNG)
    _code(element, X.REFERENZ_LEIKA, service.leika_key)
    position = 0
    for code, attribute in TEXT_MODULES:
        if text := getattr(service, attribute):
            position += 1
            _text_module(element, position, code, text)
    if service.office:
        position += 1
        _text_module(element, position, TEXT_MODULE_OFFICE, _office_text(service.office))
        if contact := _contact_text(service.office):
            position += 1
            _text_module(element, position, TEXT_MODULE_CONTACT, contact)
    for module_name, attribute in DESCRIBED_MODULES:
        if text := getattr(service, attribute):
            module = _el(element, module_name)
            _el(module, X.BESCHREIBUNG, text, **{X.LANGUAGE_CODE: LANGUAGE})
    if keywords := service.keyword_list:
        module = _el(element, X.MODUL_BEGRIFF)
        for keyword in keywords:
            term = _el(module, X.BEGRIFF_IM_KONTEXT)
            _el(term, X.BEGRIFF, keyword, **{X.LANGUAGE_CODE: LANGUAGE})
    portal = _el(element, X.MODUL_URSPRUNGSPORTAL, **{X.LANGUAGE_CODE: LANGUAGE})
    _el(portal, X.URI, settings.SITE_URL + service.get_absolute_url())
    _el(portal, X.TITEL, service.name)
    _el(element, X.GEBIET, settings.RATHAUS_AGS)
    if service.modified:
        info = _el(element, X.VERSIONSINFORMATION)
        _el(info, X.GEAENDERT, timezone.localtime(service.modified).isoformat(timespec="seconds"))
    _language(element)


def _organisationseinheit(root: etree._Element, office: Office, services: list[Service]) -> None:
    element = _el(root, X.ORGANISATIONSEINHEIT)
    _id(element, X.ID, office_id(office), ID_SCHEME_OE)
    name = _el(element, X.NAME)
    _el(name, X.NAME, office.name, **{X.LANGUAGE_CODE: LANGUAGE})
    if office.street or office.postal_code or office.city:
        address = _el(element, X.ANSCHRIFT)
        match = _HOUSE_NUMBER.match(office.street.strip())
        street, number = (match["street"], match["number"]) if match else (office.street, "")
        if street:
            _el(address, X.STRASSE, street.strip())
        if number:
            _el(address, X.HAUSNUMMER, number)
        if office.postal_code:
            _el(address, X.POSTLEITZAHL, office.postal_code)
        if office.city:
            _el(address, X.ORT, office.city)
        if office.room:
            _el(address, X.ZUSATZ, office.room)
    for channel, value in ((CHANNEL_EMAIL, office.email), (CHANNEL_PHONE, office.phone)):
        if value:
            contact = _el(element, X.KOMMUNIKATION)
            _code(contact, X.KANAL, channel)
            _el(contact, X.KENNUNG, value)
    if office.opening_hours:
        _el(element, X.OEFFNUNGSZEITEN, office.opening_hours, **{X.LANGUAGE_CODE: LANGUAGE})
    for service in services:
        responsibility = _el(element, X.ZUSTAENDIGKEIT)
        _id(responsibility, X.LEISTUNG_ID, leistung_id(service), ID_SCHEME_LEISTUNG)


def _onlinedienst(root: etree._Element, service: Service) -> None:
    element = _el(root, X.ONLINEDIENST)
    _id(element, X.ID, onlinedienst_id(service), ID_SCHEME_ONLINEDIENST)
    title = service.online_service_name or service.name
    _el(element, X.BEZEICHNUNG, title, **{X.LANGUAGE_CODE: LANGUAGE})
    link = _el(element, X.LINK, **{X.LANGUAGE_CODE: LANGUAGE})
    _el(link, X.LINK, service.online_service_url)
    _el(link, X.TITEL, title)
    if service.trust_level:
        _code(element, X.VERTRAUENSNIVEAU, service.trust_level)
    _language(element)
    responsibility = _el(element, X.ZUSTAENDIGKEIT)
    _id(responsibility, X.LEISTUNG_ID, leistung_id(service), ID_SCHEME_LEISTUNG)


def _product_version() -> str:
    try:
        return metadata.version("rathaus")
    except metadata.PackageNotFoundError:
        return "0"


def build_document(services: Iterable[Service]) -> etree._Element:
    """The XML tree for these services (pass them with `office` selected)."""
    services = list(services)
    root = etree.Element(
        q(X.ROOT),
        {
            X.XZUFI_VERSION: XZUFI_VERSION,
            X.PRODUKT: "Rathaus",
            X.PRODUKTVERSION: _product_version(),
        },
        nsmap={PREFIX: NAMESPACE},
    )
    header = _el(root, X.HEADER)
    _el(header, X.MESSAGE_ID, uuid.uuid4())
    _el(header, X.CREATED, timezone.localtime().isoformat(timespec="seconds"))
    sender = _el(header, X.SENDER)
    _el(sender, X.NAME, settings.RATHAUS_MUNICIPALITY)
    by_office: dict[int, tuple[Office, list[Service]]] = {}
    for service in services:
        _leistung(root, service)
        if service.office:
            by_office.setdefault(service.office.pk, (service.office, []))[1].append(service)
    for office, office_services in sorted(by_office.values(), key=lambda pair: pair[0].name):
        _organisationseinheit(root, office, office_services)
    for service in services:
        if service.online_service_url:
            _onlinedienst(root, service)
    return root


def write_xzufi(services: Iterable[Service], stream: IO[bytes]) -> int:
    """Write the document as UTF-8; returns the number of Leistungen."""
    root = build_document(services)
    stream.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return len(root.findall(q(X.LEISTUNG)))
