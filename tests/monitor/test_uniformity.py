"""Question 4: the uniformity of the online services, criterion by criterion."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from rathaus.accounts.models import Office
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.monitor.models import AuditPage, AuditRun, MetricSnapshot
from rathaus.monitor.services import compute_all
from rathaus.monitor.uniformity import assess

pytestmark = pytest.mark.django_db


def test_own_forms_are_uniform_and_outliers_are_named(
    settings: Any, office: Office, service_factory: Any
) -> None:
    settings.SITE_URL = "https://rathaus.buxtehude.example"
    settings.RATHAUS_UNIFORM_SIGNIN_HOSTS = "serviceportal.niedersachsen.example"
    settings.RATHAUS_PAYMENT_PROVIDER = "test"
    own = service_factory(
        slug="hund",
        name="Hund anmelden",
        channel_online=True,
        online_service_url="https://rathaus.buxtehude.example/antraege/hund/",
    )
    definition = FormDefinition.objects.create(
        slug="hund", title="Hund", service=own, office=office
    )
    FormVersion.objects.create(
        definition=definition,
        number=1,
        status="published",
        fee_cents=0,
        published_at=timezone.now(),
    )
    state = service_factory(
        leika_key="99010004002000",
        slug="wohngeld",
        name="Wohngeld",
        channel_online=True,
        online_service_url="https://serviceportal.niedersachsen.example/wohngeld",
    )
    vendor = service_factory(
        leika_key="99010004003000",
        slug="parken",
        name="Bewohnerparken",
        channel_online=True,
        fees="30,70 Euro",
        online_service_url="https://parken.vendor.example/start",
    )
    run = AuditRun.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    AuditPage.objects.create(run=run, url=vendor.online_service_url, depth=0, status=503)

    results = {r.name: r for r in assess()}

    assert results["Hund anmelden"].index == 100.0
    assert results["Wohngeld"].missing == ["design"]
    assert results["Wohngeld"].index == 75.0
    assert results["Bewohnerparken"].missing == ["catalog", "sign_in", "design", "payment"]
    assert state.pk == results["Wohngeld"].service_id

    compute_all(only=["q4.uniformity_index"])
    snapshot = MetricSnapshot.objects.get(metric_id="q4.uniformity_index")
    assert snapshot.value == pytest.approx((100 + 75 + 0) / 3, abs=0.1)
    assert [o["name"] for o in snapshot.detail["outliers"]] == ["Bewohnerparken", "Wohngeld"]
