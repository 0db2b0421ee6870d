"""Overdue measures are mailed to the digitalization officers once, over real SMTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.monitor.alerts import send_overdue_alerts
from rathaus.monitor.models import Goal, Measure, Strategy
from tests.conftest import use_smtp

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings: Any, smtp_server: Any) -> Any:
    controller, handler = smtp_server
    use_smtp(settings, controller)
    return handler


def test_overdue_measures_are_reported_once(
    mailbox: Any, office: Office, digital_officer: User
) -> None:
    goal = Goal.objects.create(strategy=Strategy.objects.create(title="Digital 2030"), title="Z")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Measure.objects.create(
        goal=goal, title="E-Akte einführen", owner=office, status="in_progress", due_date=yesterday
    )
    Measure.objects.create(
        goal=goal, title="Schon fertig", owner=office, status="done", due_date=yesterday
    )
    Measure.objects.create(
        goal=goal, title="Noch Zeit", owner=office, due_date=timezone.localdate()
    )

    assert send_overdue_alerts() == 1
    assert send_overdue_alerts() == 0  # not again tomorrow

    (message,) = mailbox.messages
    assert message["To"] == digital_officer.email
    body = message.get_payload(decode=True).decode()
    assert "E-Akte einführen" in body
    assert "Schon fertig" not in body
    assert "Noch Zeit" not in body


def test_a_failed_mail_is_retried(settings: Any, office: Office, digital_officer: User) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    goal = Goal.objects.create(strategy=Strategy.objects.create(title="Digital 2030"), title="Z")
    measure = Measure.objects.create(
        goal=goal,
        title="E-Akte",
        owner=office,
        due_date=timezone.localdate() - dt.timedelta(days=2),
    )
    with pytest.raises(ConnectionRefusedError):
        send_overdue_alerts()
    measure.refresh_from_db()
    assert measure.overdue_alert_sent_on is None
