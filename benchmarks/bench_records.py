"""Benchmark: the case API, the record export and the retention run on 100,000 cases.

    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_records.py
    .venv/bin/python benchmarks/bench_records.py            # SQLite, for comparison

The demo catalog and forms are loaded and 100,000 cases generated as for the inbox benchmark
(`bench_inbox.generate`), each with an audit trail of three entries (received, a state
change, a message to the applicant whose subject quotes them). Then:

- the staff API `/api/v1/cases/` with a token of a clerk of the busiest office: the default
  list, filters, a late page and a detail (wall time of the test client, whole request);
- `export_case` of one case with 20 PDF documents of 200 KB each (index, summary PDF, ZIP);
- `retention.run()` (anonymise) over every closed case older than two years, with the
  number of cases per second.
"""

from __future__ import annotations

import argparse
import random
import time

from bench_inbox import SEED, generate
from harness import fresh_django, report, summarize, timed


def add_trails() -> int:
    """Three audit entries per case, written in bulk (the inbox benchmark writes none)."""
    from rathaus.cases.models import Case, CaseEvent

    rows: list[CaseEvent] = []
    written = 0
    for pk, received, name in Case.objects.values_list("pk", "received_at", "applicant_name"):
        rows += [
            CaseEvent(
                case_id=pk,
                at=received,
                actor_name=name,
                action="created",
                summary="Eingang über online (Rathaus)",
                after={"state": "received", "channel": "online"},
            ),
            CaseEvent(
                case_id=pk,
                at=received,
                actor_name="Demo Petersen",
                action="state",
                summary="Status: eingegangen → in Bearbeitung",
                before={"state": "received"},
                after={"state": "in_review"},
            ),
            CaseEvent(
                case_id=pk,
                at=received,
                actor_name="Demo Petersen",
                action="message",
                summary=f"Nachricht an {name}",
                after={"subject": f"Ihr Antrag, {name}", "requests_documents": False},
            ),
        ]
        if len(rows) >= 15_000:
            CaseEvent.objects.bulk_create(rows, batch_size=5000)
            written += len(rows)
            rows = []
    CaseEvent.objects.bulk_create(rows, batch_size=5000)
    return written + len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    with fresh_django("records") as vendor:
        import datetime as dt
        import hashlib

        from django.conf import settings
        from django.core.files.base import ContentFile
        from django.db import connection
        from django.test import Client
        from django.utils import timezone
        from rest_framework.authtoken.models import Token

        from rathaus.accounts.models import User
        from rathaus.cases import retention
        from rathaus.cases.export import export_case
        from rathaus.cases.models import Case, CaseDocument
        from rathaus.core.demo import load_demo

        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
        load_demo(accounts=False, council_scale=0)
        total, _terms = generate(args.cases, random.Random(SEED))
        events = add_trails()
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        clerk = User.objects.get(username="demo.petersen")
        token = Token.objects.create(user=clerk)
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
        office_cases = Case.objects.filter(office_id=clerk.office_id)
        sample = office_cases.order_by("-received_at")[1234]
        paths = [
            "/api/v1/cases/",
            "/api/v1/cases/?state=waiting",
            "/api/v1/cases/?channel=post&received_after=2026-01-01",
            "/api/v1/cases/?page=20",
            f"/api/v1/cases/{sample.reference}/",
        ]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:200])
        samples: list[float] = []
        for _ in range(args.rounds):
            for path in paths:
                samples.append(timed(lambda path=path: client.get(path)))
        report(
            "case_api",
            {
                "database": vendor,
                "cases": total,
                "events": events,
                "office_cases": office_cases.count(),
                "requests": len(paths),
                **summarize(samples),
            },
        )

        pdf = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
        for number in range(20):
            document = CaseDocument(
                case=sample,
                kind="citizen",
                title=f"Nachweis {number}",
                original_name=f"nachweis-{number}.pdf",
                content_type="application/pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
            document.file.save("document", ContentFile(pdf), save=False)
            document.save()
        sizes: list[int] = []
        export_samples = [timed(lambda: sizes.append(len(export_case(sample)))) for _ in range(3)]
        report(
            "case_export",
            {
                "database": vendor,
                "documents": 20,
                "document_kb": 200,
                "archive_kb": sizes[-1] // 1024,
                **summarize(export_samples),
            },
        )

        cutoff = timezone.now() - dt.timedelta(days=2 * 365)
        due = Case.objects.filter(state="closed", closed_at__lt=cutoff)
        due.update(retention_until=timezone.localdate() - dt.timedelta(days=1))
        started = time.perf_counter()
        result = retention.run()
        seconds = time.perf_counter() - started
        report(
            "case_retention",
            {
                "database": vendor,
                "cases_anonymised": result.cases,
                "events": result.events,
                "seconds": round(seconds, 1),
                "cases_per_second": round(result.cases / seconds) if seconds else None,
            },
        )
        again = time.perf_counter()
        assert retention.run().cases == 0
        report("case_retention_second_run", {"seconds": round(time.perf_counter() - again, 2)})


if __name__ == "__main__":
    main()
