"""German readability: the Flesch reading ease as adapted by Amstad, and the Wiener Sachtextformel.

Both formulas only need counts (sentences, words, syllables, long words), so the quality of
the result is the quality of the counting. German syllables are counted as vowel groups
(a diphthong such as "ei", "au", "eu", "ie" is one group, hence one syllable); this is the
usual approximation and is exact for the plain administrative German the catalog should use.

Formulas (Amstad 1978; Bamberger and Vanecek 1984):
    FRE_de = 180 - ASL - 58.5 * ASW
    WSTF1  = 0.1935 * MS + 0.1672 * SL + 0.1297 * IW - 0.0327 * ES - 0.875
with ASL/SL the mean sentence length in words, ASW the mean syllables per word, MS the
percentage of words with three or more syllables, IW the percentage of words with more than
six letters and ES the percentage of one-syllable words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*")
_VOWEL_GROUP = re.compile(r"[aeiouyäöü]+")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = (
    "z. B.",
    "z.B.",
    "d. h.",
    "d.h.",
    "u. a.",
    "u.a.",
    "bzw.",
    "ggf.",
    "inkl.",
    "evtl.",
    "usw.",
    "vgl.",
    "Nr.",
    "Str.",
    "Tel.",
    "ca.",
    "etc.",
    "gem.",
    "lt.",
    "max.",
    "min.",
    "sog.",
    "Abs.",
    "Art.",
)
# Only whole words: "lt." is an abbreviation, the end of "bellt." is not.
_ABBREVIATION = re.compile(
    r"(?<![A-Za-zÄÖÜäöüß])(?:" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + ")"
)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|[;:]\s*\n|\n\s*\n")


@dataclass(frozen=True)
class TextCounts:
    sentences: int
    words: int
    syllables: int
    polysyllables: int  # three or more syllables
    monosyllables: int
    long_words: int  # more than six letters


@dataclass(frozen=True)
class Readability:
    counts: TextCounts
    flesch_amstad: float
    wiener_sachtextformel: float

    @property
    def flesch_band(self) -> str:
        """The usual verbal band of the Flesch value (0-30 very hard … 90-100 very easy)."""
        value = self.flesch_amstad
        for limit, label in _FLESCH_BANDS:
            if value < limit:
                return label
        return _FLESCH_BANDS[-1][1]


_FLESCH_BANDS = (
    (30, "sehr schwer"),
    (50, "schwer"),
    (60, "mittelschwer"),
    (70, "mittel"),
    (80, "mittelleicht"),
    (90, "leicht"),
    (float("inf"), "sehr leicht"),
)


# Vowel pairs that form one syllable nucleus; any other vowel in a group starts a new one
# ("Mei-er", "The-a-ter", "Si-tu-a-ti-on").
_NUCLEI = ("äu", "eu", "ei", "ai", "au", "ie", "aa", "ee", "oo", "ey", "ay")


def _nuclei(group: str) -> int:
    n = 0
    i = 0
    while i < len(group):
        i += 2 if group[i : i + 2] in _NUCLEI else 1
        n += 1
    return n


def syllables(word: str) -> int:
    """Syllables of one German word, at least one."""
    lowered = word.lower().replace("qu", "qv")  # the u of "qu" is no vowel
    return max(1, sum(_nuclei(group) for group in _VOWEL_GROUP.findall(lowered)))


def count(text: str) -> TextCounts:
    protected = _ABBREVIATION.sub(lambda match: match.group(0).replace(".", ""), text)
    sentences = [part for part in _SENTENCE_END.split(protected) if _WORD.search(part)]
    words = _WORD.findall(protected)
    per_word = [syllables(word) for word in words]
    return TextCounts(
        sentences=len(sentences),
        words=len(words),
        syllables=sum(per_word),
        polysyllables=sum(1 for n in per_word if n >= 3),
        monosyllables=sum(1 for n in per_word if n == 1),
        long_words=sum(1 for word in words if len(word.replace("-", "")) > 6),
    )


def flesch_amstad(counts: TextCounts) -> float:
    asl = counts.words / counts.sentences
    asw = counts.syllables / counts.words
    return 180 - asl - 58.5 * asw


def wiener_sachtextformel(counts: TextCounts) -> float:
    """The first Wiener Sachtextformel (for non-fiction), a school grade from about 4 to 15."""
    ms = 100 * counts.polysyllables / counts.words
    sl = counts.words / counts.sentences
    iw = 100 * counts.long_words / counts.words
    es = 100 * counts.monosyllables / counts.words
    return 0.1935 * ms + 0.1672 * sl + 0.1297 * iw - 0.0327 * es - 0.875


def readability(text: str) -> Readability | None:
    """Both scores of a text, or None for a text without a sentence to measure."""
    counts = count(text)
    if counts.words == 0 or counts.sentences == 0:
        return None
    return Readability(
        counts=counts,
        flesch_amstad=round(flesch_amstad(counts), 1),
        wiener_sachtextformel=round(wiener_sachtextformel(counts), 1),
    )
