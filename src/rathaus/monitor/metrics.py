"""The monitor's metrics, one function each, registered with their definition.

Windows end with the given day (inclusive): a figure "as of 2026-03-31" counts what was
recorded up to the end of that day in the town's time zone. Catalog figures for a past day
read the catalog as it stood then, from the services' recorded versions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.cases.models import ONLINE_CHANNELS, Case, Channel, MediaBreak
from rathaus.cases.selectors import cases_by_service_and_month
from rathaus.catalog.models import Service
from rathaus.catalog.selectors import missing_online_services, online_coverage
from rathaus.council.deadlines import invitation_timeliness
from rathaus.council.video import video_share
from rathaus.forms.models import Draft
from rathaus.monitor.audits import summarize
from rathaus.monitor.council import completeness as council_completeness
from rathaus.monitor.council import minutes_timeliness
from rathaus.monitor.models import (
    AuditRun,
    Device,
    Headcount,
    Measure,
    OParlCheck,
    PortalStatus,
    UsageCount,
)
from rathaus.monitor.readability import readability
from rathaus.monitor.registry import Measurement, metric, share
from rathaus.monitor.uniformity import assess as assess_uniformity
from rathaus.news.models import Announcement
from rathaus.newsletter.models import Issue, Subscriber

USAGE_WINDOW = dt.timedelta(days=30)
PAPER_FREE_WINDOW = dt.timedelta(days=90)
COUNCIL_WINDOW = dt.timedelta(days=365)


def window(day: dt.date, length: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in aware datetimes: `length` ending with the end of `day`."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return end - length, end


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day` in town time."""
    return window(day, dt.timedelta(0))[1]


# --- Q2 coverage -------------------------------------------------------------------------


@metric(
    "q2.online_share",
    question="Q2",
    title=_("Anteil der Leistungen, die online verfügbar sind"),
    unit="percent",
    formula=_("veröffentlichte Leistungen mit Online-Dienst / alle veröffentlichten Leistungen"),
    source=_("Leistungskatalog"),
    reading=_("Je höher, desto mehr Anliegen lassen sich ohne Behördengang erledigen."),
)
def online_share(day: dt.date) -> Measurement:
    coverage = online_coverage(as_of=day_end(day))
    return Measurement(
        share(coverage.online, coverage.total),
        {"online": coverage.online, "total": coverage.total},
    )


@metric(
    "q2.ozg_obligation_share",
    question="Q2",
    title=_("Anteil der Leistungen mit OZG-Reifegrad 3 oder höher"),
    unit="percent",
    formula=_("Leistungen mit Reifegrad ≥ 3 (Modell 1.1) / alle veröffentlichten Leistungen"),
    source=_("Leistungskatalog, OZG-Reifegradmodell"),
    reading=_("Ab Reifegrad 3 gilt die Pflicht des Onlinezugangsgesetzes als erfüllt."),
)
def ozg_obligation_share(day: dt.date) -> Measurement:
    coverage = online_coverage(as_of=day_end(day))
    return Measurement(
        share(coverage.obligation_met, coverage.total),
        {"by_level": {str(k): v for k, v in coverage.by_level.items()}},
    )


@metric(
    "q2.missing_demand",
    question="Q2",
    title=_("Jährliche Fälle in Leistungen ohne Online-Angebot"),
    unit="count",
    formula=_("Summe der geschätzten Fallzahlen aller Leistungen unter Reifegrad 3"),
    source=_("Leistungskatalog (Fälle pro Jahr)"),
    reading=_("Je niedriger, desto weniger Nachfrage muss noch analog bedient werden."),
    higher_is_better=False,
)
def missing_demand(day: dt.date) -> Measurement:
    missing = missing_online_services(limit=1000, as_of=day_end(day))
    return Measurement(
        float(sum(s.annual_cases for s in missing)),
        {"top": [{"name": s.name, "annual_cases": s.annual_cases} for s in missing[:10]]},
    )


# --- Q5 usage ----------------------------------------------------------------------------


@metric(
    "q5.online_case_share",
    question="Q5",
    title=_("Anteil der online eingegangenen Anträge"),
    unit="percent",
    formula=_("online (Rathaus oder Portal) eingegangene Vorgänge / alle Vorgänge, 30 Tage"),
    source=_("Vorgangsbearbeitung, alle Eingangskanäle"),
    reading=_("Je höher, desto mehr Bürger*innen nutzen die Online-Angebote."),
)
def online_case_share(day: dt.date) -> Measurement:
    start, end = window(day, USAGE_WINDOW)
    by_channel = dict(
        Case.objects.filter(received_at__gte=start, received_at__lt=end)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    online = sum(n for channel, n in by_channel.items() if channel in ONLINE_CHANNELS)
    return Measurement(
        share(online, sum(by_channel.values())),
        {"by_channel": by_channel, "by_service_month": by_service_month(day)},
    )


def months_ending(day: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the `count` calendar months up to and including `day`'s month."""
    months = []
    year, month = day.year, day.month
    for _month in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def by_service_month(day: dt.date, count: int = 12) -> dict[str, Any]:
    """Online share of all cases per service and calendar month, busiest service first.

    Kept in the snapshot (not read live) so an answer written from it can be reproduced.
    """
    months = months_ending(day, count)
    start = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    end = day_end(day)
    keys = [f"{m:%Y-%m}" for m in months]
    services: dict[int | None, dict[str, Any]] = {}
    for row in cases_by_service_and_month(start, end):
        entry = services.setdefault(
            row.service_id,
            {"name": row.service, "cells": {}, "online": 0, "total": 0},
        )
        entry["cells"][row.month] = [row.online, row.total]
        entry["online"] += row.online
        entry["total"] += row.total
    rows = sorted(services.values(), key=lambda e: (-e["total"], e["name"]))
    for entry in rows:
        entry["cells"] = [entry["cells"].get(key) for key in keys]
    return {"months": keys, "services": rows}


# --- Q6 paper-free -----------------------------------------------------------------------

_PAPER = (
    MediaBreak.Kind.PRINTED,
    MediaBreak.Kind.POSTED,
    MediaBreak.Kind.SCANNED,
    MediaBreak.Kind.PAPER_RECEIVED,
)


@metric(
    "q6.paper_free_share",
    question="Q6",
    title=_("Anteil der Vorgänge, die durchgehend digital bearbeitet wurden"),
    unit="percent",
    formula=_(
        "in 90 Tagen entschiedene oder abgeschlossene Vorgänge ohne Medienbruch "
        "(Papiereingang, Scan, Ausdruck, Postversand) / alle diese Vorgänge"
    ),
    source=_("Vorgangsbearbeitung, erfasste Medienbrüche"),
    reading=_("Je höher, desto weniger wird gedruckt, gescannt und verschickt."),
)
def paper_free_share(day: dt.date) -> Measurement:
    start, end = window(day, PAPER_FREE_WINDOW)
    finished = Case.objects.filter(decided_at__gte=start, decided_at__lt=end)
    broken = MediaBreak.objects.filter(case=OuterRef("pk"), kind__in=_PAPER)
    total = finished.count()
    paper_free = finished.filter(~Exists(broken)).count()
    by_kind = dict(
        MediaBreak.objects.filter(case__in=finished)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return Measurement(
        share(paper_free, total),
        {"cases": total, "paper_free": paper_free, "media_breaks": by_kind},
    )


# --- Q8 council information system -------------------------------------------------------


@metric(
    "q8.invitations_on_time",
    question="Q8",
    title=_("Sitzungen, zu denen fristgerecht eingeladen wurde"),
    unit="percent",
    formula=_("Sitzungen mit Einladung mindestens eine Woche vorher / alle Sitzungen, 365 Tage"),
    source=_("Ratsinformationssystem"),
    reading=_("Je höher, desto verlässlicher erhalten Ratsmitglieder ihre Unterlagen."),
)
def invitations_on_time(day: dt.date) -> Measurement:
    start, end = window(day, COUNCIL_WINDOW)
    timeliness = invitation_timeliness(start, end)
    return Measurement(
        share(timeliness.on_time, timeliness.meetings),
        {"meetings": timeliness.meetings, "invited": timeliness.invited},
    )


# --- B2 video, B3 citizen information ----------------------------------------------------


@metric(
    "b2.video_share",
    question="B2",
    title=_("Rats- und Ausschusssitzungen mit Videokonferenz"),
    unit="percent",
    formula=_("Sitzungen mit Videoraum / alle Sitzungen der Gremien, 365 Tage"),
    source=_("Ratsinformationssystem, Videokonferenzen"),
    reading=_("Je höher, desto öfter können Rat und Verwaltung auch aus der Ferne teilnehmen."),
)
def video_meetings(day: dt.date) -> Measurement:
    start, end = window(day, COUNCIL_WINDOW)
    result = video_share(start, end)
    return Measurement(
        share(result.with_video, result.meetings),
        {"meetings": result.meetings, "with_video": result.with_video},
    )


@metric(
    "b3.news_per_month",
    question="B3",
    title=_("Veröffentlichte Meldungen in 30 Tagen"),
    unit="count",
    formula=_("freigegebene Meldungen mit Veröffentlichungsdatum in den letzten 30 Tagen"),
    source=_("Nachrichten und Bekanntmachungen"),
    reading=_("Zeigt, wie regelmäßig die Stadt informiert."),
)
def news_per_month(day: dt.date) -> Measurement:
    start, end = window(day, USAGE_WINDOW)
    by_kind = dict(
        Announcement.objects.filter(
            status=Announcement.Status.PUBLISHED, publish_at__gte=start, publish_at__lt=end
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return Measurement(float(sum(by_kind.values())), {"by_kind": by_kind})


# --- Q1 strategy -------------------------------------------------------------------------


@metric(
    "q1.measures_done",
    question="Q1",
    title=_("Umgesetzte Maßnahmen der Digitalisierungsstrategie"),
    unit="percent",
    formula=_("umgesetzte Maßnahmen / alle nicht aufgegebenen Maßnahmen"),
    source=_("Strategie und Maßnahmenplan"),
    reading=_("Je höher, desto weiter ist die Strategie umgesetzt."),
)
def measures_done(day: dt.date) -> Measurement:
    active = Measure.objects.exclude(status=Measure.Status.CANCELLED)
    by_status = dict(
        active.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    total = sum(by_status.values())
    return Measurement(
        share(by_status.get(Measure.Status.DONE, 0), total),
        {"by_status": by_status, "overdue": active.overdue(day).count()},
    )


# --- B1 devices ----------------------------------------------------------------------------


@metric(
    "b1.home_office_readiness",
    question="B1",
    title=_("Beschäftigte mit einem Gerät für mobiles Arbeiten"),
    unit="percent",
    formula=_(
        "Personen mit mindestens einem nicht ausgemusterten, für mobiles Arbeiten "
        "geeigneten Gerät / Beschäftigte laut letztem Personalstand"
    ),
    source=_("Geräteinventar (CSV oder Snipe-IT), Personalstand"),
    reading=_("Je höher, desto mehr Beschäftigte können von zu Hause arbeiten."),
)
def home_office_readiness(day: dt.date) -> Measurement:
    in_use = Device.objects.filter(purchased_on__lte=day).exclude(retired_on__lte=day)
    equipped = (
        in_use.filter(home_office_capable=True)
        .exclude(holder="")
        .values("holder")
        .distinct()
        .count()
    )
    staff = sum(_latest_headcounts(day).values())
    by_kind = dict(in_use.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return Measurement(
        share(equipped, staff),
        {"equipped_staff": equipped, "staff": staff, "devices_by_kind": by_kind},
    )


def _latest_headcounts(day: dt.date) -> dict[int, int]:
    latest: dict[int, int] = {}
    for office_id, staff in (
        Headcount.objects.filter(as_of__lte=day)
        .order_by("office_id", "as_of")
        .values_list("office_id", "staff")
    ):
        latest[office_id] = staff  # ordered by day: the last one wins
    return latest


@metric(
    "b1.devices_out_of_warranty",
    question="B1",
    title=_("Geräte außerhalb der Garantie"),
    unit="percent",
    formula=_("Geräte in Gebrauch mit abgelaufener Garantie / alle Geräte in Gebrauch"),
    source=_("Geräteinventar"),
    reading=_("Je niedriger, desto aktueller ist die Ausstattung."),
    higher_is_better=False,
)
def devices_out_of_warranty(day: dt.date) -> Measurement:
    in_use = Device.objects.filter(purchased_on__lte=day).exclude(retired_on__lte=day)
    total = in_use.count()
    expired = in_use.filter(warranty_until__lt=day).count()
    return Measurement(share(expired, total), {"devices": total, "expired": expired})


# --- Q3 simply accessible --------------------------------------------------------------------

READABLE_FLESCH = 60  # "mittel" and easier: understood by 13- to 15-year-olds


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _latest_audit(day: dt.date) -> AuditRun | None:
    end = day_end(day)
    return AuditRun.objects.filter(finished_at__lt=end, error="").order_by("-finished_at").first()


@metric(
    "q3.pages_without_serious_barriers",
    question="Q3",
    title=_("Geprüfte Seiten ohne schwere Barrieren"),
    unit="percent",
    formula=_(
        "Seiten ohne kritischen oder schweren axe-core-Befund (WCAG 2.1 A/AA) / alle "
        "geprüften Seiten des letzten Prüflaufs"
    ),
    source=_("Barrierefreiheitsprüfung (axe-core in Chromium)"),
    reading=_("Je höher, desto eher können alle Menschen die Seiten nutzen."),
)
def pages_without_serious_barriers(day: dt.date) -> Measurement:
    run = _latest_audit(day)
    if run is None:
        return Measurement(None)
    summary = summarize(run)
    return Measurement(
        share(summary.pages_without_serious, summary.pages),
        {
            "run": run.pk,
            "pages": summary.pages,
            "by_impact": summary.by_impact,
            "top_rules": summary.top_rules,
        },
    )


@metric(
    "q3.mobile_reflow",
    question="Q3",
    title=_("Seiten, die auf einem Smartphone ohne Querscrollen lesbar sind"),
    unit="percent",
    formula=_("Seiten ohne horizontales Scrollen bei 320 CSS-Pixeln / alle geprüften Seiten"),
    source=_("Barrierefreiheitsprüfung, mobile Ansicht (WCAG 1.4.10)"),
    reading=_("Je höher, desto besser funktionieren die Seiten auf dem Telefon."),
)
def mobile_reflow(day: dt.date) -> Measurement:
    run = _latest_audit(day)
    if run is None:
        return Measurement(None)
    summary = summarize(run)
    return Measurement(share(summary.reflowing, summary.pages), {"run": run.pk})


@metric(
    "q3.service_texts_readable",
    question="Q3",
    title=_("Leistungsbeschreibungen in verständlicher Sprache"),
    unit="percent",
    formula=_(
        "veröffentlichte Leistungen, deren Kurz- und Volltext einen Flesch-Wert (Amstad) "
        "von mindestens 60 erreicht / alle veröffentlichten Leistungen mit Text"
    ),
    source=_("Leistungskatalog, Lesbarkeitsformeln Flesch-Amstad und Wiener Sachtextformel"),
    reading=_("Je höher, desto mehr Texte verstehen auch Menschen ohne Verwaltungsdeutsch."),
)
def service_texts_readable(day: dt.date) -> Measurement:
    scores = []
    hardest: list[tuple[float, str]] = []
    for name, summary, description in Service.objects.published().values_list(
        "name", "summary", "description"
    ):
        result = readability(f"{summary}\n\n{description}")
        if result is None:
            continue
        scores.append(result)
        hardest.append((result.flesch_amstad, name))
    readable = sum(1 for r in scores if r.flesch_amstad >= READABLE_FLESCH)
    hardest.sort()
    return Measurement(
        share(readable, len(scores)),
        {
            "texts": len(scores),
            "mean_flesch_amstad": _mean([r.flesch_amstad for r in scores]),
            "mean_wiener_sachtextformel": _mean([r.wiener_sachtextformel for r in scores]),
            "hardest": [{"name": name, "flesch": score} for score, name in hardest[:10]],
        },
    )


@metric(
    "q5.service_page_views",
    question="Q5",
    title=_("Aufrufe der Leistungsseiten in 30 Tagen"),
    unit="count",
    formula=_("Seitenaufrufe der Leistungs- und Antragsseiten ohne Bots, ohne Cookies gezählt"),
    source=_("eigene cookielose Zählung; Matomo, wenn angebunden"),
    reading=_("Zeigt, wie oft Bürger*innen Informationen zu Leistungen abrufen."),
)
def service_page_views(day: dt.date) -> Measurement:
    start = day - USAGE_WINDOW + dt.timedelta(days=1)
    rows = UsageCount.objects.filter(
        day__gte=start, day__lte=day, service__isnull=False, event=UsageCount.Event.VIEW
    )
    by_source = dict(rows.values_list("source").annotate(n=Sum("count")).values_list("source", "n"))
    top = (
        rows.values_list("service__name")
        .annotate(n=Sum("count"))
        .order_by("-n", "service__name")[:10]
    )
    return Measurement(
        float(sum(by_source.values())),
        {"by_source": by_source, "top": [{"name": name, "views": n} for name, n in top]},
    )


@metric(
    "q5.form_completion",
    question="Q5",
    title=_("Begonnene Online-Anträge, die abgeschickt wurden"),
    unit="percent",
    formula=_("abgeschickte Anträge / begonnene Anträge (Entwürfe) in 30 Tagen"),
    source=_("Online-Anträge"),
    reading=_("Je höher, desto weniger Menschen brechen einen Antrag ab."),
)
def form_completion(day: dt.date) -> Measurement:
    start, end = window(day, USAGE_WINDOW)
    drafts = Draft.objects.filter(created__gte=start, created__lt=end)
    started = drafts.count()
    submitted = drafts.filter(submitted_at__isnull=False).count()
    return Measurement(share(submitted, started), {"started": started, "submitted": submitted})


@metric(
    "q8.oparl_conformance",
    question="Q8",
    title=_("OParl-Objekte, die dem Standard entsprechen"),
    unit="percent",
    formula=_(
        "schemagültige Objekte / geprüfte Objekte der letzten OParl-Prüfung (Stichprobe "
        "jedes Objekttyps, OParl 1.1)"
    ),
    source=_("OParl-Schnittstelle des Ratsinformationssystems"),
    reading=_("Bei 100 Prozent können andere Systeme und Apps die Ratsdaten ohne Anpassung lesen."),
)
def oparl_conformance(day: dt.date) -> Measurement:
    end = day_end(day)
    check = OParlCheck.objects.filter(checked_at__lt=end).order_by("-checked_at").first()
    if check is None:
        return Measurement(None)
    return Measurement(
        share(check.valid, check.checked),
        {"endpoint": check.endpoint, "types": check.results, "error": check.error},
    )


@metric(
    "q8.papers_with_file",
    question="Q8",
    title=_("Vorlagen mit Dokument"),
    unit="percent",
    formula=_("eigene Vorlagen mit Hauptdokument / alle eigenen Vorlagen, 365 Tage"),
    source=_("Ratsinformationssystem"),
    reading=_("Je höher, desto vollständiger können sich Bürger*innen informieren."),
)
def papers_with_file(day: dt.date) -> Measurement:
    figures = council_completeness(*window(day, COUNCIL_WINDOW))
    return Measurement(share(figures["papers_with_file"], figures["papers"]), figures)


@metric(
    "q8.meetings_with_minutes",
    question="Q8",
    title=_("Sitzungen mit Niederschrift"),
    unit="percent",
    formula=_("abgehaltene eigene Sitzungen mit Ergebnis- oder Wortprotokoll / alle, 365 Tage"),
    source=_("Ratsinformationssystem"),
    reading=_("Je höher, desto nachvollziehbarer sind Beschlüsse."),
)
def meetings_with_minutes(day: dt.date) -> Measurement:
    figures = council_completeness(*window(day, COUNCIL_WINDOW))
    return Measurement(share(figures["meetings_with_minutes"], figures["meetings"]), figures)


@metric(
    "q8.minutes_on_time",
    question="Q8",
    title=_("Niederschriften innerhalb von zwei Wochen veröffentlicht"),
    unit="percent",
    formula=_("Sitzungen mit Niederschrift binnen 14 Tagen / abgehaltene Sitzungen, 365 Tage"),
    source=_("Ratsinformationssystem"),
    reading=_("Je höher, desto zeitnäher erfahren Bürger*innen von Beschlüssen."),
)
def minutes_on_time(day: dt.date) -> Measurement:
    figures = minutes_timeliness(*window(day, COUNCIL_WINDOW))
    return Measurement(share(figures["minutes_on_time"], figures["meetings"]), figures)


# --- Q7 portals ----------------------------------------------------------------------------

EXPORT_FRESH = dt.timedelta(days=31)


@metric(
    "q7.exported_to_portals",
    question="Q7",
    title=_("Leistungen, deren Beschreibung im Portalverbund aktuell ist"),
    unit="percent",
    formula=_(
        "veröffentlichte Leistungen, in den letzten 31 Tagen exportiert / alle veröffentlichten"
    ),
    source=_("Export des Leistungskatalogs (XZuFi) an den Portalverbund"),
    reading=_(
        "Je höher, desto eher finden Bürger*innen die Leistung auch über Landes- und Bundesportal."
    ),
)
def exported_to_portals(day: dt.date) -> Measurement:
    end = day_end(day)
    published = Service.objects.published()
    fresh = PortalStatus.objects.filter(
        service__in=published, exported_at__gte=end - EXPORT_FRESH, exported_at__lt=end
    )
    exported = fresh.values("service").distinct().count()
    last = PortalStatus.objects.filter(exported_at__lt=end).order_by("-exported_at").first()
    return Measurement(
        share(exported, published.count()),
        {
            "exported": exported,
            "last_export": last.exported_at.isoformat() if last and last.exported_at else None,
        },
    )


@metric(
    "q7.linked_from_portals",
    question="Q7",
    title=_("Online-Dienste, auf die das Portal verlinkt"),
    unit="percent",
    formula=_("geprüfte Portalseiten mit Link auf den Online-Dienst / alle geprüften Portalseiten"),
    source=_("Linkprüfung der Portalseiten"),
    reading=_("Je höher, desto weniger Sackgassen erleben Bürger*innen im Portal."),
)
def linked_from_portals(day: dt.date) -> Measurement:
    checked = PortalStatus.objects.filter(linked__isnull=False)
    linked = checked.filter(linked=True).count()
    return Measurement(
        share(linked, checked.count()), {"checked": checked.count(), "linked": linked}
    )


@metric(
    "q7.portal_submissions",
    question="Q7",
    title=_("Online-Anträge, die über ein Portal eingehen"),
    unit="percent",
    formula=_(
        "Vorgänge mit Eingang über Landes- oder Bundesportal / alle Online-Vorgänge, 365 Tage"
    ),
    source=_("Vorgangsbearbeitung"),
    reading=_("Zeigt, wie viel die Portale zum Online-Zugang beitragen."),
)
def portal_submissions(day: dt.date) -> Measurement:
    start, end = window(day, COUNCIL_WINDOW)
    online = Case.objects.filter(received_at__gte=start, received_at__lt=end).online()
    via_portal = online.filter(channel=Channel.PORTAL)
    services = via_portal.values("service").distinct().count()
    return Measurement(
        share(via_portal.count(), online.count()),
        {"portal_cases": via_portal.count(), "online_cases": online.count(), "services": services},
    )


# --- Q4 uniformly accessible -----------------------------------------------------------------


@metric(
    "q4.uniformity_index",
    question="Q4",
    title=_("Einheitlichkeit der Online-Dienste"),
    unit="score",
    formula=_(
        "Mittel über alle Online-Dienste des Anteils erfüllter Kriterien: aus dem Katalog "
        "erreichbar, gleiche Anmeldung, gleiche Gestaltung und Adresse, gleicher Zahlweg "
        "(0 bis 100)"
    ),
    source=_("Leistungskatalog, Online-Anträge, Barrierefreiheitsprüfung"),
    reading=_(
        "100 heißt: jeder Online-Dienst funktioniert für Bürger*innen auf die gleiche Weise."
    ),
)
def uniformity_index(day: dt.date) -> Measurement:
    services = assess_uniformity()
    if not services:
        return Measurement(None)
    outliers = [s for s in services if s.missing]
    return Measurement(
        round(sum(s.index for s in services) / len(services), 1),
        {
            "services": len(services),
            "uniform": len(services) - len(outliers),
            "outliers": [
                {"name": s.name, "index": s.index, "missing": s.missing}
                for s in sorted(outliers, key=lambda s: (s.index, s.name))[:25]
            ],
        },
    )


@metric(
    "b3.newsletter_subscribers",
    question="B3",
    title=_("Bestätigte Newsletter-Abonnements"),
    unit="count",
    formula=_("Abonnent*innen mit bestätigter Anmeldung (Double-Opt-in), am Stichtag aktiv"),
    source=_("Newsletter"),
    reading=_("Zeigt, wie viele Menschen sich regelmäßig informieren lassen."),
)
def newsletter_subscribers(day: dt.date) -> Measurement:
    end = day_end(day)
    confirmed = Subscriber.objects.filter(confirmed_at__lt=end)
    active = confirmed.exclude(unsubscribed_at__lt=end).exclude(bounced_at__lt=end).count()
    start, _end = window(day, USAGE_WINDOW)
    issues = Issue.objects.filter(sent_at__gte=start, sent_at__lt=end)
    reached = sum(issues.values_list("recipient_count", flat=True))
    return Measurement(
        float(active),
        {"issues_30_days": issues.count(), "mails_30_days": reached},
    )
