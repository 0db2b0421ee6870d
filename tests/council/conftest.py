"""Shared fixtures of the council tests: a small, realistic council of the Hansestadt Buxtehude.

Use the `council` fixture for a whole council (a `Council` object, below), the user fixtures
for the roles that see more or less of it, and the `make_*` helpers for extra objects.
Everything is relative to today (past meetings lie days back, upcoming ones days ahead), and
the search index is filled (`council.services.sync_search_index`).

The council (attribute names of `Council`)::

    body        Hansestadt Buxtehude; terms `previous_term` and `current_term`
    rat         Rat der Hansestadt Buxtehude            (Gremium, classification "Rat")
    va          Verwaltungsausschuss                    (Gremium, meets non-publicly)
    bau         Ausschuss für Stadtentwicklung, Bau und Umwelt
    schule      Ausschuss für Schule, Jugend und Soziales
    cdu, spd    CDU-Fraktion, SPD-Fraktion              (Fraktion)

    anna        Anna Albers, CDU (Vorsitzende): Rat, VA, Bau (Vorsitz)  -> user `council_member`
    bernd       Bernd Brandt, SPD: Rat, Schule                          -> `other_council_member`
    clara       Clara Claussen, SPD since the current term (CDU before): Rat, Bau
    dieter      Dieter Dreyer, CDU: Rat, Schule, VA
    katja       Katja Oldenburg, Bürgermeisterin: Rat and VA, no faction

    Meetings (all at 18:00 Berlin time unless noted)
    bau_past      public, 30 days ago, with invitation, minutes; agenda:
                    1 Eröffnung, 2 Vorlage (empfohlen), 3 Antrag (vertagt),
                    4 NON-PUBLIC item "Verkauf des Grundstücks Am Hafen 3" (secret paper)
    va_past       NON-PUBLIC meeting, 20 days ago: 1 Vorlage (empfohlen), 2 secret paper
    rat_past      public hybrid (video_public_url), 10 days ago: 1 Vorlage (beschlossen, votes
                    per faction and per person), 2 Anfrage (answered)
    bau_next      public, invited, in 14 days: 1 Antrag, 2 Mitteilung
    schule_next   public, cancelled, in 21 days
    rat_next      public, scheduled, in 35 days (no agenda yet)

    Papers
    vorlage       "2026/041 Regenrückhaltebecken am Geestrand", Beschlussvorlage,
                    consultations bau_past -> va_past -> rat_past (authoritative, beschlossen),
                    main file `vorlage_pdf` (its text alone has the word
                    `PDF_ONLY_WORD`), attachment `plan_pdf`
    antrag        "2026/052 Tempo 30 vor allen Grundschulen", Antrag of the SPD-Fraktion and
                    Bernd Brandt; consultations bau_past (vertagt) -> bau_next (planned)
    anfrage       "2026/047 Anfrage zur Digitalisierung der Verwaltung", answered
    anfrage_open  "2026/060 Anfrage zu Ladesäulen für Elektroautos", received, due in 20 days
    mitteilung    "2026/058 Bericht über die Schulentwicklungsplanung" (Mitteilungsvorlage),
                    consultation bau_next; related to `antrag`
    secret        NON-PUBLIC "2026/050 Verkauf des Grundstücks Am Hafen 3", consulted in
                    bau_past (non-public item 4) and va_past; main file `secret_pdf`
                    (NON-PUBLIC, its text alone has `SECRET_WORD`)

    Files: vorlage_pdf, plan_pdf, secret_pdf, invitation_bau, minutes_bau, answer_pdf

Who sees the non-public objects (see `council/visibility.py`): the council office and
`council_member` (Anna: member of VA and Bau); nobody else, `other_council_member` (Bernd:
Rat and Schule only) included.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.accounts.models import User
from rathaus.council import services
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
from tests.conftest import make_user, verified_login

# Words that appear in exactly one place of the fixture council, for search tests.
PDF_ONLY_WORD = "Retentionsbodenfilter"  # only in the text of `vorlage_pdf`
SECRET_WORD = "Kaufpreisangebot"  # only in the non-public `secret_pdf` and secret item
SECRET_TITLE = "Verkauf des Grundstücks Am Hafen 3"


def make_pdf(text: str) -> bytes:
    """A small real PDF (fpdf2) with `text`, for downloads and text extraction."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    # The core fonts know Latin-1 only; typographic dashes and quotes are replaced.
    plain = text.translate(str.maketrans({"–": "-", "„": '"', "“": '"', "…": "..."}))
    pdf.multi_cell(0, 6, plain.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def make_file(
    name: str,
    text: str,
    *,
    is_public: bool = True,
    file_name: str = "",
    date: datetime.date | None = None,
) -> File:
    """A council file with a real PDF as content and `text` as its extracted text."""
    file_name = file_name or name.lower().replace(" ", "-") + ".pdf"
    file = File(
        name=name,
        file_name=file_name,
        mime_type="application/pdf",
        date=date or timezone.localdate(),
        text=text,
        text_extracted_at=timezone.now(),
        is_public=is_public,
    )
    data = make_pdf(text)
    file.size = len(data)
    file.content.save(file_name, ContentFile(data), save=False)
    file.save()
    return file


def at(days: int, hour: int = 18, minute: int = 0) -> datetime.datetime:
    """An aware datetime `days` from today at the given Berlin time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_meeting(
    name: str,
    organizations: list[Organization],
    *,
    days: int,
    location: Location | None = None,
    **fields: Any,
) -> Meeting:
    meeting = Meeting.objects.create(
        name=name, start=at(days), end=at(days, 21), location=location, **fields
    )
    meeting.organizations.set(organizations)
    return meeting


def make_item(meeting: Meeting, order: int, name: str, **fields: Any) -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=meeting, order=order, number=fields.pop("number", str(order)), name=name, **fields
    )


def consult(
    paper: Paper,
    meeting: Meeting | None,
    organization: Organization,
    *,
    item: AgendaItem | None = None,
    authoritative: bool = False,
    role: str = "Vorberatung",
) -> Consultation:
    consultation = Consultation.objects.create(
        paper=paper, meeting=meeting, agenda_item=item, authoritative=authoritative, role=role
    )
    consultation.organizations.set([organization])
    return consultation


@dataclass
class Council:
    """The fixture council; see the module docstring for what each attribute is."""

    body: Body
    previous_term: LegislativeTerm
    current_term: LegislativeTerm
    rathaus: Location
    rat: Organization
    va: Organization
    bau: Organization
    schule: Organization
    cdu: Organization
    spd: Organization
    anna: Person
    bernd: Person
    clara: Person
    dieter: Person
    katja: Person
    bau_past: Meeting
    va_past: Meeting
    rat_past: Meeting
    bau_next: Meeting
    schule_next: Meeting
    rat_next: Meeting
    vorlage: Paper
    antrag: Paper
    anfrage: Paper
    anfrage_open: Paper
    mitteilung: Paper
    secret: Paper
    vorlage_pdf: File
    plan_pdf: File
    secret_pdf: File
    invitation_bau: File
    minutes_bau: File
    answer_pdf: File
    items: dict[str, AgendaItem] = field(default_factory=dict)

    @property
    def organizations(self) -> list[Organization]:
        return [self.rat, self.va, self.bau, self.schule, self.cdu, self.spd]

    @property
    def persons(self) -> list[Person]:
        return [self.anna, self.bernd, self.clara, self.dieter, self.katja]

    @property
    def meetings(self) -> list[Meeting]:
        return [
            self.bau_past,
            self.va_past,
            self.rat_past,
            self.bau_next,
            self.schule_next,
            self.rat_next,
        ]

    @property
    def papers(self) -> list[Paper]:
        return [
            self.vorlage,
            self.antrag,
            self.anfrage,
            self.anfrage_open,
            self.mitteilung,
            self.secret,
        ]

    @property
    def files(self) -> list[File]:
        return [
            self.vorlage_pdf,
            self.plan_pdf,
            self.secret_pdf,
            self.invitation_bau,
            self.minutes_bau,
            self.answer_pdf,
        ]

    def reindex(self) -> None:
        """Put every object of the council into the search index (again)."""
        services.sync_search_index(
            papers=Paper.objects.all(),
            agenda_items=AgendaItem.objects.all(),
            meetings=Meeting.objects.all(),
            files=File.objects.all(),
        )


def build_council() -> Council:
    today = timezone.localdate()
    body = Body.objects.create(
        name="Hansestadt Buxtehude",
        short_name="Buxtehude",
        ags="03357008",
        website="https://www.buxtehude.de/",
        classification="Stadt",
    )
    current_start = datetime.date(today.year - 1, 11, 1)
    previous_start = datetime.date(today.year - 6, 11, 1)
    previous_end = current_start - datetime.timedelta(days=1)
    previous_term = LegislativeTerm.objects.create(
        body=body,
        name=f"Wahlperiode {previous_start.year}–{current_start.year}",
        start_date=previous_start,
        end_date=previous_end,
    )
    current_term = LegislativeTerm.objects.create(
        body=body,
        name=f"Wahlperiode {current_start.year}–{current_start.year + 5}",
        start_date=current_start,
        end_date=datetime.date(current_start.year + 5, 10, 31),
    )
    rathaus = Location.objects.create(
        description="Rathaus, Großer Sitzungssaal",
        street_address="Bahnhofstraße 7",
        room="Großer Sitzungssaal",
        postal_code="21614",
        locality="Buxtehude",
    )

    def org(name: str, slug: str, short: str, **fields: Any) -> Organization:
        return Organization.objects.create(
            body=body, name=name, slug=slug, short_name=short, **fields
        )

    committee = Organization.Type.COMMITTEE
    rat = org("Rat der Hansestadt Buxtehude", "rat", "Rat", classification="Rat")
    va = org(
        "Verwaltungsausschuss",
        "verwaltungsausschuss",
        "VA",
        classification="Hauptausschuss",
        organization_type=committee,
    )
    bau = org(
        "Ausschuss für Stadtentwicklung, Bau und Umwelt",
        "stadtentwicklung-bau-umwelt",
        "StaBU",
        classification="Ausschuss",
    )
    schule = org(
        "Ausschuss für Schule, Jugend und Soziales",
        "schule-jugend-soziales",
        "SchJS",
        classification="Ausschuss",
    )
    faction = Organization.Type.FACTION
    cdu = org("CDU-Fraktion", "cdu-fraktion", "CDU", organization_type=faction)
    spd = org("SPD-Fraktion", "spd-fraktion", "SPD", organization_type=faction)

    def person(given: str, family: str, **fields: Any) -> Person:
        return Person.objects.create(
            body=body,
            name=f"{given} {family}",
            given_name=given,
            family_name=family,
            **fields,
        )

    anna = person("Anna", "Albers", form_of_address="Frau", gender="female")
    bernd = person("Bernd", "Brandt", form_of_address="Herr", gender="male")
    clara = person("Clara", "Claussen", form_of_address="Frau", gender="female", title=["Dr."])
    dieter = person("Dieter", "Dreyer", form_of_address="Herr", gender="male")
    katja = person("Katja", "Oldenburg", form_of_address="Frau", gender="female")

    def member(
        who: Person,
        where: Organization,
        role: str = "Mitglied",
        *,
        faction: Organization | None = None,
        start: datetime.date = current_start,
        end: datetime.date | None = None,
    ) -> Membership:
        return Membership.objects.create(
            person=who,
            organization=where,
            role=role,
            on_behalf_of=faction,
            start_date=start,
            end_date=end,
        )

    member(anna, cdu, "Fraktionsvorsitzende")
    member(anna, rat, faction=cdu)
    member(anna, va, faction=cdu)
    member(anna, bau, "Vorsitzende", faction=cdu)
    member(bernd, spd, "Fraktionsvorsitzender")
    member(bernd, rat, faction=spd)
    member(bernd, schule, faction=spd)
    member(clara, cdu, start=previous_start, end=previous_end)
    member(clara, rat, faction=cdu, start=previous_start, end=previous_end)
    member(clara, spd)
    member(clara, rat, faction=spd)
    member(clara, bau, "stellvertretende Vorsitzende", faction=spd)
    member(dieter, cdu)
    member(dieter, rat, faction=cdu)
    member(dieter, schule, "Vorsitzender", faction=cdu)
    member(dieter, va, faction=cdu)
    member(katja, rat, "Bürgermeisterin")
    member(katja, va, "Vorsitzende")

    # --- files ----------------------------------------------------------------------------
    vorlage_pdf = make_file(
        "Beschlussvorlage 2026/041",
        "Neubau eines Regenrückhaltebeckens am Geestrand. Zur Reinigung des Oberflächen"
        f"wassers wird ein {PDF_ONLY_WORD} vorgesehen. Die Kosten betragen 1,2 Mio. Euro.",
        file_name="vorlage-2026-041.pdf",
        date=today - datetime.timedelta(days=40),
    )
    plan_pdf = make_file(
        "Lageplan Regenrückhaltebecken",
        "Lageplan im Maßstab 1:1000 mit Zufahrt von der Harburger Straße.",
        file_name="lageplan.pdf",
    )
    secret_pdf = make_file(
        "Wertgutachten Am Hafen 3",
        f"Das {SECRET_WORD} der Käuferin liegt bei 410.000 Euro.",
        is_public=False,
        file_name="wertgutachten.pdf",
    )
    invitation_bau = make_file(
        "Einladung Ausschuss für Stadtentwicklung",
        "Einladung zur Sitzung des Ausschusses für Stadtentwicklung, Bau und Umwelt.",
        file_name="einladung.pdf",
    )
    minutes_bau = make_file(
        "Niederschrift Ausschuss für Stadtentwicklung",
        "Niederschrift: Der Ausschuss empfiehlt den Neubau des Regenrückhaltebeckens.",
        file_name="niederschrift.pdf",
    )
    answer_pdf = make_file(
        "Antwort der Verwaltung zur Digitalisierung",
        "Die Verwaltung beantwortet die Fragen zur Digitalisierung wie folgt.",
        file_name="antwort-digitalisierung.pdf",
    )

    # --- papers ---------------------------------------------------------------------------
    def paper(reference: str, name: str, paper_type: str, days_ago: int, **fields: Any) -> Paper:
        return Paper.objects.create(
            body=body,
            reference=reference,
            name=name,
            paper_type=paper_type,
            date=today - datetime.timedelta(days=days_ago),
            **fields,
        )

    vorlage = paper(
        "2026/041",
        "Regenrückhaltebecken am Geestrand",
        "Beschlussvorlage",
        40,
        main_file=vorlage_pdf,
    )
    vorlage.auxiliary_files.set([plan_pdf])
    vorlage.under_direction_of.set([bau])
    antrag = paper("2026/052", "Tempo 30 vor allen Grundschulen", "Antrag", 35)
    antrag.originator_persons.set([bernd])
    antrag.originator_organizations.set([spd])
    anfrage = paper(
        "2026/047",
        "Anfrage zur Digitalisierung der Verwaltung",
        "Anfrage",
        60,
        questions=[
            "Welche Leistungen der Verwaltung sind bereits online verfügbar?",
            "Wie viele Vorgänge werden papierlos bearbeitet?",
        ],
        due_date=today - datetime.timedelta(days=30),
        inquiry_status=Paper.InquiryStatus.ANSWERED,
        answer_text="Derzeit sind 42 Leistungen vollständig online verfügbar.",
        answer_file=answer_pdf,
        answered_at=at(-12, 10),
    )
    anfrage.originator_persons.set([anna])
    anfrage.originator_organizations.set([cdu])
    anfrage_open = paper(
        "2026/060",
        "Anfrage zu Ladesäulen für Elektroautos",
        "Anfrage",
        5,
        questions=["Wie viele öffentliche Ladesäulen gibt es im Stadtgebiet?"],
        due_date=today + datetime.timedelta(days=20),
        inquiry_status=Paper.InquiryStatus.RECEIVED,
    )
    anfrage_open.originator_persons.set([clara])
    mitteilung = paper(
        "2026/058", "Bericht über die Schulentwicklungsplanung", "Mitteilungsvorlage", 8
    )
    mitteilung.related_papers.set([antrag])
    secret = paper(
        "2026/050",
        SECRET_TITLE,
        "Beschlussvorlage",
        32,
        is_public=False,
        main_file=secret_pdf,
    )

    # --- meetings and agenda --------------------------------------------------------------
    bau_past = make_meeting(
        "12. Sitzung des Ausschusses für Stadtentwicklung, Bau und Umwelt",
        [bau],
        days=-30,
        location=rathaus,
        meeting_state=Meeting.State.RUNNING,
        invitation=invitation_bau,
        results_protocol=minutes_bau,
        invitation_sent_at=at(-40, 9),
        minutes_published_at=at(-25, 9),
    )
    bau_past.participants.set([anna, clara])
    items: dict[str, AgendaItem] = {}
    items["bau_opening"] = make_item(bau_past, 1, "Eröffnung und Feststellung der Tagesordnung")
    items["bau_vorlage"] = make_item(
        bau_past,
        2,
        "Regenrückhaltebecken am Geestrand",
        result="empfohlen",
        resolution_text="Der Ausschuss empfiehlt dem Rat, den Neubau zu beschließen.",
    )
    items["bau_vorlage"].auxiliary_files.set([plan_pdf])
    items["bau_antrag"] = make_item(
        bau_past, 3, "Tempo 30 vor allen Grundschulen", result="vertagt"
    )
    items["bau_secret"] = make_item(
        bau_past,
        4,
        SECRET_TITLE,
        public=False,
        result="empfohlen",
        resolution_text=f"Das {SECRET_WORD} wird angenommen.",
    )
    va_past = make_meeting(
        "8. Sitzung des Verwaltungsausschusses",
        [va],
        days=-20,
        location=rathaus,
        meeting_state=Meeting.State.RUNNING,
        is_public=False,
    )
    items["va_vorlage"] = make_item(
        va_past, 1, "Regenrückhaltebecken am Geestrand", result="empfohlen"
    )
    items["va_secret"] = make_item(va_past, 2, SECRET_TITLE, public=False, result="beschlossen")
    rat_past = make_meeting(
        "5. Sitzung des Rates",
        [rat],
        days=-10,
        location=rathaus,
        meeting_state=Meeting.State.RUNNING,
        video_provider=Meeting.VideoProvider.JITSI,
        video_room="rat-5-sitzung",
        video_public_url="https://stream.example.org/rat-5",
    )
    items["rat_vorlage"] = make_item(
        rat_past,
        1,
        "Regenrückhaltebecken am Geestrand",
        result="beschlossen",
        resolution_text="Der Rat beschließt den Neubau des Regenrückhaltebeckens am Geestrand.",
        minutes_text="Frau Albers erläutert die Vorlage. Herr Brandt beantragt Einzelabstimmung.",
    )
    items["rat_anfrage"] = make_item(
        rat_past,
        2,
        "Anfrage zur Digitalisierung der Verwaltung",
        result="zur Kenntnis genommen",
    )
    bau_next = make_meeting(
        "13. Sitzung des Ausschusses für Stadtentwicklung, Bau und Umwelt",
        [bau],
        days=14,
        location=rathaus,
        meeting_state=Meeting.State.INVITED,
        invitation_sent_at=at(-1, 9),
    )
    items["next_antrag"] = make_item(bau_next, 1, "Tempo 30 vor allen Grundschulen")
    items["next_mitteilung"] = make_item(bau_next, 2, "Bericht über die Schulentwicklungsplanung")
    schule_next = make_meeting(
        "9. Sitzung des Ausschusses für Schule, Jugend und Soziales",
        [schule],
        days=21,
        location=rathaus,
        cancelled=True,
    )
    rat_next = make_meeting("6. Sitzung des Rates", [rat], days=35, location=rathaus)

    # --- the papers' way through the bodies ----------------------------------------------
    consult(vorlage, bau_past, bau, item=items["bau_vorlage"])
    consult(vorlage, va_past, va, item=items["va_vorlage"])
    consult(vorlage, rat_past, rat, item=items["rat_vorlage"], authoritative=True, role="Beschluss")
    consult(antrag, bau_past, bau, item=items["bau_antrag"])
    consult(antrag, bau_next, bau, item=items["next_antrag"], authoritative=True, role="Beschluss")
    consult(anfrage, rat_past, rat, item=items["rat_anfrage"], role="Kenntnisnahme")
    consult(mitteilung, bau_next, bau, item=items["next_mitteilung"], role="Kenntnisnahme")
    consult(secret, bau_past, bau, item=items["bau_secret"])
    consult(secret, va_past, va, item=items["va_secret"], authoritative=True, role="Beschluss")

    # --- recorded votes: per faction, and per person where the Rat recorded them -----------
    item = items["rat_vorlage"]
    Vote.objects.create(agenda_item=item, faction=cdu, yes=2)
    Vote.objects.create(agenda_item=item, faction=spd, yes=1, abstain=1)
    Vote.objects.create(agenda_item=item, person=anna, choice=Vote.Choice.YES)
    Vote.objects.create(agenda_item=item, person=dieter, choice=Vote.Choice.YES)
    Vote.objects.create(agenda_item=item, person=clara, choice=Vote.Choice.YES)
    Vote.objects.create(agenda_item=item, person=bernd, choice=Vote.Choice.ABSTAIN)

    council = Council(
        body=body,
        previous_term=previous_term,
        current_term=current_term,
        rathaus=rathaus,
        rat=rat,
        va=va,
        bau=bau,
        schule=schule,
        cdu=cdu,
        spd=spd,
        anna=anna,
        bernd=bernd,
        clara=clara,
        dieter=dieter,
        katja=katja,
        bau_past=bau_past,
        va_past=va_past,
        rat_past=rat_past,
        bau_next=bau_next,
        schule_next=schule_next,
        rat_next=rat_next,
        vorlage=vorlage,
        antrag=antrag,
        anfrage=anfrage,
        anfrage_open=anfrage_open,
        mitteilung=mitteilung,
        secret=secret,
        vorlage_pdf=vorlage_pdf,
        plan_pdf=plan_pdf,
        secret_pdf=secret_pdf,
        invitation_bau=invitation_bau,
        minutes_bau=minutes_bau,
        answer_pdf=answer_pdf,
        items=items,
    )
    council.reindex()
    return council


@pytest.fixture
def council_media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded council files go to a temporary folder, not the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def council(db: None, council_media: Path) -> Council:
    """The whole fixture council (see the module docstring), indexed for search."""
    return build_council()


@pytest.fixture
def council_member(council: Council) -> User:
    """Anna Albers' account: a council member of Rat, VA and Bau (sees their non-public items)."""
    user = make_user("ratsmitglied", roles.COUNCIL_MEMBER)
    council.anna.user = user
    council.anna.save(update_fields=["user"])
    return user


@pytest.fixture
def other_council_member(council: Council) -> User:
    """Bernd Brandt's account: member of Rat and Schule only (sees none of the non-public)."""
    user = make_user("ratsmitglied2", roles.COUNCIL_MEMBER)
    council.bernd.user = user
    council.bernd.save(update_fields=["user"])
    return user


@pytest.fixture
def council_office_user(db: None) -> User:
    """A member of the council office (Ratsbüro): sees everything, prepares and publishes."""
    return make_user("ratsbuero", roles.COUNCIL_OFFICE)


# Role name -> does this role see the non-public objects of the fixture council?
ROLES_SEEING_NON_PUBLIC: dict[str, bool] = {
    "anonymous": False,
    "citizen": False,
    "clerk": False,
    "member_of_the_body": True,
    "member_of_another_body": False,
    "council_office": True,
}


@pytest.fixture
def login_as(
    client: Any,
    request: pytest.FixtureRequest,
    council: Council,
) -> Callable[[str], User | None]:
    """`login_as(role)` signs the test client in as one of `ROLES_SEEING_NON_PUBLIC`."""

    def login(role: str) -> User | None:
        fixture = {
            "anonymous": None,
            "citizen": "citizen",
            "clerk": "clerk",
            "member_of_the_body": "council_member",
            "member_of_another_body": "other_council_member",
            "council_office": "council_office_user",
        }[role]
        client.logout()
        if fixture is None:
            return None
        user: User = request.getfixturevalue(fixture)
        verified_login(client, user)  # password and second factor, like a real sign-in
        return user

    return login
