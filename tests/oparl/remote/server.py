"""A fake remote council system on loopback, serving the recorded JSON files beside this module.

`/v11/...` and `/v10/...` map to `v11/....json` and `v10/....json`; `{base}` in the files
becomes the server's address. A request with `modified_since` is answered from
`<flavour>/updates/...` (or with an empty list): the recorded changes since the first import.
Fault endpoints wrap any path:

- `/fault/500/...` always answers HTTP 500,
- `/fault/flaky/...` answers 500 the first time, then the wrapped path,
- `/fault/timeout/...` answers only after `slow_seconds` (beyond the client's timeout),
- `/fault/invalid-json/...` answers broken JSON,
- an object's id answers the object, wherever the files hold it (lists, embedded),
- anything else answers 404 with an OParl error object.

`blobs` serves binary files (e.g. a generated PDF) at given paths.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent


class RemoteState:
    def __init__(self) -> None:
        self.base = ""
        self.requests: list[str] = []  # path?query of every request, in order
        self.flaky_seen: set[str] = set()
        self.slow_seconds = 1.5
        self.blobs: dict[str, tuple[bytes, str]] = {}
        self.lock = threading.Lock()
        self._objects: dict[str, dict[str, str]] = {}

    def object(self, flavour: str, path: str) -> str | None:
        """The JSON of the object whose id has this path, wherever the files hold it."""
        with self.lock:
            if flavour not in self._objects:
                self._objects[flavour] = _index(FIXTURES / flavour)
            found = self._objects[flavour].get(path)
        return found.replace("{base}", self.base) if found else None

    def paths(self, prefix: str = "") -> list[str]:
        with self.lock:
            return [r for r in self.requests if r.startswith(prefix)]


def _index(folder: Path) -> dict[str, str]:
    """Path of each object's id -> the object as JSON, from every file but the updates."""
    found: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and value.get("type"):
                path = urlsplit(value["id"].replace("{base}", "http://x")).path
                found.setdefault(path, json.dumps(value, ensure_ascii=False))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    if folder.is_dir():
        for file in sorted(folder.rglob("*.json")):
            if "updates" not in file.relative_to(folder).parts:
                walk(json.loads(file.read_text(encoding="utf-8")))
    return found


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append(self.path)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path.startswith("/fault/500/"):
            return self._send(500, b'{"type": "https://schema.oparl.org/1.1/Error"}')
        if path.startswith("/fault/flaky/"):
            with state.lock:
                first = path not in state.flaky_seen
                state.flaky_seen.add(path)
            if first:
                return self._send(500, b"Internal Server Error", "text/plain")
            path = path.removeprefix("/fault/flaky")
        if path.startswith("/fault/timeout/"):
            time.sleep(state.slow_seconds)
            return self._send(200, b"{}")
        if path.startswith("/fault/invalid-json/"):
            return self._send(200, b'{"id": "' + path.encode() + b'", "type": ')
        if path in state.blobs:
            content, media_type = state.blobs[path]
            return self._send(200, content, media_type)
        return self._serve_file(path, query)

    def _serve_file(self, path: str, query: dict[str, list[str]]) -> None:
        flavour, _, rest = path.strip("/").partition("/")
        if "modified_since" in query:
            file = FIXTURES / flavour / "updates" / f"{rest}.json"
            if not file.is_file():
                empty = {"data": [], "pagination": {"totalElements": 0}, "links": {}}
                return self._send(200, json.dumps(empty).encode())
        else:
            file = FIXTURES / flavour / f"{rest}.json"
        if not file.is_file() and (obj := self.server.state.object(flavour, path)):
            # Like a real system: every object is at its id, also those served in lists.
            return self._send(200, obj.encode("utf-8"))
        if not rest or ".." in path or not file.is_file():
            error = {
                "type": "https://schema.oparl.org/1.1/Error",
                "message": f"Nicht gefunden: {path}",
            }
            return self._send(404, json.dumps(error).encode())
        text = file.read_text(encoding="utf-8").replace("{base}", self.server.state.base)
        return self._send(200, text.encode("utf-8"))

    def _send(self, status: int, body: bytes, media_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may have given up already (the timeout endpoint).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: RemoteState


@contextmanager
def remote_system() -> Iterator[RemoteState]:
    """Start the fake system on 127.0.0.1 (a free port); yields its state."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = RemoteState()
    server.state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
