"""The clamd client against a real clamd with a signature database of our own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rathaus.integrations.clamav import ClamdClient, ScannerUnavailable, client_from_settings
from tests.integrations.clamd import EICAR, SIGNATURE_NAME, Clamd, free_port, start_clamd
from tests.integrations.clamd import clamd as clamd  # noqa: PLC0414 (the fixture)


def test_ping(clamd: Clamd) -> None:
    assert ClamdClient(clamd.url).ping() is True


def test_eicar_is_found(clamd: Clamd) -> None:
    result = ClamdClient(clamd.url).scan_bytes(b"Anhang\n" + EICAR + b"\n")
    assert result.clean is False
    assert result.signature.startswith(SIGNATURE_NAME)


def test_clean_data_in_many_chunks(clamd: Clamd) -> None:
    chunks = [b"%PDF-1.7\n" + b"x" * 200_000 for _ in range(5)]  # 1 MB, several INSTREAM chunks
    result = ClamdClient(clamd.url).scan_chunks(chunks)
    assert result.clean is True
    assert result.signature == ""


def test_eicar_across_a_chunk_boundary(clamd: Clamd) -> None:
    data = b"a" * (64 * 1024 - 20) + EICAR + b"b" * 100
    assert ClamdClient(clamd.url).scan_chunks([data[:65000], data[65000:]]).clean is False


def test_unreachable_daemon_raises() -> None:
    client = ClamdClient(f"tcp://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ScannerUnavailable, match="not reachable"):
        client.scan_bytes(b"hello")
    with pytest.raises(ScannerUnavailable):
        client.ping()


def test_stream_over_the_size_limit_is_no_verdict(clamd: Clamd) -> None:
    # The fixture's clamd accepts 20 MB per stream; beyond that it breaks off, which must
    # not be mistaken for "clean".
    chunk = b"z" * (1024 * 1024)
    with pytest.raises(ScannerUnavailable):
        ClamdClient(clamd.url).scan_chunks(chunk for _ in range(21))


def test_daemon_stopped_after_start(tmp_path: Path) -> None:
    daemon = start_clamd(tmp_path)
    client = ClamdClient(daemon.url, timeout=2)
    assert client.ping()
    daemon.stop()
    with pytest.raises(ScannerUnavailable):
        client.scan_bytes(EICAR)


def test_unix_socket_address_and_bad_addresses() -> None:
    client = ClamdClient("unix:///run/clamav/missing-rathaus-test.ctl", timeout=1)
    with pytest.raises(ScannerUnavailable):
        client.ping()
    for bad in ("http://127.0.0.1:3310", "tcp://127.0.0.1", "unix://"):
        with pytest.raises(ValueError, match="ClamAV address"):
            ClamdClient(bad)


def test_settings_choose_the_client(settings: Any) -> None:
    settings.RATHAUS_CLAMAV_URL = ""
    assert client_from_settings() is None
    settings.RATHAUS_CLAMAV_URL = "tcp://127.0.0.1:3310"
    client = client_from_settings()
    assert client is not None
    assert client.address == ("127.0.0.1", 3310)
