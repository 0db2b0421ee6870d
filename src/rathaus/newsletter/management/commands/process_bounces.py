"""`rathaus process_bounces [--path PATH]`: apply bounce messages (RFC 3464) to subscribers."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.core.errors import RathausError
from rathaus.newsletter.bounces import process_mailbox


class Command(BaseCommand):
    help = (
        "Liest Zustellberichte (RFC 3464) aus dem Bounce-Postfach (Maildir oder mbox; "
        "Standard: RATHAUS_BOUNCE_MAILDIR). Dauerhafte Fehler (5.x.x) sperren die Adresse, "
        "vorübergehende (4.x.x) werden gezählt, drei in 30 Tagen sperren sie ebenfalls. "
        "Verarbeitete Nachrichten werden beiseitegelegt, unlesbare bleiben liegen und werden "
        "mit Dateinamen gemeldet."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--path", help="Maildir-Ordner oder mbox-Datei")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("path") or settings.RATHAUS_BOUNCE_MAILDIR
        if not path:
            raise CommandError(
                "Kein Postfach angegeben: --path oder RATHAUS_BOUNCE_MAILDIR setzen."
            )
        try:
            run = process_mailbox(path)
        except RathausError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{run.messages} Nachrichten: {run.hard} dauerhafte, {run.soft} vorübergehende "
            f"Fehler; {len(run.newly_bounced)} Adressen gesperrt; "
            f"{run.unknown_addresses} unbekannte Adressen; {run.unsubscribed} Abmeldungen "
            "per E-Mail."
        )
        for line in run.unparseable:
            self.stderr.write(f"nicht verarbeitet: {line}")
