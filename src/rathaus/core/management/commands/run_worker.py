"""`rathaus run_worker`: the task worker of whichever backend RATHAUS_TASKS_BACKEND selects.

One command for the Makefile, systemd units and containers, so they need not know whether
the tasks are stored in the database (`db_worker`) or in Redis (an RQ worker).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_tasks import task_backends


class Command(BaseCommand):
    help = (
        "Startet den Worker für Hintergrundaufgaben des eingestellten Backends "
        "(Datenbank oder RQ auf Redis)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            metavar="NAME",
            help="Nur diese Warteschlange bearbeiten (mehrfach möglich); Standard: alle.",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Alle wartenden Aufgaben erledigen und dann beenden.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_rq.backend import RQBackend

        queues: list[str] = options["queues"] or list(settings.TASK_QUEUES)
        unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
        if unknown:
            raise CommandError(
                f"Unbekannte Warteschlange {', '.join(unknown)}; "
                f"vorhanden: {', '.join(settings.TASK_QUEUES)}."
            )
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            db_options: dict[str, Any] = {
                "queue_name": ",".join(queues),
                "batch": options["burst"],
                "verbosity": options["verbosity"],
            }
            call_command("db_worker", **db_options)
        elif isinstance(backend, RQBackend):
            import django_rq
            from django_tasks_rq.backend import Job

            worker = django_rq.get_worker(*queues, job_class=Job)
            # The worker forks a process per job; a connection inherited across the fork
            # would be shared by two processes.
            connections.close_all()
            worker.work(burst=options["burst"], with_scheduler=not options["burst"])
        else:
            raise CommandError(
                f"Das Backend {type(backend).__name__} braucht keinen Worker: "
                "die Aufgaben laufen sofort beim Einreihen."
            )
