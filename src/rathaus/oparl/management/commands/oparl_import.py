"""`rathaus oparl_import URL`: mirror another council information system over OParl."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from rathaus.oparl.importer import ImportFailed, ImportOptions, import_system
from rathaus.oparl.models import SyncRun

MAX_KINDS_SHOWN = 10


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Ein entferntes Ratsinformationssystem über OParl 1.0 oder 1.1 spiegeln. URL ist die "
        "Adresse seines System-Objekts. Ohne --full werden nach einem erfolgreichen Lauf nur "
        "Änderungen abgerufen (modified_since); ein abgebrochener Lauf wird fortgesetzt. "
        "Fehler einzelner Objekte werden protokolliert und brechen den Import nicht ab."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="URL des OParl-System-Objekts")
        parser.add_argument(
            "--full", action="store_true", help="alles abrufen, nicht nur Änderungen"
        )
        parser.add_argument(
            "--concurrency",
            type=_positive,
            default=4,
            help="höchstens so viele gleichzeitige Anfragen (Standard: 4)",
        )
        parser.add_argument(
            "--limit-bodies",
            type=_positive,
            metavar="N",
            help="nur die ersten N Körperschaften des Systems spiegeln",
        )
        parser.add_argument(
            "--download-files",
            action="store_true",
            help="Dateien herunterladen und ihren Text für die Suche auslesen (PDF)",
        )
        parser.add_argument(
            "--timeout", type=float, default=30.0, help="Zeitlimit je Anfrage in Sekunden"
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=3,
            help="Wiederholungen bei Zeitüberschreitung und Serverfehlern (Standard: 3)",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="einen abgebrochenen Lauf nicht fortsetzen, sondern neu beginnen",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar: tqdm[Any] | None = None
        # tqdm redraws with carriage returns; Django's wrapper would add a newline each time.
        stream = getattr(self.stderr, "_out", self.stderr)

        def progress(label: str, advance: int, total: int | None) -> None:
            # One bar at a time: the list being read.
            nonlocal bar
            if bar is None or bar.desc != label:
                if bar is not None:
                    bar.close()
                bar = tqdm(
                    total=total,
                    desc=label,
                    unit=" Objekte",
                    file=stream,
                    disable=options["verbosity"] == 0,
                    leave=options["verbosity"] > 1,
                )
            bar.update(advance)

        started = time.monotonic()
        try:
            run = import_system(
                options["url"],
                ImportOptions(
                    full=options["full"],
                    concurrency=options["concurrency"],
                    limit_bodies=options["limit_bodies"],
                    download_files=options["download_files"],
                    timeout=options["timeout"],
                    retries=max(0, options["retries"]),
                    restart=options["restart"],
                    progress=progress,
                ),
            )
        except ImportFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        finally:
            if bar is not None:
                bar.close()
        self._summary(run, time.monotonic() - started)

    def _summary(self, run: SyncRun, seconds: float) -> None:
        mode = "inkrementell" if run.incremental else "vollständig"
        lines = [
            f"{run.system}: {mode}er Abgleich, Status: {run.get_status_display()}",
        ]
        if run.incremental and run.modified_since:
            since = timezone.localtime(run.modified_since)
            lines.append(f"  Änderungen seit {since:%d.%m.%Y %H:%M:%S}")
        rate = run.objects_seen / seconds if seconds > 0 else 0
        lines += [
            f"  Objekte gelesen: {run.objects_seen}, geschrieben: {run.objects_written}",
            f"  Dauer: {seconds:.1f} s ({rate:.0f} Objekte/s)",
            f"  Probleme: {run.error_count}",
        ]
        kinds = Counter(run.problems.values_list("kind", flat=True))
        for kind, count in kinds.most_common(MAX_KINDS_SHOWN):
            lines.append(f"    {kind}: {count}")
        if run.cursor.get("incomplete"):
            lines.append(
                "  Nicht alle Listen waren lesbar; der nächste Lauf fragt die Änderungen seit "
                "dem letzten vollständigen Abgleich erneut ab."
            )
        self.stdout.write("\n".join(lines))
