"""A small clamd client: PING and INSTREAM over TCP or a unix socket.

clamd's INSTREAM command takes the file as a sequence of chunks, each prefixed with its
length as a 4-byte big-endian integer, ended by a zero-length chunk; the answer is one line,
``stream: OK`` or ``stream: <signature> FOUND`` (or an ``... ERROR`` line). The ``z`` prefix
of the commands makes clamd use NUL-terminated lines, so answers cannot be split ambiguously.

Rathaus scans only when ``RATHAUS_CLAMAV_URL`` is set. When it is set and clamd cannot be
reached or answers with an error, the caller gets `ScannerUnavailable` and refuses the file
(fail closed): an unscanned file must never pass as scanned.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK_SIZE = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd was configured but could not be reached or did not give a verdict."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""  # the name of what was found, e.g. "Eicar-Test-Signature"


class ClamdClient:
    """Talks to one clamd. `url` is ``tcp://host:port`` or ``unix:///path/to/clamd.ctl``."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme == "tcp":
            if not parts.hostname or not parts.port:
                raise ValueError(f"ClamAV address {url!r} needs a host and a port.")
            self.family = socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET
            self.address: str | tuple[str, int] = (parts.hostname, parts.port)
        elif parts.scheme == "unix":
            if not parts.path:
                raise ValueError(f"ClamAV address {url!r} needs a socket path.")
            self.family = socket.AF_UNIX
            self.address = parts.path
        else:
            raise ValueError(
                f"ClamAV address {url!r} must start with tcp:// or unix:// (e.g. tcp://127.0.0.1:3310)."
            )
        self.url = url
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.address)
        except OSError as exc:
            sock.close()
            raise ScannerUnavailable(f"clamd at {self.url} is not reachable: {exc}") from exc
        return sock

    @staticmethod
    def _read_reply(sock: socket.socket) -> str:
        data = bytearray()
        while not data.endswith(b"\0"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data.extend(chunk)
        return data.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        """True when clamd answers PONG; raises ScannerUnavailable when it cannot be reached."""
        sock = self._connect()
        try:
            sock.sendall(b"zPING\0")
            return self._read_reply(sock) == "PONG"
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.url} did not answer: {exc}") from exc
        finally:
            sock.close()

    def scan_chunks(self, chunks: Iterable[bytes]) -> ScanResult:
        """Stream the file to clamd and return its verdict."""
        sock = self._connect()
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_SIZE):
                    part = chunk[start : start + CHUNK_SIZE]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            reply = self._read_reply(sock)
        except OSError as exc:
            # clamd closes the connection when the stream exceeds its StreamMaxLength.
            raise ScannerUnavailable(f"clamd at {self.url} broke off the scan: {exc}") from exc
        finally:
            sock.close()
        return self._verdict(reply)

    def scan_bytes(self, data: bytes) -> ScanResult:
        return self.scan_chunks([data])

    def _verdict(self, reply: str) -> ScanResult:
        # Answers look like "stream: OK", "stream: <signature> FOUND" or "<reason> ERROR".
        _, _, result = reply.partition(": ")
        if reply.endswith(" FOUND"):
            return ScanResult(clean=False, signature=result.removesuffix(" FOUND").strip())
        if result == "OK":
            return ScanResult(clean=True)
        raise ScannerUnavailable(f"clamd at {self.url} gave no verdict: {reply or 'no answer'}")


def client_from_settings() -> ClamdClient | None:
    """The configured scanner, or None when `RATHAUS_CLAMAV_URL` is empty (no scanning)."""
    url = getattr(settings, "RATHAUS_CLAMAV_URL", "")
    if not url:
        return None
    return ClamdClient(url, timeout=float(getattr(settings, "RATHAUS_CLAMAV_TIMEOUT", 30.0)))
