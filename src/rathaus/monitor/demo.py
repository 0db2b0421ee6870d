"""The monitor's part of the Buxtehude demo: a strategy with measures, about 300 devices,
headcounts, and a year of figures computed from the demo's own records.

Before the history: an OParl conformance check of our own endpoint (in process, no socket),
the XZuFi export recorded as sent to the portal network, and (RATHAUS_DEMO_AUDIT) an
accessibility audit of the demo site and of a few deliberately faulty "external" online
service pages (`fixtures/demo/audit/`), both served on loopback ports for the run.

The history is computed, not invented: `compute_all` runs as of every second week of the
past year over the demo's cases, council meetings, news and devices, whose dates spread over
that year. The catalog, loaded today, is first given a past (`give_catalog_a_past`): its
recorded versions are moved before the year and two thirds of today's online services go
online on a day within it. Figures without dated records (readability of today's texts,
the audit) stay flat, as they would.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.core.links import site_url
from rathaus.monitor.council import InProcessTransport, check_oparl_endpoint
from rathaus.monitor.models import (
    AccessibilityStatement,
    AuditPage,
    AuditRun,
    Device,
    Goal,
    Headcount,
    Measure,
    OParlCheck,
    ProgressNote,
    Strategy,
)
from rathaus.monitor.portals import record_export
from rathaus.monitor.services import compute_all
from rathaus.monitor.statement import draft_from_audit

logger = logging.getLogger(__name__)
AUDIT_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "audit"
# The faulty pages and what each must be found to have (axe rule ids and our reflow check).
FAULTY_PAGES = {
    "sperrmuell.html": {"image-alt"},
    "hundesteuer.html": {"label"},
    "parkausweis.html": {"color-contrast", "rathaus-reflow"},
    "kita.html": {"html-has-lang", "image-alt"},
}
AUDIT_MAX_PAGES = 30
EXPORT_PORTAL = "pvog"
AUDIT_METRICS = ["q3.pages_without_serious_barriers", "q3.mobile_reflow"]

STRATEGY = "Digitale Hansestadt Buxtehude 2030"
HISTORY_STEP_DAYS = 14
# (office slug, staff) – the administration's size by office, roughly that of a town of 40,000.
HEADCOUNT = [
    ("fb1-zentrale-steuerung", 38),
    ("fb2-buergerservice-ordnung-soziales", 22),
    ("fb3-bauen-umwelt", 26),
    ("fb4-bildung-jugend-kultur", 30),
    ("buergerbuero", 24),
    ("standesamt", 8),
    ("ordnung-verkehr", 27),
    ("soziales-wohnen", 19),
    ("steuern-abgaben", 14),
    ("finanzen-stadtkasse", 18),
    ("personal", 12),
    ("digitalisierung-it", 16),
    ("ratsbuero", 6),
    ("bauordnung", 17),
    ("stadtplanung", 13),
    ("tiefbau-strassen", 21),
    ("kita-schule", 25),
    ("kultur-tourismus", 11),
    ("stadtbibliothek", 14),
]
# (goal, description, [(measure, owner slug, status, budget in euro, start and due in months
# from today, OZG, SDG 9.c, [(months ago, percent, progress note)])])
PLAN: list[
    tuple[
        str, str, list[tuple[str, str, str, int, int, int, bool, bool, list[tuple[int, int, str]]]]
    ]
] = [
    (
        "Alle häufigen Anliegen online",
        "Bis 2027 lassen sich die zwanzig häufigsten Anliegen vollständig online erledigen.",
        [
            (
                "Online-Formulare für die zehn häufigsten Anliegen",
                "digitalisierung-it",
                "done",
                60000,
                -30,
                -2,
                True,
                True,
                [
                    (10, 40, "Hund, Parken und Fundsachen online"),
                    (2, 100, "Zehn Formulare veröffentlicht"),
                ],
            ),
            (
                "Anmeldung mit BundID und Servicekonto Niedersachsen",
                "digitalisierung-it",
                "in_progress",
                25000,
                -12,
                4,
                True,
                True,
                [(6, 30, "SAML-Anbindung im Test"), (1, 70, "Abnahme mit dem Land terminiert")],
            ),
            (
                "Online bezahlen (E-Payment)",
                "finanzen-stadtkasse",
                "done",
                15000,
                -20,
                -6,
                True,
                False,
                [(6, 100, "Zahlungen laufen über den Zahlungsdienstleister")],
            ),
            (
                "Leistungsbeschreibungen in verständlicher Sprache",
                "buergerbuero",
                "in_progress",
                8000,
                -9,
                6,
                False,
                True,
                [(3, 45, "Die hundert meistgenutzten Texte überarbeitet")],
            ),
        ],
    ),
    (
        "Papierlos arbeiten",
        (
            "Anträge werden unabhängig vom Eingangsweg digital bearbeitet; Papier wird beim "
            "Eingang gescannt."
        ),
        [
            (
                "Digitale Vorgangsbearbeitung in allen Fachbereichen",
                "fb1-zentrale-steuerung",
                "in_progress",
                120000,
                -24,
                -1,
                True,
                False,
                [
                    (12, 35, "Bürgerbüro und Ordnungsamt umgestellt"),
                    (3, 80, "Bauordnung und Steuern folgen"),
                ],
            ),
            (
                "Scanstelle im zentralen Posteingang",
                "fb1-zentrale-steuerung",
                "done",
                30000,
                -18,
                -8,
                False,
                False,
                [(8, 100, "Posteingang wird vollständig gescannt")],
            ),
            (
                "E-Akte nach XDOMEA an das Stadtarchiv",
                "stadtarchiv",
                "planned",
                40000,
                3,
                18,
                False,
                False,
                [],
            ),
        ],
    ),
    (
        "Mobil und vernetzt arbeiten",
        (
            "Jede und jeder Beschäftigte kann mobil arbeiten; Rat und Verwaltung treffen sich "
            "auch per Video."
        ),
        [
            (
                "Notebooks statt Arbeitsplatzrechner",
                "digitalisierung-it",
                "in_progress",
                180000,
                -26,
                10,
                False,
                True,
                [
                    (12, 40, "Erste 100 Notebooks ausgegeben"),
                    (2, 65, "Weitere 60 Notebooks ausgegeben"),
                ],
            ),
            (
                "Videokonferenzen für Rat und Ausschüsse",
                "ratsbuero",
                "done",
                12000,
                -16,
                -10,
                False,
                True,
                [(10, 100, "Alle Ausschusssäle mit Videoraum")],
            ),
        ],
    ),
    (
        "Offen informieren",
        "Bürgerinnen und Bürger erfahren regelmäßig und barrierefrei, was die Stadt tut.",
        [
            (
                "Newsletter und Feeds",
                "fb1-zentrale-steuerung",
                "done",
                5000,
                -14,
                -11,
                False,
                True,
                [(11, 100, "Newsletter mit Themenwahl gestartet")],
            ),
            (
                "Ratsinformationssystem mit OParl-Schnittstelle",
                "ratsbuero",
                "done",
                35000,
                -22,
                -12,
                False,
                True,
                [(12, 100, "OParl 1.1 öffentlich")],
            ),
            (
                "Barrierefreiheit aller Seiten prüfen und beheben",
                "digitalisierung-it",
                "in_progress",
                20000,
                -8,
                2,
                False,
                True,
                [(2, 50, "Wöchentliche automatische Prüfung eingerichtet")],
            ),
        ],
    ),
]
DEVICE_MODELS = {
    Device.Kind.LAPTOP: ["ThinkPad T14 Gen 3", "EliteBook 840 G9", "Latitude 5440"],
    Device.Kind.DESKTOP: ["ProDesk 400 G6", "OptiPlex 7090"],
    Device.Kind.TABLET: ["Galaxy Tab S8", "iPad 10"],
    Device.Kind.PHONE: ["Galaxy A54", "iPhone SE"],
    Device.Kind.HEADSET: ["Jabra Evolve2 40"],
    Device.Kind.WEBCAM: ["Logitech C920"],
}


@dataclass
class MonitorDemoResult:
    measures: int = 0
    devices: int = 0
    snapshots: int = 0
    services_went_online: int = 0
    oparl_check: OParlCheck | None = None
    exported: int = 0
    audit: AuditRun | None = None
    statement: AccessibilityStatement | None = None
    warnings: list[str] = field(default_factory=list)


def _months(today: dt.date, months: int) -> dt.date:
    return today + dt.timedelta(days=round(months * 30.4))


@transaction.atomic
def _strategy(today: dt.date) -> int:
    offices = {o.slug: o for o in Office.objects.all()}
    fallback = offices.get("digitalisierung-it") or next(iter(offices.values()), None)
    if fallback is None:
        return 0
    strategy, _created = Strategy.objects.get_or_create(
        title=STRATEGY,
        defaults={
            "summary": "Vom Rat beschlossene Strategie: digitale Leistungen, papierlose "
            "Verwaltung, mobiles Arbeiten und offene Information.",
            "adopted_on": dt.date(2021, 3, 15),
        },
    )
    count = 0
    for position, (goal_title, goal_text, measures) in enumerate(PLAN):
        goal, _created = Goal.objects.get_or_create(
            strategy=strategy,
            title=goal_title,
            defaults={"description": goal_text, "position": position},
        )
        for title, owner, status, budget, start, due, ozg, sdg, notes in measures:
            measure, created = Measure.objects.get_or_create(
                goal=goal,
                title=title,
                defaults={
                    "owner": offices.get(owner, fallback),
                    "status": status,
                    "budget_eur": Decimal(budget),
                    "start_date": _months(today, start),
                    "due_date": _months(today, due),
                    "ozg": ozg,
                    "sdg_9c": sdg,
                },
            )
            if created:
                ProgressNote.objects.bulk_create(
                    ProgressNote(measure=measure, day=_months(today, -ago), percent=pct, text=text)
                    for ago, pct, text in notes
                )
            count += 1
    return count


@transaction.atomic
def _devices(today: dt.date, rng: random.Random) -> int:
    if Device.objects.filter(
        source=Device.Source.CSV, inventory_number__startswith="BUX-"
    ).exists():
        return Device.objects.filter(inventory_number__startswith="BUX-").count()
    offices = {o.slug: o for o in Office.objects.all()}
    for slug, staff in HEADCOUNT:
        office = offices.get(slug)
        if office is None:
            continue
        Headcount.objects.get_or_create(
            office=office, as_of=_months(today, -14), defaults={"staff": staff - 2}
        )
        Headcount.objects.get_or_create(
            office=office, as_of=_months(today, -2), defaults={"staff": staff}
        )
    devices = []
    number = 0
    person = 0
    for slug, staff in HEADCOUNT:
        office = offices.get(slug)
        for _ in range(staff):
            person += 1
            holder = f"P-{person:04d}"
            # Notebooks arrived over the last two years (the Corona purchase and the roll-out);
            # the rest still work on a desktop in the office.
            if rng.random() < 0.62:
                kind = Device.Kind.LAPTOP
                bought = today - dt.timedelta(days=rng.randint(20, 760))
            else:
                kind = Device.Kind.DESKTOP
                bought = today - dt.timedelta(days=rng.randint(900, 2200))
            number += 1
            devices.append(
                Device(
                    inventory_number=f"BUX-{number:05d}",
                    kind=kind,
                    model_name=rng.choice(DEVICE_MODELS[kind]),
                    office=office,
                    holder=holder,
                    home_office_capable=kind == Device.Kind.LAPTOP,
                    purchased_on=bought,
                    warranty_until=bought + dt.timedelta(days=3 * 365),
                    retired_on=None,
                    source=Device.Source.CSV,
                )
            )
            if rng.random() < 0.12:
                extra = rng.choice(
                    [Device.Kind.HEADSET, Device.Kind.WEBCAM, Device.Kind.PHONE, Device.Kind.TABLET]
                )
                number += 1
                bought = today - dt.timedelta(days=rng.randint(30, 900))
                devices.append(
                    Device(
                        inventory_number=f"BUX-{number:05d}",
                        kind=extra,
                        model_name=rng.choice(DEVICE_MODELS[extra]),
                        office=office,
                        holder=holder,
                        home_office_capable=extra in (Device.Kind.PHONE, Device.Kind.TABLET),
                        purchased_on=bought,
                        warranty_until=bought + dt.timedelta(days=2 * 365),
                        source=Device.Source.CSV,
                    )
                )
    Device.objects.bulk_create(devices)
    return len(devices)


def give_catalog_a_past(today: dt.date, rng: random.Random) -> int:
    """Give the demo catalog the past a real one has: a year ago most online services were
    not online yet. Returns how many services went online during the year.

    The demo loads its catalog today, so every recorded version is from today. Here the
    versions are moved to before the year shown, and for two thirds of the services that
    are online now the online service is dated to a day within the year: their earlier
    versions describe them without it (maturity at most 2), and a copy of today's version
    is recorded on that day. The monitor then reads q2 for each past day from these
    versions (`catalog.selectors.catalog_as_of`), as it would in a town that has used
    Rathaus for a year.
    """
    versions = Service.history.model.objects
    if versions.filter(history_date__lt=timezone.now() - dt.timedelta(days=1)).exists():
        return 0  # the catalog has a past already (a second run, or a real one): keep it
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=400), dt.time(8)))
    went_online = 0
    for service in Service.objects.order_by("pk"):
        rows = list(versions.filter(id=service.pk).order_by("history_date", "history_id"))
        if not rows:
            continue
        launch = copy.copy(rows[-1])  # today's state, taken before the rows are rewritten
        for offset, row in enumerate(rows):
            row.history_date = start + dt.timedelta(seconds=offset)
        published = service.status == Service.Status.PUBLISHED
        if published and service.is_online and rng.random() < 2 / 3:
            for row in rows:
                row.channel_online = False
                row.online_service_url = ""
                row.maturity_level = min(row.maturity_level, 2)
                row.maturity_level_v2 = min(row.maturity_level_v2, 2)
            launch.pk = None
            launch.history_type = "~"
            launch.history_change_reason = "Online-Dienst freigeschaltet (Demo-Verlauf)"
            launch.history_date = start + dt.timedelta(days=rng.randint(40, 395))
            launch.save()
            went_online += 1
        versions.bulk_update(
            rows,
            [
                "history_date",
                "channel_online",
                "online_service_url",
                "maturity_level",
                "maturity_level_v2",
            ],
        )
    return went_online


def _history(today: dt.date) -> int:
    days = [today - dt.timedelta(days=d) for d in range(364, -1, -HISTORY_STEP_DAYS)]
    if today not in days:
        days.append(today)
    return sum(compute_all(day) for day in days)


def _oparl_check(today: dt.date) -> OParlCheck:
    """Our own endpoint, once a day, through the in-process transport (no server needed)."""
    done = OParlCheck.objects.filter(
        endpoint=site_url("/oparl/v1.1/"), checked_at__date=today
    ).first()
    if done is not None:
        return done
    with httpx.Client(transport=InProcessTransport(), follow_redirects=True) as client:
        return check_oparl_endpoint(site_url("/oparl/v1.1/"), client=client)


def _export() -> int:
    """Write the XZuFi export into the data directory and record it as sent to the portals."""
    from rathaus.catalog.management.commands.export_services import render

    data, _count = render("xzufi")
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leistungen-xzufi.xml").write_bytes(data)
    # The same set the export contains: published services.
    return record_export(Service.objects.published().values_list("pk", flat=True), EXPORT_PORTAL)


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _serve_fixtures() -> Iterator[str]:
    """The faulty "external" pages on a free loopback port."""
    handler = functools.partial(_QuietFiles, directory=str(AUDIT_FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_site() -> Iterator[str]:
    """This installation on a free loopback port, in threads of this process.

    Every request runs in its own thread with its own database connection, closed when the
    request ends (Django's request_finished), so the loader's thread, busy with the browser,
    never touches the database meanwhile. Static files are the collected ones, served by
    WhiteNoise as in production: the finders do not know the hashed names the pages link
    to, and an audit of pages without their stylesheet measures the wrong site.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class _Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _audit(today: dt.date, max_pages: int) -> AuditRun:
    """Audit the demo site and the faulty pages; an existing complete run of today is kept."""
    from rathaus.monitor.audits import AuditSettings, run_site_audit

    done = AuditRun.objects.filter(
        started_at__date=today, finished_at__isnull=False, error=""
    ).first()
    if done is not None:
        return done
    # Without DEBUG the pages need the collected static files' manifest (else every page
    # is a 500); `make demo` collects only after loading, so collect here first.
    call_command("collectstatic", interactive=False, verbosity=0)
    with serve_site() as site, _serve_fixtures() as external:
        # The faulty pages first: with few pages allowed they must still be audited.
        starts = [f"{external}/{name}" for name in FAULTY_PAGES] + [f"{site}/"]
        return run_site_audit(
            starts,
            hosts={"127.0.0.1"},
            options=AuditSettings(max_pages=max_pages, max_depth=3, delay_seconds=0),
        )


def _audit_into(
    result: MonitorDemoResult,
    today: dt.date,
    max_pages: int,
    history: bool,
    *,
    recompute: bool = True,
) -> None:
    try:
        result.audit = _audit(today, max_pages)
    except Exception as exc:  # e.g. no free port: the demo loads without an audit
        logger.warning("demo audit failed: %s", exc)
        result.warnings.append(f"Barrierefreiheitsprüfung: {exc}")
        return
    if result.audit.error:  # e.g. no Chromium: the run is kept with its error
        logger.warning("demo audit failed: %s", result.audit.error)
        result.warnings.append(f"Barrierefreiheitsprüfung: {result.audit.error}")
    broken = AuditPage.objects.filter(run=result.audit, status__gte=500).count()
    if broken:
        result.warnings.append(f"Barrierefreiheitsprüfung: {broken} Seiten mit Serverfehler")
        return
    if history and recompute:  # today's figures were computed before the audit ran
        compute_all(today, only=AUDIT_METRICS)
    if not result.audit.error and not AccessibilityStatement.objects.exists():
        # A draft for the officer to read and release; the public page keeps the static
        # statement until then.
        result.statement = draft_from_audit(result.audit)


def load_monitor_demo(
    *,
    today: dt.date | None = None,
    history: bool = True,
    audit: bool | None = None,
    audit_pages: int = AUDIT_MAX_PAGES,
) -> MonitorDemoResult:
    today = today or timezone.localdate()
    rng = random.Random(20200427)  # noqa: S311 - invented demo data; seeded with the inquiry's day
    result = MonitorDemoResult()
    result.measures = _strategy(today)
    result.devices = _devices(today, rng)
    result.oparl_check = _oparl_check(today)
    if result.oparl_check.error:
        result.warnings.append(f"OParl-Prüfung: {result.oparl_check.error}")
    result.exported = _export()
    if audit if audit is not None else getattr(settings, "RATHAUS_DEMO_AUDIT", True):
        run = functools.partial(_audit_into, result, today, audit_pages, history)
        if connection.in_atomic_block:
            # The demo site is served by other threads with their own database connections:
            # they see the demo only once `load_demo`'s transaction is committed.
            transaction.on_commit(run)
        else:
            run(recompute=False)
    if history:
        result.services_went_online = give_catalog_a_past(today, rng)
        result.snapshots = _history(today)
    return result
