"""Helpers for the second-factor tests: real TOTP codes computed like an authenticator app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import roles
from rathaus.accounts.models import User
from tests.conftest import PASSWORD, make_user


def totp_code(key: bytes, *, steps_ahead: int = 0, step: int = 30, digits: int = 6) -> str:
    """What an authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(key, step=step, digits=digits)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():0{digits}d}"


def device_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return totp_code(
        device.bin_key, steps_ahead=steps_ahead, step=device.step, digits=device.digits
    )


def sign_in(client: Client, username: str, next_url: str = "") -> Any:
    url = reverse("accounts:login")
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


@pytest.fixture(autouse=True)
def _german() -> Iterator[None]:
    # A request to an /en/ page leaves English active in this thread; reverse() would follow.
    with translation.override("de"):
        yield


@pytest.fixture
def second_factor_on(settings: Any) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True


@pytest.fixture
def staff_with_device(db: None, office: Any) -> tuple[User, TOTPDevice]:
    user = make_user("fbl", roles.OFFICE_LEAD, office=office, first_name="Frauke", last_name="Lenz")
    device = TOTPDevice.objects.create(user=user, name="Authenticator-App", confirmed=True)
    return user, device
