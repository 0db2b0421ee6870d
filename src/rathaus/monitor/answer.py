"""The answer of the administration to an inquiry, written from the monitor's figures.

Each question of the inquiry is matched to a question of the monitor (Q1–Q8) by its words;
remarks in the justification about devices, video conferences and citizen information add
sections B1–B3. Every section gets prose composed from the figures, tables, charts and the
sources with the day of measurement. The text is an official letter to a German council, so
it is written in German whatever the language of the page that asks for it.

The figures are copied into the answer (`InquiryAnswer.snapshot`) when it is generated, so
later renderings show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from rathaus.core.errors import Conflict, Problem, ValidationFailed
from rathaus.council.models import Paper
from rathaus.monitor.models import InquiryAnswer, MetricSnapshot
from rathaus.monitor.registry import METRICS, QUESTIONS
from rathaus.monitor.services import compute_all

HISTORY_DAYS = 365

# First rule that matches wins; the more specific words come first (a question about a
# "Strategie zur Integration … in die Portale" is about portals, not about the strategy).
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("Q8", ("bürgerinformationssystem", "ratsinformationssystem", "ratsinfo", "sitzungsdienst")),
    ("Q7", ("portal",)),
    ("Q6", ("papier", "ausgedruckt", "ausdruck", "medienbruch", "prozesse in der verwaltung")),
    ("Q5", ("genutzt", "nutzung", "wie häufig", "wie oft")),
    ("Q4", ("einheitlich",)),
    ("Q3", ("zugänglich", "barrierefrei", "verständlich")),
    ("Q2", ("verfügbar", "fehlen", "dienstleistungen", "online-dienst", "onlinezugangsgesetz")),
    ("Q1", ("strategie", "koordiniert")),
    ("B1", ("endgerät", "homeoffice", "home-office", "mobiles arbeiten", "laptop")),
    ("B2", ("videokonferenz", "video")),
    ("B3", ("information der bürger", "newsletter", "informiert", "öffentlichkeitsarbeit")),
]
REMARKS = {
    "B1": "Zur Begründung: Ausstattung mit Endgeräten für das mobile Arbeiten",
    "B2": "Zur Begründung: Videokonferenzen zwischen Verwaltung und Politik",
    "B3": "Zur Begründung: regelmäßige Information der Bürger*innen",
}


def classify(text: str) -> str | None:
    lowered = text.lower()
    for code, words in RULES:
        if any(word in lowered for word in words):
            return code
    return None


# --- the snapshot -------------------------------------------------------------------------


def take_snapshot(day: dt.date) -> dict[str, Any]:
    """Every figure as of `day` (computed now) and a year of its history."""
    compute_all(day)
    since = day - dt.timedelta(days=HISTORY_DAYS)
    metrics: dict[str, Any] = {}
    series: dict[str, list[list[Any]]] = {}
    for row in MetricSnapshot.objects.filter(day__gte=since, day__lte=day).order_by("day"):
        if row.metric_id not in METRICS:
            continue
        series.setdefault(row.metric_id, []).append([row.day.isoformat(), row.value])
        metric = METRICS[row.metric_id]
        metrics[row.metric_id] = {
            "value": row.value,
            "detail": row.detail,
            "day": row.day.isoformat(),
            "title": str(metric.title),
            "unit": metric.unit,
            "source": str(metric.source),
            "formula": str(metric.formula),
        }
    return {"day": day.isoformat(), "metrics": metrics, "series": series}


# --- prose -----------------------------------------------------------------------------------


@dataclass
class Section:
    code: str | None
    question: str
    number: int | None = None
    paragraphs: list[str] | None = None
    tables: list[dict[str, Any]] | None = None
    charts: list[str] | None = None
    sources: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "question": self.question,
            "code": self.code,
            "text": "\n\n".join(self.paragraphs or []),
            "tables": self.tables or [],
            "charts": self.charts or [],
            "sources": self.sources or [],
        }


class Figures:
    """Reads a snapshot and formats its numbers the German way."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.metrics: dict[str, Any] = snapshot.get("metrics", {})
        self.series: dict[str, list[list[Any]]] = snapshot.get("series", {})

    def value(self, metric_id: str) -> float | None:
        entry = self.metrics.get(metric_id)
        return entry["value"] if entry else None

    def detail(self, metric_id: str) -> dict[str, Any]:
        entry = self.metrics.get(metric_id)
        return entry["detail"] if entry else {}

    def percent(self, metric_id: str) -> str:
        value = self.value(metric_id)
        return "keine Angabe" if value is None else f"{num(value, 1)} %"

    def change(self, metric_id: str) -> float | None:
        values = [v for _day, v in self.series.get(metric_id, []) if v is not None]
        return round(values[-1] - values[0], 1) if len(values) >= 2 else None

    def source(self, metric_id: str) -> str:
        entry = self.metrics.get(metric_id)
        if not entry:
            return ""
        day = date_format(dt.date.fromisoformat(entry["day"]), "d.m.Y")
        return f"{entry['title']}: {entry['source']}; {entry['formula']} (Stand {day})"


def num(value: float, decimals: int = 0) -> str:
    with translation.override("de"):
        if float(value).is_integer() and decimals:
            decimals = 0
        return number_format(value, decimal_pos=decimals, force_grouping=True)


def _trend(f: Figures, metric_id: str, unit: str = "Prozentpunkte") -> str:
    change = f.change(metric_id)
    if change is None or change == 0:
        return ""
    direction = "gestiegen" if change > 0 else "gesunken"
    return f" Im vergangenen Jahr ist der Wert um {num(abs(change), 1)} {unit} {direction}."


def _q1(f: Figures) -> Section:
    detail = f.detail("q1.measures_done")
    by_status = detail.get("by_status", {})
    total = sum(by_status.values())
    text = [
        (
            "Die Digitalisierung wird von der Stabsstelle Digitalisierung koordiniert. Ziele und "
            "Maßnahmen sind mit Verantwortlichen, Budget und Fristen erfasst und auf der "
            "öffentlichen Roadmap im Digitalisierungsmonitor einsehbar."
        )
    ]
    if total:
        text.append(
            f"Von {num(total)} Maßnahmen sind {num(by_status.get('done', 0))} umgesetzt "
            f"({f.percent('q1.measures_done')}), {num(by_status.get('in_progress', 0))} in "
            f"Umsetzung und {num(by_status.get('planned', 0))} geplant. "
            f"{num(detail.get('overdue', 0))} Maßnahmen haben ihren Termin überschritten."
        )
    else:
        text.append("Maßnahmen sind im Monitor noch nicht erfasst.")
    rows = [[label, num(by_status.get(key, 0))] for key, label in _MEASURE_STATES]
    return Section(
        "Q1",
        "",
        paragraphs=text,
        tables=[{"caption": "Maßnahmen nach Stand", "head": ["Stand", "Anzahl"], "rows": rows}],
        charts=["q1.measures_done"],
        sources=[f.source("q1.measures_done")],
    )


_MEASURE_STATES = [
    ("done", "umgesetzt"),
    ("in_progress", "in Umsetzung"),
    ("planned", "geplant"),
    ("paused", "zurückgestellt"),
]


def _q2(f: Figures) -> Section:
    online = f.detail("q2.online_share")
    missing = f.detail("q2.missing_demand").get("top", [])
    levels = f.detail("q2.ozg_obligation_share").get("by_level", {})
    text = [
        (
            f"Der Leistungskatalog der Stadt beschreibt {num(online.get('total', 0))} Leistungen. "
            f"Davon sind {num(online.get('online', 0))} online verfügbar "
            f"({f.percent('q2.online_share')}).{_trend(f, 'q2.online_share')} "
            f"{f.percent('q2.ozg_obligation_share')} der Leistungen erreichen den Reifegrad 3 des "
            "OZG-Reifegradmodells, ab dem die Pflicht des Onlinezugangsgesetzes als erfüllt gilt."
        )
    ]
    if missing:
        names = ", ".join(
            f"{m['name']} ({num(m['annual_cases'])} Fälle im Jahr)" for m in missing[:5]
        )
        text.append(f"Noch ohne Online-Angebot und am häufigsten nachgefragt sind: {names}.")
    tables = [
        {
            "caption": "Leistungen nach OZG-Reifegrad (Modell 1.1)",
            "head": ["Reifegrad", "Leistungen"],
            "rows": [[level, num(count)] for level, count in sorted(levels.items())],
        }
    ]
    if missing:
        tables.append(
            {
                "caption": "Fehlende Online-Angebote nach Nachfrage",
                "head": ["Leistung", "Fälle im Jahr"],
                "rows": [[m["name"], num(m["annual_cases"])] for m in missing],
            }
        )
    return Section(
        "Q2",
        "",
        paragraphs=text,
        tables=tables,
        charts=["q2.online_share"],
        sources=[f.source("q2.online_share"), f.source("q2.missing_demand")],
    )


def _q3(f: Figures) -> Section:
    audit = f.detail("q3.pages_without_serious_barriers")
    readable = f.detail("q3.service_texts_readable")
    text = []
    if audit:
        text.append(
            f"Die Verwaltung prüft ihre Seiten und die Online-Dienste regelmäßig automatisch "
            f"nach WCAG 2.1 (Stufen A und AA). Beim letzten Prüflauf wurden "
            f"{num(audit.get('pages', 0))} Seiten geprüft; "
            f"{f.percent('q3.pages_without_serious_barriers')} davon sind ohne kritische "
            f"oder schwere Barriere. {f.percent('q3.mobile_reflow')} der Seiten lassen sich "
            "auf einem Smartphone ohne seitliches Scrollen lesen."
        )
    else:
        text.append("Eine automatische Barrierefreiheitsprüfung liegt noch nicht vor.")
    if readable.get("texts"):
        text.append(
            f"Von {num(readable['texts'])} Leistungsbeschreibungen sind "
            f"{f.percent('q3.service_texts_readable')} gut verständlich (Flesch-Wert nach "
            f"Amstad von mindestens 60; im Mittel "
            f"{num(readable.get('mean_flesch_amstad') or 0, 1)}, Wiener Sachtextformel im "
            f"Mittel {num(readable.get('mean_wiener_sachtextformel') or 0, 1)})."
        )
    tables = []
    if audit.get("top_rules"):
        tables.append(
            {
                "caption": "Häufigste Befunde der Barrierefreiheitsprüfung",
                "head": ["Regel (axe-core)", "Befunde"],
                "rows": [[rule, num(n)] for rule, n in audit["top_rules"]],
            }
        )
    return Section(
        "Q3",
        "",
        paragraphs=text,
        tables=tables,
        charts=["q3.pages_without_serious_barriers"],
        sources=[
            f.source("q3.pages_without_serious_barriers"),
            f.source("q3.service_texts_readable"),
        ],
    )


def _q4(f: Figures) -> Section:
    detail = f.detail("q4.uniformity_index")
    outliers = detail.get("outliers", [])
    value = f.value("q4.uniformity_index")
    text = [
        (
            "Geprüft wird für jeden Online-Dienst, ob er aus dem Leistungskatalog erreichbar ist, "
            "dieselbe Anmeldung, dieselbe Gestaltung und Adresse und denselben Zahlweg nutzt."
        )
    ]
    if value is not None:
        text.append(
            f"Von {num(detail.get('services', 0))} Online-Diensten erfüllen "
            f"{num(detail.get('uniform', 0))} alle vier Kriterien; der Einheitlichkeitsindex "
            f"beträgt {num(value, 1)} von 100."
        )
    if outliers:
        names = ", ".join(o["name"] for o in outliers[:8])
        text.append(f"Abweichungen gibt es vor allem bei: {names}.")
    labels = {
        "catalog": "Katalog",
        "sign_in": "Anmeldung",
        "design": "Gestaltung",
        "payment": "Zahlweg",
    }
    rows = [
        [o["name"], num(o["index"], 1), ", ".join(labels.get(m, m) for m in o["missing"])]
        for o in outliers
    ]
    return Section(
        "Q4",
        "",
        paragraphs=text,
        tables=(
            [
                {
                    "caption": "Abweichende Online-Dienste",
                    "head": ["Dienst", "Index", "fehlt"],
                    "rows": rows,
                }
            ]
            if rows
            else []
        ),
        charts=["q4.uniformity_index"],
        sources=[f.source("q4.uniformity_index")],
    )


SERVICES_IN_ANSWER = 10


def _q5(f: Figures) -> Section:
    channels = f.detail("q5.online_case_share").get("by_channel", {})
    views = f.detail("q5.service_page_views")
    completion = f.detail("q5.form_completion")
    total = sum(channels.values())
    text = [
        (
            f"In den letzten 30 Tagen gingen {num(total)} Anträge ein, davon "
            f"{f.percent('q5.online_case_share')} online.{_trend(f, 'q5.online_case_share')}"
        )
    ]
    if views:
        text.append(
            f"Die Seiten der Leistungen wurden in diesem Zeitraum "
            f"{num(f.value('q5.service_page_views') or 0)}-mal aufgerufen (ohne Cookies und "
            "ohne personenbezogene Daten gezählt)."
        )
    if completion.get("started"):
        text.append(
            f"Von {num(completion['started'])} begonnenen Online-Anträgen wurden "
            f"{num(completion['submitted'])} abgeschickt ({f.percent('q5.form_completion')})."
        )
    rows = [[_CHANNELS.get(k, k), num(v)] for k, v in sorted(channels.items(), key=lambda i: -i[1])]
    tables = [
        {
            "caption": "Anträge nach Eingangskanal (30 Tage)",
            "head": ["Kanal", "Anträge"],
            "rows": rows,
        }
    ]
    per_service = f.detail("q5.online_case_share").get("by_service_month", {}).get("services")
    if per_service:
        busiest = per_service[:SERVICES_IN_ANSWER]
        text.append(
            f"Über zwölf Monate betrachtet unterscheidet sich die Nutzung je Leistung deutlich; "
            f"die Tabelle zeigt die {num(len(busiest))} Leistungen mit den meisten Anträgen, "
            "die Monatswerte aller Leistungen stehen im Digitalisierungsmonitor."
        )
        tables.append(
            {
                "caption": "Online-Anteil je Leistung (12 Monate, alle Eingangskanäle)",
                "head": ["Leistung", "Anträge", "davon online", "Anteil online"],
                "rows": [
                    [
                        e["name"] or "ohne Leistung",
                        num(e["total"]),
                        num(e["online"]),
                        f"{num(100 * e['online'] / e['total'], 1)} %" if e["total"] else "–",
                    ]
                    for e in busiest
                ],
            }
        )
    return Section(
        "Q5",
        "",
        paragraphs=text,
        tables=tables,
        charts=["q5.online_case_share"],
        sources=[f.source("q5.online_case_share"), f.source("q5.service_page_views")],
    )


_CHANNELS = {
    "online": "online (Rathaus)",
    "portal": "über Landes- oder Bundesportal",
    "post": "per Post",
    "email": "per E-Mail",
    "in_person": "persönlich",
    "phone": "telefonisch",
}
_BREAKS = {
    "printed": "ausgedruckt",
    "scanned": "eingescannt",
    "posted": "per Post versandt",
    "paper_in": "auf Papier eingegangen",
}


def _q6(f: Figures) -> Section:
    detail = f.detail("q6.paper_free_share")
    breaks = detail.get("media_breaks", {})
    text = [
        (
            "Alle Anträge werden unabhängig vom Eingangsweg in der digitalen Vorgangsbearbeitung "
            "geführt; Papier wird beim Eingang gescannt. Jeder Medienbruch (Ausdruck, Scan, "
            "Postversand) wird am Vorgang vermerkt."
        ),
        (
            f"Von {num(detail.get('cases', 0))} in den letzten 90 Tagen entschiedenen Vorgängen "
            f"wurden {num(detail.get('paper_free', 0))} durchgehend digital bearbeitet "
            f"({f.percent('q6.paper_free_share')}).{_trend(f, 'q6.paper_free_share')}"
        ),
    ]
    rows = [[_BREAKS.get(k, k), num(v)] for k, v in sorted(breaks.items(), key=lambda i: -i[1])]
    return Section(
        "Q6",
        "",
        paragraphs=text,
        tables=[
            {"caption": "Medienbrüche nach Art (90 Tage)", "head": ["Art", "Anzahl"], "rows": rows}
        ]
        if rows
        else [],
        charts=["q6.paper_free_share"],
        sources=[f.source("q6.paper_free_share")],
    )


def _last_export(iso: str | None) -> str:
    if not iso:
        return "."
    return f" (letzte Übergabe am {date_format(dt.datetime.fromisoformat(iso), 'd.m.Y')})."


def _q7(f: Figures) -> Section:
    exported = f.detail("q7.exported_to_portals")
    portal = f.detail("q7.portal_submissions")
    text = [
        "Die Leistungsbeschreibungen werden im Standard XZuFi an den Portalverbund von Bund "
        f"und Ländern übergeben. Aktuell sind {f.percent('q7.exported_to_portals')} der "
        "veröffentlichten Leistungen dort auf dem neuesten Stand"
        + _last_export(exported.get("last_export")),
        (
            f"{f.percent('q7.linked_from_portals')} der geprüften Portalseiten verlinken direkt "
            f"auf den Online-Dienst der Stadt. {num(portal.get('portal_cases', 0))} Anträge des "
            f"letzten Jahres kamen über ein Portal ({f.percent('q7.portal_submissions')} der "
            "Online-Anträge)."
        ),
    ]
    return Section(
        "Q7",
        "",
        paragraphs=text,
        charts=["q7.exported_to_portals"],
        sources=[
            f.source("q7.exported_to_portals"),
            f.source("q7.linked_from_portals"),
            f.source("q7.portal_submissions"),
        ],
    )


def _q8(f: Figures) -> Section:
    conformance = f.detail("q8.oparl_conformance")
    papers = f.detail("q8.papers_with_file")
    text = [
        (
            "Das Ratsinformationssystem stellt Sitzungen, Tagesordnungen, Vorlagen und "
            "Niederschriften bereit, mit Volltextsuche, Kalender und Benachrichtigungen, und "
            "bietet alle öffentlichen Daten über die Standardschnittstelle OParl 1.1 an."
        ),
    ]
    if conformance:
        text.append(
            f"Bei der letzten Prüfung entsprachen {f.percent('q8.oparl_conformance')} der "
            "geprüften OParl-Objekte dem Standard."
        )
    text.append(
        f"Im letzten Jahr hatten {f.percent('q8.papers_with_file')} der "
        f"{num(papers.get('papers', 0))} Vorlagen ein Dokument, "
        f"{f.percent('q8.meetings_with_minutes')} der Sitzungen eine Niederschrift; "
        f"{f.percent('q8.minutes_on_time')} der Niederschriften waren binnen zwei Wochen "
        f"veröffentlicht, und zu {f.percent('q8.invitations_on_time')} der Sitzungen wurde "
        "fristgerecht eine Woche vorher eingeladen."
    )
    return Section(
        "Q8",
        "",
        paragraphs=text,
        charts=["q8.invitations_on_time"],
        sources=[
            f.source("q8.oparl_conformance"),
            f.source("q8.papers_with_file"),
            f.source("q8.minutes_on_time"),
            f.source("q8.invitations_on_time"),
        ],
    )


def _b1(f: Figures) -> Section:
    detail = f.detail("b1.home_office_readiness")
    kinds = detail.get("devices_by_kind", {})
    text = [
        (
            f"{num(detail.get('equipped_staff', 0))} von {num(detail.get('staff', 0))} "
            f"Beschäftigten verfügen über ein Gerät für das mobile Arbeiten "
            f"({f.percent('b1.home_office_readiness')}).{_trend(f, 'b1.home_office_readiness')} "
            f"{f.percent('b1.devices_out_of_warranty')} der Geräte sind außerhalb der Garantie."
        )
    ]
    rows = [[k, num(v)] for k, v in sorted(kinds.items(), key=lambda i: -i[1])]
    return Section(
        "B1",
        REMARKS["B1"],
        paragraphs=text,
        tables=[{"caption": "Geräte in Gebrauch nach Art", "head": ["Art", "Anzahl"], "rows": rows}]
        if rows
        else [],
        charts=["b1.home_office_readiness"],
        sources=[f.source("b1.home_office_readiness"), f.source("b1.devices_out_of_warranty")],
    )


def _b2(f: Figures) -> Section:
    detail = f.detail("b2.video_share")
    text = [
        (
            "Rats- und Ausschusssitzungen können mit einem Videoraum verbunden werden; "
            "Ratsmitglieder treten aus dem Mitgliederbereich bei."
        ),
        (
            f"Im letzten Jahr hatten {num(detail.get('with_video', 0))} von "
            f"{num(detail.get('meetings', 0))} Sitzungen einen Videoraum "
            f"({f.percent('b2.video_share')})."
        ),
    ]
    return Section(
        "B2",
        REMARKS["B2"],
        paragraphs=text,
        charts=["b2.video_share"],
        sources=[f.source("b2.video_share")],
    )


def _b3(f: Figures) -> Section:
    news = f.detail("b3.news_per_month").get("by_kind", {})
    letter = f.detail("b3.newsletter_subscribers")
    text = [
        (
            f"In den letzten 30 Tagen hat die Stadt {num(f.value('b3.news_per_month') or 0)} "
            "Meldungen veröffentlicht, als Nachrichten, Pressemitteilungen und amtliche "
            "Bekanntmachungen, auch als RSS- und Atom-Feed und im Kalenderformat."
        ),
        (
            f"Den Newsletter haben {num(f.value('b3.newsletter_subscribers') or 0)} Menschen mit "
            f"bestätigter Anmeldung abonniert; in den letzten 30 Tagen gingen "
            f"{num(letter.get('issues_30_days', 0))} Ausgaben an zusammen "
            f"{num(letter.get('mails_30_days', 0))} Empfänger*innen."
        ),
    ]
    labels = {"news": "Nachrichten", "press": "Pressemitteilungen", "notice": "Bekanntmachungen"}
    rows = [[labels.get(k, k), num(v)] for k, v in sorted(news.items())]
    return Section(
        "B3",
        REMARKS["B3"],
        paragraphs=text,
        tables=[
            {"caption": "Meldungen nach Art (30 Tage)", "head": ["Art", "Anzahl"], "rows": rows}
        ]
        if rows
        else [],
        charts=["b3.newsletter_subscribers"],
        sources=[f.source("b3.news_per_month"), f.source("b3.newsletter_subscribers")],
    )


COMPOSERS: dict[str, Callable[[Figures], Section]] = {
    "Q1": _q1,
    "Q2": _q2,
    "Q3": _q3,
    "Q4": _q4,
    "Q5": _q5,
    "Q6": _q6,
    "Q7": _q7,
    "Q8": _q8,
    "B1": _b1,
    "B2": _b2,
    "B3": _b3,
}


def compose(paper: Paper, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections of the answer: one per question, then the remarks of the justification."""
    figures = Figures(snapshot)
    sections: list[dict[str, Any]] = []
    covered: set[str] = set()
    for number, question in enumerate(paper.questions or [], start=1):
        code = classify(question)
        if code is None:
            section = Section(
                None,
                question,
                paragraphs=[
                    (
                        "Zu dieser Frage erfasst der Digitalisierungsmonitor keine Kennzahl. "
                        "[Antwort bitte ergänzen.]"
                    )
                ],
            )
        else:
            section = COMPOSERS[code](figures)
            covered.add(code)
        section.number = number
        section.question = question
        section.sources = [s for s in section.sources or [] if s]
        sections.append(section.as_dict())
    letter = paper.main_file.text if paper.main_file is not None else ""
    justification = " ".join([letter, *map(str, paper.keywords or [])]).lower()
    for code in ("B1", "B2", "B3"):
        words = dict(RULES)[code]
        if code not in covered and any(word in justification for word in words):
            section = COMPOSERS[code](figures)
            section.sources = [s for s in section.sources or [] if s]
            sections.append(section.as_dict())
    return sections


@transaction.atomic
def generate(paper: Paper, *, user: Any = None, day: dt.date | None = None) -> InquiryAnswer:
    """A new draft answer from today's figures."""
    day = day or timezone.localdate()
    snapshot = take_snapshot(day)
    _mark_in_progress(paper)
    return InquiryAnswer.objects.create(
        paper=paper,
        measured_on=day,
        snapshot=snapshot,
        sections=compose(paper, snapshot),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def _mark_in_progress(paper: Paper) -> None:
    """A drafted answer means the administration is working on the inquiry."""
    from rathaus.council.services import set_inquiry_status

    if paper.inquiry_status == Paper.InquiryStatus.RECEIVED:
        set_inquiry_status(paper=paper, status=Paper.InquiryStatus.IN_PROGRESS, user=None)


def question_title(code: str | None) -> str:
    return QUESTIONS.get(code or "", "")


def full_text(answer: InquiryAnswer) -> str:
    """The answer as plain text, question by question (the council paper's answer text)."""
    parts = []
    for section in answer.sections:
        heading = (
            f"Frage {section['number']}: {section['question']}"
            if section.get("number")
            else section["question"]
        )
        parts.append(f"{heading}\n\n{section['text'].strip()}")
    return "\n\n".join(parts)


@transaction.atomic
def save_texts(answer: InquiryAnswer, texts: dict[int, str]) -> InquiryAnswer:
    """Replace the prose of the sections given by index; a released answer is final."""
    locked = InquiryAnswer.objects.select_for_update().get(pk=answer.pk)
    if locked.status == InquiryAnswer.Status.RELEASED:
        raise Conflict(str(_("Eine freigegebene Antwort kann nicht mehr geändert werden.")))
    problems = [
        Problem(str(_("Der Text darf nicht leer sein.")), field=f"section-{index}")
        for index, text in texts.items()
        if not text.strip()
    ]
    if problems:
        raise ValidationFailed(str(_("Die Antwort wurde nicht gespeichert.")), problems=problems)
    sections = list(locked.sections)
    for index, text in texts.items():
        if not 0 <= index < len(sections):
            raise ValidationFailed(
                str(_("Abschnitt %(index)s gibt es nicht.") % {"index": index + 1}),
                problems=[Problem(str(_("unbekannter Abschnitt")), field=f"section-{index}")],
            )
        sections[index] = {**sections[index], "text": text.strip()}
    locked.sections = sections
    locked.save(update_fields=["sections", "modified"])
    return locked


@transaction.atomic
def release(answer: InquiryAnswer, *, user: Any) -> InquiryAnswer:
    """Release the answer: it becomes the inquiry's answer (text and PDF) and is final."""
    from django.core.files.base import ContentFile

    from rathaus.council.services import answer_inquiry
    from rathaus.monitor.answer_render import render_pdf

    locked = InquiryAnswer.objects.select_for_update().get(pk=answer.pk)
    if locked.status == InquiryAnswer.Status.RELEASED:
        raise Conflict(str(_("Diese Antwort ist bereits freigegeben.")))
    unfinished = [
        s["number"] or s["question"] for s in locked.sections if "[Antwort bitte" in s["text"]
    ]
    if unfinished:
        raise ValidationFailed(
            str(
                _("Die Antwort enthält noch Platzhalter: bitte die markierten Abschnitte ergänzen.")
            ),
            problems=[
                Problem(str(_("Platzhalter „[Antwort bitte ergänzen.]“")), field=str(n))
                for n in unfinished
            ],
        )
    locked.status = InquiryAnswer.Status.RELEASED
    locked.released_at = timezone.now()
    locked.released_by = user if getattr(user, "is_authenticated", False) else None
    locked.save(update_fields=["status", "released_at", "released_by", "modified"])
    _mark_in_progress(locked.paper)
    locked.paper.refresh_from_db()
    pdf = render_pdf(locked)
    name = f"Antwort-{locked.paper.reference.replace('/', '-') or locked.paper.pk}.pdf"
    # The officer's right to release was checked by the caller (monitor permission); the
    # council service is asked as the system, as the council office would file it.
    answer_inquiry(
        paper=locked.paper,
        answer_text=full_text(locked),
        upload=ContentFile(pdf, name=name),
        finish=True,
        user=None,
    )
    return locked


def current_answer(paper: Paper) -> InquiryAnswer | None:
    """The released answer if there is one, else the newest draft."""
    answers = InquiryAnswer.objects.filter(paper=paper)
    return (
        answers.filter(status=InquiryAnswer.Status.RELEASED).order_by("-released_at").first()
        or answers.order_by("-created").first()
    )
