"""Reading and writing the catalog as CSV and JSON, with the columns of `columns.py`.

Reading turns a file into rows of raw values with the line each row starts on; it rejects
files that cannot be read at all (wrong encoding, malformed JSON, a missing required
column, no rows) with one message naming the place. Checking the values of each row is the
importer's job.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from rathaus.catalog.io.columns import BY_KEY, COLUMN_KEYS, COLUMNS, REQUIRED_KEYS, to_cell, to_json
from rathaus.catalog.models import LifeSituation, Service
from rathaus.core.errors import ImportRejected, Problem, Report

CSV_DELIMITERS = (";", ",", "\t")
DEFAULT_CSV_DELIMITER = ";"  # what German Excel writes and expects
JSON_FORMAT_NAME = "rathaus.catalog.services"
JSON_FORMAT_VERSION = 1
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# The json module's messages, for readers of a German report.
JSON_MESSAGES = {
    "Expecting ',' delimiter": _lazy("Komma erwartet"),
    "Expecting ':' delimiter": _lazy("Doppelpunkt erwartet"),
    "Expecting value": _lazy("Wert erwartet"),
    "Expecting property name enclosed in double quotes": _lazy(
        "Feldname in doppelten Anführungszeichen erwartet"
    ),
    "Unterminated string starting at": _lazy("Zeichenkette ohne schließendes Anführungszeichen"),
    "Invalid control character at": _lazy("Unerlaubtes Steuerzeichen"),
    "Invalid \\escape": _lazy("Ungültige Escape-Sequenz"),
    "Extra data": _lazy("Weitere Daten nach dem Ende des Dokuments"),
}


@dataclass
class RawRow:
    """One record of the file: the line it starts on and its cells by column key.

    `values` holds only the columns the record has (for CSV: every column of the header).
    `problem` is set when the record cannot be read as a row at all.
    """

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


@dataclass
class ParsedFile:
    rows: list[RawRow]
    columns: list[str]
    warnings: Report = field(default_factory=Report)
    delimiter: str = ""


# --- reading -----------------------------------------------------------------------------


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Text of the file; UTF-8 with or without BOM by default.

    A byte that does not decode is reported with its line and position, because the usual
    cause is a file saved by Excel in Windows-1252 (`--encoding cp1252`).
    """
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ImportRejected(
            _("Unbekannte Zeichenkodierung {encoding!r}.").format(encoding=encoding)
        ) from None
    if codec.name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        message = _(
            "Die Datei ist nicht in {encoding} kodiert: Zeile {line}, Byte {column} der Zeile "
            "(Byte {offset} der Datei, Wert 0x{byte}) lässt sich nicht lesen. Dateien aus Excel "
            "sind oft in Windows-1252 gespeichert; versuchen Sie --encoding cp1252."
        ).format(
            encoding=encoding.upper(), line=line, column=column, offset=exc.start + 1, byte=byte
        )
        raise ImportRejected(message, problems=[Problem(message=message, line=line)]) from None
    return text.removeprefix("\ufeff")


def guess_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    start = data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1]
    return "json" if start in (b"[", b"{") else "csv"


def detect_delimiter(header_line: str) -> str:
    """`;` (German Excel), `,` or tab: whichever separates the header line most often."""
    counts = {d: _count_outside_quotes(header_line, d) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else DEFAULT_CSV_DELIMITER


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _reject_empty() -> None:
    raise ImportRejected(_("Die Datei ist leer: sie enthält keine Leistungen."))


def _check_header(columns: list[str], warnings: Report, *, line: int | None) -> None:
    missing = [key for key in REQUIRED_KEYS if key not in columns]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        found = ", ".join(repr(c) for c in columns if c) or _("keine")
        message = _("Pflichtspalte {names} fehlt. Gefundene Spalten: {found}.").format(
            names=names, found=found
        )
        raise ImportRejected(
            message,
            problems=[
                Problem(message=_("Pflichtspalte fehlt."), line=line, field=m) for m in missing
            ],
        )
    for name in columns:
        if name and name not in BY_KEY:
            warnings.add(
                _("Unbekannte Spalte {name!r} wird ignoriert.").format(name=name),
                line=line,
                field=name,
            )


def read_csv(text: str) -> ParsedFile:
    if not text.strip():
        _reject_empty()
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = detect_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    warnings = Report()
    rows: list[RawRow] = []
    try:
        header: list[str] = []
        for cells in reader:
            if any(c.strip() for c in cells):
                header = [c.strip().lower().removeprefix("\ufeff") for c in cells]
                break
        header_row = reader.line_num
        duplicates = sorted({h for h in header if h and header.count(h) > 1})
        if duplicates:
            message = _("Spalte {names} kommt in der Kopfzeile mehrfach vor.").format(
                names=", ".join(repr(d) for d in duplicates)
            )
            raise ImportRejected(message, problems=[Problem(message=message, line=header_row)])
        _check_header(header, warnings, line=header_row)
        known = [(i, name) for i, name in enumerate(header) if name in BY_KEY]
        previous = reader.line_num
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank line, or only separators
            row = RawRow(line=line)
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                row.problem = _(
                    "Die Zeile hat {found} Felder, die Kopfzeile nur {expected} "
                    "(Trennzeichen {delimiter!r} oder Anführungszeichen prüfen)."
                ).format(found=len(cells), expected=len(header), delimiter=delimiter)
            padded = cells + [""] * (len(header) - len(cells))
            row.values = {name: padded[i] for i, name in known}
            rows.append(row)
    except csv.Error as exc:
        message = _("Die CSV-Datei ist fehlerhaft in Zeile {line}: {error}.").format(
            line=reader.line_num, error=exc
        )
        raise ImportRejected(
            message, problems=[Problem(message=message, line=reader.line_num)]
        ) from None
    if not rows:
        _reject_empty()
    return ParsedFile(rows=rows, columns=header, warnings=warnings, delimiter=delimiter)


def read_json(text: str) -> ParsedFile:
    """A list of objects, or `{"services": [...]}`; each row knows the line it starts on."""
    if not text.strip():
        _reject_empty()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        message = _(
            "Die JSON-Datei ist fehlerhaft: {error} in Zeile {line}, Spalte {column}."
        ).format(error=JSON_MESSAGES.get(exc.msg, exc.msg), line=exc.lineno, column=exc.colno)
        raise ImportRejected(
            message, problems=[Problem(message=message, line=exc.lineno)]
        ) from None
    items = document.get("services") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ImportRejected(
            _(
                "Die JSON-Datei muss eine Liste von Leistungen sein, oder ein Objekt "
                '{"services": [...]}.'
            )
        )
    if not items:
        _reject_empty()
    lines = _element_lines(text, nested=isinstance(document, dict))
    warnings = Report()
    rows: list[RawRow] = []
    seen: set[str] = set()
    for item, line in zip(items, lines, strict=True):
        if not isinstance(item, dict):
            rows.append(
                RawRow(line=line, problem=_("Eintrag ist kein Objekt mit Spalten als Schlüsseln."))
            )
            continue
        values = {str(k).strip().lower(): v for k, v in item.items()}
        for name in values.keys() - BY_KEY.keys() - seen:
            seen.add(name)
            warnings.add(
                _("Unbekannte Spalte {name!r} wird ignoriert.").format(name=name),
                line=line,
                field=name,
            )
        row = RawRow(line=line, values={k: v for k, v in values.items() if k in BY_KEY})
        missing = [key for key in REQUIRED_KEYS if key not in row.values]
        if missing:
            row.problem = _("Pflichtfeld {names} fehlt.").format(
                names=", ".join(repr(m) for m in missing)
            )
        rows.append(row)
    present = {k for row in rows for k in row.values}
    return ParsedFile(
        rows=rows, columns=[k for k in COLUMN_KEYS if k in present], warnings=warnings
    )


def _element_lines(text: str, *, nested: bool) -> list[int]:
    """The line on which each element of the service list starts (json gives no positions)."""
    decoder = json.JSONDecoder()

    def skip(pos: int) -> int:
        match = _WHITESPACE.match(text, pos)
        return match.end() if match else pos

    pos = skip(0)
    if nested:
        # Walk the top-level object; json.loads keeps the last "services" key, so do we.
        pos, services_at = skip(pos + 1), -1  # past "{"
        while text[pos] != "}":
            key, pos = decoder.raw_decode(text, pos)
            pos = skip(skip(pos) + 1)  # past ":"
            if key == "services":
                services_at = pos
            _value, pos = decoder.raw_decode(text, pos)
            pos = skip(pos)
            if text[pos] == ",":
                pos = skip(pos + 1)
        pos = services_at
    pos = skip(pos + 1)  # past "["
    lines: list[int] = []
    line, counted = 1, 0
    while text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _value, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] == ",":
            pos = skip(pos + 1)
    return lines


# --- writing -----------------------------------------------------------------------------


def export_queryset(*, include_all: bool = False) -> QuerySet[Service]:
    """What an export contains: published services, or every service with `include_all`."""
    qs = Service.objects.all() if include_all else Service.objects.published()
    return (
        qs.select_related("office")
        .prefetch_related(
            Prefetch("life_situations", queryset=LifeSituation.objects.order_by("slug"))
        )
        .order_by("leika_key")
    )


def service_values(service: Service) -> dict[str, Any]:
    """The column values of one service; relations as slugs."""
    values: dict[str, Any] = {}
    for column in COLUMNS:
        if column.key == "office":
            values[column.key] = service.office.slug if service.office else ""
        elif column.key == "life_situations":
            values[column.key] = [ls.slug for ls in service.life_situations.all()]
        else:
            values[column.key] = getattr(service, column.key)
    return values


def write_csv(
    services: Iterable[Service], stream: TextIO, *, delimiter: str = DEFAULT_CSV_DELIMITER
) -> int:
    """Write the header and one line per service; returns the number of services."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    count = 0
    for service in services:
        values = service_values(service)
        writer.writerow([to_cell(c, values[c.key]) for c in COLUMNS])
        count += 1
    return count


def json_records(services: Iterable[Service]) -> Iterator[dict[str, Any]]:
    for service in services:
        values = service_values(service)
        yield {c.key: to_json(c, values[c.key]) for c in COLUMNS}


def write_json(services: Iterable[Service], stream: TextIO) -> int:
    records = list(json_records(services))
    document = {
        "format": JSON_FORMAT_NAME,
        "version": JSON_FORMAT_VERSION,
        "exported": timezone.localtime().isoformat(timespec="seconds"),
        "services": records,
    }
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
    return len(records)
