"""Question 8: OParl conformance of an endpoint, completeness and timeliness of the records."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from rathaus.council.models import Meeting
from rathaus.monitor.council import InProcessTransport, check_oparl_endpoint, minutes_timeliness
from rathaus.monitor.models import MetricSnapshot
from rathaus.monitor.services import compute_all
from tests.oparl.test_server_support import build_council

pytestmark = pytest.mark.django_db
SCHEMA = "https://schema.oparl.org/1.1/"


def test_our_own_endpoint_conforms() -> None:
    build_council()
    client = httpx.Client(transport=InProcessTransport())
    check = check_oparl_endpoint(f"{settings.SITE_URL}/oparl/v1.1/", client=client)

    assert check.error == ""
    assert check.checked >= 10
    assert check.valid == check.checked
    assert {"System", "Body", "Organization", "Person", "Meeting", "Paper"} <= set(check.results)

    compute_all(only=["q8.oparl_conformance"])
    assert MetricSnapshot.objects.get(metric_id="q8.oparl_conformance").value == 100.0


class _Broken(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        data = json.dumps(body).encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def broken_system() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    now = "2026-01-01T10:00:00+01:00"
    _Broken.pages = {
        "/": {
            "id": f"{base}/",
            "type": SCHEMA + "System",
            "oparlVersion": SCHEMA,
            "body": f"{base}/bodies",
        },
        "/bodies": {
            "data": [
                {
                    "id": f"{base}/body/1",
                    "type": SCHEMA + "Body",
                    "system": f"{base}/",
                    "name": "Stadt Irgendwo",
                    "organization": f"{base}/orgs",
                    "person": f"{base}/missing",
                    "meeting": f"{base}/meetings",
                    "paper": f"{base}/papers",
                    "legislativeTerm": [],
                    "created": now,
                    "modified": now,
                }
            ]
        },
        "/orgs": {"data": [{"id": f"{base}/org/1", "type": SCHEMA + "Organization", "name": 7}]},
        "/meetings": {"data": []},
        "/papers": {"data": []},
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"{base}/"
    server.shutdown()
    server.server_close()


def test_a_broken_system_is_reported_by_type_and_object(broken_system: str) -> None:
    check = check_oparl_endpoint(broken_system)

    assert check.results["System"]["valid"] == 1
    organization = check.results["Organization"]
    assert organization == {"checked": 1, "valid": 0, "errors": organization["errors"]}
    assert any("/org/1: name" in error for error in organization["errors"])
    # The person list answers 404: the check stops there and says so.
    assert "404" in check.error
    assert check.checked == 3


def test_an_unreachable_endpoint_is_recorded_not_raised() -> None:
    check = check_oparl_endpoint("http://127.0.0.1:9/oparl/")
    assert check.checked == 0
    assert "ConnectError" in check.error


def test_minutes_published_within_two_weeks(office: Any) -> None:
    now = timezone.now()
    for days_ago, published_after in [(60, 3), (50, 20), (40, None), (5, None)]:
        start = now - dt.timedelta(days=days_ago)
        Meeting.objects.create(
            name=f"Sitzung vor {days_ago} Tagen",
            start=start,
            minutes_published_at=(
                start + dt.timedelta(days=published_after) if published_after else None
            ),
        )
    # The last meeting is younger than two weeks: not yet counted.
    assert minutes_timeliness(now - dt.timedelta(days=365), now) == {
        "meetings": 3,
        "minutes_on_time": 1,
    }
