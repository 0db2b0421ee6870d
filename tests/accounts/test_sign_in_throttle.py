"""Password guessing is stopped per account, without storing IP addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_account_takes_no_password_after_ten_wrong_ones(client: Client, citizen: Any) -> None:
    for _ in range(services.SIGN_IN_MAX_FAILURES):
        response = post(client, "buerger", "falsch-geraten")
        assert response.status_code == 200
        assert "Benutzername oder Passwort sind falsch" in response.content.decode()

    refused = post(client, "buerger", PASSWORD)  # even the right password now
    assert refused.status_code == 200
    assert "Zu viele falsche Anmeldeversuche" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    cache.clear()  # the lock expires
    assert post(client, "buerger", PASSWORD).status_code == 302


def test_success_resets_the_count_and_other_accounts_are_unaffected(
    client: Client, citizen: Any, clerk: Any
) -> None:
    for _ in range(services.SIGN_IN_MAX_FAILURES - 1):
        post(client, "Buerger ", "falsch")  # case and spaces do not open a second counter
    assert post(client, "buerger", PASSWORD).status_code == 302
    client.logout()
    for _ in range(services.SIGN_IN_MAX_FAILURES - 1):
        post(client, "buerger", "falsch")
    assert post(client, "buerger", PASSWORD).status_code == 302
    assert not services.sign_in_blocked("clerk")
