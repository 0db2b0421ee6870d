"""Benchmark: the digitalization monitor on the full demo (targets: compute_all < 30 s, the
answer as PDF < 10 s, the auditor >= 1 page per second with axe-core).

    .venv/bin/python benchmarks/bench_monitor.py                      # temporary SQLite
    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_monitor.py

Loads the whole Buxtehude demo as `make demo` does (council scale 1, a year of cases, the
monitor's year of history; the demo's own audit is switched off here and measured below),
then measures:

- `compute_all` for today over all metrics, several runs;
- `answer.generate` for the seed inquiry, then `render_pdf` and `render_docx` of the answer;
- the auditor (axe-core in Chromium, plus the 320-pixel reflow check of every page) crawling
  the demo site served by granian exactly as `make serve` runs it, up to `--pages` pages,
  no politeness delay: pages per second over the whole crawl, browser start included.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import fresh_django, report, summarize

os.environ["RATHAUS_DEMO_AUDIT"] = "0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _granian(port: int) -> subprocess.Popen[bytes]:
    granian = Path(sys.executable).parent / "granian"
    env = {**os.environ, "RATHAUS_SITE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--blocking-threads",
            "4",
            "--backpressure",
            "4",
            "--no-ws",
            "--log-level",
            "warning",
            "rathaus.config.wsgi:application",
        ],
        env=env,
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("granian did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--council-scale", type=float, default=1.0)
    args = parser.parse_args()
    with fresh_django("monitor") as vendor:
        from django.core.management import call_command

        from rathaus.cases.models import Case
        from rathaus.core.demo import load_demo
        from rathaus.council.demo import seed_inquiry
        from rathaus.council.models import Meeting, Paper
        from rathaus.monitor.answer import generate
        from rathaus.monitor.answer_render import render_docx, render_pdf
        from rathaus.monitor.audits import AuditSettings, run_site_audit
        from rathaus.monitor.audits import summarize as audit_sum
        from rathaus.monitor.models import AuditPage, Device, MetricSnapshot
        from rathaus.monitor.registry import METRICS
        from rathaus.monitor.services import compute_all

        started = time.perf_counter()
        demo = load_demo(council_scale=args.council_scale)
        load_s = time.perf_counter() - started
        data: dict[str, Any] = {
            "vendor": vendor,
            "demo_load_s": round(load_s, 1),
            "metrics": len(METRICS),
            "snapshots": MetricSnapshot.objects.count(),
            "cases": Case.objects.count(),
            "papers": Paper.objects.count(),
            "meetings": Meeting.objects.count(),
            "devices": Device.objects.count(),
            "demo_warnings": demo.monitor.warnings,
        }

        compute_ms = []
        for _ in range(args.runs):
            t = time.perf_counter()
            compute_all()
            compute_ms.append((time.perf_counter() - t) * 1000)
        data["compute_all"] = summarize(compute_ms)

        paper = seed_inquiry()
        t = time.perf_counter()
        answer = generate(paper)
        data["generate_ms"] = round((time.perf_counter() - t) * 1000, 1)
        pdf_ms, docx_ms = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            pdf = render_pdf(answer)
            pdf_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            docx = render_docx(answer)
            docx_ms.append((time.perf_counter() - t) * 1000)
        data["render_pdf"] = {**summarize(pdf_ms), "bytes": len(pdf)}
        data["render_docx"] = {**summarize(docx_ms), "bytes": len(docx)}

        call_command("collectstatic", interactive=False, verbosity=0)
        port = _free_port()
        server = _granian(port)
        try:
            t = time.perf_counter()
            run = run_site_audit(
                [f"http://127.0.0.1:{port}/"],
                hosts={"127.0.0.1"},
                options=AuditSettings(max_pages=args.pages, delay_seconds=0),
            )
            audit_s = time.perf_counter() - t
        finally:
            server.terminate()
            server.wait(timeout=20)
        pages = AuditPage.objects.filter(run=run).count()
        summary = audit_sum(run)
        data["audit"] = {
            "server": "granian, 1 worker, 4 blocking threads (as make serve)",
            "error": run.error,
            "pages": pages,
            "seconds": round(audit_s, 1),
            "pages_per_s": round(pages / audit_s, 2) if audit_s else None,
            "pages_without_serious": summary.pages_without_serious,
            "reflowing": summary.reflowing,
            "by_impact": summary.by_impact,
        }
        report("monitor", data)


if __name__ == "__main__":
    main()
