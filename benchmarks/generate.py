"""Synthetic but realistic German services and offices for benchmarks and load tests.

The same seed gives the same data. Use it as a file writer or as a database loader:

    .venv/bin/python benchmarks/generate.py 5000 --output services.csv
    .venv/bin/python benchmarks/generate.py 5000 --format json --output services.json
    .venv/bin/python benchmarks/generate.py 5000 --load      # into the DATABASE_URL database

From another benchmark (after Django is set up):

    from generate import generate, load_db
    load_db(5000, seed=42)          # offices, life situations and services, search index too

Names follow the pattern of the federal LeiKa catalogue (object + action); the keys are
14-digit numbers starting with 99 built from the object, the action and a variant, so
they are unique but are not the real catalogue's keys. Hosts use the reserved `.example`
domain.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rathaus.catalog.io.importer import ImportResult

DEFAULT_SEED = 42
# Review dates are relative to a fixed day, so that a seed always gives the same file.
REFERENCE_DATE = datetime.date(2026, 1, 1)

OFFICES: list[tuple[str, str, str]] = [
    # Each entry: slug, name and street of the office.
    ("buergerservice", "Fachgruppe Bürgerservice", "Bahnhofstraße 7"),
    ("ordnung", "Fachgruppe Ordnung und Verkehr", "Bahnhofstraße 7"),
    ("standesamt", "Standesamt", "Stavenort 5"),
    ("bauordnung", "Fachgruppe Bauordnung", "Bahnhofstraße 7"),
    ("stadtplanung", "Fachgruppe Stadtplanung", "Bahnhofstraße 7"),
    ("steuern", "Fachgruppe Steuern und Abgaben", "Breite Straße 2"),
    ("soziales", "Fachgruppe Soziales", "Breite Straße 2"),
    ("familie", "Fachgruppe Kinder, Jugend und Familie", "Hansestraße 12"),
    ("schule-sport", "Fachgruppe Schule und Sport", "Hansestraße 12"),
    ("kultur", "Fachgruppe Kultur und Tourismus", "Stavenort 1"),
    ("stadtarchiv", "Stadtarchiv", "Stavenort 2"),
    ("umwelt", "Fachgruppe Umwelt und Grünflächen", "Am Stadtpark 3"),
    ("tiefbau", "Fachgruppe Tiefbau", "Am Stadtpark 3"),
    ("liegenschaften", "Fachgruppe Liegenschaften", "Breite Straße 2"),
    ("wirtschaft", "Wirtschaftsförderung", "Lange Straße 20"),
    ("feuerwehr", "Fachgruppe Feuerwehr und Bevölkerungsschutz", "Harburger Straße 40"),
    ("friedhof", "Friedhofsverwaltung", "Friedhofsweg 1"),
    ("finanzen", "Fachgruppe Finanzen", "Breite Straße 2"),
    ("wahlen", "Wahlamt", "Bahnhofstraße 7"),
    ("gleichstellung", "Gleichstellungsbeauftragte", "Bahnhofstraße 7"),
    ("integration", "Fachgruppe Senioren und Integration", "Hansestraße 12"),
    ("bibliothek", "Stadtbibliothek", "Fischerstraße 2"),
    ("gewerbe", "Gewerbeamt", "Bahnhofstraße 7"),
    ("wohnen", "Fachgruppe Wohnungswesen", "Breite Straße 2"),
    ("kita", "Kita-Servicestelle", "Hansestraße 12"),
]

LIFE_SITUATIONS: list[tuple[str, str, str]] = [
    ("umzug", "Umzug", "Moving house"),
    ("geburt", "Geburt eines Kindes", "Birth of a child"),
    ("heirat", "Heirat und Partnerschaft", "Marriage and partnership"),
    ("todesfall", "Todesfall", "Death of a relative"),
    ("bauen", "Bauen und Renovieren", "Building and renovating"),
    ("auto", "Auto und Verkehr", "Car and traffic"),
    ("haustier", "Haustiere", "Pets"),
    ("schule", "Schule und Ausbildung", "School and training"),
    ("arbeit", "Arbeit und Beruf", "Work"),
    ("rente", "Ruhestand", "Retirement"),
    ("gewerbe", "Unternehmen gründen", "Starting a business"),
    ("pflege", "Pflege und Gesundheit", "Care and health"),
    ("wohnen", "Wohnen", "Housing"),
    ("reisen", "Reisen", "Travel"),
    ("ehrenamt", "Ehrenamt und Vereine", "Volunteering and clubs"),
    ("sicherheit", "Sicherheit und Ordnung", "Safety and public order"),
]

# One line per object: name | topic | office slug | life situations | keywords | legal basis |
# base fee in euro.
_OBJECT_TABLE = """
Personalausweis | querschnitt | buergerservice | umzug reisen | Perso, Ausweis, ID-Karte | Personalausweisgesetz (PAuswG) | 37
Reisepass | mobilitaet-reisen | buergerservice | reisen | Pass, Kinderreisepass | Passgesetz (PassG) | 70
Wohnsitz | querschnitt | buergerservice | umzug wohnen | Ummeldung, Meldebescheinigung | Bundesmeldegesetz (BMG) | 0
Meldebescheinigung | querschnitt | buergerservice | umzug | Meldebestätigung | § 18 Bundesmeldegesetz | 8
Führungszeugnis | recht-ordnung | buergerservice | arbeit ehrenamt | polizeiliches Führungszeugnis | § 30 Bundeszentralregistergesetz (BZRG) | 13
Geburtsurkunde | familie-kind | standesamt | geburt | Geburtsnachweis | Personenstandsgesetz (PStG) | 12
Eheschließung | familie-kind | standesamt | heirat | Hochzeit, Trauung, Heirat | §§ 11 ff. Personenstandsgesetz | 40
Sterbeurkunde | familie-kind | standesamt | todesfall | Sterbefall, Todesfall | Personenstandsgesetz (PStG) | 12
Vaterschaftsanerkennung | familie-kind | standesamt | geburt | Vaterschaft | § 1592 BGB | 0
Namensänderung | familie-kind | standesamt | heirat | Nachname, Familienname | Namensänderungsgesetz (NamÄndG) | 50
Baugenehmigung | bauen-wohnen | bauordnung | bauen | Bauantrag, Bauvorhaben | Niedersächsische Bauordnung (NBauO) | 250
Abrissgenehmigung | bauen-wohnen | bauordnung | bauen | Abriss, Rückbau | § 60 NBauO | 120
Bauvoranfrage | bauen-wohnen | bauordnung | bauen | Vorbescheid | § 73 NBauO | 150
Baulast | bauen-wohnen | bauordnung | bauen | Baulastenverzeichnis | § 81 NBauO | 60
Grundsteuer | steuern-zoll | steuern | wohnen bauen | Grundbesitzabgaben | Grundsteuergesetz (GrStG) | 0
Hundesteuer | steuern-zoll | steuern | haustier | Hund, Hundemarke | Hundesteuersatzung der Stadt | 0
Zweitwohnungsteuer | steuern-zoll | steuern | wohnen umzug | Nebenwohnung | Zweitwohnungsteuersatzung | 0
Gewerbesteuer | steuern-zoll | steuern | gewerbe | Gewerbesteuerbescheid | Gewerbesteuergesetz (GewStG) | 0
Gewerbe | unternehmen | gewerbe | gewerbe | Gewerbeanmeldung, Gewerbeschein | § 14 Gewerbeordnung (GewO) | 26
Gaststättenerlaubnis | unternehmen | gewerbe | gewerbe | Konzession, Ausschank | Niedersächsisches Gaststättengesetz | 300
Reisegewerbekarte | unternehmen | gewerbe | gewerbe | Wandergewerbe, Markthandel | § 55 Gewerbeordnung | 150
Marktstand | unternehmen | gewerbe | gewerbe | Wochenmarkt, Marktplatz | Marktsatzung der Stadt | 25
Wohngeld | bauen-wohnen | wohnen | wohnen rente | Mietzuschuss, Lastenzuschuss | Wohngeldgesetz (WoGG) | 0
Wohnberechtigungsschein | bauen-wohnen | wohnen | wohnen | WBS, Sozialwohnung | Niedersächsisches Wohnraumfördergesetz | 10
Kita-Platz | familie-kind | kita | geburt arbeit | Kindergarten, Krippe, Kinderbetreuung | § 24 SGB VIII | 0
Elterngeld | familie-kind | familie | geburt | Elternzeit, Basiselterngeld | Bundeselterngeld- und Elternzeitgesetz (BEEG) | 0
Unterhaltsvorschuss | familie-kind | familie | geburt | Unterhalt, Alleinerziehende | Unterhaltsvorschussgesetz (UhVorschG) | 0
Beistandschaft | familie-kind | familie | geburt | Beistand, Jugendamt | § 1712 BGB | 0
Schülerbeförderung | bildung | schule-sport | schule | Schulbus, Fahrkarte | § 114 Niedersächsisches Schulgesetz | 0
Schulanmeldung | bildung | schule-sport | schule umzug | Einschulung, Grundschule | Niedersächsisches Schulgesetz (NSchG) | 0
Sporthallennutzung | engagement-hobby | schule-sport | ehrenamt | Turnhalle, Verein | Benutzungsordnung Sportstätten | 15
Ehrenamtskarte | engagement-hobby | integration | ehrenamt | Ehrenamt, Vergünstigung | Richtlinie Ehrenamtskarte Niedersachsen | 0
Bewohnerparkausweis | mobilitaet-reisen | ordnung | auto wohnen | Anwohnerparken, Parkausweis | § 45 StVO | 30
Schwerbehindertenparkausweis | mobilitaet-reisen | ordnung | auto pflege | Behindertenparkplatz, blauer Parkausweis | § 46 StVO | 0
Sondernutzung | recht-ordnung | tiefbau | gewerbe bauen | Gehweg, Außengastronomie, Baugerüst | § 18 Niedersächsisches Straßengesetz | 40
Veranstaltung | recht-ordnung | ordnung | ehrenamt | Fest, Umzug, Straßenfest | Niedersächsisches Polizei- und Ordnungsbehördengesetz | 50
Fundsache | recht-ordnung | buergerservice | sicherheit | Fundbüro, verloren, gefunden | §§ 965 ff. BGB | 0
Waffenbesitzkarte | recht-ordnung | ordnung | sicherheit | Waffen, Jäger, Sportschütze | Waffengesetz (WaffG) | 85
Fischereischein | engagement-hobby | ordnung | ehrenamt | Angelschein, Angeln | Niedersächsisches Fischereigesetz | 30
Feuerwehreinsatz | recht-ordnung | feuerwehr | sicherheit | Brandschutz, Einsatzkosten | Niedersächsisches Brandschutzgesetz | 0
Brandverhütungsschau | recht-ordnung | feuerwehr | gewerbe bauen | Brandschau, Brandschutz | § 27 Niedersächsisches Brandschutzgesetz | 90
Grabstätte | querschnitt | friedhof | todesfall | Grab, Friedhof, Beisetzung | Friedhofssatzung der Stadt | 900
Bestattung | querschnitt | friedhof | todesfall | Beerdigung, Urne | Niedersächsisches Bestattungsgesetz | 400
Baumfällung | umwelt | umwelt | bauen wohnen | Baum, Fällgenehmigung, Baumschutz | Baumschutzsatzung der Stadt | 30
Abfallbehälter | umwelt | umwelt | wohnen umzug | Mülltonne, Biotonne, Restmüll | Abfallsatzung des Landkreises | 0
Sperrmüll | umwelt | umwelt | umzug | Sperrgut, Abholung | Abfallsatzung des Landkreises | 0
Straßenreinigung | umwelt | tiefbau | wohnen | Winterdienst, Gehwegreinigung | Straßenreinigungssatzung | 0
Grundstück | bauen-wohnen | liegenschaften | bauen | Bauplatz, Erbbaurecht, Kauf | Richtlinie Grundstücksvergabe | 0
Hausnummer | bauen-wohnen | stadtplanung | bauen | Hausnummernvergabe | § 126 Baugesetzbuch | 35
Bebauungsplan | bauen-wohnen | stadtplanung | bauen | B-Plan, Bauleitplanung | Baugesetzbuch (BauGB) | 0
Vorkaufsrecht | bauen-wohnen | stadtplanung | bauen | Negativattest, Grundstückskauf | § 28 Baugesetzbuch | 30
Wahlschein | querschnitt | wahlen | umzug | Briefwahl, Wahl | Bundeswahlordnung (BWO) | 0
Wahlhelfer | engagement-hobby | wahlen | ehrenamt | Wahlvorstand, Erfrischungsgeld | Niedersächsisches Kommunalwahlgesetz | 0
Archivauskunft | forschung-foerderung | stadtarchiv | ehrenamt | Familienforschung, Stadtgeschichte | Niedersächsisches Archivgesetz | 20
Bibliotheksausweis | bildung | bibliothek | schule | Leseausweis, Onleihe | Benutzungsordnung Stadtbibliothek | 15
Wirtschaftsförderung | unternehmen | wirtschaft | gewerbe | Förderprogramm, Gründung | Richtlinie Wirtschaftsförderung | 0
Kulturförderung | engagement-hobby | kultur | ehrenamt | Zuschuss, Kunst, Verein | Kulturförderrichtlinie der Stadt | 0
Pflegewohngeld | gesundheit | soziales | pflege rente | Pflegeheim, Investitionskosten | Niedersächsisches Pflegegesetz | 0
Grundsicherung | arbeit-ruhestand | soziales | rente pflege | Sozialhilfe, Erwerbsminderung | SGB XII | 0
Rundfunkbeitragsbefreiung | querschnitt | soziales | rente pflege | GEZ, Rundfunkbeitrag | Rundfunkbeitragsstaatsvertrag | 0
"""  # noqa: E501


def _objects(table: str) -> list[tuple[str, str, str, tuple[str, ...], str, str, float]]:
    rows = []
    for line in table.strip().splitlines():
        name, topic, office, situations, keywords, legal, fee = (c.strip() for c in line.split("|"))
        rows.append((name, topic, office, tuple(situations.split()), keywords, legal, float(fee)))
    return rows


OBJECTS = _objects(_OBJECT_TABLE)

# (verb phrase for the name, noun for the texts, action weight for case numbers)
ACTIONS: list[tuple[str, str, float]] = [
    ("beantragen", "Antrag", 1.0),
    ("verlängern", "Verlängerung", 0.5),
    ("ändern", "Änderung", 0.4),
    ("ersetzen", "Ersatz", 0.2),
    ("anmelden", "Anmeldung", 0.8),
    ("abmelden", "Abmeldung", 0.5),
    ("Auskunft erhalten", "Auskunft", 0.3),
    ("Bescheinigung ausstellen lassen", "Bescheinigung", 0.3),
    ("Widerspruch einlegen", "Widerspruch", 0.05),
    ("Erstattung beantragen", "Erstattung", 0.1),
    ("Befreiung beantragen", "Befreiung", 0.1),
    ("Verlust melden", "Verlustmeldung", 0.1),
    ("Akteneinsicht nehmen", "Akteneinsicht", 0.02),
    ("Termin vereinbaren", "Terminvereinbarung", 0.6),
    ("Zweitschrift anfordern", "Zweitschrift", 0.1),
]

# Variants beyond the first: a district of Buxtehude and/or a group of applicants.
DISTRICTS = [
    "Altkloster",
    "Hedendorf",
    "Neukloster",
    "Ovelgönne",
    "Immenbeck",
    "Dammhausen",
    "Eilendorf",
    "Daensen",
    "Ottensen",
    "Heimbruch",
    "Neuland",
    "Königreich",
]
AUDIENCES = [
    "für Unternehmen",
    "für Minderjährige",
    "für Vereine",
    "im Eilverfahren",
    "für Menschen mit Behinderung",
    "für Studierende",
]

DOCUMENTS = [
    "gültiger Personalausweis oder Reisepass",
    "aktuelles biometrisches Passfoto",
    "Meldebescheinigung",
    "Geburtsurkunde",
    "Nachweis über das Einkommen der letzten drei Monate",
    "Mietvertrag oder Wohnungsgeberbestätigung",
    "Vollmacht, wenn eine andere Person den Antrag stellt",
    "Lageplan im Maßstab 1:500",
    "Bauzeichnungen und Baubeschreibung",
    "Handelsregisterauszug",
    "Nachweis der Krankenversicherung",
    "Bescheid der Pflegekasse",
    "Schwerbehindertenausweis",
    "Kontoverbindung (IBAN)",
    "bisheriges Dokument, falls vorhanden",
]
REQUIREMENTS = [
    "Sie wohnen mit Haupt- oder Nebenwohnung in Buxtehude.",
    "Sie sind mindestens 16 Jahre alt.",
    "Sie sind volljährig oder handeln mit Zustimmung der Eltern.",
    "Das Grundstück liegt im Stadtgebiet.",
    "Sie betreiben ein Gewerbe in Buxtehude.",
    "Ihr Einkommen liegt unter der gesetzlichen Grenze.",
    "Es bestehen keine Rückstände bei der Stadt.",
    "Sie haben den Antrag vollständig und fristgerecht gestellt.",
]
SENTENCES = [
    "Die Stadt Buxtehude prüft Ihre Angaben und meldet sich, wenn Unterlagen fehlen.",
    "Bitte vereinbaren Sie für den Besuch im Rathaus vorher einen Termin.",
    "Sie können den Antrag auch von einer bevollmächtigten Person stellen lassen.",
    "Über das Ergebnis erhalten Sie einen schriftlichen Bescheid.",
    "Die Gebühr zahlen Sie bei Abholung bar oder mit Karte.",
    "Wenn sich Ihre Verhältnisse ändern, teilen Sie uns das bitte umgehend mit.",
    "Gegen den Bescheid können Sie innerhalb eines Monats Widerspruch einlegen.",
    "Barrierefreie Beratung ist nach Absprache möglich, auch in Leichter Sprache.",
    "Die Bearbeitung beginnt, sobald alle Unterlagen vorliegen.",
    "Für Rückfragen erreichen Sie uns telefonisch während der Öffnungszeiten.",
]
PROCESSING = ["sofort", "1 Woche", "2 bis 3 Wochen", "4 Wochen", "6 bis 8 Wochen", "3 Monate"]
DEADLINES = [
    "",
    "",
    "innerhalb von zwei Wochen nach dem Ereignis",
    "bis zum Ablauf der Gültigkeit",
    "spätestens einen Monat vorher",
    "innerhalb eines Monats nach Bekanntgabe des Bescheids",
]
HOSTS_EXTERNAL = [
    "https://portal.niedersachsen.example/leistung/",
    "https://www.onlinezugang.example/antrag/",
    "https://service.bund.example/efa/",
]
HOST_OWN = "https://dienste.buxtehude.example/antrag/"
MATURITY_WEIGHTS = [5, 35, 25, 25, 10]  # levels 0-4 of model 1.1
V2_FOR_V1 = {0: (0,), 1: (1,), 2: (2,), 3: (3, 4), 4: (5, 6, 7)}


@dataclass
class Dataset:
    offices: list[dict[str, Any]] = field(default_factory=list)
    life_situations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)  # keyed by import columns


def _euro(amount: float) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " Euro"


def _service(i: int, rng: random.Random) -> dict[str, Any]:
    n_obj, n_act = len(OBJECTS), len(ACTIONS)
    obj_i, act_i, variant = i % n_obj, (i // n_obj) % n_act, i // (n_obj * n_act)
    obj, topic, office, situations, keywords, legal, fee = OBJECTS[obj_i]
    verb, noun, weight = ACTIONS[act_i]
    name = f"{obj} {verb}"
    if variant:
        district = DISTRICTS[(variant - 1) % len(DISTRICTS)]
        audience = AUDIENCES[((variant - 1) // len(DISTRICTS)) % len(AUDIENCES)]
        round_ = (variant - 1) // (len(DISTRICTS) * len(AUDIENCES))
        name += f" {audience} (Ortsteil {district})" + (f" {round_ + 1}" if round_ else "")
    key = f"99{obj_i + 1:03d}{(obj_i * 37) % 1000:03d}{act_i + 1:03d}{variant:03d}"
    level = rng.choices(range(5), weights=MATURITY_WEIGHTS)[0]
    online = level >= 2 and rng.random() < 0.9
    own = online and rng.random() < 0.3
    url = ""
    if online:
        url = (HOST_OWN if own else rng.choice(HOSTS_EXTERNAL)) + key
    status = rng.choices(["published", "draft", "archived"], weights=[85, 10, 5])[0]
    description = " ".join(
        [
            f"Hier erfahren Sie, wie Sie {obj} {verb.split()[-1]}.",
            *rng.sample(SENTENCES, k=rng.randint(3, 6)),
        ]
    )
    return {
        "leika_key": key,
        "name": name,
        "ozg_id": f"{1000 + obj_i * 7 + act_i}",
        "ozg_name": f"{obj} ({noun})",
        "topic": topic,
        "life_situations": list(situations),
        "maturity_level": level,
        "maturity_level_v2": rng.choice(V2_FOR_V1[level]),
        "channel_online": online,
        "channel_in_person": level < 4 or rng.random() < 0.5,
        "channel_post": rng.random() < 0.4,
        "channel_email": rng.random() < 0.3,
        "channel_phone": rng.random() < 0.2,
        "online_service_url": url,
        "online_service_name": f"{noun} {obj} online" if online else "",
        "online_service_own": own,
        "trust_level": rng.choice(["", "niedrig", "substantiell", "hoch"]) if online else "",
        "summary": f"{noun}: {obj} {verb} bei der Hansestadt Buxtehude: "
        f"was Sie brauchen, was es kostet und wie lange es dauert.",
        "description": description,
        "requirements": "\n".join(rng.sample(REQUIREMENTS, k=rng.randint(1, 3))),
        "documents": "\n".join(f"- {d}" for d in rng.sample(DOCUMENTS, k=rng.randint(1, 4))),
        "fees": _euro(fee * (0.5 + rng.random())) if fee else "gebührenfrei",
        "deadlines": rng.choice(DEADLINES),
        "processing_time": rng.choice(PROCESSING),
        "legal_basis": legal,
        "office": office,
        "keywords": keywords,
        "annual_cases": int(rng.lognormvariate(5, 1.5) * weight),
        "status": status,
        "review_due": REFERENCE_DATE + datetime.timedelta(days=rng.randint(-90, 720)),
    }


def generate(n: int, *, seed: int = DEFAULT_SEED) -> Dataset:
    """`n` services (plus the offices and life situations they refer to)."""
    rng = random.Random(seed)
    offices = [
        {
            "slug": slug,
            "name": name,
            "street": street,
            "postal_code": "21614",
            "city": "Buxtehude",
            "phone": f"04161 501-{100 + i * 10}",
            "email": f"{slug}@stadt.buxtehude.example",
            "opening_hours": "Mo-Fr 8-12 Uhr, Do 14-18 Uhr",
            "accessibility": "Stufenloser Zugang, Aufzug" if i % 3 else "Eingang mit Rampe",
        }
        for i, (slug, name, street) in enumerate(OFFICES)
    ]
    situations = [
        {"slug": slug, "name": name, "name_en": name_en, "position": i}
        for i, (slug, name, name_en) in enumerate(LIFE_SITUATIONS)
    ]
    return Dataset(
        offices=offices, life_situations=situations, services=[_service(i, rng) for i in range(n)]
    )


# --- files -------------------------------------------------------------------------------


def write_csv(path: Path, dataset: Dataset, *, delimiter: str = ";") -> Path:
    """The services as an import CSV (UTF-8 with BOM, `;`, like German Excel)."""
    import csv

    from rathaus.catalog.io.columns import COLUMNS, to_cell

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([c.key for c in COLUMNS])
        for row in dataset.services:
            writer.writerow([to_cell(c, row.get(c.key)) for c in COLUMNS])
    return path


def write_json(path: Path, dataset: Dataset) -> Path:
    import json

    from rathaus.catalog.io.columns import COLUMNS, to_json

    records = [{c.key: to_json(c, row.get(c.key)) for c in COLUMNS} for row in dataset.services]
    path.write_text(json.dumps({"services": records}, ensure_ascii=False, indent=1), "utf-8")
    return path


# --- database ----------------------------------------------------------------------------


def setup_django(data_dir: Path | None = None) -> None:
    """For scripts: point settings at the environment (and a data folder) and set up Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.config.settings")
    if data_dir is not None:
        os.environ["RATHAUS_DATA_DIR"] = str(data_dir)
    import django

    django.setup()


def ensure_reference_data(dataset: Dataset) -> None:
    """Create the offices and life situations the services refer to (kept if present)."""
    from rathaus.accounts.models import Office
    from rathaus.catalog.models import LifeSituation

    for data in dataset.offices:
        if not Office.objects.filter(slug=data["slug"]).exists():
            Office.objects.update_or_create(name=data["name"], defaults=data)
    for data in dataset.life_situations:
        if not LifeSituation.objects.filter(slug=data["slug"]).exists():
            LifeSituation.objects.update_or_create(name=data["name"], defaults=data)


def load_db(
    n: int, *, seed: int = DEFAULT_SEED, dataset: Dataset | None = None, batch_size: int = 500
) -> ImportResult:
    """Load `n` generated services into the configured database through the importer.

    Goes through the same validation, history and search indexing as a file import, so
    benchmarks measure what production data looks like.
    """
    from rathaus.catalog.io.importer import import_rows
    from rathaus.catalog.io.tabular import RawRow

    dataset = dataset or generate(n, seed=seed)
    ensure_reference_data(dataset)
    rows = [RawRow(line=i + 2, values=row) for i, row in enumerate(dataset.services)]
    return import_rows(
        rows, filename=f"generate-{n}-seed{seed}", fmt="generated", batch_size=batch_size
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of services")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--output", type=Path, help="file to write")
    parser.add_argument("--load", action="store_true", help="load into the configured database")
    args = parser.parse_args(argv)
    if not args.output and not args.load:
        parser.error("give --output FILE or --load")
    setup_django()
    dataset = generate(args.n, seed=args.seed)
    if args.output:
        writer = write_json if args.format == "json" else write_csv
        writer(args.output, dataset)
        print(f"{args.n} services written to {args.output}")
    if args.load:
        result = load_db(args.n, dataset=dataset)
        print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
