"""The staff editor: permissions per role, office scope, preview, clear errors, publishing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rathaus.accounts import roles
from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition, FormVersion
from tests.conftest import make_user, verified_login
from tests.forms.factories import make_form, schema, ui


@pytest.fixture
def other_office(db: None) -> Office:
    return Office.objects.create(name="Fachgruppe Steuern", slug="steuern")


@pytest.fixture
def lead(office: Office) -> Any:
    return make_user("fbl", roles.OFFICE_LEAD, office=office)


def editor_post(version: FormVersion, action: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "schema": json.dumps(version.schema),
        "ui": json.dumps(version.ui),
        "fee_cents": version.fee_cents,
        "fee_label": version.fee_label,
        "action": action,
    }
    data.update(overrides)
    return data


def test_staff_pages_need_sign_in_and_permission(
    client: Client, office: Office, clerk: Any, citizen: Any
) -> None:
    response = client.get("/verwaltung/formulare/")
    assert response.status_code == 302
    assert "/konto/anmelden/" in response["Location"]
    verified_login(client, clerk)  # clerks work cases, they do not edit forms
    assert client.get("/verwaltung/formulare/").status_code == 403
    client.logout()
    client.force_login(citizen)
    assert client.get("/verwaltung/formulare/").status_code == 403


def test_office_lead_sees_and_edits_only_own_office(
    client: Client, office: Office, other_office: Office, lead: Any
) -> None:
    own = make_form(office, slug="eigen", title="Eigenes Formular")
    foreign = make_form(other_office, slug="fremd", title="Fremdes Formular")
    verified_login(client, lead)
    html = client.get("/verwaltung/formulare/").content.decode()
    assert "Eigenes Formular" in html
    assert "Fremdes Formular" not in html
    assert client.get(f"/verwaltung/formulare/{own.pk}/").status_code == 200
    assert client.get(f"/verwaltung/formulare/{foreign.pk}/").status_code == 404
    assert client.get(f"/verwaltung/formulare/{foreign.pk}/version/1/").status_code == 404
    # The office choice is the permission: another office cannot be chosen.
    response = client.post(
        "/verwaltung/formulare/neu/",
        {
            "title": "X",
            "slug": "x",
            "office": other_office.pk,
            "processing_days": 14,
            "retention_days": 100,
        },
    )
    assert response.status_code == 200
    assert not FormDefinition.objects.filter(slug="x").exists()


def test_digital_officer_sees_all_offices(
    client: Client, office: Office, other_office: Office, digital_officer: Any
) -> None:
    make_form(other_office, slug="fremd", title="Fremdes Formular")
    verified_login(client, digital_officer)
    assert "Fremdes Formular" in client.get("/verwaltung/formulare/").content.decode()


def test_create_edit_preview_and_publish(
    client: Client, office: Office, lead: Any, dog_service: Service
) -> None:
    verified_login(client, lead)
    response = client.post(
        "/verwaltung/formulare/neu/",
        {
            "title": "Hund anmelden",
            "slug": "hund-anmelden",
            "service": dog_service.pk,
            "office": office.pk,
            "min_trust_level": "",
            "processing_days": 14,
            "retention_days": 2190,
            "is_active": "on",
        },
    )
    definition = FormDefinition.objects.get(slug="hund-anmelden")
    assert response["Location"] == f"/verwaltung/formulare/{definition.pk}/version/1/"
    version = definition.versions.get()
    assert version.status == FormVersion.Status.DRAFT

    url = f"/verwaltung/formulare/{definition.pk}/version/1/"
    page = client.get(url).content.decode()
    assert "Vorschau" in page
    assert 'id="vorschau-0-feld-vorname"' in page  # the starter form, rendered as citizens see it

    # Preview from unsaved text: shown, but nothing stored.
    response = client.post(
        url, editor_post(version, "preview", schema=json.dumps(schema()), ui=json.dumps(ui()))
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gilt der Hund als gefährlich?" in html
    assert "kann veröffentlicht werden" in html
    version.refresh_from_db()
    assert "hund_name" not in version.schema["properties"]

    response = client.post(
        url,
        editor_post(
            version,
            "save",
            schema=json.dumps(schema()),
            ui=json.dumps(ui()),
            fee_cents="1250",
            fee_label="Verwaltungsgebühr",
        ),
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert "hund_name" in version.schema["properties"]
    assert version.fee_cents == 1250

    response = client.post(f"{url}veroeffentlichen/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == FormVersion.Status.PUBLISHED
    assert version.published_by == lead
    assert client.get("/antraege/hund-anmelden/").status_code == 200


def test_invalid_json_names_line_and_column(client: Client, office: Office, lead: Any) -> None:
    definition = make_form(office, publish=False)
    version = definition.versions.get()
    verified_login(client, lead)
    url = f"/verwaltung/formulare/{definition.pk}/version/1/"
    broken = '{\n  "type": "object",\n  "properties": {\n}'
    response = client.post(url, editor_post(version, "save", schema=broken))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das Datenschema ist kein gültiges JSON (Zeile 4, Spalte 2" in html
    assert "Keine Vorschau" in html
    response = client.post(url, editor_post(version, "save", ui="[]"))
    assert "Die Oberfläche muss ein JSON-Objekt sein" in response.content.decode()
    version.refresh_from_db()
    assert version.schema == schema()


def test_invalid_definition_cannot_be_published_and_says_why(
    client: Client, office: Office, lead: Any
) -> None:
    broken_ui = ui()
    broken_ui["steps"][0]["fields"].append({"name": "gibtsnicht"})
    broken_ui["steps"][1]["fields"][5]["show_if"] = {"field": "wau", "equals": True}
    broken_schema = schema()
    broken_schema["properties"]["anzahl"]["type"] = "ganzzahl"
    definition = make_form(office, publish=False, ui=broken_ui)
    version = definition.versions.get()
    verified_login(client, lead)
    url = f"/verwaltung/formulare/{definition.pk}/version/1/"
    html = client.get(url).content.decode()
    assert "Vor dem Veröffentlichen zu beheben" in html
    assert "Feld „gibtsnicht“: Das Feld gibt es im Datenschema nicht." in html
    assert "Die Bedingung nennt das Feld „wau“, das es nicht gibt." in html

    response = client.post(f"{url}veroeffentlichen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Veröffentlichen ist so nicht möglich" in html
    assert "Feld „gibtsnicht“" in html
    version.refresh_from_db()
    assert version.status == FormVersion.Status.DRAFT

    # A schema that breaks the 2020-12 meta-schema is named with its path.
    response = client.post(url, editor_post(version, "preview", schema=json.dumps(broken_schema)))
    assert "Kein gültiges JSON Schema (2020-12) bei properties/anzahl/type" in (
        response.content.decode()
    )


def test_published_version_is_read_only_and_new_version_copies_it(
    client: Client, office: Office, lead: Any
) -> None:
    definition = make_form(office)
    verified_login(client, lead)
    url = f"/verwaltung/formulare/{definition.pk}/version/1/"
    page = client.get(url).content.decode()
    assert "kann nicht mehr geändert werden" in page
    assert "Vorschau aktualisieren" not in page
    version = definition.versions.get()
    assert client.post(url, editor_post(version, "save")).status_code == 403

    response = client.post(f"/verwaltung/formulare/{definition.pk}/neue-version/")
    assert response["Location"] == f"/verwaltung/formulare/{definition.pk}/version/2/"
    copy = definition.versions.get(number=2)
    assert copy.status == FormVersion.Status.DRAFT
    assert copy.schema == version.schema
    # Asking again returns the same draft instead of a third version.
    client.post(f"/verwaltung/formulare/{definition.pk}/neue-version/")
    assert definition.versions.count() == 2


def test_editor_pages_are_accessible_in_structure(
    client: Client, office: Office, lead: Any
) -> None:
    definition = make_form(office, publish=False)
    verified_login(client, lead)
    html = client.get(f"/verwaltung/formulare/{definition.pk}/version/1/").content.decode()
    assert '<label for="id_schema">' in html
    assert '<label for="id_ui">' in html
    assert html.count("<h1>") == 1
