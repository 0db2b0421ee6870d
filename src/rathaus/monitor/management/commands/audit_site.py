"""`rathaus audit_site`: crawl this site and the catalog's online services, store the findings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rathaus.monitor.audits import AuditSettings, allowed_hosts, run_site_audit, summarize


class Command(BaseCommand):
    help = (
        "Runs the accessibility auditor over this site (from its home page) and the online "
        "services of the catalog on allowed hosts (RATHAUS_AUDIT_HOSTS); stores a run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*", metavar="URL", help="start pages (default: home)")
        parser.add_argument("--max-pages", type=int, default=200)
        parser.add_argument("--delay", type=float, default=0.5, help="seconds between requests")
        parser.add_argument("--host", action="append", default=[], help="a further allowed host")

    def handle(self, *args: Any, **options: Any) -> None:
        hosts = allowed_hosts() | set(options["host"])
        run = run_site_audit(
            options["urls"] or None,
            hosts=hosts,
            options=AuditSettings(max_pages=options["max_pages"], delay_seconds=options["delay"]),
        )
        summary = summarize(run)
        if run.error:
            self.stderr.write(f"audit run {run.pk} failed: {run.error}")
        self.stdout.write(
            f"audit run {run.pk}: {summary.pages} pages, {summary.pages_without_serious} without "
            f"serious barriers, findings by impact {summary.by_impact}"
        )
