"""Staff pages of the device inventory: list and summary, one device, CSV import, headcounts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.monitor import metrics
from rathaus.monitor.device_forms import MAX_UPLOAD_BYTES
from rathaus.monitor.models import Device, Headcount
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("monitor_staff:devices")
IMPORT = reverse("monitor_staff:device_import")
HEADCOUNTS = reverse("monitor_staff:headcounts")

GOOD_CSV = (
    "inventarnummer;art;modell;dienststelle;personalnummer;mobil;angeschafft;garantie_bis\n"
    "N-1;Notebook;ThinkPad T14;buergerservice;P-1;ja;2023-01-15;15.01.2026\n"
    "N-2;Notebook;ThinkPad T14;buergerservice;P-2;;2023-01-15;\n"
    "D-1;Desktop;ProDesk;buergerservice;P-3;;2019-05-01;\n"
)
BAD_CSV = (
    "inventarnummer;art;dienststelle;angeschafft\n"
    "N-1;Notebook;buergerservice;2023-01-15\n"
    "N-2;Notebook;buergerservice;31.02.2023\n"
)


@pytest.fixture
def officer_client(client: Client, digital_officer: User) -> Client:
    verified_login(client, digital_officer)
    return client


def _device(number: str, office: Office | None = None, **values: Any) -> Device:
    values.setdefault("kind", Device.Kind.LAPTOP)
    values.setdefault("purchased_on", dt.date(2023, 1, 1))
    return Device.objects.create(inventory_number=number, office=office, **values)


def _upload(client: Client, content: bytes, name: str = "geraete.csv", **data: Any) -> Any:
    data.setdefault("encoding", "auto")
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **data})


# --- permissions ---------------------------------------------------------------------------


def _pages(device: Device) -> list[str]:
    return [
        LIST,
        reverse("monitor_staff:device_create"),
        reverse("monitor_staff:device_edit", args=[device.pk]),
        reverse("monitor_staff:device_delete", args=[device.pk]),
        IMPORT,
        reverse("monitor_staff:device_template"),
        HEADCOUNTS,
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, office: Office) -> None:
    device = _device("N-1", office)
    for url in _pages(device):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    response = client.post(reverse("monitor_staff:device_retire", args=[device.pk]))
    assert response.status_code == 302
    assert Device.objects.get(pk=device.pk).retired_on is None


def test_clerks_are_refused_everywhere(client: Client, clerk: User, office: Office) -> None:
    device = _device("N-1", office)
    verified_login(client, clerk)
    for url in _pages(device):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("monitor_staff:device_retire", args=[device.pk])).status_code == 403
    assert client.post(reverse("monitor_staff:device_delete", args=[device.pk])).status_code == 403
    assert _upload(client, GOOD_CSV.encode()).status_code == 403
    response = client.post(
        HEADCOUNTS,
        {"office": office.pk, f"office-{office.pk}-as_of": TODAY, f"office-{office.pk}-staff": 3},
    )
    assert response.status_code == 403
    assert Device.objects.get().retired_on is None
    assert not Headcount.objects.exists()


def test_the_officer_reaches_every_page_and_the_nav_entry(
    officer_client: Client, office: Office
) -> None:
    device = _device("N-1", office)
    for url in _pages(device):
        assert officer_client.get(url).status_code == 200, url
    dashboard = officer_client.get(reverse("monitor_staff:dashboard")).content.decode()
    assert f'href="{LIST}"' in dashboard


def test_the_nav_entry_is_hidden_without_the_permission(
    client: Client, user_factory: Any, office: Office
) -> None:
    from django.contrib.auth.models import Permission

    reader = user_factory("leser", office=office)
    reader.user_permissions.add(
        Permission.objects.get(codename="view_metricsnapshot", content_type__app_label="monitor")
    )
    verified_login(client, reader)
    page = client.get(reverse("monitor_staff:dashboard"))
    assert page.status_code == 200
    assert LIST not in page.content.decode()


# --- one device ----------------------------------------------------------------------------


def _form(**values: Any) -> dict[str, Any]:
    data = {
        "inventory_number": "N-100",
        "kind": "laptop",
        "model_name": "ThinkPad T14",
        "office": "",
        "holder": "P-7",
        "home_office_capable": "on",
        "purchased_on": "2024-02-01",
        "warranty_until": "2027-02-01",
        "retired_on": "",
    }
    data.update(values)
    return data


def test_create_and_edit_a_device(officer_client: Client, office: Office) -> None:
    response = officer_client.post(
        reverse("monitor_staff:device_create"), _form(office=office.pk, inventory_number=" N-100 ")
    )
    device = Device.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitor_staff:device_edit", args=[device.pk])
    assert device.inventory_number == "N-100"
    assert device.source == Device.Source.MANUAL
    assert device.office == office
    assert device.home_office_capable is True

    Device.objects.filter(pk=device.pk).update(source=Device.Source.CSV)
    url = reverse("monitor_staff:device_edit", args=[device.pk])
    response = officer_client.post(url, _form(holder="P-8", home_office_capable=""))
    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.holder, device.home_office_capable, device.office) == ("P-8", False, None)
    assert device.source == Device.Source.CSV  # still the import's device


def test_inventory_number_must_be_unique_with_a_clear_message(
    officer_client: Client, office: Office
) -> None:
    existing = _device("N-100", office)
    response = officer_client.post(reverse("monitor_staff:device_create"), _form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Die Inventarnummer „N-100“ ist schon einem anderen Gerät zugeordnet." in page
    assert 'href="#id_inventory_number"' in page  # the error summary links to the field
    assert Device.objects.count() == 1

    other = _device("N-200", office)
    url = reverse("monitor_staff:device_edit", args=[other.pk])
    response = officer_client.post(url, _form(inventory_number="N-100"))
    assert response.status_code == 200
    assert "schon einem anderen Gerät zugeordnet" in response.content.decode()
    other.refresh_from_db()
    assert other.inventory_number == "N-200"
    # Saving a device under its own number is no conflict.
    response = officer_client.post(
        reverse("monitor_staff:device_edit", args=[existing.pk]), _form(model_name="T16")
    )
    assert response.status_code == 302


def test_warranty_cannot_end_before_the_purchase(officer_client: Client) -> None:
    response = officer_client.post(
        reverse("monitor_staff:device_create"),
        _form(purchased_on="2024-02-01", warranty_until="2024-01-31", retired_on="2023-12-31"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["warranty_until"] == ["Die Garantie kann nicht vor der Anschaffung enden."]
    assert "retired_on" in form.errors
    assert 'href="#id_warranty_until"' in response.content.decode()
    assert not Device.objects.exists()


def test_retire_is_a_post_action_and_only_once(officer_client: Client, office: Office) -> None:
    device = _device("N-1", office, holder="P-1", home_office_capable=True)
    url = reverse("monitor_staff:device_retire", args=[device.pk])
    assert officer_client.get(url).status_code == 405

    response = officer_client.post(url, {"next": LIST + "?status=aktiv"})
    assert response.status_code == 302
    assert response["Location"] == LIST + "?status=aktiv"
    device.refresh_from_db()
    assert device.retired_on == TODAY
    assert metrics.home_office_readiness(TODAY).detail["equipped_staff"] == 0

    response = officer_client.post(url, follow=True)
    assert "ist schon seit dem" in response.content.decode()
    device.refresh_from_db()
    assert device.retired_on == TODAY


def test_delete_only_after_confirmation(officer_client: Client, office: Office) -> None:
    device = _device("N-1", office)
    url = reverse("monitor_staff:device_delete", args=[device.pk])
    page = officer_client.get(url)
    assert "Endgültig löschen" in page.content.decode()
    assert Device.objects.filter(pk=device.pk).exists()

    response = officer_client.post(url)
    assert response.status_code == 302
    assert not Device.objects.filter(pk=device.pk).exists()


# --- the inventory page --------------------------------------------------------------------


def test_filters_narrow_the_list(officer_client: Client, office: Office) -> None:
    other = Office.objects.create(name="Fachgruppe Bauen", slug="bauen")
    _device("A-expired", office, warranty_until=TODAY - dt.timedelta(days=1))
    _device("B-soon", office, warranty_until=TODAY + dt.timedelta(days=30))
    _device("C-later", other, warranty_until=TODAY + dt.timedelta(days=200), kind="desktop")
    _device("D-retired", other, retired_on=TODAY - dt.timedelta(days=3))
    _device("E-capable", other, home_office_capable=True)

    def numbers(**query: str) -> list[str]:
        response = officer_client.get(LIST, query)
        return [d.inventory_number for d in response.context["page"].object_list]

    assert numbers() == ["A-expired", "B-soon", "C-later", "D-retired", "E-capable"]
    assert numbers(office="bauen") == ["C-later", "D-retired", "E-capable"]
    assert numbers(kind="desktop") == ["C-later"]
    assert numbers(mobil="ja") == ["E-capable"]
    assert numbers(garantie="abgelaufen") == ["A-expired"]
    assert numbers(garantie="bald") == ["B-soon"]
    assert numbers(status="ausgemustert") == ["D-retired"]
    assert "D-retired" not in numbers(status="aktiv")
    assert numbers(office="bauen", mobil="nein") == ["C-later", "D-retired"]


def test_list_is_paginated_and_its_query_count_does_not_grow(
    officer_client: Client, office: Office, django_assert_max_num_queries: Any
) -> None:
    other = Office.objects.create(name="Fachgruppe Bauen", slug="bauen")
    Headcount.objects.create(office=office, as_of=TODAY, staff=10)
    _device("X-1", office, holder="P-1", home_office_capable=True)
    officer_client.get(LIST)  # warm up session and permission caches
    with CaptureQueriesContext(connection) as few:
        officer_client.get(LIST)

    Headcount.objects.create(office=other, as_of=TODAY, staff=40)
    Device.objects.bulk_create(
        Device(
            inventory_number=f"Y-{i:03}",
            kind="laptop",
            office=office if i % 2 else other,
            holder=f"P-{i}",
            home_office_capable=True,
            purchased_on=dt.date(2023, 1, 1),
        )
        for i in range(120)
    )
    with django_assert_max_num_queries(len(few)):
        response = officer_client.get(LIST, {"page": 2})
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 3


def test_summary_per_office_matches_the_metric(officer_client: Client, office: Office) -> None:
    Headcount.objects.create(office=office, as_of=TODAY - dt.timedelta(days=400), staff=99)
    Headcount.objects.create(office=office, as_of=TODAY - dt.timedelta(days=10), staff=4)
    _device("N-1", office, holder="P-1", home_office_capable=True)
    _device("N-2", office, holder="P-1", home_office_capable=True, kind="tablet")
    _device("D-1", office, holder="P-2", kind="desktop")
    _device("N-old", office, holder="P-3", home_office_capable=True, retired_on=TODAY)
    _device("N-new", office, holder="P-4", home_office_capable=True, purchased_on=None)

    response = officer_client.get(LIST)
    summary = response.context["summary"]
    (row,) = summary.rows
    assert (row.in_use, row.capable, row.equipped, row.staff) == (3, 2, 1, 4)
    assert row.readiness == 25.0
    assert summary.total.readiness == metrics.home_office_readiness(TODAY).value == 25.0
    assert summary.undated == 1
    page = response.content.decode()
    assert "25,0 %" in page
    assert "1 Gerät ohne Anschaffungsdatum zählt nicht als in Gebrauch." in page


# --- CSV import ----------------------------------------------------------------------------


def test_csv_with_a_bad_row_names_row_and_column_and_stores_nothing(
    officer_client: Client, office: Office
) -> None:
    response = _upload(officer_client, BAD_CSV.encode())
    assert response.status_code == 200
    problems = response.context["rejected"].problems
    assert [(p.line, p.field) for p in problems] == [(3, "angeschafft")]
    page = response.content.decode()
    assert "Bitte prüfen Sie die Datei" in page
    assert 'href="#problems"' in page
    assert re.search(r"<td>3</td><td>angeschafft</td><td>„31.02.2023“ ist kein Datum", page)
    assert 'name="payload"' not in page  # no way to import a refused file
    assert not Device.objects.exists()


def test_missing_columns_are_named(officer_client: Client) -> None:
    response = _upload(officer_client, b"art;modell\nNotebook;X\n")
    assert "Pflichtspalten: inventarnummer" in response.content.decode()
    assert not Device.objects.exists()


def test_good_csv_dry_run_then_import_changes_the_readiness(
    officer_client: Client, office: Office
) -> None:
    Headcount.objects.create(office=office, as_of=TODAY, staff=4)
    _device("N-2", office, holder="P-9", home_office_capable=False)
    before = officer_client.get(LIST).context["summary"].total.readiness
    assert before == 0.0

    preview = _upload(officer_client, GOOD_CSV.encode())
    assert preview.status_code == 200
    assert preview.context["counts"] == {"create": 2, "update": 1, "unchanged": 0}
    changed = {row.record.inventory_number: row for row in preview.context["plan"]}
    assert changed["N-2"].action == "update"
    assert "Personalnummer der nutzenden Person" in changed["N-2"].changes
    assert "Noch ist nichts gespeichert." in preview.content.decode()
    assert Device.objects.count() == 1  # the dry run wrote nothing

    response = officer_client.post(IMPORT, {"payload": preview.context["payload"]}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "2 Geräte angelegt, 1 geändert" in response.content.decode()
    assert set(Device.objects.values_list("inventory_number", flat=True)) == {"N-1", "N-2", "D-1"}
    assert Device.objects.get(inventory_number="N-2").holder == "P-2"
    assert Device.objects.get(inventory_number="N-1").source == Device.Source.CSV
    after = response.context["summary"].total.readiness
    assert after == 50.0  # P-1 and P-2 have notebooks, out of four
    assert "50,0 %" in response.content.decode()


def test_windows_1252_files_are_read(officer_client: Client, office: Office) -> None:
    content = "inventarnummer;art;modell\nN-1;Notebook;Gerät für Außendienst\n".encode("cp1252")
    preview = _upload(officer_client, content)
    assert preview.context["counts"]["create"] == 1
    officer_client.post(IMPORT, {"payload": preview.context["payload"]})
    assert Device.objects.get().model_name == "Gerät für Außendienst"

    refused = _upload(officer_client, content, encoding="utf-8")
    assert "nicht in UTF-8 kodiert (Zeile 2" in refused.content.decode()


def test_oversize_and_binary_uploads_are_refused(officer_client: Client, office: Office) -> None:
    header = b"inventarnummer;art\n"
    big = header + b"N-1;Notebook\n" * (MAX_UPLOAD_BYTES // 13 + 1)
    assert len(big) > MAX_UPLOAD_BYTES
    response = _upload(officer_client, big)
    errors = response.context["form"].errors["file"]
    assert errors == ["Die Datei ist 5,0 MB groß; erlaubt sind höchstens 5 MB."]
    assert 'href="#id_file"' in response.content.decode()

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    response = _upload(officer_client, png, name="geraete.csv")
    assert response.context["form"].errors["file"] == [
        (
            "Die Datei ist keine Textdatei: Zeile 2 enthält Steuerzeichen. "
            "Bitte laden Sie die Geräteliste als CSV hoch."
        )
    ]
    xlsx = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
    response = _upload(officer_client, xlsx, name="geraete.xlsx")
    assert "Das ist eine Excel-Arbeitsmappe" in response.context["form"].errors["file"][0]
    response = _upload(officer_client, b"")
    assert response.context["form"].errors["file"]
    assert not Device.objects.exists()


def test_uploads_never_touch_the_disk(
    officer_client: Client, office: Office, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's default handlers spill to a temporary file above this size.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the upload was written to a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    response = _upload(officer_client, GOOD_CSV.encode())
    assert response.context["counts"]["create"] == 3


def test_a_changed_or_forged_payload_imports_nothing(
    officer_client: Client, office: Office
) -> None:
    preview = _upload(officer_client, GOOD_CSV.encode())
    payload = preview.context["payload"]
    response = officer_client.post(IMPORT, {"payload": payload[:-3] + "abc"})
    assert "Die Vorschau ist unvollständig oder verändert." in response.content.decode()
    assert not Device.objects.exists()


def test_the_csv_template_has_the_expected_header(officer_client: Client) -> None:
    response = officer_client.get(reverse("monitor_staff:device_template"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "geraete-vorlage.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text == (
        "\ufeffinventarnummer;art;modell;dienststelle;personalnummer;mobil;angeschafft;"
        "garantie_bis;ausgemustert\r\n"
    )


# --- headcounts ----------------------------------------------------------------------------


def test_record_and_correct_a_headcount(officer_client: Client, office: Office) -> None:
    prefix = f"office-{office.pk}"
    response = officer_client.post(
        HEADCOUNTS, {"office": office.pk, f"{prefix}-as_of": "2025-01-31", f"{prefix}-staff": 12}
    )
    assert response.status_code == 302
    officer_client.post(
        HEADCOUNTS, {"office": office.pk, f"{prefix}-as_of": "2025-01-31", f"{prefix}-staff": 13}
    )
    headcount = Headcount.objects.get()
    assert (headcount.as_of, headcount.staff) == (dt.date(2025, 1, 31), 13)
    page = officer_client.get(HEADCOUNTS).content.decode()
    assert "Zuletzt: 13 Beschäftigte am 31.01.2025" in page


def test_headcount_errors_are_shown_and_nothing_is_stored(
    officer_client: Client, office: Office
) -> None:
    prefix = f"office-{office.pk}"
    tomorrow = TODAY + dt.timedelta(days=1)
    response = officer_client.post(
        HEADCOUNTS, {"office": office.pk, f"{prefix}-as_of": tomorrow, f"{prefix}-staff": -1}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Der Stichtag liegt in der Zukunft" in page
    assert f'href="#id_{prefix}-as_of"' in page
    assert f'href="#id_{prefix}-staff"' in page
    assert not Headcount.objects.exists()
    assert officer_client.post(HEADCOUNTS, {"office": "999999"}).status_code == 404
