"""Export of the catalog: CSV and JSON (round trip through the importer) and XZuFi XML."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from rathaus.accounts.models import Office
from rathaus.catalog.io.columns import COLUMN_KEYS
from rathaus.catalog.io.importer import import_file, import_services
from rathaus.catalog.io.xzufi import NAMESPACE
from rathaus.catalog.models import LifeSituation, Service
from rathaus.core.models import SearchDocument

pytestmark = pytest.mark.django_db
NS = {"x": NAMESPACE}


@pytest.fixture
def catalog(service_factory: Any, office: Office, life_situation: LifeSituation) -> dict[str, Any]:
    """Three services: a rich published one, a plain published one, and a draft."""
    ausweis = service_factory(
        leika_key="99010004001000",
        name="Personalausweis beantragen",
        ozg_id="10001",
        ozg_name="Personalausweis",
        topic="querschnitt",
        maturity_level=3,
        maturity_level_v2=4,
        channel_online=True,
        channel_post=True,
        online_service_url="https://dienste.example/ausweis",
        online_service_name="Ausweis online",
        trust_level="hoch",
        summary="Den Ausweis beantragen Sie im Bürgerbüro; das geht auch vorab online.",
        description="Ein Personalausweis gilt zehn Jahre.\r\nFür Kinder sechs Jahre.",
        requirements="Sie wohnen in Buxtehude.",
        documents="- biometrisches Passfoto\n- alter Ausweis",
        fees="37,00 Euro; unter 24 Jahren 22,80 Euro",
        deadlines="Vor Ablauf des alten Ausweises.",
        processing_time="3 bis 4 Wochen",
        legal_basis="Personalausweisgesetz (PAuswG)",
        office=office,
        keywords='Perso, Ausweis; "ID"',
        annual_cases=4200,
        review_due=datetime.date(2027, 12, 31),
        life_situations=[life_situation],
    )
    hund = service_factory(leika_key="99102013000000", name="Hund anmelden", fees="")
    draft = service_factory(
        leika_key="99050012104000",
        name="Wohngeld beantragen",
        status=Service.Status.DRAFT,
        published_at=None,
    )
    return {"ausweis": ausweis, "hund": hund, "draft": draft}


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_services", *args, stdout=out)
    return out.getvalue()


def test_csv_has_the_shared_columns_and_published_only_by_default(catalog: Any) -> None:
    rows = list(csv.reader(io.StringIO(export(), newline=""), delimiter=";"))

    assert tuple(rows[0]) == COLUMN_KEYS
    assert [r[0] for r in rows[1:]] == ["99010004001000", "99102013000000"]
    ausweis = dict(zip(rows[0], rows[1], strict=True))
    assert ausweis["channel_online"] == "ja"
    assert ausweis["channel_phone"] == "nein"
    assert ausweis["life_situations"] == "umzug"
    assert ausweis["office"] == "buergerservice"
    assert ausweis["review_due"] == "2027-12-31"
    assert (
        ausweis["description"] == "Ein Personalausweis gilt zehn Jahre.\r\nFür Kinder sechs Jahre."
    )


def test_all_includes_drafts(catalog: Any) -> None:
    rows = list(csv.reader(io.StringIO(export("--all"), newline=""), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["99010004001000", "99050012104000", "99102013000000"]


def test_json_uses_the_same_keys(catalog: Any) -> None:
    document = json.loads(export("--format", "json", "--all"))

    assert document["format"] == "rathaus.catalog.services"
    records = {r["leika_key"]: r for r in document["services"]}
    assert all(tuple(r) == COLUMN_KEYS for r in records.values())
    ausweis = records["99010004001000"]
    assert ausweis["channel_online"] is True
    assert ausweis["maturity_level"] == 3
    assert ausweis["life_situations"] == ["umzug"]
    assert records["99050012104000"]["status"] == "draft"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_gives_unchanged(catalog: Any, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"catalog.{fmt}"
    out = io.StringIO()
    call_command("export_services", "--all", "--format", fmt, "--output", str(path), stdout=out)
    assert f"3 Leistungen nach {path}" in out.getvalue()
    before = (
        sorted(Service.objects.values_list("pk", "modified")),
        Service.history.count(),
        sorted(SearchDocument.objects.values_list("pk", "updated")),
    )

    result = import_file(path=path)

    assert result.unchanged == ["99010004001000", "99050012104000", "99102013000000"]
    assert result.created == []
    assert result.updated == []
    after = (
        sorted(Service.objects.values_list("pk", "modified")),
        Service.history.count(),
        sorted(SearchDocument.objects.values_list("pk", "updated")),
    )
    assert after == before


def test_csv_file_has_a_bom_for_excel(catalog: Any, tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    call_command("export_services", "-o", str(path), stdout=io.StringIO())

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfleika_key;name;")
    assert not export().startswith("\ufeff")


def test_comma_delimiter_round_trip(catalog: Any) -> None:
    text = export("--delimiter", ",", "--all")
    assert text.startswith("leika_key,name,")
    result = import_services(data=text.encode(), filename="x.csv")
    assert len(result.unchanged) == 3


def test_export_reflects_an_import(catalog: Any) -> None:
    """Both directions agree: what was imported is what is exported."""
    import_services(
        data=b"leika_key;name;fees\n99102013000000;Hund anmelden;12,00 Euro\n",
        filename="x.csv",
    )
    rows = {r["leika_key"]: r for r in json.loads(export("--format", "json"))["services"]}
    assert rows["99102013000000"]["fees"] == "12,00 Euro"


# --- XZuFi -------------------------------------------------------------------------------


def xzufi(*args: str) -> etree._Element:
    return etree.fromstring(export("--format", "xzufi", *args).encode())


def leistung(root: etree._Element, key: str) -> etree._Element:
    found = root.xpath(f"x:leistung[x:referenzLeiKa/code='{key}']", namespaces=NS)
    assert len(found) == 1
    return found[0]


def module_text(element: etree._Element, code: str) -> str:
    texts = element.xpath(
        f"x:modulText[x:leikaTextmodul/code='{code}']/x:inhalt[@languageCode='de']/text()",
        namespaces=NS,
    )
    assert len(texts) == 1, code
    return str(texts[0])


def test_xzufi_document_parses_and_names_the_standard(catalog: Any) -> None:
    root = xzufi()

    assert etree.QName(root).namespace == NAMESPACE
    assert root.get("xzufiVersion") == "2.2.0"
    assert root.xpath("string(x:nachrichtenkopf/x:absender/x:name)", namespaces=NS) == (
        "Hansestadt Buxtehude"
    )
    keys = root.xpath("x:leistung/x:referenzLeiKa/code/text()", namespaces=NS)
    assert keys == ["99010004001000", "99102013000000"]  # published only


def test_xzufi_leistung_has_its_text_modules(catalog: Any) -> None:
    service = catalog["ausweis"]
    element = leistung(xzufi(), "99010004001000")

    assert element.xpath("string(x:id)", namespaces=NS) == f"L{service.pk}"
    assert module_text(element, "02") == "Personalausweis beantragen"
    assert module_text(element, "05") == service.summary
    assert module_text(element, "06") == service.description
    assert module_text(element, "08") == service.documents
    assert module_text(element, "09") == service.requirements
    assert module_text(element, "07") == service.legal_basis
    assert module_text(element, "22").startswith("Fachgruppe Bürgerservice\nBahnhofstraße 7")
    assert "04161 501-0" in module_text(element, "23")
    for module, text in (
        ("modulKosten", service.fees),
        ("modulFrist", service.deadlines),
        ("modulBearbeitungsdauer", service.processing_time),
    ):
        assert element.xpath(f"string(x:{module}/x:beschreibung)", namespaces=NS) == text
    terms = element.xpath(
        "x:modulBegriffImKontext/x:begriffImKontext/x:begriff/text()", namespaces=NS
    )
    assert terms == ["Perso", 'Ausweis; "ID"']
    assert element.xpath("string(x:sprachversion/x:languageCode)", namespaces=NS) == "de"
    assert element.xpath("string(x:modulUrsprungsportal/x:uri)", namespaces=NS).endswith(
        service.get_absolute_url()
    )
    positions = element.xpath("x:modulText/x:positionDarstellung/text()", namespaces=NS)
    assert positions == [str(i) for i in range(1, len(positions) + 1)]


def test_xzufi_leaves_out_empty_modules(catalog: Any) -> None:
    element = leistung(xzufi(), "99102013000000")

    assert not element.xpath("x:modulKosten", namespaces=NS)
    assert not element.xpath("x:modulText[x:leikaTextmodul/code='22']", namespaces=NS)


def test_xzufi_onlinedienst_with_link_and_trust_level(catalog: Any) -> None:
    root = xzufi()
    service = catalog["ausweis"]
    services = root.xpath(
        f"x:onlinedienst[x:zustaendigkeit/x:leistungID='L{service.pk}']", namespaces=NS
    )

    assert len(services) == 1
    online = services[0]
    assert online.xpath("string(x:link/x:link)", namespaces=NS) == "https://dienste.example/ausweis"
    assert online.xpath("string(x:bezeichnung)", namespaces=NS) == "Ausweis online"
    assert online.xpath("string(x:vertrauensniveau/code)", namespaces=NS) == "hoch"
    assert len(root.xpath("x:onlinedienst", namespaces=NS)) == 1  # Hund has no online service


def test_xzufi_organisationseinheit_with_address(catalog: Any, office: Office) -> None:
    root = xzufi("--all")
    units = root.xpath("x:organisationseinheit", namespaces=NS)

    assert len(units) == 1
    unit = units[0]
    assert unit.xpath("string(x:name/x:name)", namespaces=NS) == office.name
    assert unit.xpath("string(x:anschrift/x:strasse)", namespaces=NS) == "Bahnhofstraße"
    assert unit.xpath("string(x:anschrift/x:hausnummer)", namespaces=NS) == "7"
    assert unit.xpath("string(x:anschrift/x:postleitzahl)", namespaces=NS) == "21614"
    assert unit.xpath("string(x:anschrift/x:ort)", namespaces=NS) == "Buxtehude"
    assert unit.xpath("x:kommunikation[x:kanal/code='01']/x:kennung/text()", namespaces=NS) == [
        office.email
    ]
    assert unit.xpath("x:zustaendigkeit/x:leistungID/text()", namespaces=NS) == [
        f"L{catalog['ausweis'].pk}"
    ]


def test_xzufi_survives_control_characters(service_factory: Any) -> None:
    service_factory(summary="Text mit \x0b Steuerzeichen")
    element = leistung(xzufi(), "99010004001000")
    assert module_text(element, "05") == "Text mit  Steuerzeichen"


def test_xzufi_to_file(catalog: Any, tmp_path: Path) -> None:
    path = tmp_path / "leistungen.xml"
    out = io.StringIO()
    call_command("export_services", "--format", "xzufi", "--all", "-o", str(path), stdout=out)

    assert "3 Leistungen" in out.getvalue()
    root = etree.parse(str(path)).getroot()
    assert len(root.xpath("x:leistung", namespaces=NS)) == 3


def test_empty_catalog_exports_only_headers(db: None) -> None:
    assert export().strip() == ";".join(COLUMN_KEYS)
    assert json.loads(export("--format", "json"))["services"] == []
    assert xzufi().xpath("count(x:leistung)", namespaces=NS) == 0
