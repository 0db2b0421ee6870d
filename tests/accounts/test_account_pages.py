"""Sign-in, sign-out and the "Mein Konto" page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import roles
from tests.accounts.conftest import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_login_page_is_german_and_labelled(client: Client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:login") == "/konto/anmelden/"
    assert "<h1>Anmelden</h1>" in html
    assert '<label for="id_username">Benutzername:</label>' in html
    assert 'autocomplete="current-password"' in html


def test_login_page_in_english(client: Client) -> None:
    response = client.get("/en/konto/anmelden/")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_wrong_password_names_the_problem(client: Client, citizen: Any) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "buerger", "password": "falsch-falsch"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Benutzername oder Passwort sind falsch" in html
    assert 'role="alert"' in html
    assert "_auth_user_id" not in client.session


def test_anonymous_account_page_redirects_to_login(client: Client) -> None:
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"] == "/konto/anmelden/?next=/konto/"


def test_logout_only_by_post(client: Client, citizen: Any) -> None:
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_account_page_shows_name_roles_office_and_areas(
    client: Client, settings: Any, office: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    user = make_user(
        "lead", roles.OFFICE_LEAD, office=office, first_name="Frauke", last_name="Lenz"
    )
    client.force_login(user)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Frauke Lenz" in html
    assert "Fachbereichsleitung" in html
    assert office.name in html
    assert f'href="{reverse("catalog_staff:list")}"' in html
    assert f'href="{reverse("catalog_staff:overdue")}"' in html
    assert 'href="/admin/"' not in html  # no is_staff flag, no admin link
    assert "Authenticator-App einrichten" in html
    assert f'action="{reverse("accounts:logout")}"' in html


def test_citizen_account_page_has_no_staff_links(client: Client, citizen: Any) -> None:
    client.force_login(citizen)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Bürgerin oder Bürger" in html
    assert "/verwaltung/" not in html
    assert "Authenticator" not in html


def test_admin_link_for_staff_flag(client: Client, settings: Any, db: None) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    user = make_user("it", roles.ADMINISTRATOR, is_staff=True)
    client.force_login(user)
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'href="/admin/"' in html


def test_login_redirects_to_next_for_citizens(client: Client, citizen: Any) -> None:
    response = sign_in(client, "buerger", next_url="/leistungen/")
    assert response["Location"] == "/leistungen/"
