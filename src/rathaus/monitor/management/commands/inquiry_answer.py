"""`rathaus inquiry_answer --inquiry ID|seed --format html|pdf|docx --output FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core.errors import NotFound
from rathaus.council.demo import seed_inquiry
from rathaus.council.models import Paper
from rathaus.monitor.answer import current_answer, generate
from rathaus.monitor.answer_render import render_document_html, render_docx, render_pdf


class Command(BaseCommand):
    help = (
        "Writes the current answer of the administration to an inquiry (the released one, "
        "else the newest draft; if there is none, a draft is generated from today's figures)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--inquiry", required=True, help="id of the inquiry (council paper) or 'seed'"
        )
        parser.add_argument("--format", choices=["html", "pdf", "docx"], required=True)
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--new", action="store_true", help="generate a new draft from today's figures"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paper = self._paper(options["inquiry"])
        if not paper.questions:
            raise CommandError(f"{paper.reference or paper.pk} „{paper.name}“ has no questions.")
        answer = None if options["new"] else current_answer(paper)
        if answer is None:
            answer = generate(paper)
            self.stderr.write(f"generated a draft from the figures of {answer.measured_on}")
        content: bytes
        if options["format"] == "pdf":
            content = render_pdf(answer)
        elif options["format"] == "docx":
            content = render_docx(answer)
        else:
            content = render_document_html(answer).encode()
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror})") from exc
        self.stdout.write(
            f"{output}: {answer.get_status_display()} of {answer.measured_on}, "
            f"{len(answer.sections)} sections, {len(content)} bytes"
        )

    @staticmethod
    def _paper(value: str) -> Paper:
        if value == "seed":
            try:
                return seed_inquiry()
            except NotFound as exc:
                raise CommandError(str(exc)) from exc
        if not value.isdigit():
            raise CommandError(f"--inquiry {value!r}: give the id of a council paper or 'seed'")
        paper = Paper.objects.filter(pk=int(value)).first()
        if paper is None:
            raise CommandError(f"there is no council paper with id {value}")
        return paper
