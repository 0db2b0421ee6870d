"""Every figure of the digitalization monitor, defined once.

A metric names the question of the inquiry it answers, how it is computed (in words, for the
answer's sources), its unit, where the data comes from and how to read it; `compute(day)`
measures it as of the end of that day, so the daily task and a backfill of history use the
same code. Metrics live in `rathaus.monitor.metrics`; this module only holds the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise

# The inquiry's eight questions and the three gaps it names (Anfrage 2020/123).
QUESTIONS: dict[str, str] = {
    "Q1": "Strategie, Ziele und Maßnahmen",
    "Q2": "Online verfügbare und fehlende Leistungen",
    "Q3": "Einfache Zugänglichkeit",
    "Q4": "Einheitliche Zugänglichkeit",
    "Q5": "Nutzung der Online-Leistungen",
    "Q6": "Papierlose Bearbeitung",
    "Q7": "Anbindung an Landes- und Bundesportale",
    "Q8": "Ratsinformationssystem",
    "B1": "Endgeräte für mobiles Arbeiten",
    "B2": "Videokonferenzen zwischen Verwaltung und Rat",
    "B3": "Regelmäßige Information der Bürger*innen",
}

Unit = Literal["percent", "count", "days", "score", "euro"]


@dataclass(frozen=True)
class Measurement:
    """A value (None when there is nothing to measure yet) and the figures behind it."""

    value: float | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    id: str
    question: str
    title: str | Promise
    unit: Unit
    formula: str | Promise
    source: str | Promise
    reading: str | Promise
    higher_is_better: bool
    compute: Callable[[dt.date], Measurement]


METRICS: dict[str, Metric] = {}


def metric(
    id: str,
    *,
    question: str,
    title: str | Promise,
    unit: Unit,
    formula: str | Promise,
    source: str | Promise,
    reading: str | Promise,
    higher_is_better: bool = True,
) -> Callable[[Callable[[dt.date], Measurement]], Callable[[dt.date], Measurement]]:
    """Register the decorated function as the computation of one metric."""
    if question not in QUESTIONS:
        raise ValueError(f"metric {id}: unknown question {question!r}")

    def register(func: Callable[[dt.date], Measurement]) -> Callable[[dt.date], Measurement]:
        if id in METRICS:
            raise ValueError(f"metric {id} is defined twice")
        METRICS[id] = Metric(
            id=id,
            question=question,
            title=title,
            unit=unit,
            formula=formula,
            source=source,
            reading=reading,
            higher_is_better=higher_is_better,
            compute=func,
        )
        return func

    return register


def metrics_for(question: str) -> list[Metric]:
    return [m for m in METRICS.values() if m.question == question]


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is no whole to take a share of."""
    return round(100 * part / whole, 1) if whole else None
