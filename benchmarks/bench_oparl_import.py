"""Benchmark: mirror a generated OParl 1.1 system of about 100,000 objects from loopback.

    .venv/bin/python benchmarks/bench_oparl_import.py              # 100,000 objects, SQLite
    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/bench_oparl_import.py

The remote system runs in a process of its own and builds every list page when it is asked
for (nothing is written to files): one body with two legislative terms, organizations,
persons with two memberships each, meetings with five agenda items and an invitation file,
papers with a main file and two consultations that point to earlier meetings and agenda
items. 100 objects per page (plus what they embed). The import runs with its defaults
(concurrency 4), search index included. Reported: objects stored per second, peak RSS of
the importing process (`resource.getrusage`), its resident memory after each tenth of the pages
(flat means streaming works), and the time of a second full run in which nothing changed.
Targets: >= 1,000 objects/s, < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_django, report  # sibling module, found through the path above

TARGET_RATE = 1000.0
TARGET_RSS_MB = 300.0
PAGE_SIZE = 100
T = "https://schema.oparl.org/1.1/"
STAMP = {"created": "2024-01-10T09:00:00+01:00", "modified": "2024-03-20T12:00:00+01:00"}
AGENDA_ITEMS = 5
WORDS = (  # noqa: SIM905 - a word list reads better as text
    "Haushalt Satzung Radverkehr Schule Kita Bebauungsplan Feuerwehr Sanierung Straße "
    "Friedhof Gebühren Spielplatz Klimaschutz Hafen Bahnhof Sportplatz Bücherei Wohnen"
).split()


class Shape:
    """How many objects of each kind make up `total` objects (embedded ones included)."""

    def __init__(self, total: int) -> None:
        # per top-level object: person 1+2, meeting 1+5+1, paper 1+1+2
        self.organizations = max(10, total // 500)
        self.persons = max(10, total // 50)
        rest = total - 4 - self.organizations - 3 * self.persons
        self.meetings = max(10, int(rest * 0.35) // (2 + AGENDA_ITEMS))
        self.papers = max(10, (rest - self.meetings * (2 + AGENDA_ITEMS)) // 4)
        self.organizations += max(0, total - self.objects)  # make the total exact

    @property
    def objects(self) -> int:
        return (
            4  # body, two terms, the town hall
            + self.organizations
            + 3 * self.persons
            + (2 + AGENDA_ITEMS) * self.meetings
            + 4 * self.papers
        )


def _word(i: int) -> str:
    return WORDS[i % len(WORDS)]


class Remote:
    def __init__(self, base: str, shape: Shape) -> None:
        self.base, self.shape = base, shape
        self.body = f"{base}/body/1"
        self.hall = {
            "id": f"{base}/location/1",
            "type": T + "Location",
            "description": "Rathaus, Ratssaal",
            "geojson": {"type": "Point", "coordinates": [9.7011, 53.4769]},
            **STAMP,
        }

    def o(self, kind: str, path: str, **fields: Any) -> dict[str, Any]:
        return {"id": f"{self.base}/{path}", "type": T + kind, **fields, **STAMP}

    def system(self) -> dict[str, Any]:
        return self.o(
            "System", "system", oparlVersion=T, body=f"{self.base}/bodies", name="Benchmark-RIS"
        )

    def bodies(self) -> dict[str, Any]:
        lists = {k: f"{self.body}/{k}" for k in ("organization", "person", "meeting", "paper")}
        terms = [
            self.o("LegislativeTerm", f"term/{i}", name=f"Wahlperiode {i}", body=self.body)
            for i in (1, 2)
        ]
        body = self.o(
            "Body",
            "body/1",
            name="Benchmarkstadt",
            legislativeTerm=terms,
            location=self.hall,
            **lists,
        )
        return {"data": [body], "links": {}, "pagination": {"totalElements": 1}}

    def organization(self, i: int) -> dict[str, Any]:
        return self.o(
            "Organization",
            f"organization/{i}",
            body=self.body,
            name=f"Ausschuss {i} für {_word(i)}",
            organizationType="Fraktion" if i % 10 == 0 else "Gremium",
        )

    def person(self, i: int) -> dict[str, Any]:
        orgs = self.shape.organizations
        memberships = [
            self.o(
                "Membership",
                f"membership/{i}-{k}",
                organization=f"{self.base}/organization/{(i + k) % orgs}",
                role="Mitglied",
                startDate="2021-11-01",
            )
            for k in (1, 2)
        ]
        return self.o(
            "Person",
            f"person/{i}",
            body=self.body,
            name=f"Person {i}",
            familyName=f"Name{i}",
            givenName="Vorname",
            membership=memberships,
        )

    def meeting(self, i: int) -> dict[str, Any]:
        org = f"{self.base}/organization/{i % self.shape.organizations}"
        items = [
            self.o(
                "AgendaItem",
                f"agendaitem/{i}-{k}",
                meeting=f"{self.base}/meeting/{i}",
                number=str(k),
                order=k,
                name=f"{_word(i + k)} im Stadtteil {k}",
                public=k != 5,
            )
            for k in range(1, AGENDA_ITEMS + 1)
        ]
        invitation = self.o(
            "File",
            f"file/m{i}",
            name=f"Einladung {i}",
            fileName=f"einladung-{i}.pdf",
            mimeType="application/pdf",
            size=40000 + i,
            accessUrl=f"{self.base}/file/m{i}.pdf",
        )
        return self.o(
            "Meeting",
            f"meeting/{i}",
            name=f"{i}. Sitzung",
            start="2024-03-14T18:00:00+01:00",
            organization=[org],
            location=self.hall,
            invitation=invitation,
            agendaItem=items,
        )

    def paper(self, i: int) -> dict[str, Any]:
        meetings = self.shape.meetings
        consultations = []
        for k in (1, 2):
            m = (i * 7 + k) % meetings
            consultations.append(
                self.o(
                    "Consultation",
                    f"consultation/{i}-{k}",
                    paper=f"{self.base}/paper/{i}",
                    meeting=f"{self.base}/meeting/{m}",
                    agendaItem=f"{self.base}/agendaitem/{m}-{k}",
                    organization=[f"{self.base}/organization/{m % self.shape.organizations}"],
                    role="Vorberatung" if k == 1 else "Entscheidung",
                    authoritative=k == 2,
                )
            )
        main_file = self.o(
            "File",
            f"file/p{i}",
            name=f"Vorlage {i}",
            fileName=f"vorlage-{i}.pdf",
            mimeType="application/pdf",
            size=80000 + i,
            accessUrl=f"{self.base}/file/p{i}.pdf",
        )
        return self.o(
            "Paper",
            f"paper/{i}",
            body=self.body,
            name=f"{_word(i)}: Vorlage {i} zur {_word(i * 3)}",
            reference=f"2024/{i:05d}",
            date="2024-02-20",
            paperType="Beschlussvorlage",
            mainFile=main_file,
            consultation=consultations,
        )

    def page(self, kind: str, number: int) -> dict[str, Any]:
        count = {
            "organization": self.shape.organizations,
            "person": self.shape.persons,
            "meeting": self.shape.meetings,
            "paper": self.shape.papers,
        }[kind]
        build = getattr(self, kind)
        start = (number - 1) * PAGE_SIZE
        data = [build(i) for i in range(start, min(count, start + PAGE_SIZE))]
        links = {}
        if start + PAGE_SIZE < count:
            links["next"] = f"{self.body}/{kind}?page={number + 1}"
        return {"data": data, "links": links, "pagination": {"totalElements": count}}


def serve(port_queue: Any, total: int) -> None:
    """The remote system (runs in its own process)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.strip("/").split("/")
            remote: Remote = self.server.remote  # type: ignore[attr-defined]
            if path == ["system"]:
                data = remote.system()
            elif path == ["bodies"]:
                data = remote.bodies()
            elif len(path) == 3 and path[:2] == ["body", "1"]:
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                data = remote.page(path[2], number)
            else:
                self.send_error(404)
                return
            body = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.remote = Remote(f"http://127.0.0.1:{server.server_address[1]}", Shape(total))  # type: ignore[attr-defined]
    port_queue.put(server.server_address[1])
    server.serve_forever()


def rss_mb() -> float:
    """Resident memory now (Linux: /proc/self/statm, in pages)."""
    import os

    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run(total: int, concurrency: int) -> dict[str, Any]:
    from django.db import connection

    from rathaus.council import models as council
    from rathaus.oparl.importer import ImportOptions, import_system

    shape = Shape(total)
    pages_total = sum(
        -(-n // PAGE_SIZE)
        for n in (shape.organizations, shape.persons, shape.meetings, shape.papers)
    )
    queue: Any = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(queue, total))
    server.start()
    try:
        port = queue.get(timeout=30)
        samples: list[float] = []
        pages = 0

        def sample(run: Any, page_url: str) -> None:
            nonlocal pages
            pages += 1
            if pages % max(1, pages_total // 10) == 0:
                samples.append(round(rss_mb(), 1))

        rss_before = rss_mb()
        start = time.perf_counter()
        sync = import_system(
            f"http://127.0.0.1:{port}/system",
            ImportOptions(full=True, concurrency=concurrency, after_page=sample),
        )
        seconds = time.perf_counter() - start
        # The same system again: every object unchanged, so read but not written.
        start = time.perf_counter()
        again = import_system(
            f"http://127.0.0.1:{port}/system", ImportOptions(full=True, concurrency=concurrency)
        )
        unchanged_seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.join()

    stored = sum(
        m.objects.count()
        for m in (
            council.Body,
            council.LegislativeTerm,
            council.Location,
            council.Organization,
            council.Person,
            council.Membership,
            council.Meeting,
            council.AgendaItem,
            council.File,
            council.Paper,
            council.Consultation,
        )
    )
    rate = stored / seconds
    peak = peak_rss_mb()
    return {
        "database": connection.vendor,
        "objects_served": shape.objects,
        "objects_stored": stored,
        "pages": pages,
        "status": sync.status,
        "problems": sync.error_count,
        "seconds": round(seconds, 1),
        "objects_per_s": round(rate),
        "target_objects_per_s": TARGET_RATE,
        "unchanged_run_seconds": round(unchanged_seconds, 1),
        "unchanged_run_written": again.objects_written,
        "rss_before_import_mb": round(rss_before, 1),
        "rss_every_tenth_of_pages_mb": samples,
        "peak_rss_mb": round(peak, 1),
        "target_rss_mb": TARGET_RSS_MB,
        "passed": rate >= TARGET_RATE and peak < TARGET_RSS_MB and stored == shape.objects,
    }


def markdown(r: dict[str, Any]) -> str:
    return (
        f"| OParl import of {r['objects_stored']:,} objects ({r['database']}) | "
        f"{r['objects_per_s']:,} objects/s ({r['seconds']} s) | "
        f">= {r['target_objects_per_s']:,.0f} | "
        f"peak RSS {r['peak_rss_mb']} MB (< {r['target_rss_mb']:.0f}) | "
        f"{'pass' if r['passed'] else 'FAIL'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="objects (100,000)")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    with fresh_django("oparl-import"):
        result = run(args.n, args.concurrency)
    report("oparl_import", result)
    print(markdown(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
