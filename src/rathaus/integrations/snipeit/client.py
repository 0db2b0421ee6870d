"""Snipe-IT, the open-source asset management: reading hardware over its REST API.

`GET /api/v1/hardware?limit=&offset=` answers `{"total": n, "rows": [asset, ...]}`; an asset
has `asset_tag`, `model` and `category` as `{id, name}`, `assigned_to` as a user
(`type: "user"`, with `employee_number`) or another asset or location, dates as
`{"date": "YYYY-MM-DD", "formatted": ...}` or null, `status_label.status_type`
(deployable, pending, undeployable, archived), `deleted_at` and `custom_fields` keyed by the
field's display name. Authentication is a personal API token sent as a bearer token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

PAGE_SIZE = 500


class SnipeItError(Exception):
    """The server could not be read; the message says what went wrong and where."""


@dataclass(frozen=True)
class SnipeItConfig:
    base_url: str  # e.g. https://inventar.example.org (without /api/v1)
    token: str
    timeout: float = 30.0
    # Custom field (display name) that marks a device for mobile work, if the town keeps one.
    mobile_field: str = ""


def _date(value: Any) -> dt.date | None:
    if isinstance(value, Mapping) and value.get("date"):
        return dt.date.fromisoformat(str(value["date"])[:10])
    return None


@dataclass(frozen=True)
class Asset:
    asset_tag: str
    model: str
    category: str
    location: str
    holder: str
    purchased_on: dt.date | None
    warranty_until: dt.date | None
    retired: bool
    mobile_flag: bool | None

    @classmethod
    def from_json(cls, row: Mapping[str, Any], *, mobile_field: str = "") -> Asset:
        assigned = row.get("assigned_to") or {}
        holder = ""
        if assigned.get("type") == "user":
            # The employee number if kept, else Snipe-IT's user id: never the person's name.
            holder = str(assigned.get("employee_number") or f"snipeit-{assigned.get('id')}")
        status_type = ((row.get("status_label") or {}).get("status_type") or "").lower()
        mobile_flag: bool | None = None
        if mobile_field:
            field = (row.get("custom_fields") or {}).get(mobile_field)
            if field is not None:
                mobile_flag = str(field.get("value") or "").strip().lower() in {
                    "1",
                    "ja",
                    "yes",
                    "true",
                }
        return cls(
            asset_tag=str(row.get("asset_tag") or "").strip(),
            model=str((row.get("model") or {}).get("name") or ""),
            category=str((row.get("category") or {}).get("name") or ""),
            location=str((row.get("location") or {}).get("name") or ""),
            holder=holder,
            purchased_on=_date(row.get("purchase_date")),
            warranty_until=_date(row.get("warranty_expires")),
            retired=status_type == "archived" or bool(row.get("deleted_at")),
            mobile_flag=mobile_flag,
        )


class SnipeIt:
    def __init__(self, config: SnipeItConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/api/v1/",
            headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"},
            timeout=config.timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _page(self, offset: int) -> Mapping[str, Any]:
        where = f"{self.config.base_url} (hardware, offset {offset})"
        try:
            response = self._http.get("hardware", params={"limit": PAGE_SIZE, "offset": offset})
        except httpx.HTTPError as exc:
            raise SnipeItError(f"{where}: not reachable ({exc})") from exc
        if response.status_code in (401, 403):
            raise SnipeItError(f"{where}: the API token was refused (HTTP {response.status_code})")
        if response.status_code != 200:
            raise SnipeItError(f"{where}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise SnipeItError(f"{where}: the answer is not JSON") from exc
        # Snipe-IT reports some errors with HTTP 200 and a status field.
        if isinstance(body, Mapping) and body.get("status") == "error":
            raise SnipeItError(f"{where}: {body.get('messages')}")
        if not isinstance(body, Mapping) or not isinstance(body.get("rows"), list):
            raise SnipeItError(f"{where}: no list of rows in the answer")
        return body

    def hardware(self) -> Iterator[Asset]:
        """Every asset, page by page; raises SnipeItError on the first page that fails."""
        offset = 0
        while True:
            body = self._page(offset)
            rows = body["rows"]
            for row in rows:
                yield Asset.from_json(row, mobile_field=self.config.mobile_field)
            offset += len(rows)
            if not rows or offset >= int(body.get("total") or 0):
                return
