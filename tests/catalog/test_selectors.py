"""Ranking rules of the finder that citizens notice: prefixes and demand."""

from __future__ import annotations

from typing import Any

import pytest

from rathaus.catalog import selectors

pytestmark = pytest.mark.django_db


def test_prefix_matches_titles_and_keywords_but_not_body_text(service_factory: Any) -> None:
    service_factory(leika_key="99010004001000", name="Personalausweis beantragen", summary="")
    service_factory(
        leika_key="99010004002000",
        name="Fundsache abholen",
        summary="Bringen Sie die Abholbestätigung persönlich mit.",
    )
    service_factory(
        leika_key="99010004003000", name="Reisepass", summary="", keywords="Perso, Pass"
    )

    found = [s.name for s in selectors.find_services("Perso").services]

    assert found[0] in {"Personalausweis beantragen", "Reisepass"}
    assert set(found) == {"Personalausweis beantragen", "Reisepass"}


def test_whole_words_still_match_in_body_text(service_factory: Any) -> None:
    service_factory(
        leika_key="99010004002000",
        name="Fundsache abholen",
        summary="Bringen Sie Ihren Personalausweis mit.",
    )
    assert [s.name for s in selectors.find_services("Personalausweis").services] == [
        "Fundsache abholen"
    ]


def test_demand_breaks_near_ties(service_factory: Any) -> None:
    text = "Den Ausweis stellt das Bürgerbüro aus."
    service_factory(leika_key="99010004001000", name="Ausweis eins", summary=text, annual_cases=10)
    service_factory(
        leika_key="99010004002000", name="Ausweis zwei", summary=text, annual_cases=8000
    )

    assert [s.name for s in selectors.find_services("Ausweis").services] == [
        "Ausweis zwei",
        "Ausweis eins",
    ]


def test_demand_does_not_outweigh_a_much_better_match(service_factory: Any) -> None:
    service_factory(
        leika_key="99010004001000",
        name="Hundesteuer anmelden",
        summary="Hundesteuer für jeden Hund.",
        annual_cases=5,
    )
    service_factory(
        leika_key="99010004002000",
        name="Wohnsitz anmelden",
        summary="Auch wer einen Hund hat, meldet sich an; die Hundesteuer ist getrennt.",
        annual_cases=9000,
    )
    assert selectors.find_services("Hundesteuer").services[0].name == "Hundesteuer anmelden"
