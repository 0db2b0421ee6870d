"""A stand-in BigBlueButton API on loopback that answers with the recorded XML files.

It checks every request's checksum like a real server (the hash of call name, query string
without the checksum, and the shared secret) and answers `checksum_error.xml` when it does
not match. Tests choose the answer per call (`answers["create"] = "create_duplicate.xml"`),
can make a call fail with an HTTP status or hang, and read what was received in `requests`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

HERE = Path(__file__).resolve().parent
SECRET = "8cd8ef52e8e101574e400365b55e11a6"  # the example secret of the API documentation

DEFAULT_ANSWERS = {
    "create": "create_success.xml",
    "isMeetingRunning": "is_meeting_running_true.xml",
    "end": "end_success.xml",
}


@dataclass
class Received:
    call: str
    query: str  # without the checksum, exactly as sent
    params: dict[str, str]
    checksum: str
    checksum_ok: bool
    algorithm: str


@dataclass
class FakeBigBlueButton:
    secret: str = SECRET
    answers: dict[str, str | int] = field(default_factory=lambda: dict(DEFAULT_ANSWERS))
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def calls(self, name: str) -> list[Received]:
        return [r for r in self.requests if r.call == name]


def _algorithm_for(digest: str) -> str:
    return {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}.get(len(digest), "sha1")


def _handler(fake: FakeBigBlueButton) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            prefix = "/bigbluebutton/api/"
            if not parts.path.startswith(prefix):
                self.send_error(404)
                return
            call = parts.path[len(prefix) :]
            # Like BigBlueButton: the checksum covers the query string without itself.
            kept, checksum = [], ""
            for pair in parts.query.split("&") if parts.query else []:
                if pair.startswith("checksum="):
                    checksum = pair.removeprefix("checksum=")
                else:
                    kept.append(pair)
            query = "&".join(kept)
            algorithm = _algorithm_for(checksum)
            expected = hashlib.new(algorithm, f"{call}{query}{fake.secret}".encode()).hexdigest()
            received = Received(
                call=call,
                query=query,
                params=dict(parse_qsl(query, keep_blank_values=True)),
                checksum=checksum,
                checksum_ok=checksum == expected,
                algorithm=algorithm,
            )
            fake.requests.append(received)
            if fake.delay:
                time.sleep(fake.delay)
            if not received.checksum_ok:
                self._send_file("checksum_error.xml")
                return
            answer = fake.answers.get(call)
            if answer is None:
                self.send_error(404)
            elif isinstance(answer, int):
                self.send_error(answer)
            else:
                self._send_file(answer)

        def _send_file(self, name: str) -> None:
            body = (HERE / name).read_bytes() if name.endswith(".xml") else name.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running_server(fake: FakeBigBlueButton | None = None) -> Iterator[FakeBigBlueButton]:
    fake = fake or FakeBigBlueButton()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    fake.url = f"http://{host!s}:{port}/bigbluebutton/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
