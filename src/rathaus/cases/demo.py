"""A year of demo cases (Vorgänge) for the Buxtehude demo: about 2,000 applications.

Deterministic (seeded) relative to the moment of loading, and fast (bulk inserts, a few
seconds): the inbox, the citizen's "Meine Anträge" and the monitor (online share, paper-free
rate, processing times) have realistic data from the first start.

What the year looks like:

- Services with a demo form, weighted by their `annual_cases`, plus a few services without
  one (registered by clerks from paper, email or the state portal).
- Channels: the online share rises from about a third to over half during the year; paper
  comes by post and in person (in person only during the office's opening hours on working
  days), some by email, a few by phone and via the state portal.
- Each case follows the back office's rules and writes the same audit trail as
  `rathaus.cases.services` (created, submitted, assigned, state changes, messages, media
  breaks, payment, decided, closed), with timestamps in order: review starts one to three
  working days after receipt, some cases wait for documents, most are decided within the
  form's processing days, some are late and a few are still open past their deadline. Cases
  of the last weeks are still open.
- Paper is recorded as media breaks (received on paper, scanned); some online cases are
  printed, some letters posted.
- References are numbered per year through `ReferenceCounter`, so new cases continue the
  sequence. Historic cases have no files (no document rows without a file).
- The demo citizen ("buerger") gets a few cases of their own, one of them waiting for a
  document, so "Meine Anträge" shows every state.

Idempotent: the "created" audit entry of each generated case carries `"demo": true`; if any
exists, nothing is generated again.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases.models import (
    Case,
    CaseEvent,
    CaseMessage,
    Channel,
    MediaBreak,
    Outcome,
    PaymentState,
    ReferenceCounter,
    State,
)
from rathaus.cases.services import REFERENCE_PREFIX, actor_label, index_terms_bulk
from rathaus.catalog.models import Service
from rathaus.forms import engine
from rathaus.forms.models import FormDefinition, FormVersion

SEED = 20261202
DEFAULT_COUNT = 2000
BATCH = 1000

# Clerks of the offices that work the demo cases (no password: nobody signs in as them;
# the demo's own clerk "sachbearbeitung" works in the Bürgerbüro).
DEMO_CLERKS: tuple[tuple[str, str, str, str], ...] = (
    ("demo.hoffmann", "Katrin", "Hoffmann", "buergerbuero"),
    ("demo.petersen", "Jana", "Petersen", "ordnung-verkehr"),
    ("demo.yilmaz", "Emre", "Yılmaz", "ordnung-verkehr"),
    ("demo.brandt", "Sabine", "Brandt", "ordnung-verkehr"),
    ("demo.koehler", "Thomas", "Köhler", "steuern-abgaben"),
    ("demo.nowak", "Anna", "Nowak", "steuern-abgaben"),
    ("demo.meyer", "Hauke", "Meyer", "tiefbau-strassen"),
    ("demo.schulz", "Lena", "Schulz", "tiefbau-strassen"),
    ("demo.wiebe", "Frauke", "Wiebe", "umwelt-klima"),
    ("demo.lorenz", "Malte", "Lorenz", "digitalisierung-it"),
    ("demo.albers", "Jens", "Albers", "soziales-wohnen"),
    ("demo.kaya", "Deniz", "Kaya", "soziales-wohnen"),
)

# Services without a demo form that still get cases (LeiKa key, processing days, fee).
SERVICES_WITHOUT_FORM: tuple[tuple[str, int, int], ...] = (
    ("99108011153000", 7, 3500),  # Halteverbotszone für Umzug
    ("99115004001000", 7, 0),  # Melderegisterauskunft
    ("99107022012000", 30, 0),  # Wohnberechtigungsschein
    ("99050012070000", 7, 0),  # Gewerbe abmelden
    ("99102013149000", 21, 0),  # Hundesteuer: Ermäßigung oder Befreiung
    ("99108009012000", 14, 0),  # Parkausnahme für Schwerbehinderte
)

# Two forms share the lost-property service: more losses are reported than finds.
FORM_SHARE = {"fundsache-melden": 0.4, "verlust-melden": 0.6}

# Month (1-12) -> demand factor; 1 elsewhere.
SEASONS: dict[str, dict[int, float]] = {
    # Trees may only be felled from October to February.
    "baumfaellung": {1: 2.0, 2: 2.2, 10: 1.8, 11: 2.0, 12: 1.6} | dict.fromkeys(range(3, 9), 0.4),
    "veranstaltung-anzeigen": {1: 0.5, 2: 0.8, 3: 1.5, 4: 1.8, 5: 1.8, 6: 1.5, 11: 0.7, 12: 0.4},
    "99108011153000": {7: 1.5, 8: 1.5, 9: 1.3, 12: 0.6},
    "sondernutzung-strasse": {4: 1.4, 5: 1.5, 6: 1.5, 7: 1.4, 12: 0.5, 1: 0.5},
}

# Opening hours for applications handed in person: weekday (0 = Monday) -> (from, to) hours.
BUERGERBUERO_HOURS = {0: [(8, 16)], 1: [(8, 16)], 2: [(8, 12)], 3: [(8, 18)], 4: [(8, 12)]}
OFFICE_HOURS = {0: [(8, 12)], 1: [(8, 12)], 2: [(8, 12)], 3: [(8, 12), (14, 17)], 4: [(8, 12)]}

# When people submit online: every hour, most in the evening.
ONLINE_HOURS = [
    *(0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.2, 2.0, 2.5, 2.5, 2.3),
    *(2.0, 2.0, 2.2, 2.2, 2.2, 2.3, 2.5, 2.8, 3.0, 2.6, 1.8, 0.9),
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    """Items separated by semicolons; line breaks inside an item count as spaces."""
    return tuple(" ".join(item.split()) for item in text.split(";"))


FIRST_NAMES = _words(
    """
    Anna Ben Clara David Elif Finn Greta Hannes Ida Jonas Kerstin Lars Mia Nils Olga Paul Rieke
    Sven Tanja Uwe Vanessa Wiebke Yusuf Zoe Heike Jörg Marta Ole Sophie Tim Ayşe Lukas Maren
    Karsten Petra Jan Svenja Mehmet Laura Henrik
    """
)
LAST_NAMES = _words(
    """
    Müller Schmidt Meyer Schulz Wagner Becker Hoffmann Koch Richter Klein Wolf Schröder Neumann
    Schwarz Braun Hofmann Zimmermann Hartmann Krüger Lange Werner Krause Lehmann Köhler Peters
    Jansen Ahrens Behrens Cordes Dammann Eggers Fitschen Gerdes Heins Jürgens Kück Lühmann
    Tiedemann Öztürk Nowak Wittkopf Quast
    """
)
STREETS = _items(
    """
    Bahnhofstraße; Lange Straße; Breite Straße; Westfleth; Ostfleth; Stader Straße; Harburger
    Straße; Altländer Straße; Konopkastraße; Bleicherstraße; Viverstraße; Apensener Straße;
    Estetalstraße; Lindenweg; Birkenstraße; Schulstraße; Gartenstraße; Mühlenweg; Am Stadtpark;
    Hansestraße; Ziegelkamp; Feldstraße
    """
)
DOG_NAMES = _words(
    """
    Bella Luna Balu Emma Paul Lucky Nala Sam Frieda Oskar Kira Max Lotte Rocky Ben Mila
    """
)
DOG_BREEDS = _items(
    """
    Labrador Retriever; Mischling; Dackel; Golden Retriever; Australian Shepherd; Jack Russell
    Terrier; Französische Bulldogge; Border Collie; Labrador-Mischling; Beagle; Chihuahua; Boxer
    """
)
SAMPLES: dict[str, tuple[str, ...]] = {
    "beschreibung": (
        "schwarze Geldbörse aus Leder mit Ausweis",
        "Schlüsselbund mit drei Schlüsseln und rotem Anhänger",
        "graues Smartphone in blauer Hülle",
        "Container 7 m³ für Bauschutt",
        "4 Tische und 16 Stühle vor dem Café",
        "Damenfahrrad, dunkelgrün, 28 Zoll",
        "Rucksack mit Sportsachen",
    ),
    "merkmale": ("Aufkleber auf der Rückseite", "Gravur „M. S.“", "kleiner Kratzer am Rand"),
    "begruendung": (
        "Der Baum hat seit dem Sturm einen Riss im Stamm und neigt sich zum Haus.",
        "Die Krone ist zur Hälfte abgestorben; Äste fallen auf den Gehweg.",
        "Die Wurzeln heben die Zufahrt und die Hauswand an.",
    ),
    "taetigkeit": (
        "Einzelhandel mit Fahrrädern und Zubehör, Reparatur von Fahrrädern",
        "Hausmeisterdienste und Gartenpflege",
        "Online-Handel mit Kinderbekleidung",
        "Grafikdesign und Webseitenerstellung",
        "Kosmetikstudio",
        "Imbiss mit Außer-Haus-Verkauf",
    ),
    "titel": (
        "Sommerfest Altstadt",
        "Flohmarkt Am Stadtpark",
        "Nachbarschaftsfest Lindenweg",
        "Adventsmarkt Ostfleth",
        "Citylauf Buxtehude",
        "Konzert im Stadtpark",
    ),
    "thema": (
        "Gutachten Verkehrsführung Bahnhofstraße",
        "Kosten Sanierung Stadthalle",
        "Baumfällungen im Stadtpark 2025",
        "Vertrag Straßenbeleuchtung",
    ),
    "gegenstand": (
        "Ich bitte um das Gutachten zur Verkehrsführung und die Stellungnahmen der Fachbereiche.",
        "Bitte senden Sie mir die Aufstellung der Kosten mit den Rechnungen der Gewerke.",
        "Ich möchte die Protokolle der Ortsbegehungen einsehen.",
    ),
    "uhrzeit": ("14 bis 22 Uhr", "10 bis 18 Uhr", "9 bis 16 Uhr", "16 bis 23 Uhr"),
    "baumart": ("Eiche", "Birke", "Ahorn", "Buche", "Kastanie", "Linde", "Fichte", "unbekannt"),
    "geburtsort": ("Buxtehude", "Stade", "Hamburg", "Bremen", "Hannover", "Izmir", "Danzig"),
    "staatsangehoerigkeit": ("deutsch", "deutsch", "deutsch", "türkisch", "polnisch"),
    "firmenname": ("Fahrradwerkstatt Este", "Grünpflege Nord", "Kleine Welt Kindermode"),
    "organisation": ("Bürgerverein Altstadt e. V.", "TSV Buxtehude", "Heimatverein"),
    "firma": ("Bau GmbH Stade", "Café am Fleth", "Gerüstbau Hansen"),
    "kontoinhaber": ("siehe Antragsteller*in",),
    "neuer_halter": ("Familie Behrens", "Tierheim Stade"),
    "neuer_halter_anschrift": ("Am Deich 4, 21635 Jork",),
    "neue_anschrift": ("Lindenallee 12, 21073 Hamburg",),
    "grund_text": ("Der Hund lebt jetzt dauerhaft bei meiner Mutter in Stade.",),
    "sperrung_details": ("Lange Straße zwischen Markt und Ostfleth, Samstag 8 bis 24 Uhr",),
    "abholort": ("Ziegelkamp 3, Garage",),
    "zeitraum": ("2023 bis 2025", "seit 2020", ""),
    "flurstueck": ("Gemarkung Buxtehude, Flur 12, Flurstück 34/5", ""),
    "rahmennummer": ("WBK123456789", ""),
}
PLACES = _items(
    """
    Bahnhof Buxtehude; Bus 2357, Haltestelle Rathaus; Stadtpark; Marktplatz; Freibad; Altstadt,
    Lange Straße; Parkplatz Estetal; Sporthalle Süd
    """
)
LATE_NOTES = (
    "Ausdruck für die Handakte",
    "Ausdruck für den Ortstermin",
    "Ausdruck zur Unterschrift der Leitung",
)


@dataclass
class CasesDemoResult:
    cases: int = 0
    events: int = 0
    media_breaks: int = 0
    clerks_created: int = 0
    skipped: bool = False
    seconds: float = 0.0
    channels: dict[str, int] = field(default_factory=dict)


@dataclass
class Ev:
    """One audit-trail line to write; `effect` is what it changes on the case."""

    at: dt.datetime
    actor: User | None
    action: str
    summary: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    effect: dict[str, Any] = field(default_factory=dict)
    media: tuple[str, str] | None = None  # (kind, note) of a media break written with it
    message: dict[str, Any] | None = None  # a message written with it
    actor_name: str = ""


@dataclass
class Plan:
    """One case to create, with its whole (possibly unfinished) history."""

    office: Office
    channel: str
    received: dt.datetime
    subject: str
    service: Service | None
    version: FormVersion | None
    data: dict[str, Any]
    applicant: User | None
    applicant_name: str
    applicant_email: str
    applicant_address: str
    fee: int
    due: dt.date
    retention_days: int
    has_files: bool = False  # the form asks for uploads (more requests for documents)
    events: list[Ev] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """What a case is for: a form (with its service) or a service without a form."""

    key: str
    office: Office
    service: Service
    definition: FormDefinition | None
    version: FormVersion | None
    processing_days: int
    fee: int
    weight: float
    fields: tuple[engine.Field, ...] = ()


# --- calendar --------------------------------------------------------------------------


@cache
def _easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * leap) // 433
    month = (h + leap - 7 * m + 90) // 25
    return dt.date(year, month, (h + leap - 7 * m + 33 * month + 19) % 32)


@cache
def holidays(year: int) -> frozenset[dt.date]:
    """Public holidays in Lower Saxony."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (10, 3), (10, 31), (12, 25), (12, 26)]
    moving = [-2, 1, 39, 50]  # Good Friday, Easter Monday, Ascension, Whit Monday
    return frozenset(
        [dt.date(year, m, d) for m, d in fixed] + [easter + dt.timedelta(days=n) for n in moving]
    )


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def add_working_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: float) -> dt.datetime:
    minutes = int(hour * 60)
    naive = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def desk_time(
    rng: random.Random, day: dt.date, start: float = 7.5, end: float = 16.0
) -> dt.datetime:
    """A moment of a clerk's working day."""
    return _at(day, rng.uniform(start, end))


def later(moment: dt.datetime, rng: random.Random, lo: int, hi: int) -> dt.datetime:
    return moment + dt.timedelta(minutes=rng.randint(lo, hi), seconds=rng.randint(0, 59))


def work_after(rng: random.Random, moment: dt.datetime, days: int) -> dt.datetime:
    """A clerk's moment `days` working days after `moment` (0: later the same working day)."""
    local = timezone.localtime(moment)
    day = add_working_days(local.date(), days) if days else next_working_day(local.date())
    if day == local.date():
        hour = local.hour + local.minute / 60
        if hour >= 15.5:
            day = add_working_days(day, 1)
        else:
            return desk_time(rng, day, max(7.5, hour + 0.1), 16.0)
    return desk_time(rng, day)


# --- names and data --------------------------------------------------------------------


def ascii_name(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum() or c in ".-")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    street: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"{ascii_name(self.first)}.{ascii_name(self.last)}@example.org"

    @property
    def address(self) -> str:
        return f"{self.street}, 21614 Buxtehude"


def person(rng: random.Random) -> Person:
    return Person(
        rng.choice(FIRST_NAMES),
        rng.choice(LAST_NAMES),
        f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
    )


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    middle = "".join(rng.choice(letters) for _ in range(rng.randint(1, 2)))
    return f"STD-{middle} {rng.randint(1, 9999)}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789", k=n))


# Field name -> how to make its answer (person, random); only the asked ones are drawn.
ANSWERS: dict[str, Callable[[Person, random.Random], Any]] = {
    "vorname": lambda who, rng: who.first,
    "nachname": lambda who, rng: who.last,
    "strasse": lambda who, rng: who.street,
    "plz": lambda who, rng: "21614",
    "betrieb_plz": lambda who, rng: "21614",
    "ort": lambda who, rng: "Buxtehude",
    "email": lambda who, rng: who.email,
    "telefon": lambda who, rng: f"04161 {_digits(rng, 5)}",
    "hund_name": lambda who, rng: rng.choice(DOG_NAMES),
    "rasse": lambda who, rng: rng.choice(DOG_BREEDS),
    "chipnummer": lambda who, rng: "276" + _digits(rng, 12),
    "kennzeichen": lambda who, rng: _plate(rng),
    "steuermarke": lambda who, rng: str(rng.randint(1, 2400)),
    "kassenzeichen": lambda who, rng: f"5.{_digits(rng, 3)}.{_digits(rng, 6)}",
    "iban": lambda who, rng: (
        f"DE{_digits(rng, 2)} 2075 0000 {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)}"
    ),
    "registernummer": lambda who, rng: f"HRB {rng.randint(100000, 209999)}",
    "pass_nummer": lambda who, rng: f"BP-{_digits(rng, 4)}",
    "betrieb_strasse": lambda who, rng: f"{rng.choice(STREETS)} {rng.randint(1, 80)}",
    "standort": lambda who, rng: f"{rng.choice(STREETS)} {rng.randint(1, 80)}",
    "fundort": lambda who, rng: rng.choice(PLACES),
    "verlustort": lambda who, rng: rng.choice(PLACES),
    "veranstaltungsort": lambda who, rng: rng.choice(("Marktplatz", "Stadtpark", "Am Fleth")),
}
# Date fields: (earliest, latest) days from the day of the application.
DATE_OFFSETS = {
    "geburtsdatum": (-80 * 365, -18 * 365),
    "wurfdatum": (-12 * 365, -100),
    "haltung_seit": (-60, 0),
    "funddatum": (-3, 0),
    "verlust_von": (-10, -1),
    "verlust_bis": (-1, 0),
    "abmeldedatum": (-20, 30),
    "bis": (20, 60),
    "ende": (31, 60),
}


def _value(name: str, prop: dict[str, Any], who: Person, day: dt.date, rng: random.Random) -> Any:
    """A plausible answer for one field of a demo form."""
    if name in ANSWERS:
        return ANSWERS[name](who, rng)
    if name in SAMPLES:
        return rng.choice(SAMPLES[name])
    if "oneOf" in prop:
        return rng.choice(prop["oneOf"])["const"]
    kind = prop.get("type")
    if kind == "boolean":
        return rng.random() < 0.15
    if kind == "integer":
        low = int(prop.get("minimum", 0))
        return rng.randint(low, min(int(prop.get("maximum", low + 3)), low + 3 + low // 2))
    if kind == "number":
        return float(rng.randint(2, 24))
    if prop.get("format") == "date":
        lo, hi = DATE_OFFSETS.get(name, (14, 30))
        return (day + dt.timedelta(days=rng.randint(lo, hi))).isoformat()
    return "–"


def form_data(
    fields: list[engine.Field],
    schema: dict[str, Any],
    who: Person,
    day: dt.date,
    rng: random.Random,
) -> dict[str, Any]:
    """Answers to every field a citizen would have been asked, in form order; no files.

    A condition only looks at fields before it, so checking it against the answers so far
    leaves out exactly what the form would have left out.
    """
    data: dict[str, Any] = {}
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    for f in fields:
        if f.widget == "file":
            continue  # historic cases keep no files
        if f.show_if and not engine.condition_holds(f.show_if, data):
            continue
        optional = f.name not in required and not f.show_if
        if optional and f.widget != "checkbox" and rng.random() < 0.4:
            continue
        data[f.name] = _value(f.name, properties.get(f.name, {}), who, day, rng)
    return data


# --- sources and channels --------------------------------------------------------------


def demo_clerks() -> tuple[dict[int, list[User]], dict[int, User], int]:
    """Clerks per office (creating the demo ones), leads per office, how many were created."""
    roles.ensure_roles()
    clerk_group = Group.objects.get(name=roles.CLERK)
    offices = {o.slug: o for o in Office.objects.filter(slug__in={c[3] for c in DEMO_CLERKS})}
    created = 0
    for username, first, last, slug in DEMO_CLERKS:
        if slug not in offices or User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            office=offices[slug],
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(clerk_group)
        created += 1
    by_office: dict[int, list[User]] = {}
    for user in (
        User.objects.filter(groups__name=roles.CLERK, is_active=True, office__isnull=False)
        .order_by("username")
        .distinct()
    ):
        by_office.setdefault(user.office_id, []).append(user)  # type: ignore[arg-type]
    leads = {
        u.office_id: u
        for u in User.objects.filter(groups__name=roles.OFFICE_LEAD, office__isnull=False)
        .order_by("username")
        .distinct()
    }
    return by_office, leads, created  # type: ignore[return-value]


def sources() -> list[Source]:
    """The forms (with their service's demand) and the services without a form."""
    found: list[Source] = []
    definitions = (
        FormDefinition.objects.filter(is_active=True, service__isnull=False)
        .select_related("service", "office")
        .order_by("slug")
    )
    for definition in definitions:
        version = definition.published_version
        if version is None or definition.service is None:
            continue
        share = FORM_SHARE.get(definition.slug, 1.0)
        found.append(
            Source(
                key=definition.slug,
                office=definition.office,
                service=definition.service,
                definition=definition,
                version=version,
                processing_days=definition.processing_days,
                fee=version.fee_cents,
                weight=max(definition.service.annual_cases, 10) * share,
                fields=tuple(engine.all_fields(version)),
            )
        )
    services = Service.objects.filter(
        leika_key__in=[key for key, _d, _f in SERVICES_WITHOUT_FORM], office__isnull=False
    ).select_related("office")
    by_key = {s.leika_key: s for s in services}
    for key, days, fee in SERVICES_WITHOUT_FORM:
        service = by_key.get(key)
        if service is None or service.office is None:
            continue
        found.append(
            Source(
                key=key,
                office=service.office,
                service=service,
                definition=None,
                version=None,
                processing_days=days,
                fee=fee,
                weight=max(service.annual_cases, 10),
            )
        )
    return found


def pick_channel(rng: random.Random, source: Source, progress: float) -> str:
    """The channel of one application; `progress` runs from 0 (a year ago) to 1 (today)."""
    service = source.service
    r = rng.random()
    if source.version is not None:
        if r < 0.38 + 0.36 * progress:
            return Channel.ONLINE
        if r < 0.41 + 0.36 * progress:
            return Channel.PORTAL
    elif service.channel_online and r < 0.10 + 0.10 * progress:
        return Channel.PORTAL
    offline = [
        (Channel.POST, 0.35, service.channel_post),
        (Channel.IN_PERSON, 0.40, service.channel_in_person),
        (Channel.EMAIL, 0.20, service.channel_email),
        (Channel.PHONE, 0.05, service.channel_phone),
    ]
    options = [(c, w) for c, w, allowed in offline if allowed] or [(Channel.POST, 1.0)]
    return str(rng.choices([c for c, _w in options], [w for _c, w in options])[0])


def receive_time(
    rng: random.Random, channel: str, day: dt.date, office: Office
) -> dt.datetime | None:
    """When an application on `channel` arrives on `day`; None if it cannot on that day."""
    if channel in (Channel.ONLINE, Channel.PORTAL, Channel.EMAIL):
        if day.weekday() >= 5 and rng.random() < 0.4:
            return None  # fewer applications at weekends
        hour = rng.choices(range(24), ONLINE_HOURS)[0]
        return _at(day, hour + rng.random())
    if not is_working_day(day):
        return None
    if channel == Channel.POST:
        return _at(day, rng.uniform(8.0, 11.0))  # the morning post, date-stamped
    if channel == Channel.PHONE:
        return _at(day, rng.uniform(8.0, 15.5))
    hours = BUERGERBUERO_HOURS if office.slug == "buergerbuero" else OFFICE_HOURS
    slots = hours.get(day.weekday(), [])
    if not slots:
        return None
    start, end = rng.choice(slots)
    return _at(day, rng.uniform(start, end - 0.1))


# --- one case's history ----------------------------------------------------------------


def _ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": actor_label(user)} if user else None


def _state(at: dt.datetime, actor: User | None, before: str, after: str, **extra: Any) -> Ev:
    return Ev(
        at,
        actor,
        "state",
        f"Status: {State(before).label} → {State(after).label}",
        before={"state": before},
        after={"state": after},
        effect={"state": after, **extra},
    )


def _media(at: dt.datetime, actor: User | None, kind: str, note: str = "") -> Ev:
    return Ev(
        at,
        actor,
        "media_break",
        f"Medienbruch: {MediaBreak.Kind(kind).label}",
        after={"kind": kind, "note": note},
        media=(kind, note),
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} €"


def _payment(at: dt.datetime, plan: Plan, reference: str, provider: str) -> Ev:
    return Ev(
        at,
        None,
        "payment",
        f"Zahlung {reference} über {_amount(plan.fee)}: bezahlt",
        before={"payment_state": PaymentState.OPEN, "payment": "open"},
        after={
            "payment_state": PaymentState.PAID,
            "payment": "paid",
            "reference": reference,
            "amount_cents": plan.fee,
            "provider": provider,
        },
        effect={"payment_state": PaymentState.PAID},
    )


PAPER = (Channel.POST, Channel.IN_PERSON)
ONLINE = (Channel.ONLINE, Channel.PORTAL)


def history(
    plan: Plan,
    rng: random.Random,
    *,
    clerks: list[User],
    lead: User | None,
    waiting: bool | None = None,
    stop: str = "",
    outcome: str = "",
) -> None:
    """The case's whole life as audit-trail lines, in order; cut off later at "now".

    `stop`: "review" or "waiting" ends the history there (a case still being worked).
    """
    events = plan.events
    due = plan.due
    t0 = plan.received
    assignee = rng.choice(clerks)
    registrar = rng.choice(clerks)
    online = plan.channel in ONLINE
    creator = plan.applicant if online else registrar
    events.append(
        Ev(
            t0,
            creator,
            "created",
            f"Eingang über {Channel(plan.channel).label}",
            after={"state": State.RECEIVED, "channel": plan.channel, "demo": True},
        )
    )
    if online and plan.version is not None:
        title = plan.version.definition.title
        events.append(
            Ev(
                t0,
                plan.applicant,
                "submitted",
                f"Online-Antrag „{title}“ (Version {plan.version.number}) abgeschickt, "
                "Dateien im Demo-Bestand nicht gespeichert",
                after={
                    "draft": None,
                    "form": plan.version.definition.slug,
                    "version": plan.version.number,
                    "documents": [],
                    "language": "de",
                },
            )
        )
    pay_reference = f"DEMO-{rng.randint(10**9, 10**10 - 1)}"
    paid_online = False
    if online and plan.fee and rng.random() < 0.92:
        events.append(_payment(later(t0, rng, 1, 6), plan, pay_reference, "demo"))
        paid_online = True
    if plan.channel in PAPER:
        events.append(
            _media(t0, registrar, MediaBreak.Kind.PAPER_RECEIVED, str(Channel(plan.channel).label))
        )
        scanned = work_after(rng, later(t0, rng, 10, 200), 0)
        events.append(_media(scanned, registrar, MediaBreak.Kind.SCANNED))

    # Review starts one to three working days after receipt.
    t1 = work_after(rng, t0, rng.choices([1, 2, 3], [6, 3, 1])[0])
    if t1 <= events[-1].at:  # the scan of the paper came first
        t1 = later(events[-1].at, rng, 5, 60)
    if lead is not None and rng.random() < 0.3:
        events.append(
            Ev(
                t1,
                lead,
                "assigned",
                f"Zugewiesen an {actor_label(assignee)}",
                before={"assignee": None},
                after={"assignee": _ref(assignee)},
                effect={"assignee": assignee},
            )
        )
    else:
        events.append(
            Ev(
                t1,
                assignee,
                "assigned",
                "Vorgang übernommen",
                before={"assignee": None},
                after={"assignee": _ref(assignee)},
                effect={"assignee": assignee},
            )
        )
    t = later(t1, rng, 1, 20)
    events.append(_state(t, assignee, State.RECEIVED, State.IN_REVIEW))
    if online and rng.random() < 0.08:
        t = later(t, rng, 5, 60)
        events.append(_media(t, assignee, MediaBreak.Kind.PRINTED, rng.choice(LATE_NOTES)))
    if stop == "review":
        return

    if waiting is None:
        waiting = rng.random() < (0.25 if plan.has_files else 0.12)
    if waiting:
        t2 = work_after(rng, t, rng.randint(0, 2))
        subject = "Bitte reichen Sie Unterlagen nach"
        if plan.applicant is not None:
            events.append(
                Ev(
                    t2,
                    assignee,
                    "message",
                    f"Unterlagen angefordert: {subject}",
                    after={"subject": subject, "requests_documents": True},
                    message={
                        "direction": CaseMessage.Direction.TO_APPLICANT,
                        "subject": subject,
                        "body": "Für die Entscheidung fehlt uns noch ein Nachweis. Bitte "
                        "laden Sie ihn unter „Meine Anträge“ hoch.",
                        "requests_documents": True,
                    },
                )
            )
        else:
            note = "Nachforderung von Unterlagen per Brief"
            events.append(_media(t2, assignee, MediaBreak.Kind.POSTED, note))
        events.append(_state(later(t2, rng, 0, 2), assignee, State.IN_REVIEW, State.WAITING))
        if stop == "waiting":
            return
        answered = t2 + dt.timedelta(days=rng.randint(2, 15))
        if plan.applicant is not None:
            t3 = answered
            events.append(
                Ev(
                    t3,
                    plan.applicant,
                    "citizen_answer",
                    "Antwort auf Anforderung mit 0 Datei(en)",
                    message={
                        "direction": CaseMessage.Direction.FROM_APPLICANT,
                        "subject": f"Antwort: {subject}",
                        "body": "Anbei der Nachweis (im Demo-Bestand ohne Datei).",
                        "requests_documents": False,
                    },
                )
            )
            t = later(t3, rng, 0, 1)
            events.append(_state(t, plan.applicant, State.WAITING, State.IN_REVIEW))
        else:
            t3 = work_after(rng, answered, 0)
            events.append(_media(t3, assignee, MediaBreak.Kind.PAPER_RECEIVED, "Nachweis per Post"))
            t = later(t3, rng, 5, 90)
            events.append(_media(t, assignee, MediaBreak.Kind.SCANNED))
            t = later(t, rng, 1, 10)
            events.append(_state(t, assignee, State.WAITING, State.IN_REVIEW))
        # The deadline is suspended while the applicant is asked: the clerk moves it on.
        paused = (timezone.localtime(t).date() - timezone.localtime(t2).date()).days
        due = due + dt.timedelta(days=paused)
        t = later(t, rng, 1, 15)
        events.append(
            Ev(
                t,
                assignee,
                "deadline",
                f"Frist gesetzt: {due:%d.%m.%Y}",
                before={"due_date": plan.due.isoformat()},
                after={"due_date": due.isoformat()},
                effect={"due_date": due},
            )
        )

    # The decision: mostly within the processing days (simple cases on the day the review
    # starts), some late, a few very late.
    start = timezone.localtime(t).date()
    r = rng.random()
    if r < 0.82:
        target = start + dt.timedelta(days=rng.randint(0, max(0, (due - start).days)))
        target = max(start, previous_working_day(target))
    elif r < 0.96:
        target = max(start, due) + dt.timedelta(days=rng.randint(1, 10))
    else:
        target = max(start, due) + dt.timedelta(days=rng.randint(11, 40))
    if target == start:
        t4 = work_after(rng, later(t, rng, 20, 120), 0)
    else:
        t4 = desk_time(rng, next_working_day(target))
    if not outcome:
        outcome = rng.choices(
            [Outcome.APPROVED, Outcome.PARTLY, Outcome.REJECTED, Outcome.WITHDRAWN],
            [84, 5, 7, 4],
        )[0]
    events.append(
        Ev(
            t4,
            assignee,
            "decided",
            f"Entschieden: {Outcome(outcome).label}",
            before={"state": State.IN_REVIEW, "outcome": ""},
            after={"state": State.DECIDED, "outcome": outcome},
            effect={"state": State.DECIDED, "outcome": outcome, "decided_at": t4},
        )
    )
    if outcome == Outcome.WITHDRAWN and plan.fee and not paid_online:
        events[-1].effect["payment_state"] = PaymentState.NOT_REQUIRED  # nothing to pay
    t = t4
    by_post = plan.channel in PAPER or (plan.applicant is None and rng.random() < 0.5)
    if by_post and outcome != Outcome.WITHDRAWN:
        t = later(t4, rng, 10, 90)
        events.append(_media(t, assignee, MediaBreak.Kind.POSTED, "Bescheid per Post"))
    if plan.fee and not paid_online and outcome != Outcome.WITHDRAWN:
        t = t + dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
        events.append(_payment(t, plan, pay_reference, "ueberweisung"))
    t5 = work_after(rng, t, rng.randint(0, 5))
    closed_day = timezone.localtime(t5).date()
    if plan.retention_days:
        retention = closed_day + dt.timedelta(days=plan.retention_days)
    else:  # six years without a form, as the back office counts them
        retention = _add_years(closed_day, 6)
    closing = _state(t5, assignee, State.DECIDED, State.CLOSED, closed_at=t5)
    closing.before["retention_until"] = None
    closing.after["retention_until"] = retention.isoformat()
    closing.effect["retention_until"] = retention
    events.append(closing)


# --- the year ----------------------------------------------------------------------------


def plan_year(
    *,
    count: int,
    now: dt.datetime,
    rng: random.Random,
    clerks: dict[int, list[User]],
    leads: dict[int, User],
    citizen: User | None,
) -> list[Plan]:
    """`count` cases received over the 365 days before `now`, plus the citizen's own."""
    found = [s for s in sources() if clerks.get(s.office.pk)]
    if not found:
        return []
    weights = [s.weight for s in found]
    today = timezone.localtime(now).date()
    plans: list[Plan] = []
    while len(plans) < count:
        source = rng.choices(found, weights)[0]
        day = today - dt.timedelta(days=rng.randint(0, 364))
        season = SEASONS.get(source.key, {}).get(day.month, 1.0)
        if rng.random() > season / 2.2:
            continue
        progress = 1 - (today - day).days / 364
        channel = pick_channel(rng, source, progress)
        received = receive_time(rng, channel, day, source.office)
        if received is None or received >= now:
            continue
        plan = new_plan(source, channel, received, rng)
        stalled = 20 < (today - day).days < 150 and rng.random() < 0.03
        history(
            plan,
            rng,
            clerks=clerks[source.office.pk],
            lead=leads.get(source.office.pk),
            stop=rng.choice(["review", "waiting"]) if stalled else "",
            waiting=True if stalled else None,
        )
        plans.append(plan)
    if citizen is not None:
        plans.extend(
            citizen_cases(found, now=now, rng=rng, clerks=clerks, leads=leads, citizen=citizen)
        )
    return plans


def new_plan(
    source: Source,
    channel: str,
    received: dt.datetime,
    rng: random.Random,
    *,
    applicant: User | None = None,
    who: Person | None = None,
) -> Plan:
    who = who or person(rng)
    day = timezone.localtime(received).date()
    if source.version is not None:
        data = form_data(list(source.fields), source.version.schema, who, day, rng)
        subject = engine.subject_for(source.version, data)
        name, email = engine.applicant_for(source.version, data)
        retention = source.definition.retention_days if source.definition else 0
    else:
        data, subject, name = {}, source.service.name, who.name
        email = who.email if channel != Channel.POST or rng.random() < 0.3 else ""
        retention = 0
    online = channel in ONLINE
    return Plan(
        office=source.office,
        channel=channel,
        received=received,
        subject=subject,
        service=source.service,
        version=source.version if channel == Channel.ONLINE else None,
        # Only our own form leaves its data in the case; paper and portals are read by a clerk.
        data=data if channel == Channel.ONLINE else {},
        applicant=applicant,
        applicant_name=name or who.name,
        applicant_email=email if online or channel == Channel.EMAIL or rng.random() < 0.5 else "",
        applicant_address=who.address,
        fee=source.fee,
        due=day + dt.timedelta(days=source.processing_days),
        retention_days=retention,
        has_files=any(f.widget == "file" for f in source.fields),
    )


def citizen_cases(
    found: list[Source],
    *,
    now: dt.datetime,
    rng: random.Random,
    clerks: dict[int, list[User]],
    leads: dict[int, User],
    citizen: User,
) -> list[Plan]:
    """The demo citizen's own applications: closed, in review and one waiting for a document."""
    by_key = {s.key: s for s in found}
    who = Person(citizen.first_name or "Erika", citizen.last_name or "Mustermann", "Lindenweg 7")
    wanted = [
        ("sondernutzung-strasse", 210, "", Outcome.APPROVED),
        ("verlust-melden", 120, "", Outcome.APPROVED),
        ("hund-anmelden", 4, "review", ""),
        ("bewohnerparkausweis", 9, "waiting", ""),
    ]
    plans = []
    for key, days_ago, stop, outcome in wanted:
        source = by_key.get(key)
        if source is None or not clerks.get(source.office.pk):
            continue
        day = timezone.localtime(now).date() - dt.timedelta(days=days_ago)
        received = _at(day, 20.5 + rng.random())
        plan = new_plan(source, Channel.ONLINE, received, rng, applicant=citizen, who=who)
        plan.applicant_email = citizen.email or plan.applicant_email
        history(
            plan,
            rng,
            clerks=clerks[source.office.pk],
            lead=None,
            waiting=stop == "waiting",
            stop=stop,
            outcome=outcome,
        )
        plans.append(plan)
    return plans


# --- writing -----------------------------------------------------------------------------


def _apply(plan: Plan, now: dt.datetime) -> tuple[Case, list[Ev]]:
    """The case row as it stands at `now`, and the history lines up to then."""
    plan.events.sort(key=lambda e: e.at)
    done = [e for e in plan.events if e.at <= now]
    values: dict[str, Any] = {
        "state": State.RECEIVED,
        "assignee": None,
        "outcome": "",
        "decided_at": None,
        "closed_at": None,
        "retention_until": None,
        "payment_state": PaymentState.OPEN if plan.fee else PaymentState.NOT_REQUIRED,
        "due_date": plan.due,
    }
    for event in done:
        values.update(event.effect)
    case = Case(
        office=plan.office,
        channel=plan.channel,
        subject=plan.subject[:300],
        data=plan.data,
        service=plan.service,
        form_version=plan.version,
        applicant=plan.applicant,
        applicant_name=plan.applicant_name[:200],
        applicant_email=plan.applicant_email,
        applicant_address=plan.applicant_address,
        trust_level="niedrig" if plan.applicant is not None else "",
        received_at=plan.received,
        fee_cents=plan.fee,
        version=len([e for e in done if e.action not in ("created", "submitted")]) + 1,
        **values,
    )
    return case, done


def _number(plans: list[tuple[Case, list[Ev]]]) -> None:
    """References in order of receipt, continuing each year's counter."""
    by_year: dict[int, list[Case]] = {}
    for case, _events in sorted(plans, key=lambda p: p[0].received_at):
        by_year.setdefault(timezone.localtime(case.received_at).year, []).append(case)
    for year, cases in by_year.items():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
        for n, case in enumerate(cases, start=counter.last + 1):
            case.reference = f"{REFERENCE_PREFIX}-{year}-{n:06d}"
        ReferenceCounter.objects.filter(year=year).update(last=F("last") + len(cases))


def store(plans: list[Plan], now: dt.datetime) -> tuple[int, int, int]:
    """Write the cases with their trails, media breaks, messages and search words."""
    applied = [_apply(plan, now) for plan in plans]
    _number(applied)
    cases = [case for case, _ in applied]
    Case.objects.bulk_create(cases, batch_size=BATCH)

    breaks: list[tuple[Ev, MediaBreak]] = []
    messages: list[tuple[Ev, CaseMessage]] = []
    for case, events in applied:
        for event in events:
            if event.media:
                kind, note = event.media
                breaks.append(
                    (
                        event,
                        MediaBreak(
                            case_id=case.pk, kind=kind, at=event.at, by=event.actor, note=note
                        ),
                    )
                )
            if event.message:
                messages.append(
                    (event, CaseMessage(case_id=case.pk, author=event.actor, **event.message))
                )
    MediaBreak.objects.bulk_create([b for _, b in breaks], batch_size=BATCH)
    for event, entry in breaks:
        event.after["media_break"] = entry.pk
    _write_messages(messages)

    rows = [
        CaseEvent(
            case_id=case.pk,
            at=event.at,
            actor_id=event.actor.pk if event.actor else None,
            actor_name=event.actor_name or actor_label(event.actor),
            action=event.action,
            summary=event.summary[:500],
            before=event.before,
            after=event.after,
        )
        for case, events in applied
        for event in events
    ]
    CaseEvent.objects.bulk_create(rows, batch_size=BATCH)
    # bulk_create stamps "created"/"modified" with the present; the history says otherwise.
    ids = [case.pk for case in cases]
    last_event = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at").values("at")[:1]
    for start in range(0, len(ids), BATCH):
        Case.objects.filter(pk__in=ids[start : start + BATCH]).update(
            created=F("received_at"), modified=Subquery(last_event)
        )
    index_terms_bulk(cases)  # the inbox search words, as the back office keeps them
    return len(cases), len(rows), len(breaks)


def _write_messages(messages: list[tuple[Ev, CaseMessage]]) -> None:
    if not messages:
        return
    CaseMessage.objects.bulk_create([m for _, m in messages], batch_size=BATCH)
    requests: dict[int, CaseMessage] = {}
    for event, message in messages:
        message.created = event.at
        message.read_at = (
            event.at if message.direction == CaseMessage.Direction.FROM_APPLICANT else None
        )
        if message.requests_documents:
            requests[message.case_id] = message
            event.after["message"] = message.pk
        else:
            request = requests.get(message.case_id)
            if request is not None:
                request.answered_at = request.read_at = event.at
                event.after.update({"message": message.pk, "request": request.pk, "documents": []})
    CaseMessage.objects.bulk_update(
        [m for _, m in messages], ["created", "read_at", "answered_at"], batch_size=BATCH
    )


def already_loaded() -> bool:
    return CaseEvent.objects.filter(action="created", after__demo=True).exists()


@transaction.atomic
def load_cases_demo(
    *, count: int = DEFAULT_COUNT, now: dt.datetime | None = None, seed: int = SEED
) -> CasesDemoResult:
    """Generate the year of demo cases once (see the module docstring)."""
    started = time.perf_counter()
    result = CasesDemoResult()
    if already_loaded():
        result.skipped = True
        return result
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - invented demo data, not secrets
    clerks, leads, result.clerks_created = demo_clerks()
    citizen = User.objects.filter(username="buerger").first()
    plans = plan_year(count=count, now=now, rng=rng, clerks=clerks, leads=leads, citizen=citizen)
    result.cases, result.events, result.media_breaks = store(plans, now)
    result.channels = dict(Counter(p.channel for p in plans))
    result.seconds = time.perf_counter() - started
    return result
