"""Second factor for staff: setup with QR code, code after the password, throttling, bypass."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import roles
from tests.accounts.conftest import device_code, sign_in, totp_code
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]

STAFF_LIST = "/verwaltung/leistungen/"


def verify_url(next_url: str) -> str:
    return f"{reverse('accounts:otp_verify')}?{urlencode({'next': next_url})}"


def setup_url(next_url: str) -> str:
    return f"{reverse('accounts:otp_setup')}?{urlencode({'next': next_url})}"


def test_citizen_signs_in_without_being_asked_for_a_code(client: Client, citizen: Any) -> None:
    response = sign_in(client, "buerger")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "Zwei-Faktor" not in home.content.decode()


def test_staff_without_device_sets_up_app_end_to_end(client: Client, clerk: Any) -> None:
    # Password first: staff without a device are sent to the setup page, `next` kept.
    response = sign_in(client, "clerk", next_url=STAFF_LIST)
    assert response.status_code == 302
    assert response["Location"] == setup_url(STAFF_LIST)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    # The QR code is inline SVG made on the server: nothing is fetched from elsewhere.
    assert re.search(r"<svg[^>]*>.*<path", html, re.S)
    assert "<img" not in html.split('class="qr-code"')[1].split("</figure>")[0]
    assert "otpauth://totp/Rathaus%3Aclerk?secret=" in html
    # The secret is also printed for manual entry; an app made from it gives the right code.
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', html)
    assert secret is not None
    key = b32decode(secret.group(1).replace(" ", ""))
    assert TOTPDevice.objects.get(user=clerk, confirmed=False).bin_key == key

    wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000", "next": STAFF_LIST})
    if totp_code(key) != "000000":
        assert wrong.status_code == 200
        assert "Der Code ist falsch" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()
        TOTPDevice.objects.filter(user=clerk).update(throttling_failure_count=0)

    confirmed = client.post(
        reverse("accounts:otp_setup"), {"code": totp_code(key), "next": STAFF_LIST}
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"].startswith(reverse("accounts:otp_backup_codes"))
    assert TOTPDevice.objects.get(user=clerk).confirmed

    # Backup codes are shown exactly once.
    codes_page = client.get(confirmed["Location"])
    codes_html = codes_page.content.decode()
    stored = list(StaticToken.objects.filter(device__user=clerk).values_list("token", flat=True))
    assert len(stored) == 10
    for token in stored:
        assert f"{token[:4]} {token[4:]}" in codes_html
        assert not token.isdigit()
    assert f'href="{STAFF_LIST}"' in codes_html
    again = client.get(confirmed["Location"]).content.decode()
    assert stored[0][:4] + " " + stored[0][4:] not in again

    # The session is verified now: the staff page opens.
    assert client.get(STAFF_LIST).status_code == 200


def test_staff_with_device_enters_code_after_password(
    client: Client, staff_with_device: Any
) -> None:
    user, device = staff_with_device
    response = sign_in(client, user.username, next_url=STAFF_LIST)
    assert response["Location"] == verify_url(STAFF_LIST)

    # Until a code is confirmed, the staff page sends the user back to the code form.
    assert client.get(STAFF_LIST)["Location"] == verify_url(STAFF_LIST)

    good = device_code(device)
    bad = "123456" if good != "123456" else "654321"
    wrong = client.post(reverse("accounts:otp_verify"), {"code": bad, "next": STAFF_LIST})
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert "Der Code ist falsch oder abgelaufen" in html
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert client.get(STAFF_LIST).status_code == 302

    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the failure was counted, not rolled back
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    right = client.post(reverse("accounts:otp_verify"), {"code": good, "next": STAFF_LIST})
    assert right.status_code == 302
    assert right["Location"] == STAFF_LIST
    assert client.get(STAFF_LIST).status_code == 200

    # The same code cannot be replayed in another session.
    other = Client()
    sign_in(other, user.username)
    replay = other.post(reverse("accounts:otp_verify"), {"code": good})
    assert replay.status_code == 200
    assert "Der Code ist falsch" in replay.content.decode()


def test_wrong_codes_are_throttled(client: Client, settings: Any, staff_with_device: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # one wrong code locks checks for a minute
    user, device = staff_with_device
    client.force_login(user)
    good = device_code(device)
    bad = "111111" if good != "111111" else "222222"
    client.post(reverse("accounts:otp_verify"), {"code": bad})
    blocked = client.post(reverse("accounts:otp_verify"), {"code": good})
    assert blocked.status_code == 200
    assert "Zu viele falsche Codes" in blocked.content.decode()
    assert client.get(STAFF_LIST).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_backup_code_works_once(client: Client, staff_with_device: Any) -> None:
    user, _device = staff_with_device
    client.force_login(user)
    # Make backup codes the way the account page does (verified session required).
    from rathaus.accounts import services

    codes = services.regenerate_backup_codes(user=user)
    typed = f"{codes[0][:4]}-{codes[0][4:].upper()}"  # people type dashes and capitals
    response = client.post(reverse("accounts:otp_verify"), {"code": typed, "next": STAFF_LIST})
    assert response["Location"] == STAFF_LIST
    assert client.get(STAFF_LIST).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    other = Client()
    other.force_login(user)
    reused = other.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert reused.status_code == 200
    assert "Der Code ist falsch" in reused.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/verwaltung/leistungen/",
        "/verwaltung/leistungen/neu/",
        "/en/verwaltung/leistungen/",
        "/admin/",
        "/admin/catalog/service/",
    ],
)
def test_unverified_staff_are_redirected_from_staff_pages(
    client: Client, staff_with_device: Any, path: str
) -> None:
    user, _device = staff_with_device
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    location = response["Location"]
    assert location.split("?")[0].endswith("/konto/zwei-faktor/")
    assert urlencode({"next": path}) in location


def test_staff_without_device_are_sent_to_setup(client: Client, clerk: Any) -> None:
    client.force_login(clerk)
    response = client.get(STAFF_LIST)
    assert response["Location"] == setup_url(STAFF_LIST)


def test_public_pages_need_no_code(client: Client, staff_with_device: Any) -> None:
    user, _device = staff_with_device
    client.force_login(user)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_setting_off_means_no_redirect(
    client: Client, settings: Any, staff_with_device: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    user, _device = staff_with_device
    response = sign_in(client, user.username, next_url=STAFF_LIST)
    assert response["Location"] == STAFF_LIST
    assert client.get(STAFF_LIST).status_code == 200


def test_citizens_are_never_asked_for_a_code(client: Client, citizen: Any) -> None:
    client.force_login(citizen)
    response = client.get(STAFF_LIST)
    assert response.status_code == 403  # no permission, and no detour to a code form
    assert client.get(reverse("accounts:otp_setup")).status_code == 403


def test_password_alone_cannot_replace_an_existing_device(
    client: Client, staff_with_device: Any
) -> None:
    user, device = staff_with_device
    client.force_login(user)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_verified_staff_can_replace_device(client: Client, staff_with_device: Any) -> None:
    user, device = staff_with_device
    client.force_login(user)
    client.post(reverse("accounts:otp_verify"), {"code": device_code(device)})
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    assert "gilt das bisherige nicht mehr" in page.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": device_code(new)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_backup_codes_can_be_regenerated_in_a_verified_session(
    client: Client, staff_with_device: Any
) -> None:
    user, device = staff_with_device
    client.force_login(user)
    url = reverse("accounts:otp_backup_codes")
    unverified = client.post(url)
    assert unverified["Location"].startswith(reverse("accounts:otp_verify"))
    assert not StaticToken.objects.filter(device__user=user).exists()

    client.post(reverse("accounts:otp_verify"), {"code": device_code(device)})
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    tokens = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(tokens) == 10
    assert all(f"{t[:4]} {t[4:]}" in page for t in tokens)


def test_next_must_stay_on_site(client: Client, staff_with_device: Any) -> None:
    user, device = staff_with_device
    client.force_login(user)
    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": device_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:home")


def test_superuser_is_staff_and_needs_a_code(client: Client, db: None) -> None:
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp_setup"))


def test_roles_outside_the_administration_are_not_staff(client: Client, db: None) -> None:
    member = make_user("ratsfrau", roles.COUNCIL_MEMBER)
    client.force_login(member)
    response = client.get(STAFF_LIST)
    assert response.status_code == 403
