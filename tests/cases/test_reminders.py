"""Deadline reminders over a real SMTP server: who gets what, and at most once a day."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.cases import reminders, services
from rathaus.cases.models import CaseEvent
from rathaus.cases.tasks import send_deadline_reminders
from rathaus.core.schedule import SCHEDULES
from tests.cases.conftest import new_case


def body(message: Any) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8")


def subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def due(office: Office, clerk: User) -> dict[str, Any]:
    today = timezone.localdate()
    mine_overdue = new_case(office, subject="Überfällig", due_date=today - dt.timedelta(days=3))
    services.take(mine_overdue, actor=clerk)
    mine_soon = new_case(office, subject="Bald fällig", due_date=today + dt.timedelta(days=2))
    services.take(mine_soon, actor=clerk)
    unassigned = new_case(office, subject="Niemandes", due_date=today + dt.timedelta(days=1))
    later = new_case(office, subject="Später", due_date=today + dt.timedelta(days=3))
    decided = new_case(office, subject="Erledigt", due_date=today - dt.timedelta(days=5))
    services.decide(decided, actor=clerk, outcome="approved")
    return {
        "overdue": mine_overdue,
        "soon": mine_soon,
        "unassigned": unassigned,
        "later": later,
        "decided": decided,
    }


def test_reminders_go_to_assignee_and_office_once_a_day(
    due: dict[str, Any], clerk: User, office: Office, smtp_mail: Any
) -> None:
    assert send_deadline_reminders.enqueue().return_value == 2
    by_rcpt = {m["X-Envelope-To"]: m for m in smtp_mail.messages}
    assert set(by_rcpt) == {clerk.email, office.email}

    personal = body(by_rcpt[clerk.email])
    assert subject(by_rcpt[clerk.email]) == "Fristen: 2 Vorgänge brauchen Aufmerksamkeit"
    assert due["overdue"].reference in personal
    assert due["soon"].reference in personal
    assert personal.index("Überfällig:") < personal.index(due["overdue"].reference)
    assert personal.index(due["overdue"].reference) < personal.index(due["soon"].reference)
    assert f"https://rathaus.example.org/verwaltung/vorgaenge/{due['soon'].reference}/" in personal

    office_mail = body(by_rcpt[office.email])
    assert due["unassigned"].reference in office_mail
    assert "niemandem zugewiesen" in office_mail
    for key in ("later", "decided"):
        assert due[key].reference not in personal + office_mail

    # Recorded in the audit trail, without touching the version.
    reminded = CaseEvent.objects.filter(action="reminder")
    assert sorted(reminded.values_list("case_id", flat=True)) == sorted(
        [due["overdue"].pk, due["soon"].pk, due["unassigned"].pk]
    )
    assert "überschritten" in reminded.get(case=due["overdue"]).summary

    # The same day again: nothing more.
    assert send_deadline_reminders.enqueue().return_value == 0
    assert len(smtp_mail.messages) == 2
    # The next day, the cases still due are reminded again.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert reminders.send_reminders(tomorrow) == 2


def test_office_without_address_is_logged_not_mailed(
    office: Office, smtp_mail: Any, caplog: Any
) -> None:
    office.email = ""
    office.save()
    new_case(office, subject="x", due_date=timezone.localdate())
    assert reminders.send_reminders() == 0
    assert smtp_mail.messages == []
    assert "without recipient" in caplog.text


def test_reminders_are_scheduled_daily() -> None:
    assert "rathaus.cases.tasks.send_deadline_reminders" in SCHEDULES["daily"]
