"""Expired drafts are forgotten with their files; hot pages keep their query counts."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from rathaus.core.schedule import SCHEDULES
from rathaus.forms import services
from rathaus.forms.models import Draft, FormDefinition, Upload
from rathaus.forms.resume import purge_expired_drafts


@pytest.mark.django_db(transaction=True)
def test_expired_unsubmitted_drafts_and_their_files_are_purged(
    dog_form: FormDefinition,
) -> None:
    version = dog_form.versions.get()
    past = timezone.now() - datetime.timedelta(days=1)
    old = Draft.objects.create(version=version, expires_at=past, data={"vorname": "Alt"})
    upload = Upload(
        draft=old,
        field="nachweis",
        original_name="a.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        scan=Upload.Scan.NOT_SCANNED,
    )
    upload.file.save("x", ContentFile(b"pdf"), save=True)
    stored = upload.file.path
    assert Path(stored).exists()
    current = Draft.objects.create(
        version=version, expires_at=timezone.now() + datetime.timedelta(1)
    )
    submitted = Draft.objects.create(version=version, expires_at=past, submitted_at=past)

    assert services.purge_expired_drafts() == 1
    assert set(Draft.objects.values_list("pk", flat=True)) == {current.pk, submitted.pk}
    assert not Upload.objects.exists()
    assert not Path(stored).exists()
    assert "rathaus.forms.resume.purge_expired_drafts" in SCHEDULES["daily"]
    assert purge_expired_drafts.call() == 0


def test_step_and_start_query_counts(
    client: Client, dog_form: FormDefinition, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        assert client.get("/antraege/hund-anmelden/").status_code == 200
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    with django_assert_max_num_queries(4):
        assert client.get(f"/antraege/entwurf/{draft.resume_token}/hund/").status_code == 200
    with django_assert_max_num_queries(4):
        assert (
            client.get(f"/antraege/entwurf/{draft.resume_token}/zusammenfassung/").status_code
            == 200
        )
