"""HTTP access to a remote OParl system: timeouts, retries with backoff, limited concurrency.

Only this module talks to the network. Every failure ends as a `FetchError` that names the
URL and a problem kind, so the runner can log it and go on with the next object.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

logger = logging.getLogger(__name__)

USER_AGENT = "Rathaus-OParl-Importer/1.0"

# Problem kinds of the transport; the runner stores them in SyncProblem.kind.
NOT_FOUND = "not_found"
HTTP_ERROR = "http_error"
SERVER_ERROR = "server_error"
TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
INVALID_JSON = "invalid_json"
TOO_LARGE = "too_large"


class FetchError(Exception):
    """A URL that could not be read (after retries where retrying makes sense)."""

    def __init__(self, url: str, kind: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Page:
    """One page of an external object list."""

    url: str
    data: list[Any]
    next_url: str | None
    total: int | None


def with_params(url: str, params: dict[str, str]) -> str:
    """`url` with `params` set in its query string (existing keys are replaced)."""
    if not params:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class OParlClient:
    """A thread-safe client; `concurrency` bounds the parallel requests."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        concurrency: int = 4,
        max_download_bytes: int = 50 * 1024 * 1024,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.concurrency = max(1, concurrency)
        self.max_download_bytes = max_download_bytes
        self.requests = 0
        self._count_lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=self.concurrency + 1,
                max_keepalive_connections=self.concurrency + 1,
            ),
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )
        # One worker more than the limit: the prefetch of the next list page must never wait
        # behind a burst of referenced objects.
        self._pool = ThreadPoolExecutor(
            max_workers=self.concurrency + 1, thread_name_prefix="oparl-fetch"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> OParlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- single requests ----------------------------------------------------------------

    def _request(self, url: str) -> httpx.Response:
        """GET with retries for timeouts, connection errors and 5xx answers."""
        attempt = 0
        while True:
            with self._count_lock:
                self.requests += 1
            try:
                response = self._http.get(url)
            except httpx.TimeoutException as exc:
                error = FetchError(url, TIMEOUT, f"Zeitüberschreitung ({type(exc).__name__})")
            except httpx.InvalidURL as exc:
                raise FetchError(url, HTTP_ERROR, f"ungültige URL: {exc}") from exc
            except httpx.TransportError as exc:
                error = FetchError(url, CONNECTION_ERROR, f"Verbindungsfehler: {exc}")
            else:
                if response.status_code < 400:
                    return response
                if response.status_code in (404, 410):
                    raise FetchError(
                        url, NOT_FOUND, f"HTTP {response.status_code}: Objekt nicht gefunden"
                    )
                if response.status_code < 500 and response.status_code != 429:
                    raise FetchError(url, HTTP_ERROR, f"HTTP {response.status_code}")
                error = FetchError(url, SERVER_ERROR, f"HTTP {response.status_code}")
            if attempt >= self.retries:
                if self.retries:
                    error.message += f" (nach {attempt + 1} Versuchen)"
                raise error
            # Exponential backoff with jitter, so parallel workers do not retry in lockstep.
            delay = self.backoff * (2**attempt) * (1 + random.random() / 2)  # noqa: S311
            logger.info("retrying OParl request", extra={"url": url, "delay": round(delay, 2)})
            time.sleep(delay)
            attempt += 1

    def get_json(self, url: str) -> dict[str, Any]:
        response = self._request(url)
        try:
            data = response.json()
        except ValueError as exc:
            raise FetchError(url, INVALID_JSON, f"kein gültiges JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise FetchError(url, INVALID_JSON, "die Antwort ist kein JSON-Objekt")
        return data

    def get_bytes(self, url: str) -> tuple[bytes, str]:
        """A file's content and media type; refuses files above `max_download_bytes`."""
        response = self._request(url)
        if len(response.content) > self.max_download_bytes:
            raise FetchError(url, TOO_LARGE, f"Datei größer als {self.max_download_bytes} Bytes")
        return response.content, response.headers.get("content-type", "")

    def get_page(self, url: str) -> Page:
        data = self.get_json(url)
        items = data.get("data")
        if not isinstance(items, list):
            raise FetchError(url, INVALID_JSON, "Listenseite ohne 'data'-Liste")
        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        # OParl 1.0 drafts put the link beside the data; some servers still do.
        next_url = (links or {}).get("next") or data.get("nextPage") or data.get("next")
        if not isinstance(next_url, str) or not next_url.strip():
            next_url = None
        pagination = data.get("pagination") if isinstance(data.get("pagination"), dict) else {}
        total = (pagination or {}).get("totalElements")
        return Page(
            url=url,
            data=items,
            next_url=next_url.strip() if next_url else None,
            total=total if isinstance(total, int) and total >= 0 else None,
        )

    # --- concurrency --------------------------------------------------------------------

    def submit_page(self, url: str) -> Future[Page]:
        return self._pool.submit(self.get_page, url)

    def fetch_many(self, urls: Iterable[str]) -> Iterator[tuple[str, dict[str, Any] | FetchError]]:
        """Fetch objects in parallel (at most `concurrency` at a time), in completion order."""
        pending = list(dict.fromkeys(urls))
        if not pending:
            return
        semaphore = threading.BoundedSemaphore(self.concurrency)

        def one(url: str) -> tuple[str, dict[str, Any] | FetchError]:
            with semaphore:
                try:
                    return url, self.get_json(url)
                except FetchError as exc:
                    return url, exc

        futures = [self._pool.submit(one, url) for url in pending]
        for future in futures:
            yield future.result()

    def download_many(
        self, urls: Iterable[str]
    ) -> Iterator[tuple[str, tuple[bytes, str] | FetchError]]:
        pending = list(dict.fromkeys(urls))
        semaphore = threading.BoundedSemaphore(self.concurrency)

        def one(url: str) -> tuple[str, tuple[bytes, str] | FetchError]:
            with semaphore:
                try:
                    return url, self.get_bytes(url)
                except FetchError as exc:
                    return url, exc

        futures = [self._pool.submit(one, url) for url in pending]
        for future in futures:
            yield future.result()

    def pages(self, url: str, *, keep_params: dict[str, str] | None = None) -> Iterator[Page]:
        """The pages of a list, each next page fetched while the caller works on this one.

        Raises FetchError for a page that cannot be read; the pages before it were yielded.
        `keep_params` are put back into `next` links that lost them (a known server fault).
        """
        seen: set[str] = set()
        future: Future[Page] | None = self.submit_page(url)
        while future is not None:
            page = future.result()
            seen.add(page.url)
            next_url = page.next_url
            if next_url and keep_params:
                query = dict(parse_qsl(urlsplit(next_url).query))
                missing = {k: v for k, v in keep_params.items() if k not in query}
                if missing:
                    next_url = with_params(next_url, missing)
            loop = next_url in seen
            future = self.submit_page(next_url) if next_url and not loop else None
            yield Page(
                url=page.url, data=page.data, next_url=None if loop else next_url, total=page.total
            )
            if loop and next_url:
                raise FetchError(next_url, "pagination_loop", "die Liste verweist auf sich selbst")
