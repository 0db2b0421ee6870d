"""Benchmark: catalog search over 5,000 generated services (target p95 <= 50 ms).

    .venv/bin/python benchmarks/bench_search.py                     # temporary SQLite
    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_search.py

Measures `catalog.selectors.find_services`, the whole read a finder page makes for a query:
parsing (synonyms, typo correction), the full-text match, the page of services and the
snippets. The query mix has single words, prefixes, typos, two-word queries and misses.
"""

from __future__ import annotations

import argparse
import random

from harness import fresh_django, report, summarize, timed

QUERIES = [
    "Hundesteuer",
    "hund",
    "Perso",
    "Personalausweis",
    "Persnalausweis",
    "Baugenehmigung",
    "Gewerbe anmelden",
    "Wohnsitz ummelden",
    "Kita",
    "Parkausweis Anwohner",
    "Geburtsurkunde",
    "Führungszeugnis",
    "Sondernutzung Straße",
    "Fundsache",
    "Veranstaltung anzeigen",
    "Wohngeld",
    "Müllabfuhr",
    "Baum fällen",
    "Standesamt Eheschließung",
    "zzzqqq",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    with fresh_django("search") as vendor:
        import generate
        from rathaus.catalog import selectors

        generate.load_db(args.services)
        for q in QUERIES:  # warm the vocabulary, caches and query plans
            selectors.find_services(q)
        samples: list[float] = []
        hits: dict[str, int] = {}
        rng = random.Random(7)
        for _ in range(args.rounds):
            order = QUERIES[:]
            rng.shuffle(order)
            for q in order:
                samples.append(
                    timed(lambda q=q: hits.__setitem__(q, selectors.find_services(q).total))
                )
        report(
            "catalog_search",
            {
                "database": vendor,
                "services": args.services,
                "queries": len(QUERIES),
                **summarize(samples),
                "target_p95_ms": 50,
                "hits_per_query": hits,
            },
        )


if __name__ == "__main__":
    main()
