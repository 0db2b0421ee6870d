"""`rathaus import_devices --csv FILE` or `--snipeit`: the device inventory for question B1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core.errors import ImportRejected
from rathaus.integrations.snipeit import SnipeIt, SnipeItConfig, SnipeItError
from rathaus.monitor.devices import parse_csv, save_records, sync_snipeit
from rathaus.monitor.models import Device


class Command(BaseCommand):
    help = "Imports the device inventory from a CSV file or from Snipe-IT (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", help="CSV file (columns: see docs/monitor.md)")
        source.add_argument(
            "--snipeit", action="store_true", help="read RATHAUS_SNIPEIT_URL with its token"
        )
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["csv"]:
                path = Path(options["csv"])
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise CommandError(f"{path}: {exc.strerror}") from exc
                result = save_records(
                    parse_csv(data, encoding=options["encoding"]), source=Device.Source.CSV
                )
            else:
                if not settings.RATHAUS_SNIPEIT_URL or not settings.RATHAUS_SNIPEIT_TOKEN:
                    raise CommandError("RATHAUS_SNIPEIT_URL and RATHAUS_SNIPEIT_TOKEN are not set")
                client = SnipeIt(
                    SnipeItConfig(
                        base_url=settings.RATHAUS_SNIPEIT_URL,
                        token=settings.RATHAUS_SNIPEIT_TOKEN,
                        mobile_field=settings.RATHAUS_SNIPEIT_MOBILE_FIELD,
                    )
                )
                try:
                    result = sync_snipeit(client)
                finally:
                    client.close()
        except ImportRejected as exc:
            lines = [str(exc), *(f"  {problem}" for problem in exc.problems)]
            raise CommandError("\n".join(lines)) from exc
        except SnipeItError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.retired} retired"
        )
