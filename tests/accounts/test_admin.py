"""The Django admin: one sign-in page, registered models, the catalog's rules apply."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import roles
from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.core import search
from tests.conftest import make_service, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    # The second factor in front of /admin/ is tested in test_second_factor.py.
    settings.RATHAUS_STAFF_SECOND_FACTOR = False


@pytest.fixture
def superuser(db: None) -> Any:
    return make_user("root", is_superuser=True, is_staff=True)


def test_admin_login_uses_site_sign_in(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"] == "/konto/anmelden/?next=/admin/"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:accounts_office_changelist",
        "admin:accounts_user_changelist",
        "admin:catalog_service_changelist",
        "admin:catalog_lifesituation_changelist",
        "admin:core_synonym_changelist",
    ],
)
def test_models_are_registered(client: Client, superuser: Any, url_name: str) -> None:
    client.force_login(superuser)
    assert client.get(reverse(url_name)).status_code == 200


def test_service_list_filters_and_search(client: Client, superuser: Any, office: Any) -> None:
    make_service(leika_key="99010004001000", name="Personalausweis beantragen", office=office)
    make_service(leika_key="99123456789000", name="Hundesteuer anmelden", status="draft")
    client.force_login(superuser)
    url = reverse("admin:catalog_service_changelist")
    html = client.get(url, {"q": "99123456789000"}).content.decode()
    assert "Hundesteuer anmelden" in html
    assert "Personalausweis beantragen" not in html
    html = client.get(url, {"status__exact": "published"}).content.decode()
    assert "Personalausweis beantragen" in html
    assert "Hundesteuer anmelden" not in html
    for facet in ("status", "topic", "office", "maturity_level"):
        assert f"?{facet}" in html or f"&amp;{facet}" in html


def test_user_admin_shows_office(client: Client, superuser: Any, office: Any) -> None:
    user = make_user("sb", roles.CLERK, office=office)
    client.force_login(superuser)
    html = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert 'name="office"' in html
    assert 'name="preferred_language"' in html


def test_admin_save_goes_through_service_layer(client: Client, superuser: Any, office: Any) -> None:
    service = make_service(office=office)
    client.force_login(superuser)
    url = reverse("admin:catalog_service_change", args=[service.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"life_situations"}
    }
    data.update(
        {
            "name": "Personalausweis beantragen (neu)",
            "office": office.pk,
            "review_due": "2030-01-31",
            "change_reason": "Admin-Test",
        }
    )
    for name in (
        "channel_online",
        "online_service_own",
        "channel_post",
        "channel_email",
        "channel_phone",
    ):
        data.pop(name, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.name == "Personalausweis beantragen (neu)"
    latest = service.history.first()
    assert latest.history_user == superuser
    assert latest.history_change_reason == "Admin-Test"
    hits, _query = search.search("neu", kinds=["catalog.service"])
    assert service.pk in [h.object_id for h in hits]


def test_office_lead_cannot_change_other_office_in_admin(client: Client, office: Any) -> None:
    other = Office.objects.create(name="Fachgruppe Steuern", slug="steuern")
    foreign = make_service(leika_key="99123456789000", name="Hundesteuer", office=other)
    own = make_service(office=office)
    lead = make_user("lead", roles.OFFICE_LEAD, office=office, is_staff=True)
    client.force_login(lead)
    assert client.get(reverse("admin:catalog_service_change", args=[own.pk])).status_code == 200
    foreign_url = reverse("admin:catalog_service_change", args=[foreign.pk])
    page = client.get(foreign_url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # read-only view
    assert client.post(foreign_url, {"name": "x"}).status_code == 403

    # Bulk actions skip services of other offices.
    changelist = reverse("admin:catalog_service_changelist")
    client.post(
        changelist,
        {"action": "archive", "_selected_action": [foreign.pk, own.pk]},
    )
    assert Service.objects.get(pk=foreign.pk).status == Service.Status.PUBLISHED
    assert Service.objects.get(pk=own.pk).status == Service.Status.ARCHIVED


def test_read_only_staff_cannot_revert_history_in_admin(client: Client, office: Any) -> None:
    service = make_service(office=office)
    original = service.name
    service.name = "Geänderter Name"
    from rathaus.catalog import services as catalog_services

    catalog_services.save_service(service=service, reason="Umbenannt")
    oldest = service.history.last()
    clerk = make_user("sb", roles.CLERK, office=office, is_staff=True)
    client.force_login(clerk)
    url = reverse("admin:catalog_service_simple_history", args=[service.pk, oldest.history_id])
    assert client.get(url).status_code == 200  # reading old versions is fine
    assert client.post(url, {}).status_code == 403
    service.refresh_from_db()
    assert service.name == "Geänderter Name" != original


def test_office_lead_must_choose_own_office_in_admin(client: Client, office: Any) -> None:
    Office.objects.create(name="Fachgruppe Steuern", slug="steuern")
    lead = make_user("lead", roles.OFFICE_LEAD, office=office, is_staff=True)
    client.force_login(lead)
    form = client.get(reverse("admin:catalog_service_add")).context["adminform"].form
    field = form.fields["office"]
    assert field.required
    assert list(field.queryset) == [office]
