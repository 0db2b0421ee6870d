"""A case as a self-contained record (Akte) for archiving or handing over: one ZIP file.

The layout follows the spirit of XDOMEA (the German standard for exchanging records
between administrations: a file (Akte) holding a case (Vorgang) holding documents, with
metadata and the audit trail) but is *not* an XDOMEA message and claims no conformance:
its XML uses Rathaus's own namespace. Contents:

- `index.xml`: metadata of the Akte and the Vorgang, every document with its file name in
  the archive, type, size and SHA-256, the messages, the audit trail and the media breaks;
- `zusammenfassung.pdf`: a readable summary (data, messages, notes, audit trail), made with
  WeasyPrint from `templates/cases/export/summary.html`;
- `dokumente/…`: every document file as stored.

Someone receiving the archive can check each file against its hash in the index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from lxml import etree

from rathaus.cases.models import Case, CaseDocument
from rathaus.cases.selectors import data_rows
from rathaus.core.pdf import html_to_pdf

NAMESPACE = "urn:x-rathaus:akte:1"
SCHEMA_VERSION = "1"
INDEX_NAME = "index.xml"
SUMMARY_NAME = "zusammenfassung.pdf"
DOCUMENTS_DIR = "dokumente"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _iso(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def safe_file_name(name: str, *, fallback: str = "dokument") -> str:
    """An archive member name that unpacks safely everywhere: ASCII, no paths, bounded."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.replace("ß", "ss"))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    cleaned = _UNSAFE.sub("-", ascii_name.rsplit("/", 1)[-1]).strip(".-")
    return (cleaned or fallback)[:100]


@dataclass(frozen=True)
class Member:
    """A document as it is written into the archive."""

    document: CaseDocument
    path: str
    content: bytes
    sha256: str


def _members(case: Case) -> list[Member]:
    members = []
    for number, document in enumerate(
        case.documents.order_by("created", "pk").select_related("created_by"), start=1
    ):
        with document.file.open("rb") as handle:
            content = handle.read()
        name = safe_file_name(document.original_name or document.title)
        members.append(
            Member(
                document=document,
                path=f"{DOCUMENTS_DIR}/{number:03d}-{name}",
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return members


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", dict(attrs))
    if text is not None and text != "":
        element.text = str(text)
    return element


def _pairs(rows: list[Any]) -> list[tuple[str, str]]:
    """(label, value) from the form engine's rows, whatever their exact shape."""
    pairs = []
    for row in rows:
        if isinstance(row, dict):
            label, value = row.get("label", ""), row.get("value", "")
        elif isinstance(row, tuple | list) and len(row) >= 2:
            label, value = row[0], row[1]
        else:
            label, value = getattr(row, "label", ""), getattr(row, "value", "")
        pairs.append((str(label), str(value)))
    return pairs


def build_index(case: Case, members: list[Member], summary: bytes) -> bytes:
    """The XML index; every text is escaped by lxml, so no content can break the structure."""
    nsmap = {None: NAMESPACE}
    root = etree.Element(
        f"{{{NAMESPACE}}}Akte",
        nsmap=nsmap,
        version=SCHEMA_VERSION,
        erstellt=_iso(timezone.now()),
    )
    _sub(
        root,
        "Hinweis",
        "Aktenexport von Rathaus in Anlehnung an XDOMEA; keine XDOMEA-konforme Nachricht.",
    )
    _sub(root, "Behoerde", settings.RATHAUS_MUNICIPALITY, ags=settings.RATHAUS_AGS)
    akte = _sub(root, "Metadaten")
    _sub(akte, "Aktenzeichen", case.reference)
    _sub(akte, "Titel", case.subject)
    _sub(akte, "Stelle", case.office.name, kennung=case.office.slug)
    if case.service is not None:
        _sub(akte, "Leistung", case.service.name, leikaSchluessel=case.service.leika_key)
    _sub(akte, "AufbewahrenBis", _iso(case.retention_until))

    vorgang = _sub(root, "Vorgang", aktenzeichen=case.reference)
    _sub(vorgang, "Eingangskanal", case.get_channel_display(), code=case.channel)
    _sub(vorgang, "Status", case.get_state_display(), code=case.state)
    _sub(vorgang, "Ergebnis", case.get_outcome_display() if case.outcome else "", code=case.outcome)
    _sub(vorgang, "Eingang", _iso(case.received_at))
    _sub(vorgang, "Frist", _iso(case.due_date))
    _sub(vorgang, "Entschieden", _iso(case.decided_at))
    _sub(vorgang, "Abgeschlossen", _iso(case.closed_at))
    _sub(vorgang, "Vertrauensniveau", case.trust_level)
    _sub(vorgang, "GebuehrCent", case.fee_cents)
    _sub(vorgang, "Zahlung", case.payment_state)
    antragsteller = _sub(vorgang, "Antragsteller")
    _sub(antragsteller, "Name", case.applicant_name)
    _sub(antragsteller, "EMail", case.applicant_email)
    _sub(antragsteller, "Anschrift", getattr(case, "applicant_address", ""))
    daten = _sub(vorgang, "Antragsdaten")
    for label, value in _pairs(data_rows(case)):
        _sub(daten, "Angabe", value, bezeichnung=label)

    documents = _sub(vorgang, "Dokumente", anzahl=str(len(members)))
    for member in members:
        doc = member.document
        element = _sub(documents, "Dokument", id=str(doc.pk))
        _sub(element, "Titel", doc.title)
        _sub(element, "Art", doc.get_kind_display(), code=doc.kind)
        _sub(element, "Dateiname", member.path)
        _sub(element, "Originalname", doc.original_name)
        _sub(element, "MimeType", doc.content_type)
        _sub(element, "Groesse", len(member.content))
        _sub(element, "SHA256", member.sha256)
        _sub(element, "Erstellt", _iso(doc.created))
        _sub(element, "FuerAntragstellerSichtbar", "ja" if doc.visible_to_applicant else "nein")

    messages = _sub(vorgang, "Nachrichten")
    for message in case.messages.order_by("created", "pk"):
        element = _sub(
            messages,
            "Nachricht",
            richtung="an-antragsteller" if message.direction == "out" else "von-antragsteller",
        )
        _sub(element, "Betreff", message.subject)
        _sub(element, "Datum", _iso(message.created))
        _sub(element, "FordertUnterlagen", "ja" if message.requests_documents else "nein")
        _sub(element, "Beantwortet", _iso(message.answered_at))
        _sub(element, "Gelesen", _iso(message.read_at))
        _sub(element, "Text", message.body)

    trail = _sub(vorgang, "Protokoll")
    for event in case.events.order_by("at", "pk"):
        element = _sub(trail, "Eintrag", aktion=event.action)
        _sub(element, "Zeitpunkt", _iso(event.at))
        _sub(element, "Akteur", event.actor_name)
        _sub(element, "Beschreibung", event.summary)
        if event.before:
            _sub(element, "Vorher", json.dumps(event.before, ensure_ascii=False, sort_keys=True))
        if event.after:
            _sub(element, "Nachher", json.dumps(event.after, ensure_ascii=False, sort_keys=True))

    breaks = _sub(vorgang, "Medienbrueche", anzahl=str(case.media_breaks.count()))
    for media_break in case.media_breaks.order_by("at", "pk"):
        element = _sub(breaks, "Medienbruch", art=media_break.kind)
        _sub(element, "Bezeichnung", media_break.get_kind_display())
        _sub(element, "Zeitpunkt", _iso(media_break.at))
        _sub(element, "Anmerkung", media_break.note)

    _sub(
        root,
        "Zusammenfassung",
        dateiname=SUMMARY_NAME,
        sha256=hashlib.sha256(summary).hexdigest(),
        groesse=str(len(summary)),
    )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def summary_pdf(case: Case, members: list[Member]) -> bytes:
    """The readable summary of the case as PDF (German, whatever language is active)."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "cases/export/summary.html",
            {
                "case": case,
                "municipality": settings.RATHAUS_MUNICIPALITY,
                "data": _pairs(data_rows(case)),
                "documents": members,
                "messages": case.messages.order_by("created", "pk"),
                "notes": case.notes.order_by("created", "pk").select_related("author"),
                "events": case.events.order_by("at", "pk"),
                "media_breaks": case.media_breaks.order_by("at", "pk"),
                "exported_at": timezone.now(),
            },
        )
    return html_to_pdf(html, tagged=False)


def export_case(case: Case) -> bytes:
    """The case as a ZIP archive (see the module docstring); nothing is written anywhere."""
    case = Case.objects.select_related("service", "office").get(pk=case.pk)
    members = _members(case)
    summary = summary_pdf(case, members)
    index = build_index(case, members, summary)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(INDEX_NAME, index)
        archive.writestr(SUMMARY_NAME, summary)
        for member in members:
            archive.writestr(member.path, member.content)
    return buffer.getvalue()


def archive_name(case: Case) -> str:
    return f"akte-{safe_file_name(case.reference)}.zip"
