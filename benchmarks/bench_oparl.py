"""Benchmark: OParl paper list pages of 100 papers over 100,000 papers (target p95 <= 30 ms).

    .venv/bin/python benchmarks/bench_oparl.py                      # temporary SQLite
    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_oparl.py

Builds a council with one body, a few organizations and meetings, and 100,000 papers with
consultations, originator organizations and (for one in ten) a main file, all by bulk_create.
Then it requests list pages through Django's test client and reads the time the application
spent from the `Server-Timing: app;dur=` header of the request middleware: early pages, late
pages, pages spread over the whole list (all three addressed by page number, read with
OFFSET), pages reached through `next` links (which carry the id the page starts after), and
the pages of an incremental update (`modified_since`, which also lists deleted papers).
The list's count is reused while the paper table is unchanged (see `oparl.selectors.count`);
pages that must count afresh, as after any change, are reported separately.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import random
import re
from typing import Any
from urllib.parse import urlencode

from harness import fresh_django, report, summarize

TIMING = re.compile(r"app;dur=([0-9.]+)")
PAGE_SIZE = 100


def build(papers: int, batch: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from rathaus.council.models import (
        Body,
        Consultation,
        File,
        Meeting,
        Organization,
        Paper,
    )

    tz = timezone.get_current_timezone()
    body = Body.objects.create(name="Hansestadt Buxtehude", short_name="Buxtehude")
    organizations = [
        Organization.objects.create(body=body, name=name, slug=f"gremium-{i}")
        for i, name in enumerate(
            [
                "Rat",
                "Verwaltungsausschuss",
                "Ausschuss für Finanzen",
                "Ausschuss für Stadtentwicklung",
                "Schulausschuss",
                "Ortsrat Altkloster",
            ]
        )
    ]
    meetings = Meeting.objects.bulk_create(
        Meeting(
            name=f"{i + 1}. Sitzung",
            start=datetime.datetime(2016, 1, 1, 18, tzinfo=tz) + datetime.timedelta(days=7 * i),
            is_public=i % 10 != 0,  # some non-public meetings: their consultations hide them
        )
        for i in range(600)
    )
    Meeting.organizations.through.objects.bulk_create(
        Meeting.organizations.through(meeting_id=m.pk, organization_id=organizations[i % 6].pk)
        for i, m in enumerate(meetings)
    )
    rng = random.Random(11)
    paper_ids: list[int] = []
    for start in range(0, papers, batch):
        count = min(batch, papers - start)
        files = File.objects.bulk_create(
            File(name=f"Vorlage {start + i}", file_name=f"vorlage-{start + i}.pdf", size=40_000)
            for i in range(0, count, 10)
        )
        rows = Paper.objects.bulk_create(
            Paper(
                body=body,
                name=f"Beschlussvorlage {start + i}: Sanierung der Grundschule {i % 37}",
                reference=f"{2016 + (start + i) // 12_000}/{(start + i) % 12_000:05d}",
                date=datetime.date(2016, 1, 1) + datetime.timedelta(days=(start + i) // 30),
                paper_type=rng.choice(["Beschlussvorlage", "Antrag", "Anfrage", "Mitteilung"]),
                main_file=files[i // 10] if i % 10 == 0 else None,
                is_public=(start + i) % 50 != 7,  # 2 % non-public
            )
            for i in range(count)
        )
        paper_ids += [p.pk for p in rows]
        consultations = Consultation.objects.bulk_create(
            Consultation(
                paper=p,
                meeting=meetings[(start + i + k) % len(meetings)],
                role=("Vorberatung", "Entscheidung")[k],
                authoritative=k == 1,
            )
            for i, p in enumerate(rows)
            for k in range(1 + i % 2)
        )
        Consultation.organizations.through.objects.bulk_create(
            Consultation.organizations.through(
                consultation_id=c.pk, organization_id=organizations[c.pk % 6].pk
            )
            for c in consultations
        )
        Paper.originator_organizations.through.objects.bulk_create(
            Paper.originator_organizations.through(
                paper_id=p.pk, organization_id=organizations[2 + p.pk % 4].pk
            )
            for p in rows
        )
        print(f"  {start + count:>7} papers", flush=True)

    # Most papers are old; an incremental update since yesterday finds about 1 %.
    old = datetime.datetime(2020, 1, 1, tzinfo=tz)
    Paper.objects.update(created=old, modified=old)
    since = timezone.now() - datetime.timedelta(days=1)
    changed = rng.sample(paper_ids, papers // 100)
    Paper.objects.filter(pk__in=changed[: len(changed) * 9 // 10]).update(modified=timezone.now())
    Paper.objects.filter(pk__in=changed[len(changed) * 9 // 10 :]).update(
        modified=timezone.now(), deleted=True
    )
    with connection.cursor() as cursor:
        # Fresh statistics (and, on PostgreSQL, the visibility map index-only scans need).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"body": body.pk, "since": since}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()

    with fresh_django("oparl") as vendor:
        from django.test import Client

        from rathaus.council.models import Paper

        data = build(args.papers, args.batch)
        client = Client(HTTP_HOST="127.0.0.1")
        path = f"/oparl/v1.1/body/{data['body']}/paper"
        since = {"modified_since": data["since"].isoformat(timespec="seconds")}
        visible = Paper.objects.filter(deleted=False, is_public=True).count()
        pages = -(-visible // PAGE_SIZE)
        changed = client.get(path, since).json()["pagination"]["totalPages"]

        rng = random.Random(7)
        per_kind = args.requests // 5
        # The ids a client walking the list meets: `next` links say "page n, after id x".
        ordered = list(
            Paper.objects.filter(deleted=False, is_public=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        plan: list[tuple[str, dict[str, Any]]] = []
        plan += [("early", {"page": rng.randint(1, 10)}) for _ in range(per_kind)]
        plan += [("late", {"page": rng.randint(pages - 9, pages)}) for _ in range(per_kind)]
        plan += [("spread", {"page": rng.randint(1, pages)}) for _ in range(per_kind)]
        for _ in range(per_kind):
            page = rng.randint(2, pages)
            plan.append(("next_link", {"page": page, "after": ordered[(page - 1) * PAGE_SIZE - 1]}))
        plan += [
            ("modified_since", {**since, "page": rng.randint(1, changed)})
            for _ in range(args.requests - 4 * per_kind)
        ]
        rng.shuffle(plan)
        del ordered  # the benchmark's own bookkeeping is not part of what a server holds
        gc.collect()

        def request(query: dict[str, Any]) -> float:
            response = client.get(f"{path}?{urlencode(query)}")
            assert response.status_code == 200, (query, response.content[:300])
            assert len(response.json()["data"]) > 0
            match = TIMING.search(response["Server-Timing"])
            assert match, response["Server-Timing"]
            return float(match.group(1))

        for _kind, query in plan[:20]:  # warm caches, connections and query plans
            request(query)
        samples: dict[str, list[float]] = {}
        for kind, query in plan:
            samples.setdefault(kind, []).append(request(query))
        everything = [ms for values in samples.values() for ms in values]
        # The list's count is reused while its tables are unchanged; after a change the
        # next page counts afresh. Measured apart: an empty cache before every request.
        from django.core.cache import cache

        recount = []
        for _ in range(20):
            cache.clear()
            recount.append(request({"page": rng.randint(1, pages)}))
        # The machine is shared: its load says how far the numbers are from an idle one.
        load = [round(x, 2) for x in os.getloadavg()]
        report(
            "oparl_paper_list",
            {
                "database": vendor,
                "papers": args.papers,
                "visible_papers": visible,
                "page_size": PAGE_SIZE,
                "pages": pages,
                "modified_since_pages": changed,
                **summarize(everything),
                "target_p95_ms": 30,
                "by_kind": {kind: summarize(values) for kind, values in sorted(samples.items())},
                "after_a_change_counting_afresh": summarize(recount),
                "load_average_1_5_15_min": load,
            },
        )


if __name__ == "__main__":
    main()
