"""Letters from templates: placeholders filled from the case, rendered to PDF with WeasyPrint.

A template is plain text written by an office lead. It is not a Django template: only the
names in `PLACEHOLDERS` are replaced, every value is HTML-escaped, and nothing else in the
text has a meaning, so a template can neither read other data nor inject markup. WeasyPrint
gets a URL fetcher that refuses every address: a letter never loads anything from anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.accounts.models import User
from rathaus.cases.models import Case, LetterTemplate, Outcome
from rathaus.core.errors import Problem, ValidationFailed
from rathaus.core.pdf import html_to_pdf

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "d.m.Y")


@dataclass(frozen=True)
class Placeholder:
    label: Any
    value: Callable[[Case, User | None], str]


PLACEHOLDERS: dict[str, Placeholder] = {
    "applicant_name": Placeholder(
        gettext_lazy("Name der Antragsteller*in"), lambda c, u: c.applicant_name
    ),
    "applicant_address": Placeholder(
        gettext_lazy("Anschrift der Antragsteller*in"), lambda c, u: c.applicant_address
    ),
    "reference": Placeholder(gettext_lazy("Aktenzeichen"), lambda c, u: c.reference),
    "subject": Placeholder(gettext_lazy("Betreff des Vorgangs"), lambda c, u: c.subject),
    "service": Placeholder(
        gettext_lazy("Leistung"), lambda c, u: c.service.name if c.service else ""
    ),
    "office": Placeholder(gettext_lazy("Stelle"), lambda c, u: c.office.name),
    "received_date": Placeholder(gettext_lazy("Eingangsdatum"), lambda c, u: _day(c.received_at)),
    "due_date": Placeholder(gettext_lazy("Frist"), lambda c, u: _day(c.due_date)),
    "outcome": Placeholder(
        gettext_lazy("Ergebnis"),
        lambda c, u: str(Outcome(c.outcome).label) if c.outcome else "",
    ),
    "today": Placeholder(gettext_lazy("heutiges Datum"), lambda c, u: _day(timezone.localdate())),
    "clerk_name": Placeholder(
        gettext_lazy("Name der Sachbearbeiter*in"),
        lambda c, u: (u.get_full_name() or u.get_username()) if u else "",
    ),
    "municipality": Placeholder(
        gettext_lazy("Name der Kommune"), lambda c, u: settings.RATHAUS_MUNICIPALITY
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    """Names in `{{ … }}` that are not placeholders (typos the author should see)."""
    found = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def validate_template(*, subject: str, body: str) -> None:
    """Refuse a template with unknown placeholders, naming them and the field."""
    problems = []
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text)
        if unknown:
            problems.append(
                Problem(
                    field=field,
                    message=_("Unbekannte Platzhalter: %(names)s. Erlaubt sind: %(allowed)s.")
                    % {
                        "names": ", ".join(f"{{{{ {n} }}}}" for n in unknown),
                        "allowed": ", ".join(PLACEHOLDERS),
                    },
                )
            )
    if problems:
        raise ValidationFailed(_("Die Vorlage enthält unbekannte Platzhalter."), problems=problems)


def values_for(case: Case, clerk: User | None) -> dict[str, str]:
    return {name: str(p.value(case, clerk) or "") for name, p in PLACEHOLDERS.items()}


def fill(text: str, values: dict[str, str]) -> str:
    """Plain text with the placeholders replaced (unknown ones stay visible as written)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def _paragraphs(text: str) -> SafeString:
    """Escaped plain text as HTML paragraphs; single line breaks kept."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    html = "".join(
        "<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
        if block.strip()
    )
    return mark_safe(html)  # every piece was escaped above


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    body: str
    html: str
    pdf: bytes


def render_letter(case: Case, template: LetterTemplate, *, clerk: User | None) -> RenderedLetter:
    """The letter's subject, text, HTML and PDF for `case`."""
    values = values_for(case, clerk)
    subject = fill(template.subject, values)
    body = fill(template.body, values)
    html = render_to_string(
        "cases/staff/letter.html",
        {
            "case": case,
            "office": case.office,
            "municipality": settings.RATHAUS_MUNICIPALITY,
            "subject": subject,
            "body": _paragraphs(body),
            "address_lines": [
                line for line in [case.applicant_name, *case.applicant_address.splitlines()] if line
            ],
            "today": _day(timezone.localdate()),
            "clerk": values["clerk_name"],
        },
    )
    pdf = html_to_pdf(html, tagged=False)
    # Without a target write_pdf returns the bytes.
    return RenderedLetter(subject=subject, body=body, html=html, pdf=bytes(pdf or b""))


# Standard letters every office can use from the start (office = all); an installation edits
# them in the back office. `services.ensure_default_letter_templates` creates the missing ones.
DEFAULT_TEMPLATES: list[dict[str, str]] = [
    {
        "name": "Eingangsbestätigung",
        "subject": "Eingangsbestätigung zu Ihrem Antrag {{ reference }}",
        "body": (
            "Guten Tag {{ applicant_name }},\n\n"
            "Ihr Antrag „{{ subject }}“ ist am {{ received_date }} bei {{ office }} eingegangen. "
            "Er hat das Aktenzeichen {{ reference }}; bitte geben Sie es bei Rückfragen an.\n\n"
            "Wir bearbeiten Ihren Antrag so schnell wie möglich."
        ),
    },
    {
        "name": "Unterlagen nachreichen",
        "subject": "Bitte reichen Sie Unterlagen nach ({{ reference }})",
        "body": (
            "Guten Tag {{ applicant_name }},\n\n"
            "für die Bearbeitung Ihres Antrags „{{ subject }}“ benötigen wir noch weitere "
            "Unterlagen. Bitte reichen Sie diese bis zum {{ due_date }} nach.\n\n"
            "Ohne die Unterlagen können wir über Ihren Antrag nicht entscheiden."
        ),
    },
    {
        "name": "Bescheid",
        "subject": "Bescheid zu Ihrem Antrag {{ reference }}",
        "body": (
            "Guten Tag {{ applicant_name }},\n\n"
            "über Ihren Antrag „{{ subject }}“ vom {{ received_date }} haben wir entschieden: "
            "{{ outcome }}.\n\n"
            "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach "
            "Bekanntgabe Klage beim zuständigen Verwaltungsgericht erhoben werden."
        ),
    },
]
