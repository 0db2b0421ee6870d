"""A real clamd for tests: own config, own tiny signature database, a free TCP port.

There is no network for freshclam here, so the database is one extended (.ndb) signature of
our own that matches the EICAR test string; clamd refuses to start without any signature.
Import the `clamd` fixture into a test module to use it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"

# The EICAR anti-virus test file (68 bytes); harmless by design, every scanner flags it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Rathaus.Test.EICAR"


@dataclass
class Clamd:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).rstrip(b"\0") == b"PONG"
    except OSError:
        return False


def start_clamd(directory: Path) -> Clamd:
    database = directory / "db"
    database.mkdir()
    # Extended signature: Name:TargetType(0 = any file):Offset(* = anywhere):HexSignature.
    (database / "rathaus-test.ndb").write_text(
        f"{SIGNATURE_NAME}:0:*:{b'EICAR-STANDARD-ANTIVIRUS-TEST-FILE'.hex()}\n"
    )
    port = free_port()
    log = directory / "clamd.log"
    lines = [
        "Foreground yes",
        f"TCPSocket {port}",
        "TCPAddr 127.0.0.1",
        f"DatabaseDirectory {database}",
        f"TemporaryDirectory {directory}",
        f"LogFile {log}",
        f"PidFile {directory / 'clamd.pid'}",
        "StreamMaxLength 20M",
    ]
    # No "User" line: clamd then keeps the user that started it, which owns the temporary
    # directory (root in CI, any user locally). With "User clamav", as in Debian's system
    # config, it could not read a database in a root-owned temporary directory.
    config = directory / "clamd.conf"
    config.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [CLAMD, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"clamd exited with {process.returncode}: {log.read_text()}")
        if _ping(port):
            return Clamd(url=f"tcp://127.0.0.1:{port}", port=port, process=process, log=log)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"clamd did not answer PING within 60 s: {log.read_text()}")


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    """A running clamd for the whole test session (it starts in about a second)."""
    daemon = start_clamd(tmp_path_factory.mktemp("clamd"))
    try:
        yield daemon
    finally:
        daemon.stop()
