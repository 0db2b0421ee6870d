"""`rathaus send_newsletter ISSUE_ID`: send, or continue sending, an issue in this process."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.errors import RathausError
from rathaus.newsletter import sending


class Command(BaseCommand):
    help = (
        "Versendet eine Newsletter-Ausgabe, deren Versand angestoßen wurde, oder setzt einen "
        "abgebrochenen Versand fort: nur noch wartende Zustellungen werden verschickt, "
        "niemand erhält die Ausgabe zweimal. Zustellungen, die ein Absturz im Zustand "
        "„wird zugestellt“ hinterlassen hat, bleiben ungewiss und werden nicht wiederholt."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("issue_id", type=int, help="Nummer der Ausgabe")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=sending.BATCH_SIZE,
            help=f"E-Mails je SMTP-Verbindung (Standard: {sending.BATCH_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from rathaus.newsletter.models import Issue

        if not Issue.objects.filter(pk=options["issue_id"]).exists():
            raise CommandError(f"Ausgabe {options['issue_id']} gibt es nicht.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size muss mindestens 1 sein.")
        try:
            result = sending.send_issue(options["issue_id"], batch_size=options["batch_size"])
        except RathausError as exc:
            raise CommandError(str(exc)) from exc
        states = ", ".join(f"{k}: {v}" for k, v in result.states.items())
        self.stdout.write(
            f"Ausgabe {result.issue_id}: {result.sent} verschickt, {result.failed} "
            f"fehlgeschlagen, {result.skipped} übersprungen in {result.batches} Stapeln. "
            f"Stand: {states}."
        )
