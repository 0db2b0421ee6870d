"""Benchmark: send one newsletter issue to 10,000 subscribers through a local SMTP server.

    .venv/bin/python benchmarks/bench_newsletter_send.py                 # 10,000, SQLite
    .venv/bin/python benchmarks/bench_newsletter_send.py --subscribers 2000 --tracemalloc
    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/bench_newsletter_send.py

The SMTP server (aiosmtpd) runs in a process of its own and only counts what it accepts,
per recipient. The sender is the production code path: `sending.send_issue` takes the
recipient snapshot (10,000 Delivery rows in one transaction), then sends in batches of 200
over one SMTP connection each, claiming every row before and marking it sent after the
server's 250 (two commits per mail). Reported: time of the snapshot, mails per second of
the whole send, peak RSS of the sending process (`resource.getrusage`) and, with
--tracemalloc, the peak of Python allocations during the send. Checked: every subscriber
received exactly one mail.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import socket
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_django, report  # sibling module, found through the path above

TARGET_RATE = 100.0  # mails per second on a laptop-class machine
TARGET_RSS_MB = 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_server(port: int, ready: Any, stop: Any, results: Any) -> None:
    """A counting SMTP server; puts {recipient: count} on `results` when told to stop."""
    from collections import Counter

    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self) -> None:
            self.counts: Counter[str] = Counter()

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            for rcpt in envelope.rcpt_tos:
                self.counts[rcpt] += 1
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put(dict(handler.counts))


def populate(count: int) -> int:
    import secrets

    from django.utils import timezone

    from rathaus.news.models import Announcement, Topic
    from rathaus.newsletter import services
    from rathaus.newsletter.models import Issue, Subscriber

    topic = Topic.objects.create(name="Rathaus", slug="rathaus")
    other = Topic.objects.create(name="Kultur", slug="kultur")
    news = []
    for n in range(5):
        item = Announcement.objects.create(
            title=f"Meldung {n + 1} aus dem Rathaus",
            slug=f"meldung-{n + 1}",
            summary="Eine kurze Zusammenfassung der Meldung in zwei Sätzen. " * 2,
            status=Announcement.Status.PUBLISHED,
            publish_at=timezone.now(),
        )
        news.append(item.pk)
    now = timezone.now()
    consent = services.consent_text()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"leser{n:05d}@example.org",
                status=Subscriber.Status.ACTIVE,
                language="en" if n % 10 == 0 else "de",
                token=secrets.token_urlsafe(32),
                consent_text=consent,
                consent_at=now,
                confirmed_at=now,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    through = Subscriber.topics.through
    ids = list(Subscriber.objects.values_list("pk", flat=True))
    through.objects.bulk_create(
        [through(subscriber_id=pk, topic_id=topic.pk) for pk in ids]
        + [through(subscriber_id=pk, topic_id=other.pk) for pk in ids[::3]],
        batch_size=5000,
    )
    issue = services.save_issue(
        subject="Buxtehude aktuell",
        intro="Liebe Leserinnen und Leser,\n\nhier das Neueste aus dem Rathaus.",
        topic_ids=[topic.pk, other.pk],
        announcement_ids=news,
    )
    # What "senden" does, without queueing the task: the benchmark runs the sender itself.
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    return issue.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the send (stderr)")
    args = parser.parse_args()

    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready, stop, results = context.Event(), context.Event(), context.Queue()
    server = context.Process(target=smtp_server, args=(port, ready, stop, results), daemon=True)
    server.start()
    ready.wait(30)

    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["RATHAUS_SITE_URL"] = "https://rathaus.example.org"
    with fresh_django("newsletter") as vendor:
        from rathaus.newsletter import sending

        started = time.perf_counter()
        issue_id = populate(args.subscribers)
        populate_s = time.perf_counter() - started

        started = time.perf_counter()
        sending.take_snapshot(issue_id)
        snapshot_s = time.perf_counter() - started

        # Warm-up outside the measurement: the URLconf import a long-running worker has
        # done long before (about seconds on first use, once per process).
        from rathaus.newsletter import mail
        from rathaus.newsletter.models import Issue

        mail.render_issue(Issue.objects.get(pk=issue_id), "de")

        if args.tracemalloc:
            tracemalloc.start()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        started = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(sending.send_issue, issue_id, batch_size=args.batch_size)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        else:
            result = sending.send_issue(issue_id, batch_size=args.batch_size)
        send_s = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_s = usage.ru_utime + usage.ru_stime - cpu_before
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    stop.set()
    counts = results.get(timeout=60)
    server.join(30)
    assert result.sent == args.subscribers, result
    assert len(counts) == args.subscribers, "somebody got nothing"
    assert set(counts.values()) == {1}, "somebody got more than one mail"
    rate = args.subscribers / send_s
    report(
        "newsletter_send",
        {
            "database": vendor,
            "subscribers": args.subscribers,
            "batch_size": args.batch_size,
            "batches": result.batches,
            "populate_s": round(populate_s, 2),
            "snapshot_s": round(snapshot_s, 2),
            "send_s": round(send_s, 2),
            "mails_per_s": round(rate, 1),
            # CPU of the sending process per mail: less noisy than wall time on a busy box.
            "cpu_ms_per_mail": round(1000 * cpu_s / args.subscribers, 2),
            "rss_before_send_mb": round(rss_before, 1),
            "rss_peak_mb": round(rss_peak, 1),
            "tracemalloc_peak_mb": round(traced_peak, 1) if traced_peak is not None else None,
            "received_exactly_once": True,
            "targets": {"mails_per_s": TARGET_RATE, "rss_mb": TARGET_RSS_MB},
            "met": rate >= TARGET_RATE and rss_peak <= TARGET_RSS_MB,
        },
    )


if __name__ == "__main__":
    main()
