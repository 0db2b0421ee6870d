"""Shared set-up for the benchmarks: a fresh database, Django configured, timing helpers.

SQLite by default (a temporary file); `DATABASE_URL=postgres://…/name` benchmarks PostgreSQL in a
database created for the run and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


@contextmanager
def fresh_django(label: str) -> Iterator[str]:
    """Configure Django on an empty, migrated database; yields the database vendor."""
    data_dir = tempfile.mkdtemp(prefix=f"rathaus-bench-{label}-")
    os.environ["RATHAUS_DATA_DIR"] = data_dir
    os.environ.setdefault("RATHAUS_TASKS_BACKEND", "immediate")
    os.environ["RATHAUS_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rathaus.config.settings"
    admin_url = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        bench_db = f"rathaus_bench_{label}".replace("-", "_")
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        _pg_admin(admin_url, f"DROP DATABASE IF EXISTS {bench_db}")
        _pg_admin(admin_url, f"CREATE DATABASE {bench_db}")
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_db}"))
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    try:
        yield connection.vendor
    finally:
        connection.close()
        if admin_url:
            _pg_admin(admin_url, f"DROP DATABASE IF EXISTS {bench_db}")


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarize(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "p50_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "max_ms": round(max(samples_ms), 2),
    }


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
    }


def report(name: str, result: dict[str, Any]) -> None:
    print(json.dumps({"benchmark": name, **result, "machine": machine()}, ensure_ascii=False))
