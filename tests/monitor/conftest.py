"""Fixtures of the monitor tests: an inquiry shaped like the seed (Anfrage 2020/123)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rathaus.council.models import Body, File, Paper

LETTER = (
    "Anfrage: Stand der Digitalisierung\n"
    "1. Gibt es eine Digitalisierungsstrategie und an welcher Stelle wird diese koordiniert?\n"
    "2. Welche kommunalen Dienstleistungen sind schon digital verfügbar und welche fehlen noch?\n"
    "3. Sind die digital verfügbaren Angebote einfach zugänglich?\n"
    "4. Sind die digital verfügbaren Angebote einheitlich zugänglich?\n"
    "5. Wie häufig werden die digitalen Angebote der Verwaltung genutzt?\n"
    "6. Sind die Prozesse in der Verwaltung selbst digitalisiert oder werden diese dann "
    "ausgedruckt und in Papierform bearbeitet?\n"
    "7. Gibt es eine Strategie zur Integration der eigenen digitalen Angebote in die Portale "
    "des Landes bzw. des Bundes?\n"
    "8. Wie bewertet die Verwaltung das Bürgerinformationssystem?\n"
    "Begründung: Es mussten ca. 80 Geräte für Homeoffice-Arbeitsplätze beschafft werden. "
    "Es existiert keine Videokonferenz. Eine regelmäßige Information der Bürger*innen mit "
    "geeigneten Mitteln findet nicht statt."
)


@pytest.fixture
def inquiry(db: None) -> Paper:
    return seed_like_inquiry()


def seed_like_inquiry() -> Paper:
    """A council inquiry with the seed's eight questions and its justification."""
    body = Body.objects.create(name="Hansestadt Buxtehude", short_name="Buxtehude")
    letter = File.objects.create(name="Anfrage 2020/123", text=LETTER)
    questions = [m.group(1) for m in re.finditer(r"^\d\.\s+(.+)$", LETTER, re.M)]
    return Paper.objects.create(
        body=body,
        name="Anfrage: Stand der Digitalisierung in der Stadtverwaltung",
        reference="2020/123",
        paper_type="Anfrage",
        date=dt.date(2020, 4, 27),
        questions=questions,
        main_file=letter,
        inquiry_status=Paper.InquiryStatus.RECEIVED,
    )
