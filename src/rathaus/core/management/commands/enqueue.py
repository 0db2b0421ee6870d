"""`rathaus enqueue`: put background tasks on the queue, by name or by schedule group."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_tasks.base import Task

from rathaus.core.schedule import SCHEDULES


def resolve(path: str) -> Task[Any, Any]:
    try:
        obj = import_string(path)
    except ImportError as exc:
        raise CommandError(f"{path}: keine solche Aufgabe ({exc}).") from exc
    if not isinstance(obj, Task):
        raise CommandError(f"{path} ist keine Hintergrundaufgabe (kein @task).")
    return obj


class Command(BaseCommand):
    help = "Stellt Hintergrundaufgaben in die Warteschlange (per Name oder Zeitplan-Gruppe)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("tasks", nargs="*", metavar="MODUL.AUFGABE")
        parser.add_argument("--schedule", choices=sorted(SCHEDULES), help="eine Zeitplan-Gruppe")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = list(options["tasks"])
        if options["schedule"]:
            paths.extend(SCHEDULES[options["schedule"]])
        if not paths:
            raise CommandError("Nennen Sie eine Aufgabe oder --schedule hourly|daily|weekly.")
        tasks = [(path, resolve(path)) for path in paths]  # all checked before any is queued
        for path, found in tasks:
            result = found.enqueue()
            self.stdout.write(f"{path}: eingereiht ({result.id})")
