"""Benchmark: council full-text search over 50,000 papers and 40,000 file texts (p95 <= 100 ms).

    .venv/bin/python benchmarks/bench_council_search.py                 # temporary SQLite
    DATABASE_URL=postgres://USER@HOST/rathaus .venv/bin/python benchmarks/bench_council_search.py

Fills a council with papers (bulk_create) and file texts (German sentences from the
templates of the council demo, with compound words for a wide vocabulary; no PDFs, the text
goes straight into `File.text`), indexes them in batches through the council's own index
functions (timed: the index build), then times searches through the search of the citizen
pages (`council.selectors.search_council`, anonymous reader, first page of 20 with
snippets): single words, prefixes, two-word queries, typos and a miss. `match_only` is the
full-text match of `core.search` alone, for comparison.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from harness import ROOT, fresh_django, report, summarize, timed

TEMPLATES = ROOT / "src" / "rathaus" / "fixtures" / "demo" / "council" / "papers.json"

QUERIES = [
    "Bebauungsplan",
    "Kita",
    "Feuerwehr",
    "Haushaltssatzung",
    "Digitalisierung",
    "Glasfaser",
    "Spielplatz",
    "Photovoltaik",
    "Wärmeplanung",
    "Obdachlosenunterkunft",
    "Sanier",
    "Schul",
    "Radverkehr Bahnhof",
    "Sanierung Sporthalle",
    "Tempo 30",
    "Hochwasserschutz Este",
    "Grundsteuer Hebesatz",
    "Videokonferenz Ratsmitglieder",
    "Jugendparlament Skatepark",
    "Straßenbeleuchtung Störungen",
    "Bebaungsplan",
    "Feuerwer",
    "Digitalsierung",
    "Kindertagesstäte",
    "Photovoltaic",
    "Ausschreibung Vergabe Bauleistungen",
    "Wohnraumversorgungskonzept",
    "Ortsrat Hedendorf",
    "Lärmaktionsplan",
    "Medienentwicklungsplan Tablets",
    "Hilfeleistungslöschgruppenfahrzeug",
    "Einwohnerfragestunde",
    "Leerstand Altstadt",
    "Baumschutzsatzung",
    "Klimaschutzkonzept Maßnahmenprogramm",
    "Wochenmarkt",
    "Trinkwasserbrunnen",
    "E-Akte",
    "Onlinezugangsgesetz",
    "zzzqqqxx",
]

# Parts of compound words: a council's vocabulary is full of them, and they make the index
# (and the typo correction over its vocabulary) as large as a real one.
HEADS = (  # noqa: SIM905 - word lists read better as text
    "Straßen Schul Kita Feuerwehr Sport Rad Bus Bahnhofs Hafen Markt Kultur Jugend Senioren "
    "Wohn Gewerbe Klima Energie Wasser Abwasser Friedhofs Park Wald Moor Deich Brücken Geh "
    "Park Stadt Orts Bürger Verwaltungs Haushalts Personal Gebäude Dach Fenster Heizungs "
    "Licht Lärm Verkehrs Fahrrad Spiel Bibliotheks Museums Musik Theater Grün Baum Hecken "
    "Garten Sanierungs Planungs Förder Bau Miet Kauf Pacht Abfall Wertstoff Glasfaser Daten "
    "Netz Server Telefon Drucker Archiv Akten Post Kassen Steuer Gebühren Sozial Integrations"
).split()
TAILS = (  # noqa: SIM905 - word lists read better as text
    "konzept plan satzung ordnung programm gutachten bericht vertrag antrag anlage fläche "
    "gebäude haus halle platz weg straße netz kosten mittel zuschuss förderung pflege "
    "unterhaltung erneuerung sanierung erweiterung beleuchtung beschilderung beratung "
    "verwaltung steuer gebühr abgabe verordnung richtlinie kataster management leitung "
    "versorgung entsorgung sicherheit schutz überwachung zählung messung prüfung"
).split()
PLACES = (  # noqa: SIM905 - word lists read better as text
    "Altkloster Neukloster Hedendorf Ottensen Dammhausen Eilendorf Immenbeck Daensen "
    "Ovelgönne Altstadt Westfleth Ostfleth Viverstraße Konopkastraße Harburger Stader"
).split()
TYPES = ("Beschlussvorlage", "Mitteilungsvorlage", "Antrag", "Anfrage")


def sentences() -> list[str]:
    """Every template sentence of the council demo, placeholders still in."""
    document = json.loads(Path(TEMPLATES).read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.extend(s for s in re.split(r"(?<=[.!?])\s+", value) if len(s) > 30)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for key, v in value.items():
                if key not in ("pools", "keywords", "committee", "decide"):
                    walk(v)

    walk({k: v for k, v in document.items() if k != "pools"})
    return sorted(set(found))


class TextMaker:
    def __init__(self, seed: int) -> None:
        document = json.loads(Path(TEMPLATES).read_text(encoding="utf-8"))
        self.rng = random.Random(seed)
        self.sentences = sentences()
        self.pools: dict[str, list[str]] = {
            k: v for k, v in document["pools"].items() if isinstance(v, list)
        }
        self.titles = [t["title"] for kind in TYPES for t in document[kind]]
        self.compounds = [h + t for h in HEADS for t in TAILS]

    def values(self) -> dict[str, str]:
        rng = self.rng
        year = rng.randint(2016, 2026)
        values = {key: rng.choice(pool) for key, pool in self.pools.items()}
        values.update(
            jahr=str(year),
            vorjahr=str(year - 1),
            folgejahr=str(year + 1),
            jahr4=str(year + 4),
            schuljahr=f"{year}/{(year + 1) % 100:02d}",
            betrag=f"{rng.randint(10, 4000) * 1000:,} Euro".replace(",", "."),
            betrag_klein=f"{rng.randint(5, 200) * 1000:,} Euro".replace(",", "."),
            anzahl=str(rng.randint(3, 12)),
            prozent=str(rng.randint(5, 60)),
            anteil=str(rng.randint(20, 35)),
            quote=str(rng.randint(70, 95)),
            bplan=str(rng.randint(20, 200)),
            strasse2=rng.choice(self.pools["strasse"]),
            produkt_name=rng.choice(self.pools["produkt"]).split(" ", 1)[1],
            monat=f"März {year}",
            auslegung=f"vom 3. März bis 4. April {year}",
            halbjahr=f"ersten Halbjahr {year}",
            hebesatz_a="410",
            hebesatz_b="455",
            fahrzeugalter="28",
            mitglied="Ratsfrau Meyer (SPD)",
            datum=f"12.03.{year}",
            sitzung="Sitzung des Rates",
            fraktion="SPD-Fraktion",
            flur="12",
            flurstueck="44",
        )
        return values

    def fill(self, template: str, values: dict[str, str]) -> str:
        return template.format_map(values)

    def title(self) -> str:
        return self.fill(self.rng.choice(self.titles), self.values())

    def text(self, sentences: int) -> str:
        rng = self.rng
        values = self.values()
        parts = [self.fill(rng.choice(self.sentences), values) for _ in range(sentences)]
        extra = rng.sample(self.compounds, 4)
        # Three-part compounds ("Schulsanierungskonzept") give a vocabulary of about 100,000
        # words, like the archive of a real council, for the typo correction to search.
        longer = [rng.choice(HEADS) + rng.choice(TAILS) + "s" + rng.choice(TAILS) for _ in range(2)]
        parts.append(
            f"Betroffen sind {extra[0]}, {extra[1]} und {extra[2]} in {rng.choice(PLACES)}; "
            f"die {extra[3]} wird gesondert vorgelegt, ebenso {longer[0]} und {longer[1]}."
        )
        return " ".join(parts)


def build(papers: int, files: int, batch: int) -> dict[str, Any]:
    from django.db import transaction

    from rathaus.council.models import Body, File, Organization, Paper

    maker = TextMaker(seed=7)
    body = Body.objects.create(name="Hansestadt Buxtehude", short_name="Buxtehude", ags="03359010")
    faction = Organization.objects.create(
        body=body, name="SPD-Fraktion", slug="spd", organization_type="Fraktion"
    )
    start = datetime.date(2016, 11, 1)
    started = time.perf_counter()
    file_ids: list[int] = []
    with transaction.atomic():
        for offset in range(0, files, batch):
            rows = [
                File(
                    name=f"Anlage {offset + i + 1}",
                    file_name=f"anlage-{offset + i + 1}.pdf",
                    mime_type="application/pdf",
                    date=start + datetime.timedelta(days=(offset + i) % 3650),
                    text=maker.text(maker.rng.randint(6, 16)),
                    is_public=(offset + i) % 25 != 0,
                )
                for i in range(min(batch, files - offset))
            ]
            File.objects.bulk_create(rows)
            file_ids.extend(r.pk for r in rows)
        paper_rows: list[Any] = []
        for offset in range(0, papers, batch):
            rows = []
            for i in range(min(batch, papers - offset)):
                n = offset + i
                rows.append(
                    Paper(
                        body=body,
                        name=maker.title()[:500],
                        reference=f"{2016 + n % 10}/{n // 10 + 1:05d}",
                        date=start + datetime.timedelta(days=n % 3650),
                        paper_type=TYPES[n % 4],
                        main_file_id=file_ids[n] if n < len(file_ids) else None,
                        is_public=n % 25 != 0,
                        questions=[maker.fill(maker.rng.choice(maker.sentences), maker.values())]
                        if n % 4 == 3
                        else [],
                    )
                )
            Paper.objects.bulk_create(rows)
            paper_rows.extend(rows)
        through = Paper.originator_organizations.through
        through.objects.bulk_create(
            [through(paper_id=p.pk, organization_id=faction.pk) for p in paper_rows[::4]],
            batch_size=batch,
        )
    fill_s = time.perf_counter() - started
    return {
        "paper_ids": [p.pk for p in paper_rows],
        "file_ids": file_ids,
        "fill_s": round(fill_s, 1),
        "text_mb": round(sum(len(t) for t in File.objects.values_list("text", flat=True)) / 1e6, 1),
    }


def index(paper_ids: list[int], file_ids: list[int], batch: int) -> float:
    from rathaus.council.services import sync_search_index

    started = time.perf_counter()
    for offset in range(0, len(paper_ids), batch):
        sync_search_index(papers=paper_ids[offset : offset + batch])
    for offset in range(0, len(file_ids), batch):
        sync_search_index(files=file_ids[offset : offset + batch])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=40_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    with fresh_django("council-search") as vendor:
        from rathaus.core import search
        from rathaus.core.models import SearchDocument, SearchTerm
        from rathaus.council import selectors, visibility
        from rathaus.council.services import SEARCH_KINDS

        built = build(args.papers, args.files, args.batch)
        index_s = index(built["paper_ids"], built["file_ids"], args.batch)
        documents = SearchDocument.objects.count()
        words = SearchTerm.objects.count()

        def run(q: str) -> None:
            hits[q] = selectors.search_council(visibility.PUBLIC, q).total

        hits: dict[str, int] = {}
        for q in QUERIES:  # warm the vocabulary, caches and query plans
            run(q)
        rng = random.Random(11)
        samples: list[float] = []
        per_query: dict[str, list[float]] = {}
        while len(samples) < args.searches:
            order = QUERIES[:]
            rng.shuffle(order)
            for q in order[: args.searches - len(samples)]:
                ms = timed(lambda q=q: run(q))
                samples.append(ms)
                per_query.setdefault(q, []).append(ms)
        # The full-text match alone (no visibility, no page, no snippets): where the time goes.
        engine: list[float] = []
        for q in QUERIES * 2:
            engine.append(
                timed(lambda q=q: search.search(q, kinds=list(SEARCH_KINDS), snippets=False))
            )
        slowest = sorted(per_query, key=lambda q: -max(per_query[q]))[:5]
        report(
            "council_search",
            {
                "database": vendor,
                "papers": args.papers,
                "files": args.files,
                "file_text_mb": built["text_mb"],
                "documents": documents,
                "vocabulary": words,
                "fill_s": built["fill_s"],
                "index_build_s": round(index_s, 1),
                **summarize(samples),
                "target_p95_ms": 100,
                "match_only": summarize(engine),
                "slowest": {q: round(max(per_query[q]), 1) for q in slowest},
                "hits_per_query": hits,
            },
        )


if __name__ == "__main__":
    main()
