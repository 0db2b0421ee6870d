"""Benchmark: import N generated services from a CSV file into a fresh database.

    .venv/bin/python benchmarks/bench_import.py        # 5,000 services, temporary SQLite
    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/bench_import.py

With a PostgreSQL DATABASE_URL a scratch database is created on that server and dropped
afterwards (see harness.py). Three runs on the same database: the first
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # sibling scripts, found through the path set above
from harness import fresh_django

TARGET_SECONDS = 10.0


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_import(path: Path) -> tuple[float, Any]:
    from rathaus.catalog.io.importer import import_file

    start = time.perf_counter()
    result = import_file(path=path)
    return time.perf_counter() - start, result


def run(n: int, seed: int, workdir: Path) -> dict[str, Any]:
    from django.db import connection

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

    with tempfile.TemporaryDirectory(prefix="rathaus-bench-import-") as tmp, fresh_django("import"):
        result = run(args.n, args.seed, Path(tmp))
    print(json.dumps(result))
    print(markdown(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
