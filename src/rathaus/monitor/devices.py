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
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Office
from rathaus.catalog.io.tabular import decode
from rathaus.core.errors import Conflict, ImportRejected, Problem, Report, ValidationFailed
from rathaus.integrations.snipeit import Asset, SnipeIt
from rathaus.monitor.models import Device, Headcount

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


def _values(record: DeviceRecord, *, offices: dict[str, int], source: str) -> dict[str, Any]:
    """The stored fields of a record; the one mapping used by saving and by the dry run."""
    capable = (
        record.home_office_capable
        if record.home_office_capable is not None
        else record.kind in MOBILE_KINDS
    )
    return {
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
        values = _values(record, offices=offices, source=source)
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


# --- The staff pages: dry run of an import, single devices, headcounts ----------------------


@dataclass(frozen=True)
class PlannedRow:
    """What an import would do with one record: create, update (which fields) or nothing."""

    record: DeviceRecord
    action: str  # "create" | "update" | "unchanged"
    changes: tuple[str, ...] = ()  # labels of the fields that would change


def plan_records(records: list[DeviceRecord], *, source: str) -> list[PlannedRow]:
    """The dry run of `save_records`: compares with the stored devices, writes nothing."""
    offices = dict(Office.objects.values_list("slug", "pk"))
    existing = {
        d.inventory_number: d
        for d in Device.objects.filter(inventory_number__in=[r.inventory_number for r in records])
    }
    planned = []
    for record in records:
        device = existing.get(record.inventory_number)
        if device is None:
            planned.append(PlannedRow(record, "create"))
            continue
        values = _values(record, offices=offices, source=source)
        changed = tuple(
            _label(key.removesuffix("_id"))
            for key, value in values.items()
            if getattr(device, key) != value
        )
        planned.append(PlannedRow(record, "update" if changed else "unchanged", changed))
    return planned


def _label(name: str) -> str:
    field = Device._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def device_problems(device: Device) -> list[Problem]:
    """Rules of one device beyond its fields; checked by the form and again when saving."""
    problems = []
    if (
        device.purchased_on
        and device.warranty_until
        and device.warranty_until < device.purchased_on
    ):
        problems.append(
            Problem(_("Die Garantie kann nicht vor der Anschaffung enden."), field="warranty_until")
        )
    if device.purchased_on and device.retired_on and device.retired_on < device.purchased_on:
        problems.append(
            Problem(
                _("Ein Gerät kann nicht vor seiner Anschaffung ausgemustert werden."),
                field="retired_on",
            )
        )
    return problems


def inventory_number_taken(number: str) -> str:
    return _("Die Inventarnummer „%(number)s“ ist schon einem anderen Gerät zugeordnet.") % {
        "number": number
    }


def save_device(device: Device) -> Device:
    """Create or update one device entered by hand; a new one is recorded as `manual`."""
    problems = device_problems(device)
    if problems:
        raise ValidationFailed(_("Das Gerät wurde nicht gespeichert."), problems=problems)
    if device.pk is None:
        device.source = Device.Source.MANUAL
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        # Another request took the number between the form's check and this write.
        raise ValidationFailed(
            _("Das Gerät wurde nicht gespeichert."),
            problems=[
                Problem(inventory_number_taken(device.inventory_number), field="inventory_number")
            ],
        ) from None
    return device


@transaction.atomic
def retire_device(device: Device, *, on: dt.date | None = None) -> Device:
    """Take a device out of use (kept for the history) instead of deleting it."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.retired_on is not None:
        raise Conflict(
            _("Das Gerät %(number)s ist schon seit dem %(day)s ausgemustert.")
            % {
                "number": locked.inventory_number,
                "day": formats.date_format(locked.retired_on, "SHORT_DATE_FORMAT"),
            }
        )
    locked.retired_on = on or timezone.localdate()
    problems = device_problems(locked)
    if problems:
        raise ValidationFailed(problems[0].message, problems=problems)
    locked.save(update_fields=["retired_on", "modified"])
    return locked


@transaction.atomic
def delete_device(device: Device) -> None:
    Device.objects.filter(pk=device.pk).delete()


@transaction.atomic
def record_headcount(office: Office, *, as_of: dt.date, staff: int) -> Headcount:
    """The staff of an office on a day; recording the same day again corrects it."""
    headcount, _created = Headcount.objects.update_or_create(
        office=office, as_of=as_of, defaults={"staff": staff}
    )
    return headcount
