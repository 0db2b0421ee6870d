"""`rathaus audit URL [URL ...] --format json|text`: axe-core findings of exactly these pages."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.monitor.auditor import audit_urls


class Command(BaseCommand):
    help = (
        "Runs the accessibility auditor (axe-core, WCAG 2.1 A/AA, reflow at 320 px) on the "
        "given pages, without following links, and prints the findings per page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="+", metavar="URL")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--no-reflow", action="store_true", help="Skip the check at 320 CSS pixels."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urls: list[str] = options["urls"]
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise CommandError(f"{url}: not an http(s) address")
        results = audit_urls(urls, check_reflow=not options["no_reflow"])
        if options["format"] == "json":
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
            return
        for result in results:
            state = result.error or f"HTTP {result.status}"
            self.stdout.write(f"{result.url} ({state}): {len(result.findings)} findings")
            for finding in result.findings:
                criteria = ", ".join(finding.criteria) or "-"
                self.stdout.write(
                    f"  {finding.rule} [{criteria}] {finding.impact}: {finding.selector}"
                )
