"""Question 8: how good is the council information system?

Conformance: a sample of every object type of an OParl endpoint (ours or another system's)
validated against the published OParl 1.1 schemas. Completeness and timeliness: from our own
council records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
from django.db.models import Q
from django.utils import timezone

from rathaus.council.models import Meeting, Paper
from rathaus.monitor.models import OParlCheck
from rathaus.oparl.conformance import validator

# The lists an OParl 1.1 body offers, by the type of their objects.
BODY_LISTS = {
    "organization": "Organization",
    "person": "Person",
    "meeting": "Meeting",
    "paper": "Paper",
    "agendaItem": "AgendaItem",
    "consultation": "Consultation",
    "file": "File",
    "locationList": "Location",
    "legislativeTermList": "LegislativeTerm",
    "membership": "Membership",
}
MAX_ERRORS_KEPT = 5
MINUTES_DAYS = 14  # minutes should be public within two weeks of the meeting


class InProcessTransport(httpx.BaseTransport):
    """httpx to Django's test client: our own OParl server checked without a socket.

    Inside a test it stays in the test's transaction (a WSGI server thread would not see
    it); in the demo loader it needs no port. The request's host is passed on, so the
    links the server writes are those of SITE_URL.
    """

    def __init__(self) -> None:
        from django.test import Client  # only where this transport is used

        self.client = Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.client.get(
            request.url.raw_path.decode(),
            HTTP_HOST=request.url.netloc.decode(),
            secure=request.url.scheme == "https",
        )
        return httpx.Response(
            response.status_code, headers=dict(response.items()), content=response.content
        )


class _Results:
    def __init__(self) -> None:
        self.by_type: dict[str, dict[str, Any]] = {}

    def add(self, obj: dict[str, Any]) -> None:
        kind = str(obj.get("type", "")).rsplit("/", 1)[-1] or "?"
        entry = self.by_type.setdefault(kind, {"checked": 0, "valid": 0, "errors": []})
        errors = validator().errors(obj)
        entry["checked"] += 1
        if errors:
            entry["errors"] = (entry["errors"] + errors)[:MAX_ERRORS_KEPT]
        else:
            entry["valid"] += 1


def _get(client: httpx.Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"{url}: not a JSON object")
    return body


def _first_page(client: httpx.Client, url: str, limit: int) -> Iterator[dict[str, Any]]:
    page = _get(client, url)
    yield from [obj for obj in page.get("data", []) if isinstance(obj, dict)][:limit]


def check_oparl_endpoint(
    system_url: str, *, per_type: int = 5, client: httpx.Client | None = None
) -> OParlCheck:
    """Validate the system, its bodies and up to `per_type` objects of every list of a body.

    Network and format errors end the check early and are kept with the result; what was
    checked until then stays.
    """
    results = _Results()
    error = ""
    http = client or httpx.Client(timeout=20, follow_redirects=True)
    try:
        system = _get(http, system_url)
        results.add(system)
        bodies = list(_first_page(http, str(system.get("body", "")), per_type))
        for body in bodies:
            results.add(body)
        for body in bodies[:1]:
            for key, _kind in BODY_LISTS.items():
                value = body.get(key)
                if isinstance(value, list):  # embedded, e.g. legislativeTerm
                    objects = [v for v in value if isinstance(v, dict)][:per_type]
                elif isinstance(value, str) and value:
                    objects = list(_first_page(http, value, per_type))
                else:
                    continue
                for obj in objects:
                    results.add(obj)
    except (httpx.HTTPError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        if client is None:
            http.close()
    return OParlCheck.objects.create(
        checked_at=timezone.now(),
        endpoint=system_url,
        results=results.by_type,
        checked=sum(e["checked"] for e in results.by_type.values()),
        valid=sum(e["valid"] for e in results.by_type.values()),
        error=error,
    )


def _held_meetings(start: dt.datetime, end: dt.datetime) -> Any:
    return Meeting.objects.filter(
        deleted=False, cancelled=False, origin__isnull=True, start__gte=start, start__lt=end
    )


def completeness(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Own papers of the period with a document; own held meetings with minutes."""
    papers = Paper.objects.filter(
        deleted=False, origin__isnull=True, date__gte=start.date(), date__lt=end.date()
    )
    meetings = _held_meetings(start, min(end, timezone.now()))
    with_minutes = Q(results_protocol__isnull=False) | Q(verbatim_protocol__isnull=False)
    return {
        "papers": papers.count(),
        "papers_with_file": papers.filter(main_file__isnull=False).count(),
        "meetings": meetings.count(),
        "meetings_with_minutes": meetings.filter(with_minutes).count(),
    }


def minutes_timeliness(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Own held meetings whose minutes were published within MINUTES_DAYS of the meeting."""
    meetings = _held_meetings(start, min(end, timezone.now()) - dt.timedelta(days=MINUTES_DAYS))
    on_time = 0
    total = 0
    for meeting_start, published in meetings.values_list("start", "minutes_published_at"):
        total += 1
        if published is not None and published - meeting_start <= dt.timedelta(days=MINUTES_DAYS):
            on_time += 1
    return {"meetings": total, "minutes_on_time": on_time}
