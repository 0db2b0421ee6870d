"""Structured logging: one JSON line per request, without IP address or query string."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rathaus.core.logging import StructuredFormatter

VISITOR_IP = "203.0.113.9"
PROXY_IP = "198.51.100.4"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured stderr handler writes, in the JSON format production uses."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, StructuredFormatter)
    ]
    assert len(handlers) == 1, "LOGGING should give the root logger one structured handler"
    handler = handlers[0]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    old_formatter = handler.formatter
    # Development may set RATHAUS_LOG_FORMAT=console; production (the default) writes JSON.
    handler.setFormatter(StructuredFormatter(renderer="json"))
    try:
        yield buffer
    finally:
        handler.setFormatter(old_formatter)
        if old_stream is not None:
            handler.setStream(old_stream)


def records(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_request_is_logged_as_one_json_line(client: Client, log_output: io.StringIO) -> None:
    response = client.get(
        "/impressum/?q=vertraulich",
        REMOTE_ADDR=VISITOR_IP,
        HTTP_X_FORWARDED_FOR=PROXY_IP,
        HTTP_USER_AGENT="Testbrowser/1.0",
    )
    assert response.status_code == 200

    lines = [line for line in log_output.getvalue().splitlines() if line.strip()]
    requests = [r for r in map(json.loads, lines) if r.get("event") == "request"]
    assert len(requests) == 1
    entry = requests[0]
    assert entry["method"] == "GET"
    assert entry["path"] == "/impressum/"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], int | float)
    assert entry["duration_ms"] >= 0
    assert entry["level"] == "info"
    assert entry["logger"] == "rathaus.request"
    assert entry["timestamp"].endswith("Z")
    # Privacy: nothing that identifies the visitor or what they typed.
    raw = log_output.getvalue()
    assert VISITOR_IP not in raw
    assert PROXY_IP not in raw
    assert "vertraulich" not in raw
    assert "Testbrowser" not in raw
    assert not {k for k in entry if "ip" in k.lower() or "addr" in k.lower()}
    # The same figure goes to the browser's developer tools.
    assert response["Server-Timing"] == f"app;dur={entry['duration_ms']}"


@pytest.mark.django_db
def test_error_responses_are_logged_with_their_status(
    client: Client, log_output: io.StringIO
) -> None:
    response = client.get("/gibt-es-nicht/", REMOTE_ADDR=VISITOR_IP)

    assert response.status_code == 404
    entry = next(r for r in records(log_output) if r.get("event") == "request")
    assert entry["status"] == 404
    assert entry["path"] == "/gibt-es-nicht/"
    assert VISITOR_IP not in log_output.getvalue()


def test_extra_fields_of_standard_logging_calls_become_json_keys(log_output: io.StringIO) -> None:
    logging.getLogger("rathaus.test").warning("import finished", extra={"rows": 42})

    (entry,) = [r for r in records(log_output) if r.get("logger") == "rathaus.test"]
    assert entry["event"] == "import finished"
    assert entry["rows"] == 42
    assert entry["level"] == "warning"
