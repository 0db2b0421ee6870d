"""`rathaus import_matomo [--days N]`: page views per service and day from Matomo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rathaus.integrations.matomo import Matomo, MatomoConfig, MatomoError
from rathaus.monitor.usage import import_matomo


class Command(BaseCommand):
    help = (
        "Imports page views and visits per service and day from Matomo's Reporting API "
        "(RATHAUS_MATOMO_URL, RATHAUS_MATOMO_SITE_ID, RATHAUS_MATOMO_TOKEN); days already "
        "imported are replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="days up to yesterday")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.RATHAUS_MATOMO_URL and settings.RATHAUS_MATOMO_TOKEN):
            raise CommandError("RATHAUS_MATOMO_URL and RATHAUS_MATOMO_TOKEN are not set")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        end = timezone.localdate() - dt.timedelta(days=1)
        start = end - dt.timedelta(days=options["days"] - 1)
        client = Matomo(
            MatomoConfig(
                base_url=settings.RATHAUS_MATOMO_URL,
                site_id=settings.RATHAUS_MATOMO_SITE_ID,
                token=settings.RATHAUS_MATOMO_TOKEN,
            )
        )
        try:
            rows = import_matomo(client.page_urls(start, end))
        except MatomoError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            client.close()
        self.stdout.write(f"{rows} counter rows for {start}..{end}")
