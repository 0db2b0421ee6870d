"""`rathaus apply_retention [--dry-run]`: anonymise or delete closed cases past retention."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from rathaus.cases import retention


class Command(BaseCommand):
    help = (
        "Abgeschlossene Vorgänge nach Ablauf der Aufbewahrungsfrist anonymisieren oder löschen "
        "(RATHAUS_CASE_RETENTION). Mit --dry-run wird nur angezeigt, was geschähe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="nichts ändern, nur zählen")
        parser.add_argument(
            "--mode",
            choices=[retention.ANONYMISE, retention.DELETE],
            help=f"abweichend von RATHAUS_CASE_RETENTION ({settings.RATHAUS_CASE_RETENTION})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = retention.run(dry_run=options["dry_run"], mode=options["mode"])
        verb = {
            retention.ANONYMISE: ("würden anonymisiert", "anonymisiert"),
            retention.DELETE: ("würden gelöscht", "gelöscht"),
        }[report.mode][0 if report.dry_run else 1]
        self.stdout.write(f"{report.cases} Vorgänge {verb}.")
        for reference in report.references:
            self.stdout.write(f"  {reference}")
        self.stdout.write(
            f"Dokumente: {report.documents}, Nachrichten: {report.messages}, "
            f"Notizen: {report.notes}, Protokolleinträge: {report.events}"
            + ("" if report.dry_run else f", gelöschte Dateien: {report.files}")
        )
