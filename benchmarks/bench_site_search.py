"""Benchmark: the one site search (/suche/) over the full Buxtehude demo (p95 <= 100 ms).

    .venv/bin/python benchmarks/bench_site_search.py                 # temporary SQLite
    DATABASE_URL=postgres://USER@HOST/rathaus .venv/bin/python benchmarks/bench_site_search.py

Loads the whole demo (`load_demo`: services, online forms, council of scale 1 with about
1,600 PDF texts, news and events), then requests the search page for a mix of citizen
queries through Django's test client (routing, middleware, the search and the template:
what a reader waits for, minus the network): single words, prefixes, two-word queries,
typos, very common words and a miss. `page_cpu` is the CPU time of the benchmark process
per page (on SQLite the database works in this process too, so it is the cost of a search
without the waiting on a busy machine). `search_only` times `core.site_search.site_search`
alone; `match_only` the full-text match of `core.search` alone.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from harness import fresh_django, report, summarize, timed

QUERIES = [
    "Hundesteuer",
    "Personalausweis",
    "Perso",
    "Bebauungsplan",
    "Haushalt",
    "Haushaltssatzung",
    "Kita",
    "Kindergarten",
    "Sperrmüll",
    "Parken",
    "Bewohnerparkausweis",
    "Wochenmarkt",
    "Feuerwehr",
    "Baustelle Bahnhofstraße",
    "Glasfaser",
    "Ummeldung",
    "Führerschein",
    "Eheschließung",
    "Spielplatz",
    "Klimaschutz",
    "Stadtbibliothek",
    "Weihnachtsmarkt",
    "Hund anmelden",
    "Tempo 30",
    "Digitalisierung",
    "Ratssitzung",
    "Stadt",
    "Sitzung",
    "Hundestuer",
    "Persnalausweis",
    "Bebaungsplan",
    "Feuerwer",
    "zzzqqqxx",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="passes over the query list")
    parser.add_argument("--council-scale", type=float, default=1.0)
    args = parser.parse_args()
    with fresh_django("site-search") as vendor:
        from django.conf import settings
        from django.test import Client
        from django.test.utils import override_settings

        from rathaus.core import search, site_search
        from rathaus.core.demo import load_demo
        from rathaus.core.models import SearchDocument

        started = time.perf_counter()
        load_demo(accounts=True, council_scale=args.council_scale)
        load_s = round(time.perf_counter() - started, 1)
        documents = SearchDocument.objects.count()
        kinds = {k: SearchDocument.objects.filter(kind=k).count() for k in site_search.ALL_KINDS}
        # The manifest storage needs collectstatic; the page is timed without it.
        static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": static}, ALLOWED_HOSTS=["*"]
        ):
            client = Client()
            for q in QUERIES:  # warm-up: vocabulary, templates, caches
                assert client.get("/suche/", {"q": q}).status_code == 200
            load_before = round(os.getloadavg()[0], 2)
            page: list[float] = []
            per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
            page_cpu: list[float] = []
            for _ in range(args.rounds):
                for q in QUERIES:
                    cpu = time.process_time()
                    ms = timed(lambda q=q: client.get("/suche/", {"q": q}))
                    page_cpu.append((time.process_time() - cpu) * 1000)
                    page.append(ms)
                    per_query[q].append(ms)
            search_only = [
                timed(lambda q=q: site_search.site_search(q)) for q in QUERIES for _ in range(3)
            ]
            match_only = [
                timed(lambda q=q: search.search(q, snippets=False, limit=site_search.HIT_LIMIT))
                for q in QUERIES
                for _ in range(3)
            ]
        slowest = sorted(
            ((q, summarize(v)["p95_ms"]) for q, v in per_query.items()),
            key=lambda item: -item[1],
        )[:5]
        result: dict[str, Any] = {
            "database": vendor,
            "demo_load_s": load_s,
            "documents": documents,
            "documents_by_kind": kinds,
            "queries": len(QUERIES),
            "page": summarize(page),
            # CPU time of this process per page: on SQLite all the work (the database too)
            # runs here, so this shows the cost without the waiting for other processes.
            "page_cpu": summarize(page_cpu),
            "search_only": summarize(search_only),
            "match_only": summarize(match_only),
            "slowest_queries_p95_ms": dict(slowest),
            "target_p95_ms": 100,
            # Other work on the machine slows every figure; the load says how much there was.
            "load_average_1m_before_after": [load_before, round(os.getloadavg()[0], 2)],
        }
        report("site_search", result)


if __name__ == "__main__":
    main()
