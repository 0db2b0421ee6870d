"""Staff pages of the strategy: overview, forms, deletion and progress notes (question 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html

from rathaus.accounts.models import Office, User
from rathaus.core.errors import PermissionDenied
from rathaus.monitor import strategy as writes
from rathaus.monitor.models import Goal, Measure, ProgressNote, Strategy
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

BASE = "/verwaltung/digitalisierung/strategie/"


@pytest.fixture
def goal(office: Office) -> Goal:
    strategy = Strategy.objects.create(title="Digitale Stadt 2030")
    return Goal.objects.create(strategy=strategy, title="Alle Anträge online")


@pytest.fixture
def measure(goal: Goal, office: Office) -> Measure:
    return Measure.objects.create(
        goal=goal,
        title="Online-Formulare für die zehn häufigsten Anliegen",
        owner=office,
        status=Measure.Status.IN_PROGRESS,
        # Relative to today, so the measure never becomes overdue while the tests age.
        start_date=timezone.localdate() - dt.timedelta(days=100),
        due_date=timezone.localdate() + dt.timedelta(days=200),
    )


@pytest.fixture
def officer_client(client: Client, digital_officer: User) -> Client:
    verified_login(client, digital_officer)
    return client


def measure_data(goal: Goal, office: Office, **changes: Any) -> dict[str, Any]:
    data = {
        "goal": goal.pk,
        "title": "E-Akte im Bürgerbüro",
        "description": "",
        "owner": office.pk,
        "status": Measure.Status.PLANNED,
        "budget_eur": "12500,00",
        "start_date": "2025-03-01",
        "due_date": "2025-12-31",
        "public": "on",
    }
    data.update(changes)
    return data


def errors_of(response: Any) -> tuple[list[str], dict[str, str]]:
    """The links of the error summary and the error text shown at each field, by field id."""
    page = html.fromstring(response.content)
    summary = [a.get("href") for a in page.xpath("//*[@id='error-summary']//a")]
    at_fields = {
        row.xpath(".//input|.//select|.//textarea")[0].get("id"): row.text_content()
        for row in page.xpath("//div[contains(@class, 'form-row-error')]")
    }
    return summary, at_fields


# --- permissions ----------------------------------------------------------------------------


def pages(measure: Measure) -> list[str]:
    goal = measure.goal
    return [
        BASE,
        f"{BASE}neu/",
        f"{BASE}{goal.strategy_id}/",
        f"{BASE}{goal.strategy_id}/loeschen/",
        f"{BASE}ziele/neu/?strategie={goal.strategy_id}",
        f"{BASE}ziele/{goal.pk}/",
        f"{BASE}ziele/{goal.pk}/loeschen/",
        f"{BASE}massnahmen/neu/?ziel={goal.pk}",
        f"{BASE}massnahmen/{measure.pk}/",
        f"{BASE}massnahmen/{measure.pk}/bearbeiten/",
        f"{BASE}massnahmen/{measure.pk}/loeschen/",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, measure: Measure) -> None:
    for url in pages(measure):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), url
    note = client.post(f"{BASE}massnahmen/{measure.pk}/vermerk/", {"text": "x", "percent": 5})
    assert note.status_code == 302
    assert not ProgressNote.objects.exists()


def test_a_clerk_may_not_see_or_change_the_strategy(
    client: Client, clerk: User, measure: Measure
) -> None:
    verified_login(client, clerk)
    for url in pages(measure):
        assert client.get(url).status_code == 403, url
    posts = {
        f"{BASE}massnahmen/{measure.pk}/vermerk/": {"day": "2025-05-01", "text": "x", "percent": 5},
        f"{BASE}massnahmen/{measure.pk}/loeschen/": {},
        f"{BASE}{measure.goal.strategy_id}/loeschen/": {},
        f"{BASE}massnahmen/{measure.pk}/bearbeiten/": measure_data(measure.goal, measure.owner),
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    measure.refresh_from_db()
    assert measure.title == "Online-Formulare für die zehn häufigsten Anliegen"
    assert not ProgressNote.objects.exists()


def test_the_digital_officer_sees_every_page_and_the_nav_link(
    officer_client: Client, measure: Measure
) -> None:
    for url in pages(measure):
        assert officer_client.get(url).status_code == 200, url
    page = html.fromstring(officer_client.get("/verwaltung/digitalisierung/").content)
    links = page.xpath("//nav[contains(@class, 'staff-nav')]//a/@href")
    assert BASE in links
    assert "/digitalisierung/strategie/" not in links


def test_the_note_form_is_post_only(officer_client: Client, measure: Measure) -> None:
    assert officer_client.get(f"{BASE}massnahmen/{measure.pk}/vermerk/").status_code == 405


# --- create, edit, delete -------------------------------------------------------------------


def test_create_edit_and_delete_round_trip(officer_client: Client, office: Office) -> None:
    response = officer_client.post(
        f"{BASE}neu/",
        {"title": " Digitale Hansestadt 2030 ", "summary": "", "adopted_on": "2024-06-10"},
    )
    strategy = Strategy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}#strategy-{strategy.pk}"
    assert strategy.title == "Digitale Hansestadt 2030"
    assert strategy.adopted_on == dt.date(2024, 6, 10)

    officer_client.post(
        f"{BASE}ziele/neu/", {"strategy": strategy.pk, "title": "Papierlos", "position": 1}
    )
    goal = Goal.objects.get()
    assert goal.strategy == strategy

    # The link from the overview preselects the goal.
    form = html.fromstring(officer_client.get(f"{BASE}massnahmen/neu/?ziel={goal.pk}").content)
    assert form.xpath("//select[@name='goal']/option[@selected]/@value") == [str(goal.pk)]

    response = officer_client.post(f"{BASE}massnahmen/neu/", measure_data(goal, office))
    measure = Measure.objects.get()
    assert response["Location"] == f"{BASE}massnahmen/{measure.pk}/"
    assert measure.budget_eur == Decimal("12500.00")
    assert measure.due_date == dt.date(2025, 12, 31)
    assert measure.public

    response = officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/bearbeiten/",
        measure_data(goal, office, title="E-Akte im Bürgerbüro und Standesamt", public=""),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "E-Akte im Bürgerbüro und Standesamt"
    assert not measure.public

    overview = officer_client.get(BASE).content.decode()
    assert "E-Akte im Bürgerbüro und Standesamt" in overview
    assert "12.500,00 €" in overview

    # GET shows the confirmation and deletes nothing; POST deletes.
    confirm = officer_client.get(f"{BASE}massnahmen/{measure.pk}/loeschen/")
    assert "Endgültig löschen" in confirm.content.decode()
    assert Measure.objects.filter(pk=measure.pk).exists()
    response = officer_client.post(f"{BASE}massnahmen/{measure.pk}/loeschen/")
    assert response["Location"] == BASE
    assert not Measure.objects.exists()

    Measure.objects.create(goal=goal, title="Noch eine", owner=office)
    confirm = officer_client.get(f"{BASE}{strategy.pk}/loeschen/").content.decode()
    assert "1 Ziel(e) und 1 Maßnahme(n)" in confirm
    officer_client.post(f"{BASE}{strategy.pk}/loeschen/")
    assert not Strategy.objects.exists()
    assert not Goal.objects.exists()
    assert not Measure.objects.exists()


def test_deleting_a_goal_takes_its_measures(officer_client: Client, measure: Measure) -> None:
    goal = measure.goal
    officer_client.post(f"{BASE}ziele/{goal.pk}/loeschen/")
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert not Measure.objects.exists()
    assert Strategy.objects.filter(pk=goal.strategy_id).exists()


def test_a_due_date_before_the_start_is_named_at_the_field_and_nothing_is_stored(
    officer_client: Client, goal: Goal, office: Office
) -> None:
    response = officer_client.post(
        f"{BASE}massnahmen/neu/",
        measure_data(goal, office, start_date="2025-06-01", due_date="2025-05-31"),
    )
    assert response.status_code == 200
    summary, at_fields = errors_of(response)
    assert summary == ["#id_due_date"]
    assert "„fällig am“ darf nicht vor „Beginn“ liegen." in at_fields["id_due_date"]
    assert not Measure.objects.exists()


def test_a_negative_budget_is_refused_on_edit_and_the_stored_measure_stays(
    officer_client: Client, measure: Measure
) -> None:
    response = officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/bearbeiten/",
        measure_data(measure.goal, measure.owner, title="Geändert", budget_eur="-1"),
    )
    summary, at_fields = errors_of(response)
    assert summary == ["#id_budget_eur"]
    assert "„Budget in Euro“ darf nicht negativ sein." in at_fields["id_budget_eur"]
    # The heading names the stored measure, not the typed-in title.
    assert "Online-Formulare für die zehn häufigsten Anliegen" in html.fromstring(
        response.content
    ).findtext(".//h1")
    measure.refresh_from_db()
    assert measure.title == "Online-Formulare für die zehn häufigsten Anliegen"
    assert measure.budget_eur is None


def test_the_write_functions_enforce_the_rules_themselves(
    measure: Measure, clerk: User, digital_officer: User
) -> None:
    due = measure.due_date
    measure.due_date = measure.start_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        writes.save_measure(measure, user=digital_officer)
    assert exc.value.message_dict == {"due_date": ["„fällig am“ darf nicht vor „Beginn“ liegen."]}
    with pytest.raises(ValidationError) as exc:
        writes.add_progress_note(
            measure, day=dt.date(2025, 5, 1), text="zu viel", percent=101, user=digital_officer
        )
    assert "percent" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        writes.delete_measure(measure, user=clerk)
    assert not ProgressNote.objects.exists()
    assert Measure.objects.get(pk=measure.pk).due_date == due


def test_a_new_due_date_re_arms_the_overdue_alert(measure: Measure, digital_officer: User) -> None:
    Measure.objects.filter(pk=measure.pk).update(overdue_alert_sent_on=dt.date(2027, 1, 1))
    measure.refresh_from_db()
    measure.title = "Nur der Titel"
    writes.save_measure(measure, user=digital_officer)
    measure.refresh_from_db()
    assert measure.overdue_alert_sent_on == dt.date(2027, 1, 1)
    measure.due_date += dt.timedelta(days=30)
    writes.save_measure(measure, user=digital_officer)
    measure.refresh_from_db()
    assert measure.overdue_alert_sent_on is None


# --- progress notes -------------------------------------------------------------------------


def test_the_note_form_defaults_to_today(officer_client: Client, measure: Measure) -> None:
    page = html.fromstring(officer_client.get(f"{BASE}massnahmen/{measure.pk}/").content)
    assert page.xpath("//input[@name='day']/@value") == [timezone.localdate().isoformat()]


def test_a_note_on_a_public_measure_shows_on_the_roadmap(
    officer_client: Client, measure: Measure, digital_officer: User, office: Office
) -> None:
    hidden = Measure.objects.create(
        goal=measure.goal, title="Interne Vorbereitung", owner=office, public=False
    )
    today = timezone.localdate().isoformat()
    response = officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/vermerk/",
        {"day": today, "percent": "60", "text": "Sechs von zehn Formularen online"},
    )
    assert response.status_code == 302
    officer_client.post(
        f"{BASE}massnahmen/{hidden.pk}/vermerk/",
        {"day": today, "percent": "30", "text": "Ausschreibung vorbereitet"},
    )
    note = ProgressNote.objects.get(measure=measure)
    assert note.author == digital_officer
    assert note.percent == 60

    roadmap = officer_client.get("/digitalisierung/strategie/").content.decode()
    assert "Sechs von zehn Formularen online" in roadmap
    assert "60 %" in roadmap
    assert "Ausschreibung vorbereitet" not in roadmap
    assert "Interne Vorbereitung" not in roadmap


def test_notes_are_listed_newest_first(officer_client: Client, measure: Measure) -> None:
    for day, text in [("2025-02-01", "Februar"), ("2025-04-01", "April"), ("2025-03-01", "März")]:
        officer_client.post(
            f"{BASE}massnahmen/{measure.pk}/vermerk/", {"day": day, "percent": "10", "text": text}
        )
    page = html.fromstring(officer_client.get(f"{BASE}massnahmen/{measure.pk}/").content)
    rows = page.xpath("//section[@aria-labelledby='notes']//tbody/tr/td[2]/text()")
    assert rows == ["April", "März", "Februar"]


@pytest.mark.parametrize("percent", ["101", "-5", "viel"])
def test_a_bad_percent_is_named_and_no_note_is_stored(
    officer_client: Client, measure: Measure, percent: str
) -> None:
    response = officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/vermerk/",
        {"day": "2025-05-01", "percent": percent, "text": "Stand"},
    )
    assert response.status_code == 200
    summary, at_fields = errors_of(response)
    assert summary == ["#id_percent"]
    assert "„Fortschritt in Prozent“" in at_fields["id_percent"]
    assert not ProgressNote.objects.exists()


def test_a_note_of_100_percent_may_close_the_measure(
    officer_client: Client, measure: Measure
) -> None:
    response = officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/vermerk/",
        {"day": "2025-05-01", "percent": "90", "text": "Fast", "mark_done": "on"},
    )
    summary, _fields = errors_of(response)
    assert summary == ["#id_mark_done"]
    assert not ProgressNote.objects.exists()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.IN_PROGRESS

    officer_client.post(
        f"{BASE}massnahmen/{measure.pk}/vermerk/",
        {"day": "2025-05-02", "percent": "100", "text": "Fertig", "mark_done": "on"},
    )
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert measure.notes.get().percent == 100


# --- the overview -----------------------------------------------------------------------


def test_overview_marks_overdue_measures_in_words_and_filters(
    officer_client: Client, measure: Measure, office: Office
) -> None:
    other = Office.objects.create(name="Fachgruppe IT", slug="it")
    Measure.objects.create(
        goal=measure.goal,
        title="Glasfaser für alle Schulen",
        owner=other,
        status=Measure.Status.PLANNED,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    Measure.objects.create(
        goal=measure.goal, title="Alte Fachanwendung", owner=office, status=Measure.Status.DONE
    )
    page = html.fromstring(officer_client.get(BASE).content)
    rows = {row.findtext("th/a"): row.text_content() for row in page.xpath("//table/tbody/tr")}
    assert "überfällig" in rows["Glasfaser für alle Schulen"]
    assert "überfällig" not in rows["Online-Formulare für die zehn häufigsten Anliegen"]
    assert "3 Maßnahmen, davon 1 überfällig" in page.findtext(".//p[@role='status']")

    def titles(query: str) -> list[str]:
        found = html.fromstring(officer_client.get(BASE + query).content)
        return sorted(found.xpath("//table/tbody/tr/th/a/text()"))

    assert titles("?status=done") == ["Alte Fachanwendung"]
    assert titles("?office=it") == ["Glasfaser für alle Schulen"]
    assert titles(f"?office={office.slug}&status=in_progress") == [
        "Online-Formulare für die zehn häufigsten Anliegen"
    ]
    assert titles("?status=paused") == []


def test_overview_needs_the_same_queries_however_much_strategy_there_is(
    officer_client: Client, office: Office, django_assert_max_num_queries: Any
) -> None:
    def build(strategies: range) -> None:
        for s in strategies:
            strategy = Strategy.objects.create(title=f"Strategie {s}")
            for g in range(3):
                goal = Goal.objects.create(strategy=strategy, title=f"Ziel {s}.{g}")
                for m in range(4):
                    measure = Measure.objects.create(
                        goal=goal, title=f"Maßnahme {s}.{g}.{m}", owner=office
                    )
                    ProgressNote.objects.create(measure=measure, day=dt.date(2025, 1, 1), text="")

    officer_client.get(BASE)  # sessions, permissions and the like are cached from here on
    build(range(1))
    with CaptureQueriesContext(connection) as small:
        officer_client.get(BASE)
    build(range(1, 5))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = officer_client.get(BASE)
    rows = html.fromstring(response.content).xpath("//table/tbody/tr/th/a/text()")
    assert len(rows) == 5 * 3 * 4
    assert "Maßnahme 4.2.3" in rows
    assert len(small.captured_queries) <= 12
