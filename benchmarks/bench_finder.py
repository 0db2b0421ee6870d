"""Benchmark: server time of the finder page over 5,000 services (target p95 <= 30 ms).

    .venv/bin/python benchmarks/bench_finder.py
    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_finder.py

Requests go through Django's full middleware stack with the test client; the figure is the
`Server-Timing: app;dur=…` header the request-log middleware sets (view, templates and the
middlewares inside it), so client overhead is not counted. Pages: the finder without a query,
with queries, with a filter, and page 3 of a listing.
"""

from __future__ import annotations

import argparse

from harness import fresh_django, report, summarize

PATHS = [
    "/leistungen/",
    "/leistungen/?q=Hundesteuer",
    "/leistungen/?q=Perso",
    "/leistungen/?q=Persnalausweis",
    "/leistungen/?q=Gewerbe+anmelden",
    "/leistungen/?q=Kita&online=1",
    "/leistungen/?online=1&page=3",
    "/leistungen/?q=Baugenehmigung",
    "/en/leistungen/?q=Wohngeld",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    with fresh_django("finder") as vendor:
        from django.conf import settings
        from django.test import Client

        import generate

        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
        generate.load_db(args.services)
        client = Client(HTTP_HOST="127.0.0.1")
        for path in PATHS:  # warm-up: templates compiled, vocabulary loaded
            assert client.get(path).status_code == 200, path
        samples: list[float] = []
        for _ in range(args.rounds):
            for path in PATHS:
                response = client.get(path)
                assert response.status_code == 200, path
                samples.append(float(response.headers["Server-Timing"].split("dur=")[1]))
        report(
            "finder_page",
            {
                "database": vendor,
                "services": args.services,
                "pages": len(PATHS),
                **summarize(samples),
                "target_p95_ms": 30,
            },
        )


if __name__ == "__main__":
    main()
