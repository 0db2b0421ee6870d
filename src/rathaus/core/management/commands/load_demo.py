"""`rathaus load_demo`: the Buxtehude demo data and demo accounts (safe to run again)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.accounts.roles import ROLE_LABELS
from rathaus.core.demo import DemoResult, Tally, load_demo
from rathaus.core.errors import RathausError


class Command(BaseCommand):
    help = (
        "Lädt die Demo-Daten der Hansestadt Buxtehude (Dienststellen, Lebenslagen, Synonyme, "
        "Leistungen) und je ein Demo-Konto pro Rolle. Mehrfaches Ausführen ändert nichts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Keine Demo-Konten anlegen (nur Daten).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(accounts=not options["no_accounts"])
        except RathausError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(result)
        if result.account_list:
            self._accounts(result)

    def _line(self, label: str, tally: Tally) -> None:
        self.stdout.write(
            f"{label:<16} {tally.total:>4}  (neu {tally.created}, geändert {tally.updated}, "
            f"unverändert {tally.unchanged})"
        )

    def _summary(self, result: DemoResult) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Demo-Daten Hansestadt Buxtehude"))
        self._line("Dienststellen", result.offices)
        self._line("Lebenslagen", result.life_situations)
        self._line("Synonyme", result.synonyms)
        self._line("Leistungen", result.services)
        if result.account_list:
            self._line("Konten", result.accounts)
        if result.council is not None:
            council = result.council
            created = sum(council.created.values())
            existing = sum(council.existing.values())
            self.stdout.write(
                f"{'Rat':<16} {created + existing:>4}  (neu {created}, unverändert {existing}; "
                f"{council.pdfs} PDF-Dateien, {council.seconds:.1f} s)"
            )
        if result.monitor is not None:
            monitor = result.monitor
            self.stdout.write(
                f"{'Monitor':<16} {monitor.snapshots:>4}  Kennzahlwerte; {monitor.measures} "
                f"Maßnahmen, {monitor.devices} Geräte"
            )
        if result.search_rebuilt:
            self.stdout.write("Suchindex neu aufgebaut.")
        for warning in dict.fromkeys(result.warnings):
            self.stdout.write(self.style.WARNING(f"Hinweis: {warning}"))

    def _accounts(self, result: DemoResult) -> None:
        rows = [("Benutzername", "Rolle", "Passwort")] + [
            (a.username, str(ROLE_LABELS.get(a.role, a.role)), a.password)
            for a in result.account_list
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "WARNUNG: Diese Demo-Passwörter sind öffentlich (sie stehen im Quellcode). "
                "Nur für die Demo verwenden, nie in einer echten Installation; dort mit "
                "--no-accounts laden."
            )
        )
