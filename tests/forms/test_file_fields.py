"""A file field on a step: upload without JavaScript, refusals named per field, removal."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.accounts.models import Office
from rathaus.forms.models import Draft, FormDefinition, Upload
from tests.forms.factories import make_form

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name"},
        "nachweis": {
            "type": "array",
            "title": "Nachweis der Haftpflichtversicherung",
            "items": {"type": "integer"},
            "minItems": 1,
            "maxItems": 2,
        },
    },
    "required": ["name", "nachweis"],
}
UI: dict[str, Any] = {
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                {"name": "name"},
                {"name": "nachweis", "widget": "file", "accept": ["application/pdf"], "max_mb": 1},
            ],
        }
    ]
}


@pytest.fixture
def upload_form(office: Office, settings: Any, tmp_path: Any) -> FormDefinition:
    settings.RATHAUS_CLAMAV_URL = ""
    settings.MEDIA_ROOT = str(tmp_path)
    return make_form(
        office, slug="versicherung", schema=copy.deepcopy(SCHEMA), ui=copy.deepcopy(UI)
    )


def test_upload_list_and_remove(client: Client, upload_form: FormDefinition) -> None:
    client.post("/antraege/versicherung/")
    draft = Draft.objects.get()
    url = f"/antraege/entwurf/{draft.resume_token}/angaben/"
    html = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="application/pdf"' in html
    assert "Erlaubt: PDF; höchstens 1 MB je Datei." in html

    # "Weiter" without a file: the required file is named.
    response = client.post(url, {"action": "next", "name": "Anna"})
    assert (
        "Bitte laden Sie „Nachweis der Haftpflichtversicherung“ hoch." in response.content.decode()
    )

    # A file that is not a PDF is refused, naming the field; nothing is kept.
    fake = SimpleUploadedFile("police.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"action": "upload", "name": "Anna", "nachweis": fake})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#feld-nachweis"' in html
    assert Upload.objects.count() == 0

    # Also with "Zwischenspeichern": the refusal is shown, not lost behind the next page.
    fake.seek(0)
    response = client.post(url, {"action": "save", "name": "Anna", "nachweis": fake})
    assert response.status_code == 200
    assert 'href="#feld-nachweis"' in response.content.decode()

    good = SimpleUploadedFile("police.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"action": "upload", "name": "Anna", "nachweis": good})
    assert response.status_code == 302
    upload = Upload.objects.get()
    draft.refresh_from_db()
    assert draft.data == {"name": "Anna", "nachweis": [upload.pk]}
    html = client.get(url).content.decode()
    assert "police.pdf" in html
    assert f'name="remove" value="{upload.pk}"' in html

    response = client.post(url, {"action": "next", "name": "Anna"})
    assert response["Location"].endswith("/zusammenfassung/")
    summary = client.get(response["Location"]).content.decode()
    assert "police.pdf" in summary

    response = client.post(url, {"action": "next", "name": "Anna", "remove": str(upload.pk)})
    assert response.status_code == 302
    assert not Upload.objects.exists()
    draft.refresh_from_db()
    assert "nachweis" not in draft.data
