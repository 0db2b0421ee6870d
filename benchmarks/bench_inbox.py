"""Benchmark: the clerk's inbox over 100,000 cases (target p95 <= 100 ms on PostgreSQL).

    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_inbox.py
    .venv/bin/python benchmarks/bench_inbox.py            # SQLite, for comparison

The demo catalog and forms are loaded; 100,000 cases over three years are generated straight
into the tables (bulk inserts; on PostgreSQL the inbox search words with COPY), spread over
the offices with the demo year's channel and state mix: about one in ten still open. A clerk
of the busiest office (Ordnung und Verkehr) with a verified second factor then opens the
inbox at /verwaltung/vorgaenge/: the default view (open cases of the office, newest first)
and a few filters, sorts, a late page and searches by name, word and reference. The figure is
the `Server-Timing: app;dur=…` header of each page (view, selectors, template, middlewares).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from typing import Any
from urllib.parse import urlencode

from harness import fresh_django, report, summarize

SEED = 20261202
STATES = ("received", "in_review", "waiting", "decided", "closed")
CHANNELS = ("online", "portal", "post", "email", "in_person", "phone")


def generate(count: int, rng: random.Random) -> tuple[int, int]:
    """`count` cases over the last three years, with their inbox search words."""
    from django.db import connection
    from django.utils import timezone

    from rathaus.cases import demo
    from rathaus.cases.models import Case, CaseTerm, ReferenceCounter
    from rathaus.cases.selectors import terms_of
    from rathaus.forms.models import FormDefinition

    clerks, _leads, _created = demo.demo_clerks()
    sources = demo.sources()
    weights = [s.weight for s in sources]
    names = [(f, last) for f in demo.FIRST_NAMES for last in demo.LAST_NAMES]
    titles = {d.slug: d.title for d in FormDefinition.objects.all()}
    now = timezone.now()
    numbers: dict[int, int] = {}
    terms_written = 0
    batch: list[Case] = []

    def flush() -> int:
        Case.objects.bulk_create(batch, batch_size=1000)
        rows = [
            (c.pk, t) for c in batch for t in terms_of(c.reference, c.applicant_name, c.subject)
        ]
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy("COPY cases_caseterm (case_id, term) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            CaseTerm.objects.bulk_create(
                [CaseTerm(case_id=pk, term=t) for pk, t in rows], batch_size=5000
            )
        batch.clear()
        return len(rows)

    for _ in range(count):
        source = rng.choices(sources, weights)[0]
        received = now - dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
        age = (now - received).days
        # Open cases are the young ones; a few old ones are overdue.
        if age < 30:
            state = rng.choice(STATES)
        else:
            state = "closed" if rng.random() < 0.985 else rng.choice(STATES[:3])
        first, last = rng.choice(names)
        year = timezone.localtime(received).year
        numbers[year] = numbers.get(year, 0) + 1
        subject = titles.get(source.key, source.service.name)
        if rng.random() < 0.5:
            subject = f"{subject} {rng.choice(demo.STREETS)} {rng.randint(1, 99)}"
        due = timezone.localtime(received).date() + dt.timedelta(days=source.processing_days)
        assignee = None if state == "received" else rng.choice(clerks[source.office.pk])
        batch.append(
            Case(
                reference=f"BUX-{year}-{numbers[year]:06d}",
                service=source.service,
                form_version=source.version if rng.random() < 0.5 else None,
                office=source.office,
                channel=rng.choice(CHANNELS),
                state=state,
                outcome="approved" if state in ("decided", "closed") else "",
                assignee=assignee,
                applicant_name=f"{first} {last}",
                applicant_email=f"{demo.ascii_name(first)}.{demo.ascii_name(last)}@example.org",
                subject=subject,
                received_at=received,
                due_date=due,
                decided_at=received + dt.timedelta(days=5) if state in STATES[3:] else None,
                closed_at=received + dt.timedelta(days=7) if state == "closed" else None,
                fee_cents=source.fee,
                payment_state="paid" if source.fee else "",
            )
        )
        if len(batch) >= 5000:
            terms_written += flush()
    terms_written += flush()
    for year, last_number in numbers.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last_number})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Case.objects.count(), terms_written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    with fresh_django("inbox") as vendor:
        from django.conf import settings
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from rathaus.accounts.models import User
        from rathaus.cases.models import Case
        from rathaus.core.demo import load_demo

        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
        load_demo(accounts=False, council_scale=0)
        started = time.perf_counter()
        total, terms = generate(args.cases, random.Random(SEED))
        generated = time.perf_counter() - started

        clerk = User.objects.get(username="demo.petersen")
        device = TOTPDevice.objects.create(user=clerk, name="Bench", confirmed=True)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(clerk)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

        office_cases = Case.objects.filter(office_id=clerk.office_id)
        sample = office_cases.order_by("-received_at")[1234]
        service_id = office_cases.values_list("service_id", flat=True).first()
        queries: list[dict[str, Any]] = [
            {},
            {"assignee": "me"},
            {"assignee": "none"},
            {"overdue": "1"},
            {"state": "all"},
            {"state": "all", "page": "40"},
            {"state": "waiting", "sort": "due"},
            {"state": "all", "channel": "post", "service": str(service_id)},
            {"state": "all", "q": sample.applicant_name.split()[-1]},
            {"state": "all", "q": sample.applicant_name},
            {"state": "all", "q": "Bewohnerpark"},
            {"state": "all", "q": sample.reference},
            {"state": "all", "q": sample.reference[:11]},
        ]
        paths = ["/verwaltung/vorgaenge/" + (f"?{urlencode(q)}" if q else "") for q in queries]
        for path in paths:  # warm-up, and every page must answer
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        shown = client.get(paths[11]).content.decode()
        assert sample.reference in shown, "the reference search finds the case"
        samples: list[float] = []
        per_page: dict[str, list[float]] = {p: [] for p in paths}
        for _ in range(args.rounds):
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                value = float(response.headers["Server-Timing"].split("dur=")[1])
                samples.append(value)
                per_page[path].append(value)
        worst = sorted(per_page.items(), key=lambda kv: -max(kv[1]))[:3]
        report(
            "case_inbox",
            {
                "database": vendor,
                "cases": total,
                "search_words": terms,
                "office_cases": office_cases.count(),
                "office_open": office_cases.open().count(),
                "generate_seconds": round(generated, 1),
                "pages": len(paths),
                **summarize(samples),
                "slowest_pages": {path: summarize(values) for path, values in worst},
                "target_p95_ms": 100,
                "load_average_1min": round(os.getloadavg()[0], 1),
            },
        )


if __name__ == "__main__":
    main()
