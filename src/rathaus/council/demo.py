"""The council demo of the Hansestadt Buxtehude: an invented, plausible council with its papers.

What it builds (at `scale=1`): the body, the legislative terms from 2016 up to the current one,
the Rat, the Verwaltungsausschuss, eight committees, four Ortsräte, six factions with about 40
members per term, memberships with roles and factions, about 180 meetings over two years (past
ones with results, votes and minutes, upcoming ones with agendas), about 1,000 papers with
consultations through committee, VA and Rat, and a generated PDF for every paper, invitation,
protocol, answer and attachment, whose text is extracted back for the full-text search.
And the public 2020 inquiry about the state of digitalization (the project's seed), received
and unanswered: `seed_inquiry()` returns it.

Everything comes from the files in `fixtures/demo/council/` and one seeded random generator, so
the same data comes out every time. The calendar is laid around an anchor day, the day of the
first load (the body's creation date): about 21 months back and three months ahead, within the
current legislative term. Loading again finds every object by its natural key (body by AGS,
organizations by slug, persons by name, meetings by name and start, papers by reference) and
creates only what is missing, so a second run changes nothing.

`scale` shrinks the calendar and the number of papers (tests use small councils); bodies,
factions and members stay the same at every scale.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import random
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from rathaus.accounts.models import User
from rathaus.core.errors import NotFound, ValidationFailed
from rathaus.core.models import SearchDocument
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)
from rathaus.council.pdf import extract_text
from rathaus.council.services import sync_search_index

logger = logging.getLogger(__name__)

COUNCIL_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "council"
SEED = 1197  # the year Buxtehude was founded; any fixed number keeps the demo reproducible

# The Debian package fonts-dejavu-core (installed by .ci/run); without it the PDFs fall back
# to a core font and latin-1 text.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PAST_DAYS = 640
FUTURE_DAYS = 90
PAPERS_PER_SCALE = 1020
PDF_BATCH = 80

KIND_RAT, KIND_VA, KIND_COMMITTEE, KIND_ORTSRAT = "rat", "va", "committee", "ortsrat"

PAPER_TYPES = ("Beschlussvorlage", "Mitteilungsvorlage", "Antrag", "Anfrage")
PAPER_WEIGHTS = (0.5, 0.17, 0.16, 0.17)

ROLE_CHAIR, ROLE_DEPUTY, ROLE_MEMBER, ROLE_ADVISORY = (
    "Vorsitz",
    "stellv. Vorsitz",
    "Mitglied",
    "beratendes Mitglied",
)

STEP_HEARING = "Anhörung"
STEP_PREPARE = "Vorberatung"
STEP_DECIDE = "Entscheidung"
STEP_NOTE = "Kenntnisnahme"
STEP_ANSWER = "Beantwortung"


# =========================================================================================
# The plan: every object the demo consists of, built without touching the database
# =========================================================================================


@dataclass
class Block:
    """One piece of a generated document: a heading, a paragraph, a list or a table."""

    kind: str  # title, h2, p, list, table, meta, small
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)


@dataclass
class DocPlan:
    name: str
    file_name: str
    date: datetime.date
    header: str
    blocks: list[Block]
    is_public: bool = True
    raw_lines: list[str] | None = None  # the seed letter: printed line by line, unchanged


@dataclass
class PersonPlan:
    name: str
    given_name: str
    family_name: str
    gender: str
    title: str = ""
    real: bool = False  # the seed's author: no generated activity is attributed to them
    life: str = ""
    life_source: str = ""
    status: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    form_of_address: str = ""

    @property
    def salutation(self) -> str:
        return "Frau" if self.gender == "female" else "Herr"


@dataclass
class OrgPlan:
    slug: str
    name: str
    short_name: str
    organization_type: str
    classification: str = ""
    kind: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    start_date: datetime.date | None = None
    post: list[str] = field(default_factory=list)
    location_key: str = ""
    parent: str = ""


@dataclass
class MembershipPlan:
    person: str
    org: str
    role: str
    start: datetime.date
    end: datetime.date | None
    voting_right: bool = True
    on_behalf_of: str = ""


@dataclass
class VotePlan:
    faction: str = ""
    person: str = ""
    choice: str = ""
    yes: int = 0
    no: int = 0
    abstain: int = 0


@dataclass
class ItemPlan:
    order: int
    number: str
    name: str
    public: bool = True
    result: str = ""
    resolution_text: str = ""
    minutes_text: str = ""
    paper_ref: str = ""
    step: str = ""
    votes: list[VotePlan] = field(default_factory=list)


@dataclass
class MeetingPlan:
    org: str
    number: int
    name: str
    start: datetime.datetime
    end: datetime.datetime
    location_key: str
    is_public: bool
    index: int = 0
    cancelled: bool = False
    constituent: bool = False
    state: str = "terminiert"
    invitation_sent_at: datetime.datetime | None = None
    minutes_published_at: datetime.datetime | None = None
    video_provider: str = ""
    video_room: str = ""
    video_public_url: str = ""
    video_meeting_id: str = ""
    participants: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    items: list[ItemPlan] = field(default_factory=list)
    invitation: DocPlan | None = None
    protocol: DocPlan | None = None
    papers: list[tuple[PaperPlan, Step]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, datetime.datetime]:
        return (self.name, self.start)

    @property
    def past(self) -> bool:
        return self.state == "durchgeführt"

    @property
    def dative(self) -> str:
        return self.name.replace("Konstituierende", "konstituierenden", 1)

    @property
    def accusative(self) -> str:
        return self.name.replace("Konstituierende", "konstituierende", 1)


@dataclass
class Step:
    org: str
    role: str
    authoritative: bool
    meeting: MeetingPlan | None = None
    result: str = ""
    item_order: int | None = None


@dataclass
class PaperPlan:
    reference: str
    name: str
    date: datetime.date
    paper_type: str
    topic: dict[str, Any]
    values: dict[str, str]
    is_public: bool = True
    committee: str = ""
    decide: str = ""
    ortsrat: str = ""
    administration: str = ""
    faction: str = ""
    author: str = ""
    keywords: list[str] = field(default_factory=list)
    stances: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    due_date: datetime.date | None = None
    inquiry_status: str = ""
    answer_text: str = ""
    answered_at: datetime.datetime | None = None
    main: DocPlan | None = None
    attachments: list[DocPlan] = field(default_factory=list)
    answer_doc: DocPlan | None = None


@dataclass
class Plan:
    anchor: datetime.date
    now: datetime.datetime
    body: dict[str, Any]
    terms: list[tuple[str, datetime.date, datetime.date]]
    locations: list[dict[str, Any]]
    orgs: dict[str, OrgPlan]
    persons: dict[str, PersonPlan]
    memberships: list[MembershipPlan]
    meetings: list[MeetingPlan]
    papers: list[PaperPlan]
    seed: PaperPlan
    member_account: tuple[str, str] | None  # (username, person name)


# =========================================================================================
# Reading the fixture files
# =========================================================================================


def _read(name: str, data_dir: Path) -> dict[str, Any]:
    path = data_dir / name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"Rats-Demo {name}: Datei nicht lesbar ({exc}).") from exc
    if not isinstance(document, dict):
        raise ValidationFailed(f"Rats-Demo {name}: erwartet ein JSON-Objekt.")
    return document


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


# =========================================================================================
# Small helpers for German text
# =========================================================================================

MONTHS = (
    *("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"),
    *("September", "Oktober", "November", "Dezember"),
)


def de_date(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def de_long_date(day: datetime.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def euro(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " Euro"


def genitive(name: str) -> str:
    """'Ausschuss für Finanzen' -> 'des Ausschusses für Finanzen' (the bodies of the demo)."""
    first, _, rest = name.partition(" ")
    if first.endswith(("ausschuss", "Ausschuss", "rat", "Rat")):
        first += "es"
    return f"des {first} {rest}".strip()


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format_map(values)


# =========================================================================================
# Building the plan
# =========================================================================================


class _Builder:
    def __init__(self, *, scale: float, anchor: datetime.date, data_dir: Path) -> None:
        if scale <= 0:
            raise ValidationFailed("Rats-Demo: scale muss größer als 0 sein.")
        self.scale = scale
        self.anchor = anchor
        self.rng = random.Random(SEED)  # noqa: S311 - invented demo data, not secrets
        self.tz = timezone.get_default_timezone()
        self.council = _read("council.json", data_dir)
        self.texts = _read("papers.json", data_dir)
        self.people = _read("people.json", data_dir)["people"]
        self.data_dir = data_dir
        self.now = self.at(anchor, "06:00")
        self.orgs: dict[str, OrgPlan] = {}
        self.persons: dict[str, PersonPlan] = {}
        self.memberships: list[MembershipPlan] = []
        self.meetings: list[MeetingPlan] = []
        self.by_org: dict[str, list[MeetingPlan]] = defaultdict(list)
        self.papers: list[PaperPlan] = []
        # Seats per term: term start -> faction slug -> list of person names (order = rank).
        self.faction_members: dict[datetime.date, dict[str, list[str]]] = {}
        self.body_members: dict[tuple[datetime.date, str], list[MembershipPlan]] = {}

    # --- time ----------------------------------------------------------------------------

    def at(self, day: datetime.date, clock: str) -> datetime.datetime:
        hour, minute = (int(p) for p in clock.split(":"))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def terms(self) -> list[tuple[str, datetime.date, datetime.date]]:
        spec = self.council["terms"]
        start = _date(spec["first_start"])
        years = int(spec["years"])
        result: list[tuple[str, datetime.date, datetime.date]] = []
        while start <= self.anchor or not result:
            end = start.replace(year=start.year + years) - datetime.timedelta(days=1)
            name = spec["name"].format(start=start.year, end=start.year + years)
            result.append((name, start, end))
            start = start.replace(year=start.year + years)
        return result

    def term_of(self, day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
        for term in self.terms_list:
            if term[1] <= day <= term[2]:
                return term
        return self.terms_list[0] if day < self.terms_list[0][1] else self.terms_list[-1]

    def in_break(self, day: datetime.date) -> bool:
        md = (day.month, day.day)
        for start, end in self.council["breaks"]:
            a = tuple(int(p) for p in start.split("-"))
            b = tuple(int(p) for p in end.split("-"))
            if (a <= md <= b) if a <= b else (md >= a or md <= b):
                return True
        return False

    # --- the whole plan --------------------------------------------------------------------

    def build(self) -> Plan:
        self.terms_list = self.terms()
        current = self.terms_list[-1]
        past = max(21, round(PAST_DAYS * self.scale))
        future = max(28, round(FUTURE_DAYS * self.scale))
        self.window_start = self.anchor - datetime.timedelta(days=past)
        self.window_end = min(self.anchor + datetime.timedelta(days=future), current[2])
        self._organizations()
        self._people_and_memberships()
        self._schedule_meetings()
        self._papers()
        self._agendas()
        self._documents()
        seed = self._seed()
        account = self.council.get("member_account") or {}
        member = (account["username"], self.member_person) if account else None
        return Plan(
            anchor=self.anchor,
            now=self.now,
            body=self.council["body"],
            terms=self.terms_list,
            locations=self.council["locations"],
            orgs=self.orgs,
            persons=self.persons,
            memberships=self.memberships,
            meetings=self.meetings,
            papers=self.papers,
            seed=seed,
            member_account=member,
        )

    # --- organizations ---------------------------------------------------------------------

    def _organizations(self) -> None:

        for body in self.council["bodies"]:
            self.orgs[body["slug"]] = OrgPlan(
                slug=body["slug"],
                name=body["name"],
                short_name=body["short_name"],
                organization_type=Organization.Type.COMMITTEE,
                classification=body["classification"],
                kind=body["kind"],
                config=body,
                start_date=_date(body["start_date"]) if body.get("start_date") else None,
                post=body.get("post") or [ROLE_CHAIR, ROLE_DEPUTY, ROLE_MEMBER, ROLE_ADVISORY],
                location_key=body["location"],
                parent="rat" if body["kind"] in (KIND_VA, KIND_COMMITTEE) else "",
            )
        for faction in self.council["factions"]:
            self.orgs[faction["slug"]] = OrgPlan(
                slug=faction["slug"],
                name=faction["name"],
                short_name=faction["short_name"],
                organization_type=Organization.Type.FACTION,
                classification="Fraktion",
                kind="faction",
                config=faction,
                post=[ROLE_CHAIR, ROLE_DEPUTY, ROLE_MEMBER],
            )
        for unit in self.council["administration"]:
            self.orgs[unit["slug"]] = OrgPlan(
                slug=unit["slug"],
                name=unit["name"],
                short_name=unit["short_name"],
                organization_type=Organization.Type.ADMINISTRATION,
                classification="Verwaltung",
                kind="administration",
                config=unit,
            )

    def bodies(self, *kinds: str) -> list[OrgPlan]:
        return [o for o in self.orgs.values() if o.kind in kinds]

    def factions(self) -> list[OrgPlan]:
        return [o for o in self.orgs.values() if o.kind == "faction"]

    def seats(self, faction: OrgPlan, term_start: datetime.date) -> int:
        table = faction.config["seats"]
        years = sorted(int(y) for y in table)
        chosen = years[0]
        for year in years:
            if year <= term_start.year:
                chosen = year
        return int(table[str(chosen)])

    # --- people and memberships ------------------------------------------------------------

    def _person(self, spec: dict[str, Any], *, real: bool = False) -> PersonPlan:
        title = spec.get("title", "")
        name = " ".join(p for p in (title, spec["given_name"], spec["family_name"]) if p)
        person = PersonPlan(
            name=name,
            given_name=spec["given_name"],
            family_name=spec["family_name"],
            gender=spec["gender"],
            title=title,
            real=real,
        )
        person.form_of_address = spec.get("form_of_address") or person.salutation
        if not real:
            person.emails = [
                f"{_ascii(spec['given_name'])}.{_ascii(spec['family_name'])}@rat.buxtehude.example"
            ]
        self.persons[name] = person
        return person

    def _people_and_memberships(self) -> None:
        rng = self.rng
        pool = [dict(p) for p in self.people]
        # Fixed roles for parts of the list: Ortsrat-only members, co-opted members, the rest
        # stands for the Rat.
        ortsrat_bodies = self.bodies(KIND_ORTSRAT)
        advisory_specs = [
            (body, label)
            for body in self.bodies(KIND_COMMITTEE)
            for label in body.config.get("advisory", [])
        ]
        ortsrat_only = sum(int(b.config["seats"]) - 3 for b in ortsrat_bodies)
        reserved = ortsrat_only + len(advisory_specs)
        if len(pool) <= reserved + 40:
            raise ValidationFailed("Rats-Demo people.json: zu wenige Namen für Rat und Ortsräte.")
        council_pool = [self._person(p) for p in pool[: len(pool) - reserved]]
        ortsrat_pool = [
            self._person(p) for p in pool[len(pool) - reserved : len(pool) - len(advisory_specs)]
        ]
        advisory_pool = [self._person(p) for p in pool[len(pool) - len(advisory_specs) :]]

        seed = self.council["seed"]
        author = self._person(seed["author"], real=True)
        author.life_source = seed["author"]["source"]

        factions = self.factions()
        # Each person of the council pool belongs to one faction for good, in turn by size.
        fresh: dict[str, list[PersonPlan]] = {f.slug: [] for f in factions}
        weights = [max(self.seats(f, t[1]) for t in self.terms_list) for f in factions]
        for person in council_pool:
            slug = rng.choices([f.slug for f in factions], weights=weights)[0]
            fresh[slug].append(person)
        retired: dict[str, list[str]] = {f.slug: [] for f in factions}
        previous: dict[str, list[str]] = {f.slug: [] for f in factions}
        account = self.council.get("member_account") or {}
        self.member_person = ""

        for t_index, (_name, start, end) in enumerate(self.terms_list):
            current = t_index == len(self.terms_list) - 1
            m_end = None if current else end
            members: dict[str, list[str]] = {}
            for faction in factions:
                seats = self.seats(faction, start)
                keep = [n for n in previous[faction.slug] if not self.persons[n].real]
                keep = [n for n in keep if rng.random() < 0.72][:seats]
                for n in previous[faction.slug]:
                    if n not in keep and not self.persons[n].real:
                        retired[faction.slug].append(n)
                chosen = list(keep)
                if faction.slug == seed["faction"] and start == _date(seed["term_start"]):
                    chosen.insert(0, author.name)  # the seed's author chaired this faction
                while len(chosen) < seats:
                    if fresh[faction.slug]:
                        chosen.append(fresh[faction.slug].pop(0).name)
                    elif retired[faction.slug]:
                        chosen.append(retired[faction.slug].pop(0))
                    else:  # borrow a name from the largest remaining pool
                        donor = max(fresh, key=lambda s: len(fresh[s]))
                        if not fresh[donor]:
                            raise ValidationFailed("Rats-Demo people.json: Namen reichen nicht.")
                        chosen.append(fresh[donor].pop(0).name)
                members[faction.slug] = chosen[:seats]
                previous[faction.slug] = chosen[:seats]
            self.faction_members[start] = members
            if current and account:
                # The demo account of a council member sits in the bodies named in the file.
                candidates = [n for n in members[account["faction"]] if not self.persons[n].real]
                self.member_person = candidates[min(2, len(candidates) - 1)]
            self._term_memberships(
                start=start,
                end=m_end,
                members=members,
                ortsrat_pool=ortsrat_pool,
                advisory_specs=advisory_specs,
                advisory_pool=advisory_pool,
                account=account,
            )

        # Only people with a seat somewhere become persons; their status says where they sit.
        used = {m.person for m in self.memberships}
        self.persons = {n: p for n, p in self.persons.items() if n in used}
        current_rat = {m.person for m in self.memberships if m.org == "rat" and m.end is None}
        former_rat = {m.person for m in self.memberships if m.org == "rat"} - current_rat
        for person in self.persons.values():
            female = person.gender == "female"
            if person.name in current_rat:
                person.status = ["Ratsfrau" if female else "Ratsherr"]
            elif person.name in former_rat:
                person.status = ["ehemalige Ratsfrau" if female else "ehemaliger Ratsherr"]
            elif not person.status:
                person.status = ["Ortsratsmitglied"]
            if not person.real:
                person.life = self._life(person)

    def _term_memberships(
        self,
        *,
        start: datetime.date,
        end: datetime.date | None,
        members: dict[str, list[str]],
        ortsrat_pool: list[PersonPlan],
        advisory_specs: list[tuple[OrgPlan, str]],
        advisory_pool: list[PersonPlan],
        account: dict[str, Any],
    ) -> None:
        rng = self.rng
        factions = sorted(self.factions(), key=lambda f: -self.seats(f, start))
        add = self.memberships.append

        def member(
            person: str, org: str, role: str, *, behalf: str = "", voting: bool = True
        ) -> None:
            m = MembershipPlan(person, org, role, start, end, voting, behalf)
            add(m)
            self.body_members.setdefault((start, org), []).append(m)

        # Factions and the Rat.
        for faction in factions:
            for rank, name in enumerate(members[faction.slug]):
                role = ROLE_CHAIR if rank == 0 else ROLE_DEPUTY if rank == 1 else ROLE_MEMBER
                member(name, faction.slug, role)
        rat_chair = members[factions[0].slug][1 if len(members[factions[0].slug]) > 2 else 0]
        rat_deputy = members[factions[1].slug][1 if len(members[factions[1].slug]) > 2 else 0]
        for faction in factions:
            for name in members[faction.slug]:
                role = (
                    ROLE_CHAIR
                    if name == rat_chair
                    else ROLE_DEPUTY
                    if name == rat_deputy
                    else ROLE_MEMBER
                )
                member(name, "rat", role, behalf=faction.slug)

        # Committees and the VA: seats by d'Hondt; factions without a seat get an advisory one.
        load: Counter[str] = Counter()
        chair_order = self._dhondt({f.slug: self.seats(f, start) for f in factions}, 20)
        committees = [
            b
            for b in self.bodies(KIND_VA, KIND_COMMITTEE)
            if not b.start_date or b.start_date <= start
        ]
        for c_index, body in enumerate(committees):
            size = int(body.config["seats"])
            allocation = Counter(
                self._dhondt({f.slug: self.seats(f, start) for f in factions}, size)
            )
            chosen: list[tuple[str, str]] = []
            for faction in factions:
                pool = [n for n in members[faction.slug] if not self.persons[n].real]
                if not pool:
                    continue
                pool.sort(key=lambda n: (load[n], rng.random()))
                wanted = (
                    account
                    and faction.slug == account.get("faction")
                    and body.slug in account.get("bodies", [])
                    and self.member_person in pool
                    and end is None
                )
                if wanted:
                    pool.remove(self.member_person)
                    pool.insert(0, self.member_person)
                count = allocation[faction.slug]
                for name in pool[: max(count, 1)]:
                    chosen.append((name, faction.slug if count else ""))
                    load[name] += 1
            chair_faction = chair_order[c_index % len(chair_order)]
            chair = next((n for n, f in chosen if f == chair_faction), "")
            deputy = next((n for n, f in chosen if f and f != chair_faction), "")
            for name, faction_slug in chosen:
                if not faction_slug:
                    own = next(f.slug for f in factions if name in members[f.slug])
                    member(name, body.slug, ROLE_ADVISORY, behalf=own, voting=False)
                    continue
                role = ROLE_MEMBER
                if body.kind != KIND_VA and name == chair:
                    role = ROLE_CHAIR
                elif name == deputy:
                    role = ROLE_DEPUTY
                member(name, body.slug, role, behalf=faction_slug)
        for (body, _label), person in zip(advisory_specs, advisory_pool, strict=True):
            if body.start_date and body.start_date > start:
                continue
            person.status = ["hinzugewähltes Mitglied"]
            member(person.name, body.slug, ROLE_ADVISORY, voting=False)

        # Ortsräte: three council members who live there and members elected only there.
        council_names = [n for f in factions for n in members[f.slug] if not self.persons[n].real]
        offset = 0
        for o_index, body in enumerate(self.bodies(KIND_ORTSRAT)):
            size = int(body.config["seats"])
            local = council_names[o_index * 3 + 1 :: 11][:3]
            others = ortsrat_pool[offset : offset + size - len(local)]
            offset += size - len(local)
            for rank, name in enumerate([*[p.name for p in others], *local]):
                behalf = next(
                    (f.slug for f in factions if name in members[f.slug]),
                    factions[rank % 4].slug,
                )
                role = ROLE_CHAIR if rank == 0 else ROLE_DEPUTY if rank == 1 else ROLE_MEMBER
                member(name, body.slug, role, behalf=behalf)

    @staticmethod
    def _dhondt(votes: dict[str, int], seats: int) -> list[str]:
        quotients = sorted(
            (
                (v / d, -i, slug)
                for i, (slug, v) in enumerate(votes.items())
                for d in range(1, seats + 1)
            ),
            reverse=True,
        )
        return [slug for _q, _i, slug in quotients[:seats]]

    def _life(self, person: PersonPlan) -> str:
        rng = self.rng
        jobs = (
            "Tischlermeisterin" if person.gender == "female" else "Tischlermeister",
            "Lehrerin" if person.gender == "female" else "Lehrer",
            "Krankenpflegerin" if person.gender == "female" else "Krankenpfleger",
            "Landwirtin" if person.gender == "female" else "Landwirt",
            "Verwaltungsfachwirtin" if person.gender == "female" else "Verwaltungsfachwirt",
            "Ingenieurin" if person.gender == "female" else "Ingenieur",
            "Steuerberaterin" if person.gender == "female" else "Steuerberater",
            "Einzelhandelskauffrau" if person.gender == "female" else "Einzelhandelskaufmann",
            "Sozialpädagogin" if person.gender == "female" else "Sozialpädagoge",
            "Rentnerin" if person.gender == "female" else "Rentner",
            "Studentin" if person.gender == "female" else "Student",
        )
        year = rng.randint(1952, 2001)
        job = rng.choice(jobs)
        place = rng.choice(self.texts["pools"]["ortsteil"])
        family = rng.choice(
            ("verheiratet, zwei Kinder", "verheiratet", "ledig", "ein Kind", "drei Kinder", "")
        )
        hobby = rng.choice(
            (
                "Engagiert in der Freiwilligen Feuerwehr.",
                "Trainiert eine Jugendmannschaft im Fußball.",
                "Aktiv im Heimatverein.",
                "Singt im Kirchenchor.",
                "Ehrenamtlich bei der Tafel tätig.",
                "",
            )
        )
        parts = [
            f"Jahrgang {year}, {job}, wohnt in {place}.",
            family and family[0].upper() + family[1:] + ".",
            hobby,
        ]
        return " ".join(p for p in parts if p)

    def members_at(self, org: str, day: datetime.date) -> list[MembershipPlan]:
        term = self.term_of(day)
        return self.body_members.get((term[1], org), [])

    def faction_of(self, person: str, day: datetime.date) -> str:
        term = self.term_of(day)
        for slug, names in self.faction_members.get(term[1], {}).items():
            if person in names:
                return slug
        for m in self.body_members.get((term[1], "rat"), []):
            if m.person == person:
                return m.on_behalf_of
        return ""

    def label(self, person: str, day: datetime.date) -> str:
        """'Ratsfrau Nagel (CDU)': how minutes name a member."""
        p = self.persons[person]
        faction = self.faction_of(person, day)
        is_council = any(m.person == person for m in self.members_at("rat", day))
        if is_council:
            prefix = "Ratsfrau" if p.gender == "female" else "Ratsherr"
            text = f"{prefix} {p.family_name}"
        else:
            text = f"{p.salutation} {p.family_name}"
        short = self.orgs[faction].short_name if faction else ""
        return f"{text} ({short})" if short else text

    # --- meetings --------------------------------------------------------------------------

    def _schedule_meetings(self) -> None:
        rng = self.rng
        hybrid_since = _date(self.council["hybrid_council_since"])
        bodies = self.bodies(KIND_RAT, KIND_VA, KIND_COMMITTEE, KIND_ORTSRAT)
        for body in bodies:
            cfg = body.config
            interval = 320 / float(cfg["per_year"])
            day = self.window_start + datetime.timedelta(days=rng.uniform(0, interval))
            dates: list[datetime.date] = []
            while day <= self.window_end:
                day += datetime.timedelta(days=(int(cfg["weekday"]) - day.weekday()) % 7)
                while self.in_break(day):
                    day += datetime.timedelta(days=7)
                if day > self.window_end:
                    break
                if not body.start_date or day >= body.start_date:
                    dates.append(day)
                day += datetime.timedelta(days=interval * rng.uniform(0.85, 1.15))
            # A new term starts with a constituent meeting of the Rat within two weeks.
            if body.kind == KIND_RAT:
                for _n, t_start, _e in self.terms_list:
                    if self.window_start <= t_start <= self.window_end:
                        first = t_start + datetime.timedelta(days=(7 - t_start.weekday()) % 7 + 1)
                        dates = [d for d in dates if abs((d - first).days) > 10]
                        if first <= self.window_end:
                            dates.append(first)
                dates.sort()
            for day in dates:
                self._meeting(body, day, interval, hybrid_since)
        self.meetings.sort(key=lambda m: (m.start, m.org))
        for index, meeting in enumerate(self.meetings):
            meeting.index = index
            self._meeting_state(meeting)
        for meeting in self.meetings:
            self.by_org[meeting.org].append(meeting)

    def _meeting(
        self, body: OrgPlan, day: datetime.date, interval: float, hybrid_since: datetime.date
    ) -> None:
        cfg = body.config
        term = self.term_of(day)
        number = 1 + int((day - max(term[1], body.start_date or term[1])).days / interval)
        start = self.at(day, cfg["time"])
        end = start + datetime.timedelta(minutes=int(cfg["minutes"]) * self.rng.uniform(0.6, 1.1))
        end = end.replace(minute=end.minute - end.minute % 5, second=0, microsecond=0)
        meeting = MeetingPlan(
            org=body.slug,
            number=number,
            name=f"{number}. Sitzung {genitive(body.name)}",
            start=start,
            end=end,
            location_key=body.location_key,
            is_public=bool(cfg["public"]),
        )
        if body.kind == KIND_RAT and day >= term[1] and (day - term[1]).days <= 14:
            meeting.constituent = True
            meeting.number = 1
            meeting.name = f"Konstituierende Sitzung {genitive(body.name)}"
        video = cfg.get("video", "none")
        count = len([m for m in self.meetings if m.org == body.slug])
        self.meetings.append(meeting)
        token = f"{self.rng.getrandbits(24):06x}"
        prefix = self.council["video"]["jitsi_room_prefix"]
        if video == "public" and day >= hybrid_since:
            meeting.video_provider = "bbb"
            meeting.video_meeting_id = f"{prefix}-{body.slug}-{day:%Y%m%d}-{token}"
            meeting.video_room = meeting.name
            meeting.video_public_url = self.council["video"]["public_stream"].format(
                date=f"{day:%Y-%m-%d}"
            )
        elif video == "all" or (
            video.startswith("every-") and count % int(video[6:]) == int(video[6:]) - 1
        ):
            meeting.video_provider = "jitsi"
            meeting.video_room = f"{prefix}-{body.slug}-{day:%Y%m%d}-{token}"

    def _meeting_state(self, meeting: MeetingPlan) -> None:
        rng = self.rng
        i = meeting.index
        body = self.orgs[meeting.org]
        if body.kind in (KIND_COMMITTEE, KIND_ORTSRAT) and i % 47 == 20:
            meeting.cancelled = True
            return
        # Invitations go out a week or two ahead; some only a few days before (the monitor
        # reports those as late).
        ahead = rng.randint(4, 6) if i % 11 == 5 else rng.randint(8, 15)
        sent = meeting.start - datetime.timedelta(days=ahead)
        sent = sent.replace(hour=rng.randint(9, 15), minute=rng.choice((0, 15, 30, 45)))
        if sent <= self.now:
            meeting.invitation_sent_at = sent
            meeting.state = "eingeladen"
        if meeting.start > self.now:
            return
        meeting.state = "durchgeführt"
        # Minutes within three weeks as a rule; some take one or two months.
        delay = rng.randint(25, 60) if i % 7 == 3 else rng.randint(4, 20)
        published = meeting.end + datetime.timedelta(days=delay)
        published = published.replace(
            hour=rng.randint(8, 16), minute=rng.choice((0, 10, 20, 30, 40, 50))
        )
        if published <= self.now:
            meeting.minutes_published_at = published
        members = [
            m
            for m in self.members_at(meeting.org, meeting.start.date())
            if not self.persons[m.person].real
        ]
        names = list(dict.fromkeys(m.person for m in members))
        absent = (
            set(rng.sample(names, k=min(len(names) // 6, rng.randint(0, 3)))) if names else set()
        )
        meeting.participants = [n for n in names if n not in absent]
        meeting.absent = sorted(absent)

    def next_meeting(self, org: str, after: datetime.date) -> MeetingPlan | None:
        for meeting in self.by_org.get(org, []):
            if meeting.start.date() >= after and not meeting.cancelled and not meeting.constituent:
                return meeting
        return None

    # --- papers ----------------------------------------------------------------------------

    def _values(self, year: int) -> dict[str, str]:
        rng = self.rng
        pools = self.texts["pools"]
        strasse, strasse2 = rng.sample(pools["strasse"], 2)
        produkt = rng.choice(pools["produkt"])
        start = rng.randint(10, 25)
        auslegung_start = datetime.date(year, rng.randint(1, 10), start)
        auslegung_end = auslegung_start + datetime.timedelta(days=31)
        half = rng.choice(("ersten", "zweiten"))
        return {
            "strasse": strasse,
            "strasse2": strasse2,
            "ortsteil": rng.choice(pools["ortsteil"]),
            "schule": rng.choice(pools["schule"]),
            "kita": rng.choice(pools["kita"]),
            "sportstaette": rng.choice(pools["sportstaette"]),
            "feuerwehr": rng.choice(pools["feuerwehr"]),
            "flurname": rng.choice(pools["flurname"]),
            "spielplatz": rng.choice(pools["spielplatz"]),
            "verein": rng.choice(pools["verein"]),
            "produkt": produkt,
            "produkt_name": produkt.split(" ", 1)[1],
            "quartal": rng.choice(pools["quartal"]),
            "fachgruppe": rng.choice(pools["fachgruppe"]),
            "stelle": rng.choice(pools["stelle"]),
            "strassenname": rng.choice(pools["strassenname"]),
            "bplan": str(rng.randint(20, 180)),
            "anzahl": str(rng.randint(3, 12)),
            "prozent": str(rng.randint(8, 60)),
            "anteil": str(rng.randint(20, 35)),
            "quote": str(rng.randint(72, 94)),
            "jahr": str(year),
            "vorjahr": str(year - 1),
            "folgejahr": str(year + 1),
            "jahr4": str(year + 4),
            "schuljahr": f"{year + 1}/{(year + 2) % 100:02d}",
            "monat": f"{MONTHS[rng.randint(0, 11)]} {year + 1}",
            "auslegung": f"vom {de_date(auslegung_start)} bis {de_date(auslegung_end)}",
            "halbjahr": f"{half} Halbjahr {year}",
            "hebesatz_a": str(rng.randint(38, 48) * 10),
            "hebesatz_b": str(rng.randint(40, 52) * 10 + 5),
            "fahrzeugalter": str(rng.randint(24, 32)),
        }

    def _betrag(self, topic: dict[str, Any], values: dict[str, str]) -> None:
        low, high = topic.get("betrag", [20000, 400000])
        amount = round(self.rng.uniform(low, high), -3)
        values["betrag"] = euro(int(amount))
        values["betrag_klein"] = euro(int(round(amount * self.rng.uniform(0.05, 0.2), -3)))
        values["_betrag"] = str(int(amount))

    def _papers(self) -> None:
        rng = self.rng
        count = max(12, round(PAPERS_PER_SCALE * self.scale))
        first = self.window_start - datetime.timedelta(days=21)
        last = self.window_end - datetime.timedelta(days=10)
        span = max(1, (last - first).days)
        drafts = []
        for i in range(count):
            # The first few cover every type, so that even a tiny demo has one of each.
            kind = (
                PAPER_TYPES[i]
                if i < len(PAPER_TYPES)
                else rng.choices(PAPER_TYPES, PAPER_WEIGHTS)[0]
            )
            day = first + datetime.timedelta(days=rng.randint(0, span))
            while day.weekday() >= 5:
                day -= datetime.timedelta(days=1)
            drafts.append((day, i, kind))
        drafts.sort()
        numbers: Counter[int] = Counter()
        used_annual: set[tuple[str, int]] = set()
        seed_ref = self.council["seed"]["reference"]
        for day, _i, kind in drafts:
            numbers[day.year] += 1
            reference = f"{day.year}/{numbers[day.year]:03d}"
            if reference == seed_ref:
                numbers[day.year] += 1
                reference = f"{day.year}/{numbers[day.year]:03d}"
            topics = self.texts[kind]
            topic = rng.choice(topics)
            for _ in range(10):
                if not topic.get("annual") or (topic["title"], day.year) not in used_annual:
                    break
                topic = rng.choice(topics)
            if topic.get("annual"):
                used_annual.add((topic["title"], day.year))
            self.papers.append(self._paper(reference, day, kind, topic))

    def _paper(
        self, reference: str, day: datetime.date, kind: str, topic: dict[str, Any]
    ) -> PaperPlan:
        rng = self.rng
        values = self._values(day.year)
        self._betrag(topic, values)
        committee = topic["committee"]
        if committee not in self.orgs or (
            self.orgs[committee].start_date and self.orgs[committee].start_date > day  # type: ignore[operator]
        ):
            committee = "finanzen"
        paper = PaperPlan(
            reference=reference,
            name=_fill(topic["title"], values),
            date=day,
            paper_type=kind,
            topic=topic,
            values=values,
            is_public=topic.get("public", True),
            committee=committee,
            decide=topic.get("decide", "committee"),
            administration=self.orgs[committee].config["administration"],
            keywords=list(topic.get("keywords", [])),
        )
        ortsteil = values["ortsteil"]
        ortsrat = next(
            (b.slug for b in self.bodies(KIND_ORTSRAT) if b.config.get("ortsteil") == ortsteil), ""
        )
        if topic.get("ortsrat") and ortsrat:
            paper.ortsrat = ortsrat
        factions = self.factions()
        term = self.term_of(day)
        if kind in ("Antrag", "Anfrage"):
            weights = [self.seats(f, term[1]) + 3 for f in factions]
            faction = rng.choices(factions, weights=weights)[0]
            paper.faction = faction.slug
            names = [
                n for n in self.faction_members[term[1]][faction.slug] if not self.persons[n].real
            ]
            paper.author = names[0] if names else ""
            paper.name = f"{paper.name} ({faction.short_name})"
        # Who votes how: a faction's stance holds through all bodies of the paper.
        if kind == "Beschlussvorlage":
            stances = {f.slug: "yes" for f in factions}
            if rng.random() < 0.35:
                for f in rng.sample(factions, rng.randint(1, 2)):
                    stances[f.slug] = rng.choice(("no", "abstain"))
        elif kind == "Antrag":
            stances = {}
            for f in factions:
                if f.slug == paper.faction:
                    stances[f.slug] = "yes"
                else:
                    stances[f.slug] = rng.choices(("yes", "no", "abstain"), (0.5, 0.38, 0.12))[0]
        else:
            stances = {}
        paper.stances = stances
        self._schedule(paper)
        if kind == "Anfrage":
            paper.questions = [_fill(q, values) for q in topic["questions"]]
            paper.due_date = day + datetime.timedelta(days=28)
        return paper

    def _path(self, paper: PaperPlan) -> list[Step]:
        steps: list[Step] = []
        kind = paper.paper_type
        if paper.ortsrat and paper.is_public:
            steps.append(Step(paper.ortsrat, STEP_HEARING, False))
        if kind == "Mitteilungsvorlage":
            return [*steps, Step(paper.committee, STEP_NOTE, False)]
        if kind == "Anfrage":
            body = "rat" if self.rng.random() < 0.25 else paper.committee
            return [Step(body, STEP_ANSWER, False)]
        decide = paper.decide
        if decide == "committee":
            return [*steps, Step(paper.committee, STEP_DECIDE, True)]
        steps.append(Step(paper.committee, STEP_PREPARE, False))
        if decide == "va":
            return [*steps, Step("verwaltungsausschuss", STEP_DECIDE, True)]
        steps.append(Step("verwaltungsausschuss", STEP_PREPARE, False))
        return [*steps, Step("rat", STEP_DECIDE, True)]

    def _schedule(self, paper: PaperPlan) -> None:
        rng = self.rng
        earliest = paper.date + datetime.timedelta(days=rng.randint(7, 16))
        pending = self._path(paper)
        done: list[Step] = []
        while pending:
            step = pending.pop(0)
            meeting = self.next_meeting(step.org, earliest)
            step.meeting = meeting
            done.append(step)
            if meeting is None:
                # Beyond the calendar: the rest of the path is planned without a date.
                done.extend(pending)
                break
            meeting.papers.append((paper, step))
            if meeting.past and step.role in (STEP_PREPARE, STEP_DECIDE) and rng.random() < 0.04:
                step.result = "vertagt"
                pending.insert(0, Step(step.org, step.role, step.authoritative))
            earliest = meeting.start.date() + datetime.timedelta(days=3)
        paper.steps = done

    # --- agendas, results, votes -----------------------------------------------------------

    def _agendas(self) -> None:
        for meeting in self.meetings:
            if meeting.cancelled:
                continue
            self._agenda(meeting)
        for paper in self.papers:
            self._paper_status(paper)

    def _agenda(self, meeting: MeetingPlan) -> None:
        rng = self.rng
        texts = self.texts["generic"]["agenda"]
        body = self.orgs[meeting.org]
        public_items: list[ItemPlan] = []
        closed_items: list[ItemPlan] = []
        steps: dict[int, Step] = {}

        def standard(name: str, result: str, minutes: str | list[str]) -> None:
            if isinstance(minutes, list):
                minutes = rng.choice(minutes)
            past = meeting.past
            item = ItemPlan(0, "", name, meeting.is_public)
            item.result, item.minutes_text = (result, minutes) if past else ("", "")
            public_items.append(item)

        standard(*texts["opening"])
        standard(*texts["agenda"])
        if meeting.constituent:
            for name in texts["constituent"]:
                standard(name, *texts["constituent_result"])
        else:
            held = [m for m in self.by_org[meeting.org] if m.start < meeting.start]
            held = [m for m in held if not m.cancelled]
            if held:
                name, result, minutes = texts["approval"]
                standard(name.format(datum=de_date(held[-1].start.date())), result, minutes)
        if body.kind != KIND_VA:
            standard(*texts["residents"])
        order = {"Beschlussvorlage": 0, "Antrag": 1, "Mitteilungsvorlage": 2, "Anfrage": 3}
        for paper, step in sorted(
            meeting.papers, key=lambda ps: (order[ps[0].paper_type], ps[0].reference)
        ):
            item = self._paper_item(meeting, paper, step)
            steps[id(item)] = step
            (public_items if item.public else closed_items).append(item)
        standard(*texts["news"])
        if body.kind != KIND_VA:
            standard(*texts["questions"])
        # Public meetings number their parts "Ö 1 …" and "N 1 …"; private ones just count.
        for n, item in enumerate(public_items, start=1):
            item.number = f"Ö {n}" if meeting.is_public else str(n)
        for n, item in enumerate(closed_items, start=1):
            item.number = f"N {n}" if meeting.is_public else str(len(public_items) + n)
        meeting.items = public_items + closed_items
        for position, item in enumerate(meeting.items, start=1):
            item.order = position
            if id(item) in steps:
                steps[id(item)].item_order = position

    def _outcome(self, meeting: MeetingPlan, paper: PaperPlan) -> tuple[str, list[VotePlan], bool]:
        """Counts per faction among the members present; returns (kind, votes, accepted)."""
        day = meeting.start.date()
        present = set(meeting.participants)
        votes: list[VotePlan] = []
        yes = no = abstain = 0
        voters: dict[str, list[str]] = defaultdict(list)
        for m in self.members_at(meeting.org, day):
            if m.voting_right and m.person in present and m.on_behalf_of:
                voters[m.on_behalf_of].append(m.person)
        for faction, names in voters.items():
            stance = paper.stances.get(faction, "yes")
            vote = VotePlan(faction=faction)
            setattr(vote, stance, len(names))
            votes.append(vote)
            yes += vote.yes
            no += vote.no
            abstain += vote.abstain
        unanimous = no == 0 and abstain == 0
        return ("einstimmig" if unanimous else "mehrheitlich"), votes, yes > no

    def _paper_item(self, meeting: MeetingPlan, paper: PaperPlan, step: Step) -> ItemPlan:
        rng = self.rng
        body = self.orgs[meeting.org]
        public = paper.is_public and meeting.is_public
        item = ItemPlan(0, "", paper.name, public, paper_ref=paper.reference, step=step.role)
        topic = paper.topic
        proposal = _fill(topic.get("proposal") or topic.get("request") or "", paper.values)
        if step.role == STEP_DECIDE and proposal:
            item.resolution_text = f"Der {body.name} beschließt:\n{proposal}"
        elif step.role == STEP_PREPARE and proposal:
            target = (
                "den Rat"
                if paper.decide == "rat" and body.kind == KIND_VA
                else (
                    "den Verwaltungsausschuss"
                    if paper.decide == "va"
                    else "den Verwaltungsausschuss und den Rat"
                )
            )
            item.resolution_text = f"Empfehlung an {target}:\n{proposal}"
        if not meeting.past:
            return item
        day = meeting.start.date()
        minutes = [rng.choice(self.texts["generic"]["minutes_intro"])]
        speakers = [n for n in meeting.participants if not self.persons[n].real]
        for template in rng.sample(self.texts["generic"]["minutes_question"], k=rng.randint(0, 2)):
            if speakers:
                minutes.append(template.format(mitglied=self.label(rng.choice(speakers), day)))
        if step.result == "vertagt":
            if speakers:
                minutes.append(
                    self.texts["generic"]["minutes_motion"][1].format(
                        mitglied=self.label(rng.choice(speakers), day)
                    )
                )
            item.result = "vertagt"
            item.resolution_text = ""
            item.minutes_text = "\n".join(minutes)
            return item
        if step.role == STEP_HEARING:
            item.result = rng.choice(("zugestimmt", "zugestimmt", "zugestimmt mit Anregungen"))
            step.result = item.result
        elif step.role == STEP_NOTE:
            item.result = "zur Kenntnis genommen"
            step.result = item.result
        elif step.role == STEP_ANSWER:
            item.result = "beantwortet"
            step.result = item.result
            answers = [_fill(a, paper.values) for a in paper.topic.get("answers", [])]
            minutes.append("Die Verwaltung beantwortet die Anfrage wie folgt: " + " ".join(answers))
        else:
            how, votes, accepted = self._outcome(meeting, paper)
            amended = accepted and rng.random() < 0.08
            if amended and speakers:
                minutes.append(
                    self.texts["generic"]["minutes_motion"][0].format(
                        mitglied=self.label(rng.choice(speakers), day)
                    )
                )
            if step.role == STEP_DECIDE:
                item.result = (
                    "geändert beschlossen"
                    if amended
                    else f"{how} beschlossen"
                    if accepted
                    else "abgelehnt"
                )
            else:
                item.result = f"{how} empfohlen" if accepted else "Ablehnung empfohlen"
            step.result = item.result
            yes = sum(v.yes for v in votes)
            no = sum(v.no for v in votes)
            abstain = sum(v.abstain for v in votes)
            minutes.append(
                f"Abstimmungsergebnis: {yes} Ja-Stimmen, {no} Nein-Stimmen, {abstain} Enthaltungen."
            )
            recorded = how == "mehrheitlich" and (body.kind == KIND_RAT or rng.random() < 0.5)
            if recorded or (body.kind == KIND_RAT and rng.random() < 0.15):
                item.votes = votes
            if (
                body.kind == KIND_RAT
                and how == "mehrheitlich"
                and meeting.index % 3 == 0
                and not any(it.votes and any(v.person for v in it.votes) for it in meeting.items)
            ):
                minutes.append("Auf Antrag einer Fraktion wird namentlich abgestimmt.")
                item.votes = votes + self._named_votes(meeting, paper)
        item.minutes_text = "\n".join(minutes)
        return item

    def _named_votes(self, meeting: MeetingPlan, paper: PaperPlan) -> list[VotePlan]:
        result = []
        present = set(meeting.participants)
        for m in self.members_at(meeting.org, meeting.start.date()):
            if m.person in present and m.voting_right:
                choice = paper.stances.get(m.on_behalf_of, "yes")
                if self.rng.random() < 0.04:
                    choice = "abstain"
                result.append(VotePlan(person=m.person, choice=choice))
        for name in meeting.absent:
            result.append(VotePlan(person=name, choice="absent"))
        return result

    def _paper_status(self, paper: PaperPlan) -> None:
        if paper.paper_type not in ("Antrag", "Anfrage"):
            return
        decided = [
            s
            for s in paper.steps
            if s.meeting and s.meeting.past and s.result and s.result != "vertagt"
        ]
        started = any(s.meeting and s.meeting.past for s in paper.steps)
        final = paper.steps[-1] if paper.steps else None
        if paper.paper_type == "Anfrage":
            if final and final.meeting and final.meeting.past:
                answers = [_fill(a, paper.values) for a in paper.topic.get("answers", [])]
                paper.answer_text = "\n".join(
                    f"Zu {n}: {a}" for n, a in enumerate(answers, start=1)
                )
                paper.answered_at = final.meeting.start
                paper.inquiry_status = "answered"
            elif (self.anchor - paper.date).days > 10:
                paper.inquiry_status = "in_progress"
            else:
                paper.inquiry_status = "received"
            return
        if (
            final
            and final.meeting
            and final.meeting.past
            and final.result
            and final.result != "vertagt"
        ):
            paper.inquiry_status = "answered"
            held = de_date(final.meeting.start.date())
            paper.answer_text = f"{self.orgs[final.org].name}, Sitzung am {held}: {final.result}."
            paper.answered_at = final.meeting.start
        elif started or decided:
            paper.inquiry_status = "in_progress"
        else:
            paper.inquiry_status = "received"

    # --- documents -------------------------------------------------------------------------

    def _documents(self) -> None:
        for meeting in self.meetings:
            if meeting.cancelled:
                continue
            if meeting.invitation_sent_at:
                meeting.invitation = self._invitation(meeting)
            if meeting.minutes_published_at:
                meeting.protocol = self._protocol(meeting)
        for paper in self.papers:
            paper.main = self._paper_doc(paper)
            attachment = paper.topic.get("attachment")
            if attachment and paper.paper_type == "Beschlussvorlage":
                paper.attachments.append(self._attachment(paper, attachment))
            if paper.paper_type == "Anfrage" and paper.inquiry_status == "answered":
                paper.answer_doc = self._answer_doc(paper)

    def _consultation_rows(self, paper: PaperPlan) -> list[list[str]]:
        rows = [["Datum", "Gremium", "Zuständigkeit"]]
        for step in paper.steps:
            when = de_date(step.meeting.start.date()) if step.meeting else "offen"
            rows.append([when, self.orgs[step.org].name, step.role])
        return rows

    def _paper_doc(self, paper: PaperPlan) -> DocPlan:
        rng = self.rng
        topic, values = paper.topic, paper.values
        kind = paper.paper_type
        admin = self.orgs[paper.administration]
        blocks: list[Block] = [Block("title", paper.name)]
        meta = [
            ["Drucksache", paper.reference],
            ["Art", kind],
            ["Datum", de_date(paper.date)],
            ["Status", "öffentlich" if paper.is_public else "nicht öffentlich"],
        ]
        if paper.faction:
            meta.insert(2, ["Einreicher", self.orgs[paper.faction].name])
        else:
            meta.insert(2, ["Federführung", admin.name])
        blocks.append(Block("meta", rows=meta))
        blocks.append(Block("h2", "Beratungsfolge"))
        blocks.append(
            Block("table", rows=self._consultation_rows(paper), widths=[0.18, 0.57, 0.25])
        )
        generic = self.texts["generic"]
        if kind == "Beschlussvorlage":
            blocks += [
                Block("h2", "Beschlussvorschlag"),
                Block("p", _fill(topic["proposal"], values)),
            ]
            blocks.append(Block("h2", "Sachverhalt"))
            blocks += [Block("p", _fill(t, values)) for t in topic["facts"]]
            for pool in ("participation", "schedule"):
                if rng.random() < 0.6:
                    blocks.append(Block("p", _fill(rng.choice(generic[pool]), values)))
            blocks.append(Block("h2", "Finanzielle Auswirkungen"))
            pool = "finance_with" if "betrag" in topic else "finance_none"
            blocks.append(Block("p", _fill(rng.choice(generic[pool]), values)))
            blocks.append(Block("h2", "Auswirkungen auf den Klimaschutz"))
            blocks.append(Block("p", _fill(rng.choice(generic["climate"]), values)))
            if topic.get("attachment"):
                blocks += [
                    Block("h2", "Anlagen"),
                    Block("list", rows=[[f"Anlage 1: {topic['attachment']}"]]),
                ]
            blocks.append(Block("small", f"Hansestadt Buxtehude, {admin.name}"))
        elif kind == "Mitteilungsvorlage":
            blocks.append(Block("h2", "Mitteilung"))
            blocks += [Block("p", _fill(t, values)) for t in topic["facts"]]
            blocks.append(Block("p", _fill(rng.choice(generic["schedule"]), values)))
            blocks.append(Block("h2", "Finanzielle Auswirkungen"))
            blocks.append(Block("p", rng.choice(generic["finance_none"])))
            blocks.append(Block("small", f"Hansestadt Buxtehude, {admin.name}"))
        else:
            faction = self.orgs[paper.faction]
            author = self.persons[paper.author] if paper.author else None
            letters = generic["documents"]
            if kind == "Antrag":
                blocks.append(Block("p", letters["motion_letter"].format(fraktion=faction.name)))
                blocks += [
                    Block("h2", "Beschlussvorschlag"),
                    Block("p", _fill(topic["request"], values)),
                ]
                blocks.append(Block("h2", "Begründung"))
                blocks += [Block("p", _fill(t, values)) for t in topic["reason"]]
            else:
                blocks.append(Block("p", letters["inquiry_letter"].format(fraktion=faction.name)))
                blocks.append(Block("list", rows=[[q] for q in paper.questions]))
                blocks += [Block("h2", "Begründung"), Block("p", _fill(topic["reason"], values))]
            sign = f"Mit freundlichen Grüßen\n{faction.name}"
            if author:
                sign += f"\n{author.name}, Fraktionsvorsitz"
            blocks.append(Block("p", sign))
        label = {"Beschlussvorlage": "Vorlage", "Mitteilungsvorlage": "Mitteilung"}.get(kind, kind)
        return DocPlan(
            name=f"{label} {paper.reference}",
            file_name=f"{_ascii(label)}-{paper.reference.replace('/', '-')}.pdf",
            date=paper.date,
            header=f"{kind} {paper.reference}",
            blocks=blocks,
            is_public=paper.is_public,
        )

    def _attachment(self, paper: PaperPlan, title: str) -> DocPlan:
        rng = self.rng
        values = paper.values
        spec = self.texts["attachments"][title]
        blocks = [
            Block("title", f"Anlage 1 zur Vorlage {paper.reference}: {title}"),
            Block("p", paper.name),
        ]
        if "parts" in spec:  # a cost table that adds up to the paper's amount
            total = int(values.get("_betrag", "100000"))
            shares = [rng.uniform(0.5, 2) for _ in spec["parts"]]
            amounts = [int(total * s / sum(shares) // 100 * 100) for s in shares[:-1]]
            amounts.append(total - sum(amounts))  # the table adds up to the paper's amount
            rows = [["Position", "Betrag"]]
            rows += [[p, euro(a)] for p, a in zip(spec["parts"], amounts, strict=True)]
            rows.append(["Summe", euro(sum(amounts))])
            blocks += [Block("table", rows=rows, widths=[0.65, 0.35]), Block("p", spec["note"])]
        elif "senders" in spec:  # the weighing of objections to a plan
            rows = [["Nr.", "Stellungnahme von", "Inhalt", "Abwägung"]]
            for n, (content, decision) in enumerate(rng.sample(spec["rows"], 4), start=1):
                rows.append([str(n), rng.choice(spec["senders"]), content, decision])
            blocks.append(Block("table", rows=rows, widths=[0.08, 0.22, 0.3, 0.4]))
        elif "rows" in spec:  # a room schedule
            rows = [["Raum", "Anzahl", "Fläche je Raum"]]
            rows += [[room, str(n), f"{size} m²"] for room, n, size in spec["rows"]]
            blocks.append(Block("table", rows=rows, widths=[0.5, 0.2, 0.3]))
        else:  # a site plan, described
            more = {"flur": str(rng.randint(1, 40)), "flurstueck": str(int(values["bplan"]) + 1)}
            blocks += [Block("p", _fill(t, {**values, **more})) for t in spec["text"]]
        return DocPlan(
            name=f"Anlage 1 – {title}",
            file_name=f"anlage-{paper.reference.replace('/', '-')}-{_ascii(title)}.pdf",
            date=paper.date,
            header=f"Anlage zu {paper.reference}",
            blocks=blocks,
            is_public=paper.is_public,
        )

    def _answer_doc(self, paper: PaperPlan) -> DocPlan:
        answers = [_fill(a, paper.values) for a in paper.topic.get("answers", [])]
        faction = self.orgs[paper.faction].name
        blocks = [
            Block("title", f"Antwort der Verwaltung auf die Anfrage {paper.reference}"),
            Block("p", f"Anfrage der {faction} vom {de_date(paper.date)}: {paper.name}"),
        ]
        for n, (question, answer) in enumerate(
            zip(paper.questions, answers, strict=False), start=1
        ):
            blocks += [
                Block("h2", f"Frage {n}"),
                Block("p", question),
                Block("p", f"Antwort: {answer}"),
            ]
        day = paper.answered_at.date() if paper.answered_at else paper.date
        return DocPlan(
            name=f"Antwort zu {paper.reference}",
            file_name=f"antwort-{paper.reference.replace('/', '-')}.pdf",
            date=day,
            header=f"Antwort {paper.reference}",
            blocks=blocks,
            is_public=paper.is_public,
        )

    def _meeting_meta(self, meeting: MeetingPlan) -> list[list[str]]:
        location = next(
            loc for loc in self.council["locations"] if loc["key"] == meeting.location_key
        )
        rows = [
            ["Gremium", self.orgs[meeting.org].name],
            ["Datum", de_long_date(meeting.start.date())],
            ["Beginn", f"{meeting.start.astimezone(self.tz):%H:%M} Uhr"],
            ["Ort", f"{location['description']}, {location['street_address']}, {location['room']}"],
        ]
        if meeting.video_public_url:
            rows.append(["Übertragung", meeting.video_public_url])
        elif meeting.video_provider:
            rows.append(["Video", self.texts["generic"]["documents"]["video_members"]])
        return rows

    def _invitation(self, meeting: MeetingPlan) -> DocPlan:
        body = self.orgs[meeting.org]
        letters = self.texts["generic"]["documents"]
        blocks = [
            Block("title", f"Einladung zur {meeting.dative}"),
            Block("meta", rows=self._meeting_meta(meeting)),
            Block("p", letters["invitation"].format(sitzung=meeting.dative)),
            Block("h2", "Tagesordnung"),
        ]
        rows = []
        for item in meeting.items:
            # A public invitation does not name what is discussed in private.
            shown = item.public or not meeting.is_public
            rows.append([f"{item.number}  {item.name if shown else letters['closed_item']}"])
        if meeting.is_public and any(not i.public for i in meeting.items):
            blocks.append(Block("p", letters["invitation_closed"]))
        blocks.append(Block("list", rows=rows))
        if meeting.invitation_sent_at and (meeting.start - meeting.invitation_sent_at).days < 7:
            blocks.append(Block("p", letters["short_notice"]))
        blocks.append(Block("p", letters["invitation_signature"]))
        day = (
            meeting.invitation_sent_at.date()
            if meeting.invitation_sent_at
            else meeting.start.date()
        )
        return DocPlan(
            name=f"Einladung {body.short_name} {de_date(meeting.start.date())}",
            file_name=f"einladung-{body.slug}-{meeting.start:%Y-%m-%d}.pdf",
            date=day,
            header=f"Einladung {body.short_name}",
            blocks=blocks,
            is_public=meeting.is_public,
        )

    def _protocol(self, meeting: MeetingPlan) -> DocPlan:
        body = self.orgs[meeting.org]
        day = meeting.start.date()
        blocks = [
            Block("title", f"Protokoll über die {meeting.accusative}"),
            Block(
                "meta",
                rows=[
                    *self._meeting_meta(meeting),
                    ["Ende", f"{meeting.end.astimezone(self.tz):%H:%M} Uhr"],
                ],
            ),
            Block("h2", "Anwesend"),
            Block("p", "; ".join(self.label(n, day) for n in meeting.participants) or "–"),
        ]
        if meeting.absent:
            blocks += [
                Block("h2", "Entschuldigt"),
                Block("p", "; ".join(self.label(n, day) for n in meeting.absent)),
            ]
        for item in meeting.items:
            if meeting.is_public and not item.public:
                continue
            blocks.append(Block("h2", f"{item.number}  {item.name}"))
            if item.resolution_text:
                blocks.append(Block("p", item.resolution_text))
            if item.minutes_text:
                blocks.append(Block("p", item.minutes_text))
            if item.result:
                blocks.append(Block("p", f"Ergebnis: {item.result}"))
        blocks.append(Block("small", self.texts["generic"]["documents"]["protocol_signature"]))
        published = meeting.minutes_published_at.date() if meeting.minutes_published_at else day
        return DocPlan(
            name=f"Protokoll {body.short_name} {de_date(day)}",
            file_name=f"protokoll-{body.slug}-{meeting.start:%Y-%m-%d}.pdf",
            date=published,
            header=f"Protokoll {body.short_name}",
            blocks=blocks,
            is_public=meeting.is_public,
        )

    # --- the seed inquiry ------------------------------------------------------------------

    def _seed(self) -> PaperPlan:
        seed = self.council["seed"]
        text = (self.data_dir / seed["file"]).read_text(encoding="utf-8")
        questions = [m.group(2).strip() for m in re.finditer(r"^(\d)\.\s+(.+)$", text, re.M)]
        day = _date(seed["date"])
        paper = PaperPlan(
            reference=seed["reference"],
            name=seed["name"],
            date=day,
            paper_type=seed["paper_type"],
            topic={},
            values={},
            faction=seed["faction"],
            author=next(p.name for p in self.persons.values() if p.real),
            keywords=list(seed.get("keywords", [])),
            questions=questions,
            due_date=_date(seed["due_date"]),
            inquiry_status="received",
            administration="stabsstelle-digitalisierung",
        )
        paper.main = DocPlan(
            name=f"Anfrage {seed['reference']} – Stand der Digitalisierung in der Stadtverwaltung",
            file_name=seed["file"].replace(".txt", ".pdf"),
            date=day,
            header=f"Anfrage {seed['reference']}",
            blocks=[],
            raw_lines=text.splitlines(),
        )
        return paper


# =========================================================================================
# PDF: many documents per fpdf2 run, split into one file each (font set-up once per batch)
# =========================================================================================


_LATIN1 = str.maketrans(
    {
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "²": "2",
        "€": "EUR",
        "\u00a0": " ",
    }
)


class _Renderer:
    """Lays out `DocPlan`s with fpdf2 and hands back one PDF (bytes) per document."""

    MARGIN = 20.0
    WIDTH = 210.0 - 2 * MARGIN
    BOTTOM = 297.0 - 22.0

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_compression(True)
        self.pdf.set_creator("Rathaus")
        self.pdf.set_author("Hansestadt Buxtehude")
        regular = next(
            (d / "DejaVuSans.ttf" for d in FONT_DIRS if (d / "DejaVuSans.ttf").exists()), None
        )
        bold = next(
            (d / "DejaVuSans-Bold.ttf" for d in FONT_DIRS if (d / "DejaVuSans-Bold.ttf").exists()),
            None,
        )
        if regular and bold:
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold))
            self.family = "DejaVu"
            self.unicode = True
        else:  # no Unicode font on this machine: a core font and latin-1 text
            self.family = "helvetica"
            self.unicode = False
        self.widths: dict[tuple[str, float], dict[str, float]] = {}
        self.ranges: list[tuple[int, int]] = []
        self.y = 0.0
        self.style = ""
        self.size = 10.0
        self.header = ""
        self.page_in_doc = 0

    def clean(self, text: str) -> str:
        if self.unicode:
            return text.replace("\u00a0", " ")
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str, size: float) -> None:
        self.style, self.size = style, size
        self.pdf.set_font(self.family, style, size)

    def width(self, text: str) -> float:
        table = self.widths.setdefault((self.style, self.size), {})
        total = 0.0
        for ch in text:
            w = table.get(ch)
            if w is None:
                w = table[ch] = self.pdf.get_string_width(ch)
            total += w
        return total

    def wrap(self, text: str, width: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ")
        for paragraph in self.clean(text).split("\n"):
            current: list[str] = []
            used = 0.0
            for token in paragraph.split(" "):
                word = token
                w = self.width(word)
                while w > width and word:  # a word longer than the line (an address)
                    cut = len(word)
                    while cut > 1 and self.width(word[:cut]) > width:
                        cut -= 1
                    if current:
                        lines.append(" ".join(current))
                        current, used = [], 0.0
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self.width(word)
                if not word:
                    continue
                if current and used + space + w > width:
                    lines.append(" ".join(current))
                    current, used = [word], w
                else:
                    used += (space if current else 0) + w
                    current.append(word)
            lines.append(" ".join(current))
        return lines

    def new_page(self) -> None:
        pdf = self.pdf
        if self.page_in_doc:
            self.footer()
        pdf.add_page()
        self.page_in_doc += 1
        style, size = self.style, self.size
        self.font("", 8)
        pdf.set_text_color(90, 90, 90)
        pdf.text(self.MARGIN, 12, "Hansestadt Buxtehude")
        label = self.clean(self.header)
        pdf.text(210 - self.MARGIN - self.width(label), 12, label)
        pdf.line(self.MARGIN, 14, 210 - self.MARGIN, 14)
        pdf.set_text_color(0, 0, 0)
        self.font(style, size)
        self.y = 24.0

    def footer(self) -> None:
        # Drawn when the page is full, so the extracted text reads header, body, page number.
        style, size = self.style, self.size
        self.font("", 8)
        self.pdf.set_text_color(90, 90, 90)
        page = f"Seite {self.page_in_doc}"
        self.pdf.text(105 - self.width(page) / 2, 287, page)
        self.pdf.set_text_color(0, 0, 0)
        self.font(style, size)

    def need(self, height: float) -> None:
        if self.y + height > self.BOTTOM:
            self.new_page()

    def lines(self, lines: Sequence[str], x: float, height: float) -> None:
        for line in lines:
            self.need(height)
            self.pdf.text(x, self.y, line)
            self.y += height

    def add(self, doc: DocPlan) -> None:
        first = self.pdf.page
        self.header = doc.header
        self.page_in_doc = 0
        self.font("", 10)
        self.new_page()
        if doc.raw_lines is not None:
            for raw in doc.raw_lines:
                self.lines(self.wrap(raw, self.WIDTH) if raw.strip() else [""], self.MARGIN, 4.8)
        for block in doc.blocks:
            self.block(block)
        self.footer()
        self.ranges.append((first, self.pdf.page))

    def block(self, block: Block) -> None:
        if block.kind == "title":
            self.font("B", 14)
            self.lines(self.wrap(block.text, self.WIDTH), self.MARGIN, 6.5)
            self.y += 3
        elif block.kind == "h2":
            self.y += 2
            self.need(12)
            self.font("B", 11)
            self.lines(self.wrap(block.text, self.WIDTH), self.MARGIN, 5.5)
            self.y += 1
        elif block.kind in ("p", "small"):
            self.font("", 10 if block.kind == "p" else 8.5)
            self.lines(
                self.wrap(block.text, self.WIDTH), self.MARGIN, 4.8 if block.kind == "p" else 4.2
            )
            self.y += 2.5
        elif block.kind == "list":
            self.font("", 10)
            for n, row in enumerate(block.rows, start=1):
                # Agenda lines bring their own numbers ("Ö 3", "N 1", "7").
                agenda = re.match(r"^(Ö |N )?\d+\s", row[0])
                marker = "" if agenda else f"{n}." if len(block.rows) > 1 else "–"
                indent = 7.0 if marker else 0.0
                wrapped = self.wrap(row[0], self.WIDTH - indent)
                self.need(4.8)
                if marker:
                    self.pdf.text(self.MARGIN, self.y, marker)
                self.lines(wrapped, self.MARGIN + indent, 4.8)
            self.y += 2.5
        elif block.kind == "meta":
            self.font("", 9.5)
            for label, value in block.rows:
                self.font("B", 9.5)
                self.need(4.6)
                self.pdf.text(self.MARGIN, self.y, self.clean(label))
                self.font("", 9.5)
                self.lines(self.wrap(value, self.WIDTH - 35), self.MARGIN + 35, 4.6)
            self.y += 3
        elif block.kind == "table":
            self.table(block)

    def table(self, block: Block) -> None:
        widths = block.widths or [1 / len(block.rows[0])] * len(block.rows[0])
        columns = [w * self.WIDTH for w in widths]
        for index, row in enumerate(block.rows):
            self.font("B" if index == 0 else "", 9)
            cells = [self.wrap(cell, col - 2) for cell, col in zip(row, columns, strict=True)]
            height = max(len(c) for c in cells) * 4.4 + 1.2
            self.need(height)
            x = self.MARGIN
            for cell, col in zip(cells, columns, strict=True):
                for n, line in enumerate(cell):
                    self.pdf.text(x + 1, self.y + n * 4.4, line)
                x += col
            self.pdf.line(
                self.MARGIN, self.y + height - 3.6, self.MARGIN + self.WIDTH, self.y + height - 3.6
            )
            self.y += height
        self.y += 3

    def output(self, docs: Sequence[DocPlan]) -> list[bytes]:
        from pypdf import PdfReader, PdfWriter

        data = bytes(self.pdf.output())
        reader = PdfReader(io.BytesIO(data))
        result = []
        for doc, (first, last) in zip(docs, self.ranges, strict=True):
            writer = PdfWriter()
            for number in range(first, last):
                writer.add_page(reader.pages[number])
            writer.add_metadata(
                {"/Title": doc.name, "/Author": "Hansestadt Buxtehude", "/Creator": "Rathaus"}
            )
            buffer = io.BytesIO()
            writer.write(buffer)
            result.append(buffer.getvalue())
        return result


def render_pdfs(docs: Sequence[DocPlan]) -> list[bytes]:
    """One PDF per document, in order; fonts are set up once per batch."""
    result: list[bytes] = []
    # fontTools logs every glyph subset at INFO: hundreds of lines for one demo.
    subset_log = logging.getLogger("fontTools.subset")
    level = subset_log.level
    subset_log.setLevel(logging.WARNING)
    try:
        for start in range(0, len(docs), PDF_BATCH):
            batch = docs[start : start + PDF_BATCH]
            renderer = _Renderer()
            for doc in batch:
                renderer.add(doc)
            result.extend(renderer.output(batch))
    finally:
        subset_log.setLevel(level)
    return result


# =========================================================================================
# Loading into the database
# =========================================================================================


@dataclass
class CouncilDemoResult:
    anchor: datetime.date
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    pdfs: int = 0
    indexed: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or self.indexed)


def _body_for_demo(data_dir: Path) -> Body | None:

    ags = _read("council.json", data_dir)["body"]["ags"]
    return Body.objects.filter(ags=ags, origin__isnull=True).order_by("pk").first()


def load_council_demo(
    *,
    scale: float = 1.0,
    today: datetime.date | None = None,
    data_dir: Path = COUNCIL_DIR,
) -> CouncilDemoResult:
    """Create the council demo, or whatever part of it is missing (see the module text)."""
    started = time.perf_counter()
    with transaction.atomic():
        body = _body_for_demo(data_dir)
        if today is not None:
            anchor = today
        elif body is not None:
            anchor = timezone.localdate(body.created)
        else:
            anchor = timezone.localdate()
        plan = _Builder(scale=scale, anchor=anchor, data_dir=data_dir).build()
        loader = _Loader(plan)
        loader.load()
    loader.result.seconds = round(time.perf_counter() - started, 2)
    logger.info(
        "council demo loaded",
        extra={"objects": dict(loader.result.created), "seconds": loader.result.seconds},
    )
    return loader.result


def seed_inquiry() -> Paper:
    """The 2020 inquiry about the state of digitalization (the project's seed) as a Paper."""

    council = _read("council.json", COUNCIL_DIR)
    paper = (
        Paper.objects.filter(
            body__ags=council["body"]["ags"],
            body__origin__isnull=True,
            origin__isnull=True,
            reference=council["seed"]["reference"],
        )
        .order_by("pk")
        .first()
    )
    if paper is None:
        raise NotFound(
            f"Die Anfrage {council['seed']['reference']} der Demo fehlt; "
            "bitte zuerst `rathaus load_demo` ausführen."
        )
    return paper


class _Loader:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.result = CouncilDemoResult(anchor=plan.anchor)
        self.org_pk: dict[str, int] = {}
        self.person_pk: dict[str, int] = {}
        self.location_pk: dict[str, int] = {}
        self.meeting_pk: dict[tuple[str, datetime.datetime], int] = {}
        self.item_pk: dict[tuple[int, int], int] = {}

    def count(self, name: str, created: int, total: int) -> None:
        self.result.created[name] += created
        self.result.existing[name] += total - created

    # --- order of work -------------------------------------------------------------------

    def load(self) -> None:
        self.body = self._body()
        self._terms()
        self._locations()
        self._organizations()
        self._persons()
        self._memberships()
        self._member_account()
        self._meetings()
        self._papers([*self.plan.papers, self.plan.seed])
        self._index()

    # --- simple rows ---------------------------------------------------------------------

    def _body(self) -> Body:

        spec = self.plan.body
        body = Body.objects.filter(ags=spec["ags"], origin__isnull=True).order_by("pk").first()
        if body is None:
            body = Body.objects.create(
                name=spec["name"],
                short_name=spec["short_name"],
                ags=spec["ags"],
                rgs=spec["rgs"],
                classification=spec["classification"],
                website=spec["website"],
                contact_email=spec["contact_email"],
                contact_name=spec["contact_name"],
                license=spec["license"],
            )
            self.count("Körperschaft", 1, 1)
        else:
            self.count("Körperschaft", 0, 1)
        return body

    def _terms(self) -> None:

        existing = set(
            LegislativeTerm.objects.filter(body=self.body).values_list("name", flat=True)
        )
        new = [
            LegislativeTerm(body=self.body, name=name, start_date=start, end_date=end)
            for name, start, end in self.plan.terms
            if name not in existing
        ]
        LegislativeTerm.objects.bulk_create(new)
        self.count("Wahlperioden", len(new), len(self.plan.terms))

    def _locations(self) -> None:

        wanted = {loc["description"]: loc for loc in self.plan.locations}
        existing = dict(
            Location.objects.filter(origin__isnull=True, description__in=list(wanted)).values_list(
                "description", "pk"
            )
        )
        new = []
        for description, loc in wanted.items():
            if description in existing:
                continue
            lon, lat = loc["point"]
            new.append(
                Location(
                    description=description,
                    street_address=loc["street_address"],
                    room=loc["room"],
                    postal_code=loc["postal_code"],
                    locality=loc["locality"],
                    sub_locality=loc["sub_locality"],
                    geojson={
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "properties": {},
                    },
                )
            )
        Location.objects.bulk_create(new)
        self.count("Orte", len(new), len(wanted))
        by_description = dict(
            Location.objects.filter(origin__isnull=True, description__in=list(wanted)).values_list(
                "description", "pk"
            )
        )
        self.location_pk = {loc["key"]: by_description[d] for d, loc in wanted.items()}

    def _organizations(self) -> None:

        existing = dict(Organization.objects.filter(body=self.body).values_list("slug", "pk"))
        new = []
        for org in self.plan.orgs.values():
            if org.slug in existing:
                continue
            new.append(
                Organization(
                    body=self.body,
                    name=org.name,
                    short_name=org.short_name,
                    slug=org.slug,
                    organization_type=org.organization_type,
                    classification=org.classification,
                    post=org.post,
                    start_date=org.start_date,
                    location_id=self.location_pk.get(org.location_key),
                )
            )
        Organization.objects.bulk_create(new)
        self.org_pk = dict(Organization.objects.filter(body=self.body).values_list("slug", "pk"))
        parents = [
            Organization(pk=self.org_pk[o.slug], sub_organization_of_id=self.org_pk[o.parent])
            for o in self.plan.orgs.values()
            if o.parent and o.slug not in existing
        ]
        Organization.objects.bulk_update(parents, ["sub_organization_of"])
        self.count("Gremien und Fraktionen", len(new), len(self.plan.orgs))

    def _persons(self) -> None:

        existing = dict(Person.objects.filter(body=self.body).values_list("name", "pk"))
        new = [
            Person(
                body=self.body,
                name=p.name,
                given_name=p.given_name,
                family_name=p.family_name,
                form_of_address=p.form_of_address,
                title=[p.title] if p.title else [],
                gender=p.gender,
                email=p.emails,
                status=p.status,
                life=p.life,
                life_source=p.life_source or ("Demo-Daten (erfunden)" if p.life else ""),
            )
            for p in self.plan.persons.values()
            if p.name not in existing
        ]
        Person.objects.bulk_create(new)
        self.person_pk = dict(Person.objects.filter(body=self.body).values_list("name", "pk"))
        self.count("Personen", len(new), len(self.plan.persons))

    def _memberships(self) -> None:

        existing = set(
            Membership.objects.filter(person__body=self.body, origin__isnull=True).values_list(
                "person_id", "organization_id", "start_date"
            )
        )
        new = []
        for m in self.plan.memberships:
            key = (self.person_pk[m.person], self.org_pk[m.org], m.start)
            if key in existing:
                continue
            existing.add(key)
            new.append(
                Membership(
                    person_id=key[0],
                    organization_id=key[1],
                    role=m.role,
                    voting_right=m.voting_right,
                    start_date=m.start,
                    end_date=m.end,
                    on_behalf_of_id=self.org_pk[m.on_behalf_of] if m.on_behalf_of else None,
                )
            )
        Membership.objects.bulk_create(new, batch_size=500)
        self.count("Mitgliedschaften", len(new), len(self.plan.memberships))

    def _member_account(self) -> None:
        """The demo account `ratsmitglied` becomes the member it is named after in the file."""

        if not self.plan.member_account:
            return
        username, name = self.plan.member_account
        user = User.objects.filter(username=username).first()
        if user is None or Person.objects.filter(user=user).exists():
            return
        updated = Person.objects.filter(pk=self.person_pk[name], user__isnull=True).update(
            user=user
        )
        self.count("Konto verknüpft", updated, 1)

    # --- files ---------------------------------------------------------------------------

    def _files(self, docs: Sequence[DocPlan]) -> list[int]:
        """Render, store and extract the documents; returns the new File ids in order."""

        if not docs:
            return []
        pdfs = render_pdfs(docs)
        extracted_at = timezone.now()
        rows = []
        for doc, data in zip(docs, pdfs, strict=True):
            path = f"council/files/{doc.date:%Y/%m}/{doc.file_name}"
            stored = default_storage.save(path, ContentFile(data))
            extraction = extract_text(data)
            rows.append(
                File(
                    name=doc.name,
                    file_name=doc.file_name,
                    mime_type="application/pdf",
                    date=doc.date,
                    size=len(data),
                    sha512=hashlib.sha512(data).hexdigest(),
                    content=stored,
                    text=extraction.text,
                    text_extracted_at=extracted_at,
                    is_public=doc.is_public,
                )
            )
        File.objects.bulk_create(rows, batch_size=500)
        self.result.pdfs += len(rows)
        ids = [row.pk for row in rows]
        self.count("Dateien", len(ids), len(ids))
        return ids

    # --- meetings ------------------------------------------------------------------------

    def _meetings(self) -> None:

        plans = self.plan.meetings
        own = Meeting.objects.filter(origin__isnull=True, organizations__body=self.body)
        for name, start, pk in own.values_list("name", "start", "pk").distinct():
            if start is not None:
                self.meeting_pk[(name, start)] = pk
        missing = [m for m in plans if m.key not in self.meeting_pk]
        self.count("Sitzungen", len(missing), len(plans))
        if not missing:
            self._known_items()
            return
        docs: list[DocPlan] = []
        for m in missing:
            docs += [d for d in (m.invitation, m.protocol) if d]
        file_ids = iter(self._files(docs))
        rows = []
        for m in missing:
            invitation = next(file_ids) if m.invitation else None
            protocol = next(file_ids) if m.protocol else None
            rows.append(
                Meeting(
                    name=m.name,
                    meeting_state=m.state,
                    cancelled=m.cancelled,
                    start=m.start,
                    end=m.end,
                    location_id=self.location_pk[m.location_key],
                    invitation_id=invitation,
                    results_protocol_id=protocol,
                    is_public=m.is_public,
                    invitation_sent_at=m.invitation_sent_at,
                    minutes_published_at=m.minutes_published_at,
                    video_provider=m.video_provider,
                    video_room=m.video_room,
                    video_public_url=m.video_public_url,
                    video_meeting_id=m.video_meeting_id,
                )
            )
        Meeting.objects.bulk_create(rows, batch_size=500)
        through = Meeting.organizations.through
        through.objects.bulk_create(
            [
                through(meeting_id=row.pk, organization_id=self.org_pk[m.org])
                for m, row in zip(missing, rows, strict=True)
            ]
        )
        participants = Meeting.participants.through
        participants.objects.bulk_create(
            [
                participants(meeting_id=row.pk, person_id=self.person_pk[name])
                for m, row in zip(missing, rows, strict=True)
                for name in m.participants
            ],
            batch_size=1000,
        )
        for m, row in zip(missing, rows, strict=True):
            self.meeting_pk[m.key] = row.pk
        items = []
        item_plans = []
        for m, row in zip(missing, rows, strict=True):
            for it in m.items:
                items.append(
                    AgendaItem(
                        meeting_id=row.pk,
                        number=it.number,
                        order=it.order,
                        name=it.name[:500],
                        public=it.public,
                        result=it.result,
                        resolution_text=it.resolution_text,
                        minutes_text=it.minutes_text,
                        start=m.start if m.past else None,
                    )
                )
                item_plans.append(it)
        AgendaItem.objects.bulk_create(items, batch_size=500)
        self.count("Tagesordnungspunkte", len(items), len(items))
        votes = []
        for it, item_row in zip(item_plans, items, strict=True):
            for v in it.votes:
                votes.append(
                    Vote(
                        agenda_item_id=item_row.pk,
                        faction_id=self.org_pk[v.faction] if v.faction else None,
                        person_id=self.person_pk[v.person] if v.person else None,
                        choice=v.choice,
                        yes=v.yes,
                        no=v.no,
                        abstain=v.abstain,
                    )
                )
        Vote.objects.bulk_create(votes, batch_size=1000)
        self.count("Abstimmungen", len(votes), len(votes))
        self._known_items()

    def _known_items(self) -> None:

        self.item_pk = {
            (meeting_id, order): pk
            for meeting_id, order, pk in AgendaItem.objects.filter(
                meeting_id__in=list(self.meeting_pk.values())
            ).values_list("meeting_id", "order", "pk")
        }

    # --- papers --------------------------------------------------------------------------

    def _papers(self, plans: Sequence[PaperPlan]) -> None:

        existing = dict(
            Paper.objects.filter(
                body=self.body, origin__isnull=True, reference__in=[p.reference for p in plans]
            ).values_list("reference", "pk")
        )
        missing = [p for p in plans if p.reference not in existing]
        self.count("Drucksachen", len(missing), len(plans))
        if not missing:
            return
        docs: list[DocPlan] = []
        for p in missing:
            docs += [d for d in (p.main, p.answer_doc, *p.attachments) if d]
        file_ids = iter(self._files(docs))
        rows = []
        attachments: list[tuple[int, list[int]]] = []
        for p in missing:
            main = next(file_ids) if p.main else None
            answer = next(file_ids) if p.answer_doc else None
            extra = [next(file_ids) for _ in p.attachments]
            rows.append(
                Paper(
                    body=self.body,
                    name=p.name[:500],
                    reference=p.reference,
                    date=p.date,
                    paper_type=p.paper_type,
                    main_file_id=main,
                    is_public=p.is_public,
                    keywords=p.keywords,
                    questions=p.questions,
                    due_date=p.due_date,
                    inquiry_status=p.inquiry_status,
                    answer_text=p.answer_text,
                    answer_file_id=answer,
                    answered_at=p.answered_at,
                )
            )
            attachments.append((len(rows) - 1, extra))
        Paper.objects.bulk_create(rows, batch_size=500)
        aux = Paper.auxiliary_files.through
        aux.objects.bulk_create(
            [aux(paper_id=rows[i].pk, file_id=f) for i, files in attachments for f in files]
        )
        persons = Paper.originator_persons.through
        orgs = Paper.originator_organizations.through
        direction = Paper.under_direction_of.through
        persons.objects.bulk_create(
            [
                persons(paper_id=r.pk, person_id=self.person_pk[p.author])
                for p, r in zip(missing, rows, strict=True)
                if p.author
            ]
        )
        orgs.objects.bulk_create(
            [
                orgs(paper_id=r.pk, organization_id=self.org_pk[p.faction or p.administration])
                for p, r in zip(missing, rows, strict=True)
            ]
        )
        direction.objects.bulk_create(
            [
                direction(paper_id=r.pk, organization_id=self.org_pk[p.administration])
                for p, r in zip(missing, rows, strict=True)
                if p.administration
            ]
        )
        consultations = []
        consultation_orgs = []
        for p, r in zip(missing, rows, strict=True):
            for step in p.steps:
                meeting_id = self.meeting_pk.get(step.meeting.key) if step.meeting else None
                item_id = (
                    self.item_pk.get((meeting_id, step.item_order))
                    if meeting_id and step.item_order is not None
                    else None
                )
                consultations.append(
                    Consultation(
                        paper_id=r.pk,
                        meeting_id=meeting_id,
                        agenda_item_id=item_id,
                        authoritative=step.authoritative,
                        role=step.role,
                    )
                )
                consultation_orgs.append(self.org_pk[step.org])
        Consultation.objects.bulk_create(consultations, batch_size=500)
        through = Consultation.organizations.through
        through.objects.bulk_create(
            [
                through(consultation_id=c.pk, organization_id=org)
                for c, org in zip(consultations, consultation_orgs, strict=True)
            ],
            batch_size=1000,
        )
        self.count("Beratungen", len(consultations), len(consultations))

    # --- search --------------------------------------------------------------------------

    def _index(self) -> None:
        """Index what is new, and repair documents missing for demo objects."""

        wanted = {
            "council.paper": set(
                Paper.objects.filter(body=self.body, origin__isnull=True).values_list(
                    "pk", flat=True
                )
            ),
            "council.meeting": set(self.meeting_pk.values()),
            "council.agendaitem": set(self.item_pk.values()),
        }
        file_ids: set[int] = set()
        for values in (
            Paper.objects.filter(body=self.body, origin__isnull=True).values_list(
                "main_file_id", "answer_file_id"
            ),
            Meeting.objects.filter(pk__in=wanted["council.meeting"]).values_list(
                "invitation_id", "results_protocol_id"
            ),
        ):
            for row in values:
                file_ids.update(pk for pk in row if pk)
        file_ids.update(
            Paper.auxiliary_files.through.objects.filter(paper__body=self.body).values_list(
                "file_id", flat=True
            )
        )
        wanted["council.file"] = file_ids
        missing: dict[str, list[int]] = {}
        for kind, ids in wanted.items():
            indexed = set(
                SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)
            )
            missing[kind] = sorted(ids - indexed)
        total = sum(len(v) for v in missing.values())
        if not total:
            return
        _sync_search(missing)
        self.result.indexed = total


def _sync_search(missing: dict[str, list[int]], batch: int = 400) -> None:
    """The council's own index functions (one definition of each document)."""

    arguments = {
        "council.paper": "papers",
        "council.meeting": "meetings",
        "council.agendaitem": "agenda_items",
        "council.file": "files",
    }
    for kind, ids in missing.items():
        for start in range(0, len(ids), batch):
            sync_search_index(**{arguments[kind]: ids[start : start + batch]})


def build_plan(*, scale: float = 1.0, today: datetime.date, data_dir: Path = COUNCIL_DIR) -> Plan:
    """The demo as plain data, without the database (tests, the benchmark)."""
    return _Builder(scale=scale, anchor=today, data_dir=data_dir).build()


__all__ = [
    "COUNCIL_DIR",
    "CouncilDemoResult",
    "build_plan",
    "load_council_demo",
    "render_pdfs",
    "seed_inquiry",
]
