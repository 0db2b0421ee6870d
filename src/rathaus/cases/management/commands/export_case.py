"""`rathaus export_case REFERENCE --output FILE`: a case as a record archive (ZIP)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.cases import services
from rathaus.cases.export import export_case
from rathaus.cases.models import Case


class Command(BaseCommand):
    help = (
        "Einen Vorgang als Akte exportieren: ZIP mit XML-Index (in Anlehnung an XDOMEA), "
        "PDF-Zusammenfassung und allen Dokumenten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="Aktenzeichen, z. B. BUX-2026-000123")
        parser.add_argument("--output", "-o", required=True, help="Zieldatei (.zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        reference = options["reference"]
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"Es gibt keinen Vorgang mit dem Aktenzeichen {reference}.")
        content = export_case(case)
        target = Path(options["output"])
        if target.parent and not target.parent.is_dir():
            raise CommandError(f"{target.parent}: dieses Verzeichnis gibt es nicht.")
        # Written beside the target and renamed: a reader never sees half an archive.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            Path(temporary).chmod(0o600)  # personal data
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        services.record_event(
            case,
            actor=None,
            action="exported",
            summary="Akte exportiert (Kommandozeile)",
            after={"bytes": len(content)},
        )
        self.stdout.write(f"{reference}: {len(content)} Bytes nach {target} geschrieben.")
