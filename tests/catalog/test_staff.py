"""Staff UI of the catalog, role by role: who may see, edit and publish which service."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.catalog.models import Service
from rathaus.core import search
from tests.conftest import make_service, make_user

pytestmark = pytest.mark.django_db

LIST = "/verwaltung/leistungen/"


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> Iterator[None]:
    # The second factor in front of these pages is tested in tests/accounts.
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    with translation.override("de"):
        yield


@pytest.fixture
def other_office(db: None) -> Office:
    return Office.objects.create(name="Fachgruppe Steuern", slug="steuern")


@pytest.fixture
def office_lead(office: Office) -> User:
    return make_user("lead", roles.OFFICE_LEAD, office=office, first_name="Frauke")


@pytest.fixture
def own_service(office: Office) -> Service:
    return make_service(office=office)


@pytest.fixture
def foreign_service(other_office: Office) -> Service:
    return make_service(
        leika_key="99123456789000",
        name="Hundesteuer anmelden",
        office=other_office,
        status=Service.Status.DRAFT,
        published_at=None,
    )


def form_data(service: Service, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser would post it for `service`, with `changes` applied."""
    data: dict[str, Any] = {
        "name": service.name,
        "leika_key": service.leika_key,
        "slug": service.slug,
        "ozg_id": service.ozg_id,
        "ozg_name": service.ozg_name,
        "topic": service.topic,
        "office": service.office_id or "",
        "maturity_level": service.maturity_level,
        "maturity_level_v2": service.maturity_level_v2,
        "online_service_url": service.online_service_url,
        "online_service_name": service.online_service_name,
        "trust_level": service.trust_level,
        "summary": service.summary,
        "description": service.description,
        "requirements": service.requirements,
        "documents": service.documents,
        "fees": service.fees,
        "deadlines": service.deadlines,
        "processing_time": service.processing_time,
        "legal_basis": service.legal_basis,
        "keywords": service.keywords,
        "annual_cases": service.annual_cases,
        "review_due": service.review_due.isoformat() if service.review_due else "",
        "change_reason": "",
    }
    for flag in ("channel_online", "channel_in_person", "channel_post", "channel_email",
                 "channel_phone", "online_service_own"):  # fmt: skip
        if getattr(service, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def new_service_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Wohngeld beantragen",
        "leika_key": "99108012017000",
        "maturity_level": 1,
        "maturity_level_v2": 1,
        "channel_in_person": "on",
        "summary": "Zuschuss zur Miete.",
        "annual_cases": 120,
    }
    data.update(changes)
    return data


# --- anonymous and citizens ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [LIST, f"{LIST}neu/", f"{LIST}pruefung-ueberfaellig/", f"{LIST}1/", f"{LIST}1/verlauf/"],
)
def test_anonymous_is_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/konto/anmelden/?next={path}"


def test_anonymous_cannot_publish(client: Client, foreign_service: Service) -> None:
    response = client.post(reverse("catalog_staff:publish", args=[foreign_service.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")
    foreign_service.refresh_from_db()
    assert foreign_service.status == Service.Status.DRAFT


def test_citizen_gets_403(client: Client, citizen: User, own_service: Service) -> None:
    client.force_login(citizen)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("catalog_staff:edit", args=[own_service.pk])).status_code == 403
    assert client.post(reverse("catalog_staff:archive", args=[own_service.pk])).status_code == 403
    own_service.refresh_from_db()
    assert own_service.status == Service.Status.PUBLISHED


# --- clerk: reads, does not write ------------------------------------------------------


def test_clerk_sees_list_but_cannot_edit(
    client: Client, clerk: User, own_service: Service, foreign_service: Service
) -> None:
    client.force_login(clerk)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert own_service.name in html
    assert foreign_service.name in html  # drafts are listed for staff
    assert f'href="{reverse("catalog_staff:edit", args=[own_service.pk])}"' not in html
    assert f'href="{reverse("catalog_staff:create")}"' not in html
    assert client.get(reverse("catalog_staff:edit", args=[own_service.pk])).status_code == 403
    assert client.get(reverse("catalog_staff:create")).status_code == 403
    post = client.post(reverse("catalog_staff:edit", args=[own_service.pk]), form_data(own_service))
    assert post.status_code == 403
    assert client.post(reverse("catalog_staff:reviewed", args=[own_service.pk])).status_code == 403
    assert client.get(reverse("catalog_staff:history", args=[own_service.pk])).status_code == 200


# --- office lead: own office only ----------------------------------------------------------


def test_office_lead_edits_own_office(
    client: Client, office_lead: User, own_service: Service
) -> None:
    client.force_login(office_lead)
    url = reverse("catalog_staff:edit", args=[own_service.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend>Grunddaten</legend>" in html
    assert "<legend>Texte für Bürgerinnen und Bürger</legend>" in html
    response = client.post(
        url, form_data(own_service, fees="37,00 Euro", change_reason="Gebühren 2026")
    )
    assert response.status_code == 302
    assert response["Location"] == url
    own_service.refresh_from_db()
    assert own_service.fees == "37,00 Euro"
    record = own_service.history.first()
    assert record.history_user == office_lead
    assert record.history_change_reason == "Gebühren 2026"


def test_office_lead_cannot_open_other_office_service(
    client: Client, office_lead: User, foreign_service: Service
) -> None:
    client.force_login(office_lead)
    edit = reverse("catalog_staff:edit", args=[foreign_service.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, form_data(foreign_service, name="Gekapert")).status_code == 404
    publish = reverse("catalog_staff:publish", args=[foreign_service.pk])
    assert client.post(publish).status_code == 404
    foreign_service.refresh_from_db()
    assert foreign_service.name == "Hundesteuer anmelden"
    assert foreign_service.status == Service.Status.DRAFT
    # The list shows it, but without an edit link.
    html = client.get(LIST).content.decode()
    assert foreign_service.name in html
    assert f'href="{edit}"' not in html


def test_office_lead_cannot_move_service_to_other_office(
    client: Client, office_lead: User, own_service: Service, other_office: Office
) -> None:
    client.force_login(office_lead)
    url = reverse("catalog_staff:edit", args=[own_service.pk])
    page = client.get(url).content.decode()
    assert other_office.name not in page.split('name="office"')[1].split("</select>")[0]
    response = client.post(url, form_data(own_service, office=other_office.pk))
    assert response.status_code == 200
    assert 'href="#id_office"' in response.content.decode()
    own_service.refresh_from_db()
    assert own_service.office_id == office_lead.office_id


def test_office_lead_creates_draft_in_own_office(
    client: Client, office_lead: User, office: Office
) -> None:
    client.force_login(office_lead)
    response = client.post(reverse("catalog_staff:create"), new_service_data(office=office.pk))
    service = Service.objects.get(leika_key="99108012017000")
    assert response["Location"] == reverse("catalog_staff:edit", args=[service.pk])
    assert service.status == Service.Status.DRAFT
    assert service.slug == "wohngeld-beantragen"
    assert service.office == office
    assert service.review_due is not None  # the service layer sets the first review date
    assert service.history.first().history_change_reason == "angelegt"


def test_office_lead_publishes_own_service(
    client: Client, office_lead: User, office: Office
) -> None:
    draft = make_service(office=office, status=Service.Status.DRAFT, published_at=None)
    client.force_login(office_lead)
    edit = reverse("catalog_staff:edit", args=[draft.pk])
    response = client.post(reverse("catalog_staff:publish", args=[draft.pk]), {"next": edit})
    assert response["Location"] == edit
    draft.refresh_from_db()
    assert draft.status == Service.Status.PUBLISHED


# --- digitalization officer: everything -----------------------------------------------------


def test_officer_publishes_withdraws_archives(
    client: Client, digital_officer: User, foreign_service: Service
) -> None:
    client.force_login(digital_officer)
    pk = foreign_service.pk
    response = client.post(reverse("catalog_staff:publish", args=[pk]))
    assert response["Location"] == reverse("catalog_staff:edit", args=[pk])
    foreign_service.refresh_from_db()
    assert foreign_service.status == Service.Status.PUBLISHED
    assert foreign_service.published_at is not None
    hits, _query = search.search("Hundesteuer", kinds=["catalog.service"])
    assert pk in [hit.object_id for hit in hits]
    message = client.get(response["Location"]).content.decode()
    assert "„Hundesteuer anmelden“ ist veröffentlicht." in message

    client.post(reverse("catalog_staff:withdraw", args=[pk]))
    foreign_service.refresh_from_db()
    assert foreign_service.status == Service.Status.DRAFT
    hits, _query = search.search("Hundesteuer", kinds=["catalog.service"])
    assert pk not in [hit.object_id for hit in hits]

    client.post(reverse("catalog_staff:archive", args=[pk]))
    foreign_service.refresh_from_db()
    assert foreign_service.status == Service.Status.ARCHIVED
    reasons = list(foreign_service.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["archiviert", "zurückgezogen", "veröffentlicht"]


def test_actions_need_post(client: Client, digital_officer: User, own_service: Service) -> None:
    client.force_login(digital_officer)
    assert client.get(reverse("catalog_staff:archive", args=[own_service.pk])).status_code == 405


def test_officer_marks_overdue_service_reviewed(
    client: Client, digital_officer: User, office: Office
) -> None:
    today = timezone.localdate()
    late = make_service(office=office, review_due=today - datetime.timedelta(days=40))
    make_service(
        leika_key="99000000000001",
        name="Noch nicht fällig",
        review_due=today + datetime.timedelta(days=5),
    )
    make_service(
        leika_key="99000000000002",
        name="Archiviert und alt",
        status=Service.Status.ARCHIVED,
        review_due=today - datetime.timedelta(days=400),
    )
    client.force_login(digital_officer)
    overdue = reverse("catalog_staff:overdue")
    html = client.get(overdue).content.decode()
    assert late.name in html
    assert "Noch nicht fällig" not in html
    assert "Archiviert und alt" not in html

    response = client.post(reverse("catalog_staff:reviewed", args=[late.pk]), {"next": overdue})
    assert response["Location"] == overdue
    late.refresh_from_db()
    assert late.review_due == today + datetime.timedelta(days=365)
    assert not client.get(overdue).context["page"].object_list


def test_office_lead_sees_all_overdue_but_acts_on_own(
    client: Client, office_lead: User, office: Office, other_office: Office
) -> None:
    past = timezone.localdate() - datetime.timedelta(days=3)
    own = make_service(office=office, review_due=past)
    foreign = make_service(
        leika_key="99000000000003", name="Fremd", office=other_office, review_due=past
    )
    client.force_login(office_lead)
    html = client.get(reverse("catalog_staff:overdue")).content.decode()
    assert reverse("catalog_staff:reviewed", args=[own.pk]) in html
    assert reverse("catalog_staff:reviewed", args=[foreign.pk]) not in html
    assert client.post(reverse("catalog_staff:reviewed", args=[foreign.pk])).status_code == 404


# --- form validation --------------------------------------------------------------------------


def test_invalid_input_shows_error_summary_and_saves_nothing(
    client: Client, digital_officer: User
) -> None:
    client.force_login(digital_officer)
    response = client.post(
        reverse("catalog_staff:create"),
        new_service_data(leika_key="9910801201700", channel_online="on", online_service_url=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'href="#id_leika_key"' in html
    assert "genau 14 Ziffern" in html
    assert 'href="#id_online_service_url"' in html
    assert "fehlt die Adresse des Online-Dienstes" in html
    assert 'aria-invalid="true"' in html
    assert not Service.objects.exists()


def test_invalid_edit_keeps_stored_values_in_the_header(
    client: Client, digital_officer: User, own_service: Service
) -> None:
    client.force_login(digital_officer)
    url = reverse("catalog_staff:edit", args=[own_service.pk])
    response = client.post(url, form_data(own_service, name="", review_due=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{own_service.name} bearbeiten</h1>" in html
    assert own_service.review_due.strftime("%d.%m.%Y") in html
    own_service.refresh_from_db()
    assert own_service.name == "Personalausweis beantragen"


def test_duplicate_leika_key_is_reported(
    client: Client, digital_officer: User, own_service: Service
) -> None:
    client.force_login(digital_officer)
    response = client.post(
        reverse("catalog_staff:create"), new_service_data(leika_key=own_service.leika_key)
    )
    assert response.status_code == 200
    assert 'href="#id_leika_key"' in response.content.decode()
    assert Service.objects.count() == 1


# --- list, filters, pagination ---------------------------------------------------------------


def test_list_filters(
    client: Client, digital_officer: User, own_service: Service, foreign_service: Service
) -> None:
    client.force_login(digital_officer)
    overdue = make_service(
        leika_key="99000000000004",
        name="Gewerbe anmelden",
        review_due=timezone.localdate() - datetime.timedelta(days=1),
    )

    def names(**params: str) -> set[str]:
        page = client.get(LIST, params).context["page"]
        return {service.name for service in page.object_list}

    everything = {own_service.name, foreign_service.name, overdue.name}
    assert names() == everything
    assert names(status="draft") == {foreign_service.name}
    assert names(office="steuern") == {foreign_service.name}
    assert names(overdue="on") == {overdue.name}
    assert names(q="hunde") == {foreign_service.name}
    assert names(q="99123") == {foreign_service.name}
    # An invalid filter is named and ignored; the valid ones still apply.
    assert names(status="unbekannt", q="hunde") == {foreign_service.name}
    html = client.get(LIST, {"status": "unbekannt"}).content.decode()
    assert "unbekannt ist keine gültige Auswahl" in html


def test_list_is_paginated_with_constant_queries(
    client: Client, digital_officer: User, office: Office, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        make_service(leika_key=f"990000000001{n:02d}", name=f"Leistung {n:02d}", office=office)
    client.force_login(digital_officer)
    with django_assert_max_num_queries(12):
        first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert "?page=2" in first.content.decode()
    second = client.get(LIST, {"page": 2, "status": "published"})
    assert len(second.context["page"].object_list) == 5
    assert "status=published" in second.content.decode()  # filters kept in page links


# --- history -----------------------------------------------------------------------------------


def test_history_shows_who_when_why_and_what_changed(
    client: Client, digital_officer: User, own_service: Service, other_office: Office
) -> None:
    client.force_login(digital_officer)
    url = reverse("catalog_staff:edit", args=[own_service.pk])
    client.post(
        url,
        form_data(
            own_service,
            fees="37,00 Euro",
            office=other_office.pk,
            channel_post="on",
            change_reason="Gebühren 2026",
        ),
    )
    page = client.get(reverse("catalog_staff:history", args=[own_service.pk]))
    assert page.status_code == 200
    entries = page.context["page"].object_list
    assert len(entries) == 2
    latest, first = entries
    assert latest.user == "digi"
    assert latest.reason == "Gebühren 2026"
    changes = {change.field: (change.old, change.new) for change in latest.changes}
    assert changes == {
        "fees": ("—", "37,00 Euro"),
        "office": ("Fachgruppe Bürgerservice", "Fachgruppe Steuern"),
        "channel_post": ("nein", "ja"),
    }
    assert first.kind == "angelegt"
    assert not first.compared
    html = page.content.decode()
    assert "Gebühren 2026" in html
    assert '<th scope="row">Kosten</th>' in html
    assert "37,00 Euro" in html


def test_history_pages_compare_across_page_boundary(
    client: Client, digital_officer: User, own_service: Service
) -> None:
    from rathaus.catalog import services as catalog_services

    for n in range(22):
        own_service.annual_cases = n + 1
        catalog_services.save_service(service=own_service, reason=f"Stand {n}")
    client.force_login(digital_officer)
    url = reverse("catalog_staff:history", args=[own_service.pk])
    first_page = client.get(url).context["page"]
    assert first_page.paginator.count == 23
    last_on_page = first_page.object_list[-1]
    assert last_on_page.compared
    assert [c.field for c in last_on_page.changes] == ["annual_cases"]
    second_page = client.get(url, {"page": 2}).context["page"]
    assert len(second_page.object_list) == 3
    assert second_page.object_list[-1].kind == "angelegt"


def test_english_staff_pages(client: Client, digital_officer: User, own_service: Service) -> None:
    client.force_login(digital_officer)
    response = client.get(f"/en{LIST}")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
