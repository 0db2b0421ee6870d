"""The one column set of the catalog exchange formats.

CSV import, CSV export and JSON use exactly these keys, in this order. A column knows its
kind, which decides how a cell is read (`parse`) and written (`to_cell` for CSV, `to_json`
for JSON). Offices and life situations are references (slug, or the exact office name);
the importer resolves them against the database.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from rathaus.catalog.maturity import MaturityV1, MaturityV2, TrustLevel
from rathaus.catalog.models import Service, Topic

LIST_SEPARATOR = "|"
TRUE_WORDS = frozenset({"ja", "j", "true", "wahr", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"nein", "n", "false", "falsch", "no", "0", ""})
LEIKA_KEY_RE = re.compile(r"^\d{14}$")
GERMAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_url_validator = URLValidator(schemes=["http", "https"])


class Kind(enum.StrEnum):
    TEXT = "text"
    KEY = "key"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"
    URL = "url"
    OFFICE = "office"
    SLUGS = "slugs"


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Column:
    key: str
    kind: Kind = Kind.TEXT
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    # value -> accepted spellings (lower case); the first element of each pair is stored.
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def is_relation(self) -> bool:
        return self.kind in (Kind.OFFICE, Kind.SLUGS)


def _choices(choices: Sequence[tuple[Any, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Accept the stored value and the German label of a TextChoices, case-insensitively."""
    out = []
    for value, label in choices:
        spellings = {str(value).lower(), str(label).lower()}
        out.append((str(value), tuple(sorted(spellings))))
    return tuple(out)


_TRUST_LEVEL_CHOICES = (
    *_choices([(v, lbl) for v, lbl in TrustLevel.choices if v]),
    ("", ("", "keine", "none")),
)

COLUMNS: tuple[Column, ...] = (
    Column("leika_key", Kind.KEY, required=True),
    Column("name", required=True),
    Column("ozg_id"),
    Column("ozg_name"),
    Column("topic", Kind.CHOICE, choices=(*_choices(Topic.choices), ("", ("",)))),
    Column("life_situations", Kind.SLUGS),
    Column(
        "maturity_level", Kind.INT, minimum=min(MaturityV1.values), maximum=max(MaturityV1.values)
    ),
    Column(
        "maturity_level_v2",
        Kind.INT,
        minimum=min(MaturityV2.values),
        maximum=max(MaturityV2.values),
    ),
    Column("channel_online", Kind.BOOL),
    Column("channel_in_person", Kind.BOOL),
    Column("channel_post", Kind.BOOL),
    Column("channel_email", Kind.BOOL),
    Column("channel_phone", Kind.BOOL),
    Column("online_service_url", Kind.URL),
    Column("online_service_name"),
    Column("online_service_own", Kind.BOOL),
    Column("trust_level", Kind.CHOICE, choices=_TRUST_LEVEL_CHOICES),
    Column("summary"),
    Column("description"),
    Column("requirements"),
    Column("documents"),
    Column("fees"),
    Column("deadlines"),
    Column("processing_time"),
    Column("legal_basis"),
    Column("office", Kind.OFFICE),
    Column("keywords"),
    Column("annual_cases", Kind.INT, minimum=0),
    Column("status", Kind.CHOICE, choices=_choices(Service.Status.choices)),
    Column("review_due", Kind.DATE),
)

COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)


def max_length(column: Column) -> int | None:
    """The database limit of a text column (PostgreSQL enforces it, SQLite does not)."""
    if column.is_relation:
        return None
    return getattr(Service._meta.get_field(column.key), "max_length", None)


# --- reading -----------------------------------------------------------------------------


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse(column: Column, raw: Any) -> Any:
    """The Python value of one cell (CSV text or a JSON value); raises CellError.

    Empty cells of optional int, date and choice columns give None ("not given"): the
    importer keeps the stored value on update and uses the model default on create.
    """
    kind = column.kind
    if kind is Kind.BOOL:
        return _parse_bool(raw)
    if kind is Kind.SLUGS:
        return _parse_slugs(raw)
    if is_empty(raw):
        if kind in (Kind.TEXT, Kind.URL, Kind.KEY, Kind.OFFICE):
            return ""
        if kind is Kind.CHOICE and any(value == "" for value, _spellings in column.choices):
            return ""  # a blank topic or trust level is a value of its own
        return None
    if kind is Kind.INT:
        return _parse_int(column, raw)
    if isinstance(raw, (dict, list)):
        raise CellError(_("erwartet einen einzelnen Wert, keine Liste und kein Objekt"))
    text = str(raw).strip()
    if kind is Kind.KEY:
        if not LEIKA_KEY_RE.match(text):
            raise CellError(
                _("{value!r} ist kein LeiKa-Schlüssel (genau 14 Ziffern)").format(value=text)
            )
        return text
    if kind is Kind.DATE:
        return _parse_date(text)
    if kind is Kind.CHOICE:
        return _parse_choice(column, text)
    if kind is Kind.URL:
        try:
            _url_validator(text)
        except ValidationError:
            raise CellError(
                _("{value!r} ist keine gültige Adresse (erwartet http:// oder https://)").format(
                    value=text
                )
            ) from None
        return text
    return text


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        _("{value!r} ist kein Ja/Nein-Wert (erlaubt: ja, nein, true, false, 1, 0, x, leer)").format(
            value=raw
        )
    )


def _parse_int(column: Column, raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellError(_("{value!r} ist keine ganze Zahl").format(value=raw))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    try:
        value = raw if isinstance(raw, int) else int(str(raw).strip())
    except ValueError:
        raise CellError(_("{value!r} ist keine ganze Zahl").format(value=raw)) from None
    low, high = column.minimum, column.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (
            _("{low} bis {high}").format(low=low, high=high)
            if high is not None
            else _("mindestens {low}").format(low=low)
        )
        raise CellError(
            _("{value} liegt außerhalb des erlaubten Bereichs ({bounds})").format(
                value=value, bounds=bounds
            )
        )
    return value


def _parse_date(text: str) -> datetime.date:
    try:
        if m := GERMAN_DATE_RE.match(text):
            day, month, year = (int(g) for g in m.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("{value!r} ist kein gültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)").format(
                value=text
            )
        ) from None


def _parse_choice(column: Column, text: str) -> str:
    low = text.lower()
    for value, spellings in column.choices:
        if low in spellings:
            return value
    allowed = ", ".join(v for v, _spellings in column.choices if v)
    raise CellError(
        _("{value!r} ist kein erlaubter Wert (erlaubt: {allowed})").format(
            value=text, allowed=allowed
        )
    )


def _parse_slugs(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else str(raw).split(LIST_SEPARATOR)
    slugs = [str(item).strip() for item in items]
    return list(dict.fromkeys(s for s in slugs if s))


# --- writing -----------------------------------------------------------------------------


def to_json(column: Column, value: Any) -> Any:
    """The JSON value of a service attribute (relations are passed in as slugs already)."""
    if value is None:
        return None
    if column.kind is Kind.DATE:
        return value.isoformat()
    if column.kind is Kind.SLUGS:
        return list(value)
    return value


def to_cell(column: Column, value: Any) -> str:
    """The CSV text of a service attribute; booleans as ja/nein, lists joined with `|`."""
    if value is None:
        return ""
    if column.kind is Kind.BOOL:
        return "ja" if value else "nein"
    if column.kind is Kind.DATE:
        return str(value.isoformat())
    if column.kind is Kind.SLUGS:
        return LIST_SEPARATOR.join(value)
    return str(value)
