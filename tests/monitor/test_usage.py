"""Cookieless usage counting: views and daily visitors per service, no personal data kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from rathaus.monitor import usage
from rathaus.monitor.models import UsageCount

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


@pytest.fixture(autouse=True)
def _counting(settings: Any) -> None:
    settings.RATHAUS_USAGE_COUNTING = True
    usage.flush()  # start from an empty buffer


def _counts() -> dict[tuple[Any, str], int]:
    usage.flush()
    totals: dict[tuple[Any, str], int] = {}
    for service_id, event, count in UsageCount.objects.values_list("service_id", "event", "count"):
        totals[(service_id, event)] = totals.get((service_id, event), 0) + count
    return totals


def test_views_and_visitors_per_service(service_factory: Any) -> None:
    service = service_factory(slug="hund-anmelden", name="Hund anmelden")
    first = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.1")
    second = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.2")
    for _ in range(3):
        assert first.get(service.get_absolute_url()).status_code == 200
    second.get(service.get_absolute_url())
    second.get("/")

    counts = _counts()
    assert counts[(service.pk, "view")] == 4
    assert counts[(service.pk, "visitor")] == 2
    assert counts[(None, "view")] == 5
    assert counts[(None, "visitor")] == 2
    assert UsageCount.objects.filter(day=timezone.localdate()).exists()


def test_bots_staff_pages_and_errors_are_not_counted(service_factory: Any) -> None:
    service = service_factory(slug="hund-anmelden", name="Hund anmelden")
    Client(HTTP_USER_AGENT="Googlebot/2.1").get(service.get_absolute_url())
    Client().get(service.get_absolute_url())  # no user agent at all
    Client(HTTP_USER_AGENT=BROWSER).get("/leistungen/gibt-es-nicht/")
    Client(HTTP_USER_AGENT=BROWSER).get("/verwaltung/leistungen/")
    assert _counts() == {}


def test_nothing_personal_is_stored(service_factory: Any) -> None:
    service = service_factory(slug="hund-anmelden", name="Hund anmelden")
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.77").get(service.get_absolute_url())
    usage.flush()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM monitor_usagecount")
        stored = repr(cursor.fetchall())
    assert "198.51.100.77" not in stored
    assert "Firefox" not in stored


def test_counting_can_be_switched_off(settings: Any, service_factory: Any) -> None:
    settings.RATHAUS_USAGE_COUNTING = False
    service = service_factory(slug="hund-anmelden", name="Hund anmelden")
    Client(HTTP_USER_AGENT=BROWSER).get(service.get_absolute_url())
    assert _counts() == {}
