"""Readability scores checked against counts done by hand and the published formulas."""

from __future__ import annotations

import pytest

from rathaus.monitor.readability import (
    TextCounts,
    count,
    flesch_amstad,
    readability,
    syllables,
    wiener_sachtextformel,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Hund", 1),
        ("Katze", 2),
        ("Personalausweis", 5),  # Per-so-nal-aus-weis
        ("Bürgerbüro", 4),  # Bür-ger-bü-ro
        ("Eingangsbestätigung", 6),  # Ein-gangs-be-stä-ti-gung
        ("Straßenverkehrsbehörde", 7),  # Stra-ßen-ver-kehrs-be-hör-de
        ("Heu", 1),
        ("Meier", 2),  # Mei-er
        ("Theater", 3),  # The-a-ter
        ("Quittung", 2),  # Quit-tung
        ("Situation", 5),  # Si-tu-a-ti-on
    ],
)
def test_german_syllables(word: str, expected: int) -> None:
    assert syllables(word) == expected


def test_counts_of_a_short_text() -> None:
    counts = count("Der Hund bellt. Die Katze schläft!")
    assert counts == TextCounts(
        sentences=2, words=6, syllables=7, polysyllables=0, monosyllables=5, long_words=1
    )


def test_abbreviations_do_not_end_sentences() -> None:
    assert count("Bringen Sie z. B. Ihren Ausweis mit. Das Amt hat Nr. 5.").sentences == 2


def test_flesch_amstad_matches_the_published_formula() -> None:
    # ASL 15 words per sentence, ASW 1.8 syllables per word: 180 - 15 - 58.5 * 1.8 = 59.7
    counts = TextCounts(
        sentences=10, words=150, syllables=270, polysyllables=30, monosyllables=60, long_words=45
    )
    assert flesch_amstad(counts) == pytest.approx(59.7)


def test_wiener_sachtextformel_matches_the_published_formula() -> None:
    # MS 20 %, SL 15, IW 30 %, ES 40 %:
    # 0.1935*20 + 0.1672*15 + 0.1297*30 - 0.0327*40 - 0.875 = 8.086
    counts = TextCounts(
        sentences=10, words=150, syllables=270, polysyllables=30, monosyllables=60, long_words=45
    )
    assert wiener_sachtextformel(counts) == pytest.approx(8.086)


def test_plain_text_scores_easier_than_officialese() -> None:
    plain = readability("Sie brauchen einen Ausweis. Kommen Sie ins Rathaus. Das kostet nichts.")
    officialese = readability(
        "Die Inanspruchnahme der Verwaltungsleistung setzt die Vorlage eines gültigen "
        "Identitätsnachweises sowie die vollständige Beibringung sämtlicher "
        "entscheidungserheblicher Unterlagen voraus."
    )
    assert plain is not None
    assert officialese is not None
    assert plain.flesch_amstad > 70 > officialese.flesch_amstad
    assert plain.wiener_sachtextformel < 6 < officialese.wiener_sachtextformel
    assert officialese.flesch_band in {"sehr schwer", "schwer"}


def test_nothing_to_measure() -> None:
    assert readability("") is None
    assert readability("123 456") is None
