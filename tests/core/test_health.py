"""`/healthz`: database and task queue, for load balancers and monitoring."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.test import Client

QUEUES = ["default", "mail", "import"]


def closed_port() -> int:
    """A loopback port nothing listens on (bound once by the OS, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def use_rq(settings: Any, url: str) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {name: {"URL": url} for name in QUEUES}


@pytest.mark.django_db
def test_healthz_reports_database_and_task_queue(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    settings.TASKS_BACKEND = "database"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "tasks": "ok (database)"},
    }
    # Monitoring must see the live state, never a cached answer.
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_is_503_with_a_clear_message_when_the_task_queue_is_down(
    client: Client, settings: Any
) -> None:
    port = closed_port()
    use_rq(settings, f"redis://127.0.0.1:{port}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    message = body["checks"]["tasks"]
    assert message.startswith("error: ConnectionError:")
    assert f"127.0.0.1:{port}" in message
    assert "refused" in message.lower()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.utils import OperationalError

    from rathaus.core import views

    def broken() -> str:
        raise OperationalError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr(views, "_check_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == (
        "error: OperationalError: connection to server at 127.0.0.1 failed"
    )


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_with_the_rq_backend_on_redis(client: Client, settings: Any) -> None:
    import redis

    parts = urlsplit(settings.REDIS_URL)
    url = urlunsplit((parts.scheme, parts.netloc, "/15", "", ""))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    use_rq(settings, url)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "tasks": "ok (rq)"}
