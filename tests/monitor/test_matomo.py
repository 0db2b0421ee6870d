"""The Matomo importer against the Reporting API's documented answers, served on loopback.

Matomo (PHP) cannot run here; the server below answers like `Actions.getPageUrls` with
`flat=1` for several days, and like Matomo's error envelope.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from rathaus.integrations.matomo import Matomo, MatomoConfig, MatomoError
from rathaus.monitor.models import UsageCount
from rathaus.monitor.usage import import_matomo

pytestmark = pytest.mark.django_db
ANSWER = Path(__file__).parent.parent / "fixtures" / "matomo" / "getPageUrls-days.json"
TOKEN = "anonymous-token-of-the-test"


class _Matomo(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        type(self).seen.append({"path": urlsplit(self.path).path, "query": query, "form": form})
        if form.get("token_auth") != [TOKEN]:
            body: Any = {"result": "error", "message": "You can't access this resource."}
        else:
            body = json.loads(ANSWER.read_text())
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def matomo() -> Iterator[str]:
    _Matomo.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Matomo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_page_views_per_service_and_day(matomo: str, service_factory: Any) -> None:
    service = service_factory(slug="hund-anmelden", name="Hund anmelden")
    client = Matomo(MatomoConfig(base_url=matomo, site_id=3, token=TOKEN))

    import_matomo(client.page_urls(dt.date(2026, 11, 2), dt.date(2026, 11, 4)))

    request = _Matomo.seen[0]
    assert request["path"] == "/index.php"
    assert request["query"]["method"] == ["Actions.getPageUrls"]
    assert request["query"]["flat"] == ["1"]
    assert request["query"]["idSite"] == ["3"]
    assert request["query"]["date"] == ["2026-11-02,2026-11-04"]
    assert "token_auth" not in request["query"]  # only in the body
    rows = {
        (r.day.isoformat(), r.service_id, r.event): r.count
        for r in UsageCount.objects.filter(source="matomo")
    }
    assert rows == {
        ("2026-11-02", service.pk, "view"): 17,  # German and English page
        ("2026-11-02", service.pk, "visitor"): 13,
        ("2026-11-02", None, "view"): 69,
        ("2026-11-04", service.pk, "view"): 3,
        ("2026-11-04", service.pk, "visitor"): 3,
        ("2026-11-04", None, "view"): 5,
    }


def test_importing_the_same_days_again_replaces_them(matomo: str, service_factory: Any) -> None:
    service_factory(slug="hund-anmelden", name="Hund anmelden")
    client = Matomo(MatomoConfig(base_url=matomo, site_id=3, token=TOKEN))
    for _ in range(2):
        import_matomo(client.page_urls(dt.date(2026, 11, 2), dt.date(2026, 11, 4)))
    assert UsageCount.objects.filter(source="matomo").count() == 6


def test_a_refused_token_is_a_clear_error_and_nothing_is_written(matomo: str) -> None:
    client = Matomo(MatomoConfig(base_url=matomo, site_id=3, token="wrong"))
    with pytest.raises(MatomoError, match="can't access this resource"):
        import_matomo(client.page_urls(dt.date(2026, 11, 2), dt.date(2026, 11, 4)))
    assert not UsageCount.objects.exists()


def test_an_unreachable_server_is_named() -> None:
    client = Matomo(MatomoConfig(base_url="http://127.0.0.1:9/", site_id=1, token=TOKEN))
    with pytest.raises(MatomoError, match=r"127\.0\.0\.1:9.*not reachable"):
        list(client.page_urls(dt.date(2026, 11, 2), dt.date(2026, 11, 2)))


def test_import_command(matomo: str, settings: Any, service_factory: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    service_factory(slug="hund-anmelden", name="Hund anmelden")
    settings.RATHAUS_MATOMO_URL, settings.RATHAUS_MATOMO_TOKEN = matomo, "wrong"
    with pytest.raises(CommandError, match="can't access"):
        call_command("import_matomo", "--days", "3")
    settings.RATHAUS_MATOMO_TOKEN = TOKEN
    out = StringIO()
    call_command("import_matomo", "--days", "3", stdout=out)
    assert "6 counter rows" in out.getvalue()
    assert _Matomo.seen[-1]["query"]["idSite"] == [str(settings.RATHAUS_MATOMO_SITE_ID)]
