"""Load test: 50 citizens applying at once for 60 s; every submission must be stored.

    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_submit_load.py
    .venv/bin/python benchmarks/bench_submit_load.py --users 20 --seconds 30   # SQLite

A scratch database is created and migrated, the demo catalog and forms are loaded, and the
app is started the way `make serve` starts it: granian (WSGI, one worker, four blocking
threads, backpressure 4) on loopback, with the database task backend. The worker is not
started unless `--worker` is given, so receipts and mails stay queued.

Every simulated citizen is a client of its own with a cookie jar and behaves like a browser:
it loads the found-property form's start page, starts a draft (a POST without token: the
start page is CSRF-exempt by design), loads and fills in each step and posts it with the
CSRF token from the page's hidden field (the CSRF cookie is HttpOnly), loads the summary and
submits with the declaration ticked, then starts again. After the time is up the
loops finish what they began. Reported: submissions sent and accepted, errors (any
unexpected status or a failed connection), latency per request and per application, and the
number of cases in the database, which must equal the accepted submissions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import ROOT, fresh_django, report, summarize

FORM = "fundsache-melden"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DRAFT_RE = re.compile(r"/antraege/entwurf/([^/]+)/")
STEPS = {
    "fund": {
        "kategorie": "schluessel",
        "beschreibung": "Schlüsselbund mit drei Schlüsseln und rotem Anhänger",
        "funddatum": "24.11.2026",
        "fundort": "Bushaltestelle Rathaus",
        "verbleib": "bringe",
        "action": "next",
    },
    "finder": {
        "vorname": "Erika",
        "nachname": "Mustermann",
        "email": "erika.mustermann@example.org",
        "telefon": "04161 12345",
        "finderlohn": "1",
        "action": "next",
    },
}


@dataclass
class Tally:
    sent: int = 0
    accepted: int = 0
    errors: list[str] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    submits: list[float] = field(default_factory=list)
    applications: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def citizen(base: str, deadline: float, tally: Tally) -> None:
    import httpx

    headers = {"Origin": base, "User-Agent": "Rathaus-Lasttest"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:

        async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
            t0 = time.perf_counter()
            response = await client.request(method, url, **kwargs)
            tally.requests.append((time.perf_counter() - t0) * 1000)
            return response

        def token(page: httpx.Response) -> str:
            match = CSRF_RE.search(page.text)
            if match is None:
                raise RuntimeError(f"{page.request.url}: no CSRF field")
            return match.group(1)

        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                page = await call("GET", f"/antraege/{FORM}/")
                page.raise_for_status()
                # The start page's form carries no token (it is exempt: public, cookie-free).
                response = await call("POST", f"/antraege/{FORM}/", data={})
                if response.status_code != 302:
                    raise RuntimeError(f"start: HTTP {response.status_code}")
                location = response.headers["location"]
                match = DRAFT_RE.search(location)
                if match is None:
                    raise RuntimeError(f"start: unexpected redirect {location}")
                draft = match.group(1)
                for step_id, answers in STEPS.items():
                    url = f"/antraege/entwurf/{draft}/{step_id}/"
                    page = await call("GET", url)
                    page.raise_for_status()
                    response = await call(
                        "POST", url, data={**answers, "csrfmiddlewaretoken": token(page)}
                    )
                    if response.status_code != 302:
                        raise RuntimeError(f"step {step_id}: HTTP {response.status_code}")
                page = await call("GET", f"/antraege/entwurf/{draft}/zusammenfassung/")
                page.raise_for_status()
                data = {"declaration": "1", "csrfmiddlewaretoken": token(page)}
                tally.sent += 1
                t0 = time.perf_counter()
                response = await call("POST", f"/antraege/entwurf/{draft}/absenden/", data=data)
                tally.submits.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 302 or "/eingegangen/" not in response.headers.get(
                    "location", ""
                ):
                    raise RuntimeError(f"submit: HTTP {response.status_code}")
                tally.accepted += 1
                tally.applications.append((time.perf_counter() - started) * 1000)
            except (httpx.HTTPError, RuntimeError, KeyError) as exc:
                tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def run(base: str, users: int, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(citizen(base, deadline, tally) for _ in range(users)))
    return tally


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    stop = time.time() + timeout
    while time.time() < stop:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--worker", action="store_true", help="also run the task worker")
    args = parser.parse_args()
    os.environ["RATHAUS_TASKS_BACKEND"] = "database"

    with fresh_django("submit_load") as vendor:
        from rathaus.cases.models import Case
        from rathaus.core.demo import load_demo

        load_demo(accounts=False, council_scale=0)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "RATHAUS_MANIFEST_STATIC": "0",  # no collectstatic in the scratch data dir
            "RATHAUS_SITE_URL": base,
            "RATHAUS_LOG_LEVEL": "WARNING",
        }
        binary = Path(sys.executable).parent
        server = subprocess.Popen(
            [
                str(binary / "granian"),
                *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", "1", "--blocking-threads", "4", "--backpressure", "4"),
                *("--no-ws", "--log-level", "warning", "rathaus.config.wsgi:application"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        worker = None
        if args.worker:
            worker = subprocess.Popen(
                [str(binary / "rathaus"), "run_worker"], cwd=ROOT, env=env, start_new_session=True
            )
        try:
            wait_until_up(base, server)
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            tally = asyncio.run(run(base, args.users, args.seconds))
            elapsed = time.perf_counter() - started
            load_after = os.getloadavg()[0]
        finally:
            for process in (server, worker):
                if process is not None:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
        stored = Case.objects.count()
        errors: dict[str, int] = {}
        for message in tally.errors:
            errors[message] = errors.get(message, 0) + 1
        report(
            "submit_load",
            {
                "database": vendor,
                "server": "granian wsgi, 1 worker, 4 blocking threads, backpressure 4",
                "users": args.users,
                "seconds": round(elapsed, 1),
                "submissions_sent": tally.sent,
                "submissions_accepted": tally.accepted,
                "cases_stored": stored,
                "stored_equals_accepted": stored == tally.accepted,
                "errors": len(tally.errors),
                "error_kinds": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:5]),
                "applications_per_minute": round(tally.accepted / elapsed * 60, 1),
                "request": summarize(tally.requests) if tally.requests else {},
                "submit": summarize(tally.submits) if tally.submits else {},
                "application": summarize(tally.applications) if tally.applications else {},
                "load_average": [round(load_before, 1), round(load_after, 1)],
            },
        )
        if stored != tally.accepted or tally.errors:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
