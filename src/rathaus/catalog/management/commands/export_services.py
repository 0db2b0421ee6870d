"""`rathaus export_services`: the catalog as CSV, JSON or XZuFi-shaped XML."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.catalog.io.tabular import export_queryset, write_csv, write_json
from rathaus.catalog.io.xzufi import write_xzufi
from rathaus.monitor.models import Portal
from rathaus.monitor.portals import record_export


def render(fmt: str, *, include_all: bool = False, delimiter: str = ";") -> tuple[bytes, int]:
    """The export file as bytes (UTF-8) and the number of services in it."""
    services = export_queryset(include_all=include_all)
    if fmt == "xzufi":
        binary = io.BytesIO()
        count = write_xzufi(services, binary)
        return binary.getvalue(), count
    text = io.StringIO(newline="")
    if fmt == "json":
        count = write_json(services, text)
    else:
        count = write_csv(services, text, delimiter=delimiter)
    return text.getvalue().encode(), count


class Command(BaseCommand):
    help = (
        "Leistungen exportieren: CSV (Spalten wie beim Import), JSON oder XZuFi-2.2-förmiges "
        "XML für den Portalverbund. Standard: nur veröffentlichte Leistungen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json", "xzufi"], default="csv")
        parser.add_argument("--output", "-o", help="Zieldatei (sonst Standardausgabe)")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="include_all",
            help="auch Entwürfe und archivierte Leistungen",
        )
        parser.add_argument(
            "--delimiter", choices=[";", ","], default=";", help="Trennzeichen für CSV"
        )
        parser.add_argument(
            "--portal",
            choices=[choice.value for choice in Portal],
            help="als Export an dieses Portal vermerken (für den Digitalisierungsmonitor)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        content, count = render(
            fmt, include_all=options["include_all"], delimiter=options["delimiter"]
        )
        output = options["output"]
        if not output:
            self.stdout.write(content.decode(), ending="")
            return
        if fmt == "csv":
            # A BOM lets Excel recognise UTF-8; the importer accepts it.
            content = b"\xef\xbb\xbf" + content
        path = Path(output)
        try:
            self._write_atomically(path, content)
        except OSError as exc:
            raise CommandError(
                f"{path} lässt sich nicht schreiben: {exc.strerror}.", returncode=1
            ) from exc
        if options["portal"]:
            exported = export_queryset(include_all=options["include_all"])
            record_export(exported.values_list("pk", flat=True), options["portal"])
        self.stdout.write(f"{count} Leistungen nach {path} exportiert ({fmt}).")

    @staticmethod
    def _write_atomically(path: Path, content: bytes) -> None:
        # Write beside the target and rename: a failed export never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            Path(tmp).chmod(0o644)  # mkstemp makes it private; an export is meant to be shared
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
