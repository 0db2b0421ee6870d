"""The device inventory: CSV import and the shared write path for every source.

A town keeps its inventory in a spreadsheet or an asset-management system (Snipe-IT, see
`rathaus.integrations.snipeit`); both become `DeviceRecord`s and go through `save_records`,
which writes all of them or none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Office
from rathaus.catalog.io.tabular import decode
from rathaus.core.errors import ImportRejected, Report
from rathaus.integrations.snipeit import Asset, SnipeIt
from rathaus.monitor.models import Device

# Column names of the CSV file (German, as the IT department writes them).
COLUMNS = (
    "inventarnummer",
    "art",
    "modell",
    "dienststelle",
    "personalnummer",
    "mobil",
    "angeschafft",
    "garantie_bis",
    "ausgemustert",
)
REQUIRED = ("inventarnummer", "art")
KIND_WORDS: dict[str, str] = {
    "notebook": Device.Kind.LAPTOP,
    "laptop": Device.Kind.LAPTOP,
    "desktop": Device.Kind.DESKTOP,
    "pc": Device.Kind.DESKTOP,
    "arbeitsplatzrechner": Device.Kind.DESKTOP,
    "thin client": Device.Kind.THIN_CLIENT,
    "thin_client": Device.Kind.THIN_CLIENT,
    "tablet": Device.Kind.TABLET,
    "smartphone": Device.Kind.PHONE,
    "handy": Device.Kind.PHONE,
    "phone": Device.Kind.PHONE,
    "headset": Device.Kind.HEADSET,
    "webcam": Device.Kind.WEBCAM,
    "sonstiges": Device.Kind.OTHER,
    "other": Device.Kind.OTHER,
}
# Devices that can leave the building; used when a source does not say.
MOBILE_KINDS = (Device.Kind.LAPTOP, Device.Kind.TABLET, Device.Kind.PHONE)
_YES = {"ja", "j", "yes", "y", "1", "true", "wahr", "x"}
_NO = {"nein", "n", "no", "0", "false", "falsch", ""}


@dataclass(frozen=True)
class DeviceRecord:
    inventory_number: str
    kind: str
    model_name: str = ""
    office_slug: str = ""
    holder: str = ""
    home_office_capable: bool | None = None  # None: follows from the kind
    purchased_on: dt.date | None = None
    warranty_until: dt.date | None = None
    retired_on: dt.date | None = None


@dataclass(frozen=True)
class SaveResult:
    created: int
    updated: int
    retired: int


def kind_from_text(text: str) -> str | None:
    lowered = text.strip().lower()
    if lowered in KIND_WORDS:
        return KIND_WORDS[lowered]
    return next((kind for word, kind in KIND_WORDS.items() if word in lowered), None)


def _date(value: str, *, line: int, column: str, report: Report) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    report.add(
        _("„%(value)s“ ist kein Datum (erwartet: 2024-03-31 oder 31.03.2024).") % {"value": value},
        line=line,
        field=column,
    )
    return None


def parse_csv(data: bytes, *, encoding: str = "utf-8") -> list[DeviceRecord]:
    """Read the CSV inventory; every problem of the file is reported at once, with its line."""
    text = decode(data, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)  # German Excel writes ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportRejected(
            _("Der Datei fehlen die Pflichtspalten: %(columns)s (Zeile 1).")
            % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    report = Report()
    records: list[DeviceRecord] = []
    seen: dict[str, int] = {}
    offices = set(Office.objects.values_list("slug", flat=True))
    for row in reader:
        line = reader.line_num
        cells = {key: (value or "").strip() for key, value in row.items() if key}
        number = cells.get("inventarnummer", "")
        if not number:
            report.add(_("Die Inventarnummer fehlt."), line=line, field="inventarnummer")
            continue
        if number in seen:
            report.add(
                _("Inventarnummer %(number)s steht schon in Zeile %(line)s.")
                % {"number": number, "line": seen[number]},
                line=line,
                field="inventarnummer",
            )
            continue
        seen[number] = line
        kind = kind_from_text(cells.get("art", ""))
        if kind is None:
            report.add(
                _("Unbekannte Geräteart „%(kind)s“.") % {"kind": cells.get("art", "")},
                line=line,
                field="art",
            )
        office = cells.get("dienststelle", "")
        if office and office not in offices:
            report.add(
                _("Unbekannte Dienststelle „%(office)s“ (Kennung erwartet).") % {"office": office},
                line=line,
                field="dienststelle",
            )
        mobile_text = cells.get("mobil", "").lower()
        if mobile_text not in _YES | _NO:
            report.add(
                _("„%(value)s“ ist weder ja noch nein.") % {"value": cells.get("mobil", "")},
                line=line,
                field="mobil",
            )
        dates = {
            column: _date(cells.get(column, ""), line=line, column=column, report=report)
            for column in ("angeschafft", "garantie_bis", "ausgemustert")
        }
        records.append(
            DeviceRecord(
                inventory_number=number,
                kind=kind or Device.Kind.OTHER,
                model_name=cells.get("modell", ""),
                office_slug=office,
                holder=cells.get("personalnummer", ""),
                home_office_capable=(mobile_text in _YES) if mobile_text else None,
                purchased_on=dates["angeschafft"],
                warranty_until=dates["garantie_bis"],
                retired_on=dates["ausgemustert"],
            )
        )
    if not report.ok:
        raise ImportRejected(
            _("Die Geräteliste wurde nicht übernommen: %(count)s Fehler.")
            % {"count": len(report.problems)},
            problems=report.problems,
        )
    return records


@transaction.atomic
def save_records(
    records: list[DeviceRecord], *, source: str, retire_missing: bool = False
) -> SaveResult:
    """Create or update every record; optionally retire devices of `source` no longer listed.

    `retire_missing` is for complete listings only (a full Snipe-IT sync), never for a file
    that may hold only part of the inventory.
    """
    offices = dict(Office.objects.values_list("slug", "pk"))
    existing = {d.inventory_number: d for d in Device.objects.all()}
    created = updated = 0
    for record in records:
        capable = (
            record.home_office_capable
            if record.home_office_capable is not None
            else record.kind in MOBILE_KINDS
        )
        values = {
            "kind": record.kind,
            "model_name": record.model_name,
            "office_id": offices.get(record.office_slug),
            "holder": record.holder,
            "home_office_capable": capable,
            "purchased_on": record.purchased_on,
            "warranty_until": record.warranty_until,
            "retired_on": record.retired_on,
            "source": source,
        }
        device = existing.get(record.inventory_number)
        if device is None:
            Device.objects.create(inventory_number=record.inventory_number, **values)
            created += 1
        elif any(getattr(device, key) != value for key, value in values.items()):
            Device.objects.filter(pk=device.pk).update(**values)
            updated += 1
    retired = 0
    if retire_missing:
        listed = {record.inventory_number for record in records}
        today = timezone.localdate()
        retired = (
            Device.objects.filter(source=source, retired_on__isnull=True)
            .exclude(inventory_number__in=listed)
            .update(retired_on=today)
        )
    return SaveResult(created=created, updated=updated, retired=retired)


def records_from_snipeit(assets: Iterable[Asset]) -> list[DeviceRecord]:
    """Snipe-IT assets as records: kind from the category, office from the location's name."""
    office_by_name: dict[str, str] = {}
    for slug, name, short in Office.objects.values_list("slug", "name", "short_name"):
        for key in (slug, name, short):
            if key:
                office_by_name[key.lower()] = slug
    today = timezone.localdate()
    records = []
    for asset in assets:
        if not asset.asset_tag:
            continue  # Snipe-IT allows assets without a tag; they cannot be matched again
        records.append(
            DeviceRecord(
                inventory_number=asset.asset_tag,
                kind=kind_from_text(asset.category) or Device.Kind.OTHER,
                model_name=asset.model,
                office_slug=office_by_name.get(asset.location.lower(), ""),
                holder=asset.holder,
                home_office_capable=asset.mobile_flag,
                purchased_on=asset.purchased_on,
                warranty_until=asset.warranty_until,
                retired_on=today if asset.retired else None,
            )
        )
    return records


def sync_snipeit(client: SnipeIt) -> SaveResult:
    """Read the whole Snipe-IT inventory first, then write it in one transaction.

    A server that fails halfway leaves the inventory as it was.
    """
    records = records_from_snipeit(client.hardware())
    return save_records(records, source=Device.Source.SNIPE_IT, retire_missing=True)
