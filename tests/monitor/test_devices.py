"""The device inventory: CSV import with line-exact errors and the Snipe-IT API contract.

Snipe-IT cannot run here (PHP), so its side is a loopback HTTP server answering with the
documented response shape (`{"total", "rows"}` of the hardware transformer, dates as
`{"date", "formatted"}`, users with `employee_number`, status types, custom fields).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from rathaus.accounts.models import Office
from rathaus.core.errors import ImportRejected
from rathaus.integrations.snipeit import SnipeIt, SnipeItConfig, SnipeItError
from rathaus.monitor.devices import parse_csv, save_records, sync_snipeit
from rathaus.monitor.models import Device

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent.parent / "fixtures" / "snipeit"

CSV_OK = (
    "Inventarnummer;Art;Modell;Dienststelle;Personalnummer;mobil;angeschafft;garantie_bis\n"
    "N-1;Notebook;ThinkPad T14;buergerservice;P-1;ja;2023-01-15;15.01.2026\n"
    "N-2;Desktop;ProDesk;buergerservice;P-2;;2019-05-01;\n"
)


def test_csv_import_creates_devices_and_derives_mobility_from_the_kind(office: Office) -> None:
    result = save_records(parse_csv(CSV_OK.encode()), source=Device.Source.CSV)

    assert (result.created, result.updated) == (2, 0)
    laptop, desktop = Device.objects.order_by("inventory_number")
    assert laptop.home_office_capable is True
    assert laptop.office == office
    assert laptop.warranty_until == dt.date(2026, 1, 15)
    assert desktop.home_office_capable is False  # not said: a desktop stays in the office

    again = save_records(parse_csv(CSV_OK.encode()), source=Device.Source.CSV)
    assert (again.created, again.updated) == (0, 0)


def test_csv_errors_name_line_and_column_and_nothing_is_written(office: Office) -> None:
    bad = (
        "inventarnummer;art;dienststelle;mobil;angeschafft\n"
        "N-1;Notebook;buergerservice;ja;2023-01-15\n"
        "N-1;Notebook;buergerservice;ja;2023-01-15\n"
        "N-3;Toaster;nirgendwo;vielleicht;31.02.2023\n"
        ";Notebook;;;\n"
    )
    with pytest.raises(ImportRejected) as caught:
        parse_csv(bad.encode())
    problems = {(p.line, p.field) for p in caught.value.problems}
    assert problems == {
        (3, "inventarnummer"),
        (4, "art"),
        (4, "dienststelle"),
        (4, "mobil"),
        (4, "angeschafft"),
        (5, "inventarnummer"),
    }
    assert "N-1" in str(caught.value.problems[0])
    assert not Device.objects.exists()


def test_csv_without_the_required_columns_is_refused() -> None:
    with pytest.raises(ImportRejected, match="inventarnummer"):
        parse_csv(b"art;modell\nNotebook;X\n")


class _SnipeIt(BaseHTTPRequestHandler):
    token = "secret-token"
    fail_offset: int | None = None
    requests: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        type(self).requests.append({"path": url.path, "query": query})
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self._send(401, {"message": "Unauthenticated."})
            return
        offset = int(query.get("offset", ["0"])[0])
        if offset == self.fail_offset:
            self._send(500, {"message": "Server Error"})
            return
        page = "hardware-page1.json" if offset == 0 else "hardware-page2.json"
        self._send(200, json.loads((FIXTURES / page).read_text()))

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def snipeit() -> Iterator[str]:
    _SnipeIt.requests = []
    _SnipeIt.fail_offset = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SnipeIt)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _client(url: str, token: str = _SnipeIt.token) -> SnipeIt:
    return SnipeIt(SnipeItConfig(base_url=url, token=token, mobile_field="Mobiles Arbeiten"))


def test_snipeit_sync_reads_every_page_and_maps_the_documented_fields(
    snipeit: str, office: Office
) -> None:
    Office.objects.filter(pk=office.pk).update(name="Bürgerbüro")
    result = sync_snipeit(_client(snipeit))

    assert result.created == 3
    assert [r["query"]["offset"] for r in _SnipeIt.requests] == [["0"], ["2"]]
    assert all(r["path"] == "/api/v1/hardware" for r in _SnipeIt.requests)
    laptop = Device.objects.get(inventory_number="BUX-0101")
    assert laptop.kind == Device.Kind.LAPTOP
    assert laptop.holder == "P-1044"  # the employee number, never the name
    assert laptop.home_office_capable is True
    assert laptop.purchased_on == dt.date(2022, 3, 31)
    assert laptop.warranty_until == dt.date(2025, 3, 31)
    assert laptop.office_id == office.pk
    desktop = Device.objects.get(inventory_number="BUX-0102")
    assert desktop.holder == "snipeit-45"
    assert desktop.home_office_capable is False
    assert desktop.warranty_until is None
    tablet = Device.objects.get(inventory_number="BUX-0103")
    assert tablet.retired_on is not None  # status type "archived"
    assert tablet.holder == ""  # checked out to a location, not a person
    assert not Device.objects.filter(holder__icontains="Muster").exists()


def test_snipeit_devices_no_longer_listed_are_retired(snipeit: str) -> None:
    Device.objects.create(
        inventory_number="BUX-0999", kind=Device.Kind.LAPTOP, source=Device.Source.SNIPE_IT
    )
    Device.objects.create(inventory_number="CSV-1", kind=Device.Kind.LAPTOP, source="csv")
    result = sync_snipeit(_client(snipeit))
    assert result.retired == 1
    assert Device.objects.get(inventory_number="BUX-0999").retired_on is not None
    assert Device.objects.get(inventory_number="CSV-1").retired_on is None


def test_snipeit_refused_token_is_a_clear_error(snipeit: str) -> None:
    with pytest.raises(SnipeItError, match="API token was refused"):
        sync_snipeit(_client(snipeit, token="wrong"))
    assert not Device.objects.exists()


def test_snipeit_failing_halfway_leaves_the_inventory_as_it_was(snipeit: str) -> None:
    Device.objects.create(
        inventory_number="BUX-0101", kind=Device.Kind.DESKTOP, source=Device.Source.SNIPE_IT
    )
    _SnipeIt.fail_offset = 2
    with pytest.raises(SnipeItError, match=r"offset 2\): HTTP 500"):
        sync_snipeit(_client(snipeit))
    assert list(Device.objects.values_list("inventory_number", "kind")) == [("BUX-0101", "desktop")]


def test_snipeit_unreachable_names_the_server() -> None:
    with pytest.raises(SnipeItError, match="not reachable"):
        list(_client("http://127.0.0.1:9").hardware())


def test_import_devices_command(tmp_path: Path, office: Office) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    good = tmp_path / "geraete.csv"
    good.write_text(CSV_OK, encoding="utf-8")
    out = StringIO()
    call_command("import_devices", "--csv", str(good), stdout=out)
    assert "2 created" in out.getvalue()

    bad = tmp_path / "kaputt.csv"
    bad.write_text("inventarnummer;art\nX-1;Toaster\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Zeile 2.*Toaster|Toaster.*Zeile 2|line 2"):
        call_command("import_devices", "--csv", str(bad))
    with pytest.raises(CommandError, match="RATHAUS_SNIPEIT_URL"):
        call_command("import_devices", "--snipeit")
