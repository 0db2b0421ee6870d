"""`rathaus import_services FILE`: import services from CSV or JSON, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rathaus.catalog.io.importer import (
    STAGE_CHECK,
    ImportResult,
    ServiceImportRejected,
    import_services,
    sorted_problems,
)
from rathaus.core.errors import RathausError

STAGE_LABELS = {STAGE_CHECK: "Prüfen"}
DEFAULT_STAGE_LABEL = "Schreiben"


class Command(BaseCommand):
    help = (
        "Leistungen aus einer CSV- oder JSON-Datei importieren (Abgleich über den "
        "LeiKa-Schlüssel). Die ganze Datei wird vor dem Schreiben geprüft; bei Fehlern wird "
        "nichts geschrieben."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV- oder JSON-Datei")
        parser.add_argument(
            "--format", choices=["csv", "json"], help="Format (sonst nach der Dateiendung)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="nur prüfen und berichten, nichts schreiben"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="gültige Zeilen schreiben, fehlerhafte nur berichten",
        )
        parser.add_argument(
            "--encoding", default="utf-8", help="Zeichenkodierung, z. B. cp1252 (Standard: utf-8)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Die Datei {path} lässt sich nicht lesen: {exc.strerror}.", returncode=1
            ) from exc
        bars: dict[str, tqdm[Any]] = {}
        # tqdm redraws with carriage returns; Django's wrapper would add a newline each time.
        stream = getattr(self.stderr, "_out", self.stderr)

        def progress(stage: str, advance: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = tqdm(
                    total=total,
                    desc=STAGE_LABELS.get(stage, DEFAULT_STAGE_LABEL),
                    unit=" Zeilen",
                    file=stream,
                    disable=options["verbosity"] == 0,
                    leave=False,
                )
            bars[stage].update(advance)

        try:
            result = import_services(
                data=data,
                filename=path.name,
                fmt=options["format"],
                encoding=options["encoding"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )
        except ServiceImportRejected as exc:
            self._close(bars)
            self._report(exc.result)
            if exc.result.dry_run:
                self.stdout.write(exc.result.summary())
            raise CommandError(exc.message, returncode=1) from exc
        except RathausError as exc:
            # A file that cannot be read at all: the message names the place already.
            self._close(bars)
            raise CommandError(exc.message, returncode=1) from exc
        self._close(bars)
        self._report(result)
        self.stdout.write(result.summary())

    @staticmethod
    def _close(bars: dict[str, tqdm[Any]]) -> None:
        for bar in bars.values():
            bar.close()

    def _report(self, result: ImportResult) -> None:
        for problem in sorted_problems(result.warnings):
            self.stderr.write(f"Warnung: {problem}")
        if not result.errors.ok:
            self.stderr.write(f"{len(result.errors.problems)} Fehler:")
            for problem in sorted_problems(result.errors):
                self.stderr.write(f"  - {problem}")
