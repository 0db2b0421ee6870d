# ruff: noqa: E501 - demo texts read better as one line per sentence
"""News demo of the Hansestadt Buxtehude: categories, topics, about 40 news items and press
releases, 5 official notices and about 20 events. All texts are invented for the demo.

Dates are relative to the day the demo is first loaded, so the demo always looks current.
Loading is idempotent: items are matched by their slug and never written again, so a second
run changes nothing (and keeps the dates of the first).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.news import services
from rathaus.news.models import Announcement, Category, Event, Publishable, Topic

CATEGORIES = [
    ("rathaus", "Rathaus und Verwaltung"),
    ("kultur", "Kultur und Freizeit"),
    ("bauen-verkehr", "Bauen und Verkehr"),
    ("umwelt", "Umwelt und Klima"),
    ("soziales", "Familie und Soziales"),
    ("politik", "Rat und Politik"),
]
TOPICS = [
    ("rathaus", "Rathaus", "Öffnungszeiten, Bürgerbüro, Online-Dienste und Verwaltung"),
    ("bauen-verkehr", "Bauen und Verkehr", "Baustellen, Bebauungspläne, Straßen und Radwege"),
    ("kultur", "Kultur", "Veranstaltungen, Museum, Bibliothek und Feste"),
    ("umwelt", "Umwelt", "Klimaschutz, Abfall, Grünflächen und die Este"),
    ("rat", "Rat und Ausschüsse", "Sitzungen, Beschlüsse und Bürgerbeteiligung"),
    ("familie", "Familie und Bildung", "Kitas, Schulen, Ferienprogramm"),
    ("sport", "Sport", "Sportstätten, Freibad und Vereine"),
]

N, P = Announcement.Kind.NEWS, Announcement.Kind.PRESS

# (slug, kind, category, topics, days ago (negative: scheduled), title, summary, paragraph)
NEWS: list[tuple[str, str, str, tuple[str, ...], int, str, str, str]] = [
    (
        "buergerbuero-samstags-geoeffnet",
        N,
        "rathaus",
        ("rathaus",),
        2,
        "Bürgerbüro öffnet wieder samstags",
        "Ab sofort ist das Bürgerbüro im Rathaus auch an jedem ersten Samstag im Monat von 9 bis 12 Uhr geöffnet.",
        "Termine für Personalausweis, Reisepass und Meldeangelegenheiten können online gebucht werden. Spontane Besuche sind möglich, es kann aber zu Wartezeiten kommen.",
    ),
    (
        "online-terminbuchung-erweitert",
        P,
        "rathaus",
        ("rathaus",),
        5,
        "Online-Terminbuchung für weitere Dienststellen",
        "Auch Standesamt, Wohngeldstelle und Bauaufsicht vergeben ihre Termine jetzt online.",
        "Die Stadt setzt damit den nächsten Schritt der Digitalisierung um. Wer keinen Internetzugang hat, erreicht die Dienststellen weiterhin telefonisch.",
    ),
    (
        "hundesteuer-bescheide-digital",
        N,
        "rathaus",
        ("rathaus",),
        9,
        "Hundesteuerbescheide jetzt auch digital",
        "Wer seinen Hund online zur Hundesteuer anmeldet, erhält den Bescheid auf Wunsch digital im Bürgerkonto.",
        "Die Steuermarke kommt weiterhin per Post. Bestehende Hundehalterinnen und Hundehalter können die digitale Zustellung im Bürgerkonto einschalten.",
    ),
    (
        "sanierung-bahnhofstrasse-beginnt",
        P,
        "bauen-verkehr",
        ("bauen-verkehr",),
        12,
        "Sanierung der Bahnhofstraße beginnt",
        "Ab Montag wird die Bahnhofstraße zwischen Rathaus und Bahnhof abschnittsweise saniert; die Umleitung ist ausgeschildert.",
        "Die Arbeiten dauern voraussichtlich bis zum Herbst. Fußgängerinnen, Fußgänger und der Radverkehr können die Baustelle jederzeit passieren. Die Busse fahren eine Umleitung über die Harburger Straße.",
    ),
    (
        "radweg-altkloster-freigegeben",
        N,
        "bauen-verkehr",
        ("bauen-verkehr", "umwelt"),
        15,
        "Neuer Radweg nach Altkloster freigegeben",
        "Der neue, zwei Meter breite Radweg entlang der Altländer Straße ist fertig und freigegeben.",
        "Der Radweg schließt eine wichtige Lücke im Radverkehrsnetz und wurde aus Mitteln des Landes gefördert.",
    ),
    (
        "baumpflanzaktion-herbst",
        N,
        "umwelt",
        ("umwelt",),
        18,
        "150 neue Stadtbäume bis zum Frühjahr",
        "Die Stadt pflanzt in diesem Herbst und Winter 150 neue Bäume in Straßen, Parks und auf Schulhöfen.",
        "Ausgewählt wurden Arten, die Hitze und Trockenheit gut vertragen. Bürgerinnen und Bürger können Baumpatenschaften übernehmen.",
    ),
    (
        "klimaschutzkonzept-beteiligung",
        P,
        "umwelt",
        ("umwelt", "rat"),
        21,
        "Klimaschutzkonzept: Bürgerbeteiligung startet",
        "Bis Ende des Monats können alle Buxtehuderinnen und Buxtehuder Vorschläge für das neue Klimaschutzkonzept einreichen.",
        "Die Vorschläge fließen in den Entwurf ein, über den der Umweltausschuss im kommenden Jahr berät.",
    ),
    (
        "ferienprogramm-anmeldung",
        N,
        "soziales",
        ("familie",),
        24,
        "Ferienprogramm: Anmeldung ab Montag",
        "Mehr als 80 Angebote für Kinder und Jugendliche: das Ferienprogramm ist online, die Anmeldung beginnt am Montag.",
        "Familien mit geringem Einkommen erhalten mit dem Buxtehude-Pass eine Ermäßigung. Viele Angebote sind barrierefrei.",
    ),
    (
        "kita-platzvergabe",
        N,
        "soziales",
        ("familie",),
        27,
        "Kita-Plätze für das neue Kita-Jahr vergeben",
        "Die Zusagen für das neue Kita-Jahr sind verschickt; freie Plätze gibt es noch in zwei Einrichtungen.",
        "Eltern, die noch keinen Platz haben, wenden sich an die Kita-Beratung im Fachbereich Familie und Bildung.",
    ),
    (
        "stadtbibliothek-sonntags",
        P,
        "kultur",
        ("kultur",),
        30,
        "Stadtbibliothek öffnet sonntags",
        "Als eine der ersten Bibliotheken im Landkreis öffnet die Stadtbibliothek künftig auch sonntags von 11 bis 17 Uhr.",
        "Möglich macht das die Technik der offenen Bibliothek: Ausleihe und Rückgabe funktionieren mit dem Bibliotheksausweis auch ohne Personal.",
    ),
    (
        "museum-neue-ausstellung",
        N,
        "kultur",
        ("kultur",),
        33,
        "Buxtehude Museum zeigt Hansegeschichte neu",
        "Die neu gestaltete Dauerausstellung erzählt die Geschichte der Hansestadt an der Este mit vielen Mitmachstationen.",
        "Alle Texte gibt es auch in Leichter Sprache; ein Audioguide beschreibt die Exponate für blinde und sehbehinderte Gäste.",
    ),
    (
        "freibad-saisonbilanz",
        N,
        "kultur",
        ("sport",),
        36,
        "Freibad: Saisonbilanz mit Besucherrekord",
        "Mehr als 95.000 Gäste besuchten in diesem Sommer das Freibad – so viele wie nie zuvor.",
        "Die neue Solaranlage hat das Beckenwasser an sonnigen Tagen vollständig erwärmt.",
    ),
    (
        "ratssitzung-livestream",
        P,
        "politik",
        ("rat",),
        39,
        "Ratssitzungen künftig im Livestream",
        "Der Rat der Hansestadt hat beschlossen, seine öffentlichen Sitzungen künftig live im Internet zu übertragen.",
        "Übertragen wird nur, wer zustimmt. Die Aufzeichnungen stehen anschließend im Ratsinformationssystem bereit.",
    ),
    (
        "haushalt-eingebracht",
        P,
        "politik",
        ("rat", "rathaus"),
        42,
        "Bürgermeisterin bringt Haushaltsentwurf ein",
        "Der Entwurf des Haushalts für das kommende Jahr sieht Investitionen von 38 Millionen Euro vor, vor allem in Schulen und Kitas.",
        "Die Fachausschüsse beraten den Entwurf in den nächsten Wochen; der Rat soll den Haushalt im Dezember beschließen.",
    ),
    (
        "wertstoffhof-oeffnungszeiten",
        N,
        "umwelt",
        ("umwelt",),
        45,
        "Wertstoffhof mit neuen Öffnungszeiten",
        "Der Wertstoffhof am Ziegelkamp ist ab November dienstags bis samstags geöffnet, montags bleibt er geschlossen.",
        "Grünschnitt kann im Herbst zusätzlich an drei Sammelstellen in den Ortschaften abgegeben werden.",
    ),
    (
        "glasfaser-ortschaften",
        N,
        "bauen-verkehr",
        ("bauen-verkehr",),
        48,
        "Glasfaserausbau in den Ortschaften kommt voran",
        "In Hedendorf und Ovelgönne sind die ersten Haushalte an das Glasfasernetz angeschlossen.",
        "Bis Ende nächsten Jahres sollen alle geförderten Adressen in den Ortschaften angeschlossen sein.",
    ),
    (
        "ehrenamtspreis-verliehen",
        P,
        "soziales",
        ("rathaus",),
        52,
        "Ehrenamtspreis an drei Initiativen verliehen",
        "Die Hansestadt ehrt die Tafel, den Repair-Treff und die Jugendfeuerwehr Daensen mit dem Ehrenamtspreis.",
        "Der Preis ist mit je 1.000 Euro dotiert. Vorschläge für das nächste Jahr nimmt das Büro der Bürgermeisterin entgegen.",
    ),
    (
        "schulneubau-richtfest",
        P,
        "bauen-verkehr",
        ("familie", "bauen-verkehr"),
        55,
        "Richtfest an der neuen Grundschule Ottensen",
        "Nach zehn Monaten Bauzeit feiert die neue Grundschule Ottensen Richtfest; der Unterricht soll nach den Sommerferien beginnen.",
        "Die Schule wird in Holzbauweise errichtet und erhält eine Photovoltaikanlage auf dem Dach.",
    ),
    (
        "laermaktionsplan-auslegung",
        N,
        "bauen-verkehr",
        ("bauen-verkehr", "umwelt"),
        58,
        "Lärmaktionsplan: Entwurf liegt aus",
        "Bis zum Monatsende können Bürgerinnen und Bürger den Entwurf des Lärmaktionsplans einsehen und Stellung nehmen.",
        "Der Entwurf liegt im Rathaus aus und steht auf der Internetseite der Stadt zum Herunterladen bereit.",
    ),
    (
        "wochenmarkt-neuer-standort",
        N,
        "rathaus",
        ("rathaus",),
        62,
        "Wochenmarkt kehrt auf den Petri-Platz zurück",
        "Nach Abschluss der Pflasterarbeiten findet der Wochenmarkt ab Samstag wieder auf dem Petri-Platz statt.",
        "Der Markt ist mittwochs und samstags von 7 bis 13 Uhr geöffnet.",
    ),
    (
        "digitalisierungsbericht",
        P,
        "rathaus",
        ("rathaus", "rat"),
        66,
        "Bericht zur Digitalisierung der Verwaltung vorgelegt",
        "Über 60 Leistungen der Stadt lassen sich inzwischen vollständig online erledigen; der Bericht steht im Ratsinformationssystem.",
        "Am häufigsten genutzt werden die Terminbuchung, die Anmeldung zur Hundesteuer und der Antrag auf einen Bewohnerparkausweis.",
    ),
    (
        "seniorenbeirat-wahl",
        N,
        "soziales",
        ("rat",),
        70,
        "Seniorenbeirat neu gewählt",
        "Der neue Seniorenbeirat hat sich konstituiert und vertritt die Anliegen älterer Menschen gegenüber Rat und Verwaltung.",
        "Die Sprechstunde des Beirats findet jeden ersten Dienstag im Monat im Rathaus statt.",
    ),
    (
        "weihnachtsmarkt-vorbereitung",
        N,
        "kultur",
        ("kultur",),
        74,
        "Weihnachtsmarkt: Bewerbungen für Stände",
        "Händlerinnen und Händler können sich bis Ende September für einen Stand auf dem Buxtehuder Weihnachtsmarkt bewerben.",
        "Vergeben werden 40 Stände; Vorrang haben regionale und handwerkliche Angebote.",
    ),
    (
        "baustelle-estebruecke",
        P,
        "bauen-verkehr",
        ("bauen-verkehr",),
        78,
        "Estebrücke wird erneuert",
        "Die Fußgängerbrücke über die Este am Stavenort wird ab Oktober für sechs Monate gesperrt und neu gebaut.",
        "Eine Behelfsbrücke steht während der Bauzeit zur Verfügung und ist stufenlos erreichbar.",
    ),
    (
        "stadtradeln-ergebnis",
        N,
        "umwelt",
        ("umwelt", "sport"),
        82,
        "Stadtradeln: 310.000 Kilometer erradelt",
        "Beim Stadtradeln haben 1.450 Buxtehuderinnen und Buxtehuder zusammen 310.000 Kilometer zurückgelegt.",
        "Das aktivste Team stellte das Gymnasium Buxtehude-Süd.",
    ),
    (
        "integrationskurse",
        N,
        "soziales",
        ("familie",),
        86,
        "Neue Sprach- und Integrationskurse",
        "Ab Oktober beginnen neue Sprachkurse in Kooperation mit der Volkshochschule, auch mit Kinderbetreuung.",
        "Die Beratung findet im Bürgerhaus statt; eine Anmeldung ist online oder telefonisch möglich.",
    ),
    (
        "feuerwehr-neues-fahrzeug",
        N,
        "rathaus",
        ("rathaus",),
        90,
        "Neues Löschfahrzeug für die Ortsfeuerwehr Hedendorf",
        "Die Ortsfeuerwehr Hedendorf hat ein neues Löschgruppenfahrzeug erhalten.",
        "Das Fahrzeug ersetzt ein über 30 Jahre altes Modell und bietet Platz für neun Einsatzkräfte.",
    ),
    (
        "sommerkonzerte-bilanz",
        N,
        "kultur",
        ("kultur",),
        95,
        "Sommerkonzerte am Fleth begeistern",
        "Rund 6.000 Gäste besuchten die Sommerkonzerte am Westfleth.",
        "Die Reihe wird im nächsten Jahr fortgesetzt; Bands aus der Region können sich ab Januar bewerben.",
    ),
    (
        "parkgebuehren-anpassung",
        P,
        "bauen-verkehr",
        ("bauen-verkehr", "rat"),
        100,
        "Rat beschließt neue Parkgebühren",
        "Ab dem kommenden Jahr kostet das Parken in der Innenstadt 1,50 Euro pro Stunde; die erste halbe Stunde bleibt frei.",
        "Bewohnerparkausweise können weiterhin online beantragt werden.",
    ),
    (
        "trinkwasser-brunnen",
        N,
        "umwelt",
        ("umwelt",),
        105,
        "Drei neue Trinkwasserbrunnen in der Innenstadt",
        "An Rathaus, Bahnhof und Petri-Platz gibt es jetzt kostenloses Trinkwasser.",
        "Die Brunnen sind barrierefrei erreichbar und werden regelmäßig vom Gesundheitsamt geprüft.",
    ),
    (
        "jugendparlament",
        P,
        "politik",
        ("rat", "familie"),
        110,
        "Jugendparlament gewählt",
        "Jugendliche zwischen 14 und 21 Jahren haben erstmals online ihr Jugendparlament gewählt.",
        "Das Jugendparlament hat Rederecht in den Ausschüssen des Rates.",
    ),
    (
        "sportplatz-kunstrasen",
        N,
        "kultur",
        ("sport",),
        115,
        "Kunstrasenplatz in Neukloster eröffnet",
        "Der neue Kunstrasenplatz an der Sportanlage Neukloster steht Vereinen und Schulen zur Verfügung.",
        "Die Anlage ist mit LED-Flutlicht ausgestattet, das den Stromverbrauch deutlich senkt.",
    ),
    (
        "stadtfuehrungen-inklusiv",
        N,
        "kultur",
        ("kultur",),
        120,
        "Inklusive Stadtführungen",
        "Die Tourist-Information bietet Stadtführungen in Gebärdensprache und für Menschen im Rollstuhl an.",
        "Die Führungen sind kostenlos; eine Anmeldung ist erwünscht.",
    ),
    (
        "wahlhelfer-gesucht",
        N,
        "rathaus",
        ("rathaus",),
        125,
        "Wahlhelferinnen und Wahlhelfer gesucht",
        "Für die nächste Wahl sucht die Stadt rund 400 Wahlhelferinnen und Wahlhelfer.",
        "Für den Einsatz gibt es ein Erfrischungsgeld von 50 Euro.",
    ),
    (
        "energiesparen-rathaus",
        P,
        "umwelt",
        ("umwelt", "rathaus"),
        130,
        "Rathaus spart ein Viertel Energie",
        "Durch neue Heizungstechnik und LED-Beleuchtung verbraucht das Rathaus ein Viertel weniger Energie als vor drei Jahren.",
        "Als Nächstes werden die Schulen und Sporthallen umgerüstet.",
    ),
    (
        "bebauungsplan-infoabend",
        N,
        "bauen-verkehr",
        ("bauen-verkehr", "rat"),
        135,
        "Infoabend zum Baugebiet Giselbertstraße",
        "Die Verwaltung stellt die Planung für das neue Wohngebiet an der Giselbertstraße vor und beantwortet Fragen.",
        "Die Unterlagen zum Bebauungsplan stehen im Ratsinformationssystem.",
    ),
    (
        "stadtwerke-ladesaeulen",
        N,
        "bauen-verkehr",
        ("umwelt", "bauen-verkehr"),
        140,
        "20 neue Ladesäulen für Elektroautos",
        "An zehn Standorten im Stadtgebiet stehen jetzt insgesamt 20 neue Ladepunkte zur Verfügung.",
        "Bezahlt wird mit Karte oder per App, ohne Vertrag.",
    ),
    # Scheduled: not visible (nor in feeds and search) before their day.
    (
        "neujahrsempfang-einladung",
        P,
        "rathaus",
        ("rathaus",),
        -3,
        "Einladung zum Neujahrsempfang der Bürgermeisterin",
        "Die Bürgermeisterin lädt alle Buxtehuderinnen und Buxtehuder zum Neujahrsempfang in die Stadthalle ein.",
        "Der Eintritt ist frei; die Stadthalle ist stufenlos erreichbar, es gibt eine Induktionsschleife.",
    ),
    (
        "winterdienst-hinweise",
        N,
        "umwelt",
        ("umwelt",),
        -10,
        "Winterdienst: Was Anliegerinnen und Anlieger wissen müssen",
        "Gehwege müssen werktags ab 7 Uhr von Schnee und Eis befreit sein; die Stadt räumt Fahrbahnen und Radwege.",
        "Streusalz ist auf Gehwegen nur bei Glatteis erlaubt; besser sind Sand oder Splitt.",
    ),
]
EXPIRED_SLUG = "sommerferien-oeffnungszeiten"
EXPIRED = (
    EXPIRED_SLUG,
    N,
    "rathaus",
    ("rathaus",),
    150,
    "Geänderte Öffnungszeiten in den Sommerferien",
    "In den Sommerferien ist das Rathaus nachmittags geschlossen.",
    "Das Bürgerbüro bleibt zu den gewohnten Zeiten geöffnet.",
)

# (slug, title, days ago, legal effect in days from publication, topics, summary, body)
NOTICES: list[tuple[str, str, int, int, tuple[str, ...], str, str]] = [
    (
        "haushaltssatzung",
        "Haushaltssatzung der Hansestadt Buxtehude für das Haushaltsjahr",
        20,
        1,
        ("rat", "rathaus"),
        "Bekanntmachung der vom Rat beschlossenen Haushaltssatzung nach § 114 NKomVG.",
        "<p>Der Rat der Hansestadt Buxtehude hat in seiner Sitzung die Haushaltssatzung beschlossen. Die nach § 114 Abs. 1 NKomVG erforderliche Genehmigung der Kommunalaufsicht wurde erteilt.</p><p>Der Haushaltsplan liegt nach § 114 Abs. 2 NKomVG an sieben Tagen im Rathaus, Zimmer 214, zur Einsichtnahme aus.</p>",
    ),
    (
        "bebauungsplan-112-giselbertstrasse",
        "Bebauungsplan Nr. 112 „Giselbertstraße“ – Satzungsbeschluss",
        35,
        0,
        ("bauen-verkehr", "rat"),
        "Der Bebauungsplan Nr. 112 „Giselbertstraße“ tritt mit dieser Bekanntmachung in Kraft (§ 10 Abs. 3 BauGB).",
        "<p>Der Rat hat den Bebauungsplan Nr. 112 „Giselbertstraße“ als Satzung beschlossen. Der Plan mit Begründung und zusammenfassender Erklärung kann im Fachbereich Stadtentwicklung während der Dienststunden eingesehen werden.</p><h2>Hinweise</h2><ul><li>Eine Verletzung von Verfahrens- und Formvorschriften ist unbeachtlich, wenn sie nicht innerhalb eines Jahres geltend gemacht worden ist (§ 215 BauGB).</li><li>Auf die Vorschriften des § 44 BauGB über Entschädigungen wird hingewiesen.</li></ul>",
    ),
    (
        "hundesteuersatzung-aenderung",
        "Satzung zur Änderung der Hundesteuersatzung",
        50,
        30,
        ("rathaus", "rat"),
        "Die Steuersätze der Hundesteuer ändern sich; die Änderungssatzung gilt ab dem Ersten des übernächsten Monats.",
        '<p>Aufgrund der §§ 10 und 58 NKomVG sowie der §§ 1, 2 und 3 NKAG hat der Rat die folgende Satzung zur Änderung der Hundesteuersatzung beschlossen.</p><table><caption>Steuersätze je Hund und Jahr</caption><thead><tr><th scope="col">Hund</th><th scope="col">Steuer</th></tr></thead><tbody><tr><td>erster Hund</td><td>96 Euro</td></tr><tr><td>zweiter Hund</td><td>144 Euro</td></tr><tr><td>jeder weitere Hund</td><td>192 Euro</td></tr></tbody></table>',
    ),
    (
        "strassenreinigungssatzung",
        "Neufassung der Straßenreinigungsverordnung",
        80,
        14,
        ("umwelt", "bauen-verkehr"),
        "Die Reinigungspflichten der Anliegerinnen und Anlieger werden neu geregelt, einschließlich des Winterdienstes.",
        "<p>Die Verordnung über Art, Maß und räumliche Ausdehnung der Straßenreinigung wird neu gefasst. Die Straßenverzeichnisse sind Anlage der Verordnung.</p>",
    ),
    (
        "allgemeinverfuegung-verkaufsoffener-sonntag",
        "Allgemeinverfügung: verkaufsoffener Sonntag zum Altstadtfest",
        8,
        0,
        ("rathaus",),
        "Aus Anlass des Altstadtfestes dürfen die Geschäfte in der Innenstadt am Sonntag von 13 bis 18 Uhr öffnen.",
        "<p>Nach § 5 des Niedersächsischen Gesetzes über Ladenöffnungs- und Verkaufszeiten wird zugelassen, dass Verkaufsstellen in der Altstadt am Sonntag des Altstadtfestes öffnen.</p><p>Gegen diese Allgemeinverfügung kann innerhalb eines Monats nach Bekanntgabe Klage beim Verwaltungsgericht Stade erhoben werden.</p>",
    ),
]

PLACES = {
    "stadthalle": (
        "Stadthalle Buxtehude",
        "Hauptstraße 1, 21614 Buxtehude",
        "Stufenloser Zugang über den Haupteingang, Aufzug zu allen Ebenen, Behinderten-WC im Erdgeschoss, Induktionsschleife im großen Saal.",
    ),
    "museum": (
        "Buxtehude Museum",
        "Stavenort 2, 21614 Buxtehude",
        "Stufenloser Zugang über den Seiteneingang, Aufzug, Behinderten-WC. Audioguide mit Bildbeschreibungen.",
    ),
    "ratssaal": (
        "Rathaus, Ratssaal",
        "Bahnhofstraße 7, 21614 Buxtehude",
        "Stufenloser Zugang über den Eingang Bahnhofstraße, Aufzug ins 1. Obergeschoss, Behinderten-WC. Gebärdensprachdolmetschung auf Anfrage bis eine Woche vorher.",
    ),
    "bibliothek": (
        "Stadtbibliothek",
        "Fischerstraße 2, 21614 Buxtehude",
        "Ebenerdiger Zugang, Behinderten-WC, Lesehilfen und Bücher in Großdruck.",
    ),
    "petriplatz": (
        "Petri-Platz",
        "Petri-Platz, 21614 Buxtehude",
        "Ebener Platz mit Kopfsteinpflaster; Behinderten-WC im Rathaus (50 Meter).",
    ),
    "estepromenade": (
        "Estepromenade am Hafen",
        "Am Hafen, 21614 Buxtehude",
        "Befestigte Wege ohne Stufen; mobile Toilette für Menschen im Rollstuhl am Hafenbecken.",
    ),
    "freibad": (
        "Freibad Buxtehude",
        "Ostmoorweg 15, 21614 Buxtehude",
        "Stufenloser Zugang, Beckenlifter, barrierefreie Umkleide und Dusche.",
    ),
    "kulturforum": (
        "Kulturforum am Hafen",
        "Hafenstraße 12, 21614 Buxtehude",
        "Stufenloser Zugang, reservierte Plätze für Rollstuhlfahrende, Induktionsschleife.",
    ),
}

# (slug, title, days ahead, hour, duration in hours (0: all day), place, category, topics, summary)
EVENTS: list[tuple[str, str, int, int, int, str, str, tuple[str, ...], str]] = [
    (
        "buergerversammlung-klimaschutz",
        "Bürgerversammlung zum Klimaschutzkonzept",
        6,
        18,
        2,
        "ratssaal",
        "umwelt",
        ("umwelt", "rat"),
        "Die Verwaltung stellt die Vorschläge für das Klimaschutzkonzept vor und diskutiert sie mit den Bürgerinnen und Bürgern.",
    ),
    (
        "lesung-stadtbibliothek",
        "Lesung: Krimis aus dem Alten Land",
        9,
        19,
        2,
        "bibliothek",
        "kultur",
        ("kultur",),
        "Regionale Autorinnen und Autoren lesen aus ihren neuen Kriminalromanen.",
    ),
    (
        "weihnachtsmarkt-eroeffnung",
        "Eröffnung des Weihnachtsmarkts",
        12,
        17,
        3,
        "petriplatz",
        "kultur",
        ("kultur",),
        "Die Bürgermeisterin eröffnet den Buxtehuder Weihnachtsmarkt mit dem Posaunenchor.",
    ),
    (
        "museum-familiensonntag",
        "Familiensonntag im Museum",
        15,
        11,
        5,
        "museum",
        "kultur",
        ("kultur", "familie"),
        "Mitmachstationen, Führungen für Kinder und eine Hanse-Rallye durch die Ausstellung.",
    ),
    (
        "infoabend-giselbertstrasse",
        "Infoabend Baugebiet Giselbertstraße",
        18,
        18,
        2,
        "ratssaal",
        "bauen-verkehr",
        ("bauen-verkehr", "rat"),
        "Die Stadtplanung stellt den Bebauungsplan vor und beantwortet Fragen der Anwohnerinnen und Anwohner.",
    ),
    (
        "neujahrskonzert",
        "Neujahrskonzert der Musikschule",
        33,
        17,
        2,
        "stadthalle",
        "kultur",
        ("kultur",),
        "Schülerinnen, Schüler und Lehrkräfte der Musikschule spielen Werke von Mozart bis zu Filmmusik.",
    ),
    (
        "neujahrsempfang",
        "Neujahrsempfang der Bürgermeisterin",
        38,
        11,
        3,
        "stadthalle",
        "rathaus",
        ("rathaus",),
        "Rückblick, Ausblick und Begegnung: alle Buxtehuderinnen und Buxtehuder sind eingeladen.",
    ),
    (
        "seniorenmesse",
        "Seniorenmesse „Gut leben in Buxtehude“",
        45,
        10,
        6,
        "stadthalle",
        "soziales",
        ("familie",),
        "Beratungsstellen, Vereine und Dienste stellen ihre Angebote für ältere Menschen vor.",
    ),
    (
        "repair-cafe",
        "Repair-Café",
        22,
        14,
        3,
        "bibliothek",
        "umwelt",
        ("umwelt",),
        "Ehrenamtliche helfen beim Reparieren von Elektrogeräten, Fahrrädern und Kleidung.",
    ),
    (
        "kinderflohmarkt",
        "Kinderflohmarkt auf dem Petri-Platz",
        52,
        10,
        4,
        "petriplatz",
        "soziales",
        ("familie",),
        "Kinder verkaufen Spielzeug, Bücher und Kleidung; Standgebühr gibt es keine.",
    ),
    (
        "ausstellung-hanse",
        "Ausstellung „Buxtehude und die Hanse“",
        25,
        0,
        0,
        "museum",
        "kultur",
        ("kultur",),
        "Eröffnung der Sonderausstellung mit Funden aus der Altstadt.",
    ),
    (
        "fahrradcodierung",
        "Fahrradcodierung mit der Polizei",
        60,
        10,
        4,
        "petriplatz",
        "bauen-verkehr",
        ("bauen-verkehr",),
        "Die Polizei codiert Fahrräder kostenlos gegen Diebstahl; bitte Ausweis und Kaufbeleg mitbringen.",
    ),
    (
        "fruehjahrsputz",
        "Aktion Saubere Stadt",
        75,
        9,
        4,
        "estepromenade",
        "umwelt",
        ("umwelt",),
        "Gemeinsam sammeln wir Müll entlang der Este; Handschuhe und Säcke stellt die Stadt.",
    ),
    (
        "osterfeuer",
        "Osterfeuer der Ortsfeuerwehr",
        95,
        18,
        4,
        "estepromenade",
        "kultur",
        ("kultur",),
        "Die Ortsfeuerwehr lädt zum traditionellen Osterfeuer mit Imbiss ein.",
    ),
    (
        "ratssitzung-oeffentlich",
        "Öffentliche Ratssitzung mit Einwohnerfragestunde",
        28,
        18,
        3,
        "ratssaal",
        "politik",
        ("rat",),
        "Zu Beginn der Sitzung können Einwohnerinnen und Einwohner Fragen an Rat und Verwaltung stellen.",
    ),
    (
        "jazz-am-hafen",
        "Jazz am Hafen",
        110,
        19,
        3,
        "kulturforum",
        "kultur",
        ("kultur",),
        "Die Big Band der Musikschule und Gäste spielen Swing und Latin.",
    ),
    (
        "freibad-saisonstart",
        "Saisonstart im Freibad",
        130,
        7,
        0,
        "freibad",
        "kultur",
        ("sport",),
        "Das Freibad öffnet in die neue Saison; am ersten Tag ist der Eintritt frei.",
    ),
    (
        "stadtradeln-auftakt",
        "Auftakt zum Stadtradeln",
        140,
        10,
        2,
        "petriplatz",
        "umwelt",
        ("umwelt", "sport"),
        "Gemeinsame Radtour durch alle Ortschaften zum Start der Stadtradeln-Wochen.",
    ),
    (
        "altstadtfest",
        "Altstadtfest",
        150,
        0,
        0,
        "petriplatz",
        "kultur",
        ("kultur",),
        "Drei Tage Musik, Markt und Kinderprogramm in der ganzen Altstadt.",
    ),
    (
        "sprechstunde-seniorenbeirat",
        "Sprechstunde des Seniorenbeirats",
        4,
        10,
        2,
        "ratssaal",
        "soziales",
        ("rat",),
        "Der Seniorenbeirat nimmt Anregungen und Anliegen älterer Menschen entgegen.",
    ),
]


@dataclass
class NewsDemoResult:
    created: int = 0
    unchanged: int = 0


def _body(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs if p)


def _save(item: Publishable, topics: list[Topic], result: NewsDemoResult) -> None:
    services.save_item(item=item, topics=topics)
    result.created += 1


@transaction.atomic
def load_news_demo() -> NewsDemoResult:
    result = NewsDemoResult()
    cats = {}
    for slug, name in CATEGORIES:
        cats[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    tops = {}
    for slug, name, description in TOPICS:
        tops[slug], _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    existing = set(Announcement.objects.values_list("slug", flat=True))
    existing_events = set(Event.objects.values_list("slug", flat=True))
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    published = Publishable.Status.PUBLISHED

    def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    rows: list[Any] = [*NEWS, EXPIRED]
    for slug, kind, cat, topic_slugs, days_ago, title, summary, paragraph in rows:
        if slug in existing:
            result.unchanged += 1
            continue
        publish_at = at(today - datetime.timedelta(days=days_ago), 9, 30)
        item = Announcement(
            slug=slug,
            kind=kind,
            category=cats[cat],
            title=title,
            summary=summary,
            body=_body(paragraph),  # the summary is shown as the lead above it
            status=published,
            publish_at=publish_at,
        )
        if slug == EXPIRED_SLUG:
            item.expires_at = publish_at + datetime.timedelta(days=60)
        _save(item, [tops[t] for t in topic_slugs], result)
    for slug, title, days_ago, effect_days, topic_slugs, summary, body in NOTICES:
        if slug in existing:
            result.unchanged += 1
            continue
        publish_at = at(today - datetime.timedelta(days=days_ago), 8)
        item = Announcement(
            slug=slug,
            kind=Announcement.Kind.NOTICE,
            category=cats["rathaus"],
            title=title,
            summary=summary,
            body=body,
            status=published,
            publish_at=publish_at,
            legal_effect_date=publish_at.date() + datetime.timedelta(days=effect_days),
        )
        _save(item, [tops[t] for t in topic_slugs], result)
    for slug, title, days, hour, hours, place, cat, topic_slugs, summary in EVENTS:
        if slug in existing_events:
            result.unchanged += 1
            continue
        place_name, address, accessibility = PLACES[place]
        day = today + datetime.timedelta(days=days)
        all_day = hours == 0
        starts = at(day, hour or 0)
        ends = (
            at(day + datetime.timedelta(days=2 if slug == "altstadtfest" else 0), 23, 59)
            if all_day
            else starts + datetime.timedelta(hours=hours)
        )
        event = Event(
            slug=slug,
            title=title,
            summary=summary,
            body=_body("Der Eintritt ist frei. Weitere Auskünfte gibt das Kulturbüro im Rathaus."),
            category=cats[cat],
            starts_at=starts,
            ends_at=ends,
            all_day=all_day,
            place=place_name,
            address=address,
            accessibility=accessibility,
            organiser="Hansestadt Buxtehude",
            status=published,
            publish_at=min(now, starts - datetime.timedelta(days=1)),
        )
        _save(event, [tops[t] for t in topic_slugs], result)
    return result
