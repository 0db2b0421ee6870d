"""Benchmark: import N generated services from a CSV file into a fresh database.

    .venv/bin/python benchmarks/bench_import.py        # 5,000 services, temporary SQLite
    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/bench_import.py

With a PostgreSQL DATABASE_URL a scratch database (named after the one in the URL) is
created on that server and dropped afterwards. Three runs on the same database: the first
import (all new), the same file again (all unchanged) and a file in which every service
changed (all updated, with history). Wall time covers reading, checking and writing the
file, history and search index included. Peak memory is the process's maximum resident set
size. The result is printed as a JSON line and a Markdown table row; the target is < 10 s
for 5,000 services.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # a sibling script, found through the path set above

TARGET_SECONDS = 10.0


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `url`; dropped on exit."""
    import psycopg
    from dj_database_url import parse
    from psycopg import sql

    config = parse(url)
    name = f"{config['NAME'] or 'rathaus'}_bench_import_{os.getpid()}"
    admin: dict[str, Any] = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",  # the maintenance database: the named one may not exist yet
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**admin) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_import(path: Path) -> tuple[float, Any]:
    from rathaus.catalog.io.importer import import_file

    start = time.perf_counter()
    result = import_file(path=path)
    return time.perf_counter() - start, result


def run(n: int, seed: int, workdir: Path) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    dataset = generate.generate(n, seed=seed)
    generate.ensure_reference_data(dataset)
    first = generate.write_csv(workdir / "services.csv", dataset)
    for row in dataset.services:
        row["fees"] = f"{row['fees']} (Stand 2027)"
    changed = generate.write_csv(workdir / "services-changed.csv", dataset)

    rss_before = peak_rss_mb()
    create_s, created = timed_import(first)
    rss_after_create = peak_rss_mb()
    unchanged_s, unchanged = timed_import(first)
    update_s, updated = timed_import(changed)
    assert len(created.created) == n, created.summary()
    assert len(unchanged.unchanged) == n, unchanged.summary()
    assert len(updated.updated) == n, updated.summary()

    from rathaus.catalog.models import Service
    from rathaus.core.models import SearchDocument

    return {
        "benchmark": "import_services",
        "database": connection.vendor,
        "services": n,
        "file_mb": round(first.stat().st_size / 1e6, 2),
        "create_s": round(create_s, 2),
        "unchanged_s": round(unchanged_s, 2),
        "update_s": round(update_s, 2),
        "target_s": TARGET_SECONDS,
        "passed": create_s < TARGET_SECONDS and update_s < TARGET_SECONDS,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_growth_first_import_mb": round(rss_after_create - rss_before, 1),
        "history_rows": Service.history.count(),
        "search_documents": SearchDocument.objects.count(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def markdown(r: dict[str, Any]) -> str:
    return (
        f"| import {r['services']:,} services ({r['database']}) | {r['create_s']} s new, "
        f"{r['unchanged_s']} s unchanged, {r['update_s']} s updated | < {r['target_s']:g} s | "
        f"peak RSS {r['peak_rss_mb']} MB | {'pass' if r['passed'] else 'FAIL'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="number of services (5000)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="rathaus-bench-import-") as tmp:
        workdir = Path(tmp)
        os.environ["DJANGO_SETTINGS_MODULE"] = "rathaus.config.settings"
        os.environ["RATHAUS_DATA_DIR"] = str(workdir)  # fresh SQLite file unless DATABASE_URL
        os.environ.setdefault("RATHAUS_LOG_LEVEL", "WARNING")
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            with scratch_postgres(url) as scratch:
                os.environ["DATABASE_URL"] = scratch
                generate.setup_django()
                result = run(args.n, args.seed, workdir)
        else:
            os.environ.pop("DATABASE_URL", None)
            generate.setup_django()
            result = run(args.n, args.seed, workdir)
    print(json.dumps(result))
    print(markdown(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
