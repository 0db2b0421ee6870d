"""Repairs for the faults real OParl systems have; each repair is reported, never silent.

Every function returns the repaired value and, where something was wrong, a short German
message; the mapper turns that into a SyncProblem with the object's URL.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

# Problem kinds of the repairs.
NBSP = "nbsp_normalised"
EMPTY_NUMBER = "empty_number"
INVALID_VALUE = "invalid_value"
GEOJSON_SWAPPED = "geojson_swapped"
MODIFIED_BEFORE_CREATED = "modified_before_created"
MISSING_FIELD = "missing_field"
WRONG_TYPE = "wrong_type"

OPARL_TYPES = frozenset(
    {
        "System",
        "Body",
        "LegislativeTerm",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
        "Location",
    }
)

# Non-breaking and other odd spaces some systems put into names ("Ausschuss\u00a0für …").
_ODD_SPACES = re.compile("[\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff]")


def normalise_text(value: str) -> tuple[str, bool]:
    """Replace non-breaking and odd spaces by plain ones, drop zero-width characters."""
    if value.isascii():
        return value, False
    fixed = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", value))
    return fixed, fixed != value


def normalise_strings(data: Any) -> tuple[Any, bool]:
    """`normalise_text` applied to every string of a JSON value, nested ones included."""
    if isinstance(data, str):
        return normalise_text(data)
    if isinstance(data, list):
        changed = False
        for i, item in enumerate(data):
            fixed, c = normalise_strings(item)
            if c:
                data[i] = fixed
                changed = True
        return data, changed
    if isinstance(data, dict):
        changed = False
        for key, item in data.items():
            fixed, c = normalise_strings(item)
            if c:
                data[key] = fixed
                changed = True
        return data, changed
    return data, False


def normalise_type(value: Any) -> str | None:
    """'https://schema.oparl.org/1.1/Paper', '…/1.0/Paper', 'oparl:Paper' -> 'Paper'."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = re.split(r"[/:#]", value.strip().rstrip("/"))[-1]
    return name if name in OPARL_TYPES else None


def oparl_version(system: dict[str, Any]) -> str:
    """'1.0' or '1.1' from the System object (1.1 when unclear: it reads 1.0 as well)."""
    for key in ("oparlVersion", "type"):
        value = system.get(key)
        if isinstance(value, str) and "/1.0" in value:
            return "1.0"
    return "1.1"


def parse_int(value: Any, *, minimum: int | None = 0) -> tuple[int | None, str | None, str | None]:
    """(number, problem kind, message); empty strings are a known fault of some systems."""
    if value is None:
        return None, None, None
    if isinstance(value, bool):
        return None, INVALID_VALUE, f"Wahrheitswert {value!r} statt einer Zahl"
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, EMPTY_NUMBER, "leere Zeichenkette statt einer Zahl"
        try:
            number = int(text)
        except ValueError:
            return None, INVALID_VALUE, f"keine Zahl: {value!r}"
    else:
        return None, INVALID_VALUE, f"keine Zahl: {value!r}"
    if minimum is not None and number < minimum:
        return None, INVALID_VALUE, f"Zahl {number} kleiner als {minimum}"
    return number, None, None


def parse_datetime(value: Any) -> tuple[datetime.datetime | None, str | None]:
    """An aware datetime; naive values and plain dates are read as Berlin time."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"kein Zeitpunkt: {value!r}"
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            parsed = datetime.datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        else:
            parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None, f"kein gültiger Zeitpunkt: {value!r}"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BERLIN)
    return parsed, None


def parse_date(value: Any) -> tuple[datetime.date | None, str | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"kein Datum: {value!r}"
    text = value.strip()
    try:
        return datetime.date.fromisoformat(text[:10]), None
    except ValueError:
        return None, f"kein gültiges Datum: {value!r}"


def fix_timestamps(
    created: datetime.datetime | None, modified: datetime.datetime | None
) -> tuple[datetime.datetime | None, str | None]:
    """`modified` before `created` cannot be: the object was at least created then."""
    if created and modified and modified < created:
        return created, (
            f"'modified' ({modified.isoformat()}) liegt vor 'created' ({created.isoformat()}); "
            "auf 'created' gesetzt"
        )
    return modified, None


# Germany lies between latitude 47 and 55 and longitude 5 and 16. A position whose first
# number looks like a German latitude and whose second like a German longitude was written
# latitude first, against RFC 7946.
def _looks_swapped(position: Any) -> bool:
    if not isinstance(position, list | tuple) or len(position) < 2:
        return False
    a, b = position[0], position[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
        return False
    return 47 <= a <= 55 and 5 <= b <= 16


def _first_position(coordinates: Any) -> Any:
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates


def _swap(coordinates: Any) -> Any:
    if isinstance(coordinates, list) and coordinates and not isinstance(coordinates[0], list):
        return [coordinates[1], coordinates[0], *coordinates[2:]]
    if isinstance(coordinates, list):
        return [_swap(c) for c in coordinates]
    return coordinates


def _geometries(geo: dict[str, Any]) -> list[dict[str, Any]]:
    kind = geo.get("type")
    if kind == "Feature" and isinstance(geo.get("geometry"), dict):
        return _geometries(geo["geometry"])
    if kind == "FeatureCollection" and isinstance(geo.get("features"), list):
        return [g for f in geo["features"] if isinstance(f, dict) for g in _geometries(f)]
    if kind == "GeometryCollection" and isinstance(geo.get("geometries"), list):
        return [g for x in geo["geometries"] if isinstance(x, dict) for g in _geometries(x)]
    return [geo] if "coordinates" in geo else []


def fix_geojson(geo: Any) -> tuple[Any, str | None]:
    """Swap latitude-first coordinates of places in Germany back to longitude first."""
    if not isinstance(geo, dict):
        if geo in (None, "", {}):
            return None, None
        return None, f"GeoJSON ist kein Objekt: {str(geo)[:80]!r}"
    swapped = False
    for geometry in _geometries(geo):
        if _looks_swapped(_first_position(geometry.get("coordinates"))):
            geometry["coordinates"] = _swap(geometry["coordinates"])
            swapped = True
    if swapped:
        return geo, "Koordinaten in der Reihenfolge Breite, Länge; auf Länge, Breite getauscht"
    return geo, None
