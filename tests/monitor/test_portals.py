"""Question 7: exports to the portal network, links back from portal pages, portal cases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.cases.models import Channel
from rathaus.cases.services import create_case
from rathaus.monitor.models import MetricSnapshot, PortalStatus
from rathaus.monitor.portals import check_links
from rathaus.monitor.services import compute_all

pytestmark = pytest.mark.django_db


def test_exporting_for_a_portal_is_recorded(tmp_path: Path, service_factory: Any) -> None:
    online = service_factory(slug="hund", name="Hund anmelden")
    service_factory(leika_key="99010004002000", slug="anderes", name="Anderes")
    call_command(
        "export_services",
        "--format",
        "xzufi",
        "--output",
        str(tmp_path / "x.xml"),
        "--portal",
        "pvog",
    )
    assert PortalStatus.objects.filter(portal="pvog").count() == 2
    compute_all(only=["q7.exported_to_portals"])
    snapshot = MetricSnapshot.objects.get(metric_id="q7.exported_to_portals")
    assert snapshot.value == 100.0
    assert snapshot.detail["last_export"] is not None
    assert online.portal_statuses.get().exported_at is not None


class _Portal(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        data = (body or "not found").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_portal_pages_are_checked_for_a_link_back(portal: str, service_factory: Any) -> None:
    linked = service_factory(
        slug="hund",
        name="Hund anmelden",
        online_service_url="https://rathaus.example/antraege/hund/",
    )
    unlinked = service_factory(leika_key="99010004002000", slug="parken", name="Parken")
    gone = service_factory(leika_key="99010004003000", slug="fund", name="Fundsache")
    _Portal.pages = {
        "/leistung/1": '<a href="https://rathaus.example/antraege/hund/">Online beantragen</a>',
        "/leistung/2": "<p>Wenden Sie sich an Ihre Gemeinde.</p>",
    }
    for service, path in [(linked, "/leistung/1"), (unlinked, "/leistung/2"), (gone, "/weg")]:
        PortalStatus.objects.create(service=service, portal="land", portal_url=portal + path)

    assert check_links() == 3

    statuses = {s.service_id: s for s in PortalStatus.objects.all()}
    assert statuses[linked.pk].linked is True
    assert statuses[unlinked.pk].linked is False
    assert statuses[gone.pk].linked is None
    assert "404" in statuses[gone.pk].link_error
    compute_all(only=["q7.linked_from_portals"])
    assert MetricSnapshot.objects.get(metric_id="q7.linked_from_portals").value == 50.0


def test_portal_cases_are_a_share_of_online_cases(office: Office) -> None:
    now = timezone.now()
    for channel in [Channel.PORTAL, Channel.ONLINE, Channel.ONLINE, Channel.ONLINE, Channel.POST]:
        create_case(office=office, channel=channel, subject="x", received_at=now)
    compute_all(only=["q7.portal_submissions"])
    snapshot = MetricSnapshot.objects.get(metric_id="q7.portal_submissions")
    assert snapshot.value == 25.0
    assert snapshot.detail["portal_cases"] == 1
