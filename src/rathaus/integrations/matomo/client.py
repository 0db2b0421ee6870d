"""Matomo's Reporting API: page views per URL and day, for towns that already run Matomo.

`Actions.getPageUrls` with `flat=1` lists every page with its `url`, `nb_hits` (page views)
and `nb_visits` (visits that included the page). Asked for several days
(`period=day&date=2026-11-01,2026-11-07`) it answers an object keyed by date. Errors come
as `{"result": "error", "message": ...}`, often with HTTP 200. The token is sent in the POST
body, as Matomo recommends, so it never appears in a server log's query string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx


class MatomoError(Exception):
    """Matomo could not be read; the message names the server, the request and the cause."""


@dataclass(frozen=True)
class MatomoConfig:
    base_url: str  # where index.php lives, e.g. https://statistik.example.org/
    site_id: int
    token: str
    timeout: float = 60.0


@dataclass(frozen=True)
class PageDay:
    day: dt.date
    url: str
    views: int
    visits: int


class Matomo:
    def __init__(self, config: MatomoConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._http = httpx.Client(timeout=config.timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def page_urls(self, start: dt.date, end: dt.date) -> Iterator[PageDay]:
        """Every page URL with its views and visits, per day from start to end."""
        where = f"{self.config.base_url} (Actions.getPageUrls {start}..{end})"
        params = {
            "module": "API",
            "method": "Actions.getPageUrls",
            "idSite": str(self.config.site_id),
            "period": "day",
            "date": f"{start.isoformat()},{end.isoformat()}",
            "format": "JSON",
            "flat": "1",
            "filter_limit": "-1",
        }
        url = self.config.base_url.rstrip("/") + "/index.php"
        try:
            response = self._http.post(url, params=params, data={"token_auth": self.config.token})
        except httpx.HTTPError as exc:
            raise MatomoError(f"{where}: not reachable ({exc})") from exc
        if response.status_code != 200:
            raise MatomoError(f"{where}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise MatomoError(f"{where}: the answer is not JSON") from exc
        if isinstance(body, Mapping) and body.get("result") == "error":
            raise MatomoError(f"{where}: {body.get('message')}")
        if not isinstance(body, Mapping):
            raise MatomoError(f"{where}: expected one list of pages per day")
        for day_text, rows in body.items():
            try:
                day = dt.date.fromisoformat(day_text)
            except ValueError as exc:
                raise MatomoError(f"{where}: {day_text!r} is not a day") from exc
            for row in rows or []:
                yield _page_day(day, row, where)


def _page_day(day: dt.date, row: Mapping[str, Any], where: str) -> PageDay:
    try:
        return PageDay(
            day=day,
            url=str(row.get("url") or row.get("label") or ""),
            views=int(row.get("nb_hits") or 0),
            visits=int(row.get("nb_visits") or 0),
        )
    except (TypeError, ValueError) as exc:
        raise MatomoError(f"{where}: row {row.get('label')!r} of {day}: {exc}") from exc
