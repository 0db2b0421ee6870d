"""The member area (/rat/mitglieder/): members only, second factor first, own bodies only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.council import services
from tests.accounts.conftest import device_code
from tests.conftest import PASSWORD
from tests.council.conftest import SECRET_TITLE, SECRET_WORD, Council

INDEX = "/rat/mitglieder/"


def meeting_url(pk: int) -> str:
    return reverse("council_member:meeting", kwargs={"pk": pk})


def verify(client: Client, user: Any) -> None:
    """Mark this client's session as having confirmed a TOTP device (as `otp_verify` does)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def as_role(client: Client, login_as: Any, settings: Any) -> Any:
    """Sign in as a role of the matrix, with the second factor confirmed."""
    settings.RATHAUS_STAFF_SECOND_FACTOR = True

    def sign_in(role: str) -> Any:
        user = login_as(role)
        if user is not None:
            verify(client, user)
        return user

    return sign_in


def test_urls() -> None:
    assert reverse("council_member:index") == INDEX
    # The member area is matched before the citizen pages below /rat/.
    assert meeting_url(5) == "/rat/mitglieder/sitzungen/5/"


# --- role by role -------------------------------------------------------------------------

# role -> (member area, Bau's past meeting with its non-public item, the non-public VA meeting)
MATRIX = {
    "anonymous": ("login", "login", "login"),
    "citizen": (403, 403, 403),
    "clerk": (403, 403, 403),
    "member_of_the_body": (200, 200, 200),  # Anna: Rat, VA, Bau
    "member_of_another_body": (200, 404, 404),  # Bernd: Rat, Schule
    "council_office": (403, 403, 403),  # works in the staff UI, not here
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_by_role(client: Client, council: Council, as_role: Any, role: str) -> None:
    as_role(role)
    expected = dict(
        zip(
            [INDEX, meeting_url(council.bau_past.pk), meeting_url(council.va_past.pk)],
            MATRIX[role],
            strict=True,
        )
    )
    for address, status in expected.items():
        response = client.get(address)
        if status == "login":
            assert response.status_code == 302, address
            assert response["Location"].startswith(reverse("accounts:login"))
            continue
        assert response.status_code == status, (role, address)
        body = response.content.decode()
        if status != 200 or address == INDEX:
            assert SECRET_TITLE not in body
    if role == "member_of_the_body":
        bau = client.get(meeting_url(council.bau_past.pk)).content.decode()
        assert SECRET_TITLE in bau  # the non-public agenda item of her own body
        assert "nichtöffentlich" in bau
        assert reverse("council:file", args=[council.secret_pdf.pk]) in bau
        assert client.get(reverse("council:file", args=[council.secret_pdf.pk])).status_code == 200


def test_members_of_another_body_see_none_of_its_secrets(
    client: Client, council: Council, as_role: Any
) -> None:
    as_role("member_of_another_body")
    home = client.get(INDEX).content.decode()
    assert council.rat_past.name in home  # Rat: his body
    assert council.bau_next.name not in home  # Bau: not his
    assert council.va_past.name not in home
    assert SECRET_TITLE not in home
    # The secret file itself, by its address: 404 as for anyone outside.
    assert client.get(reverse("council:file", args=[council.secret_pdf.pk])).status_code == 404
    assert client.get(meeting_url(999999)).status_code == 404


def test_home_shows_bodies_meetings_invitations_and_own_papers(
    client: Client, council: Council, as_role: Any
) -> None:
    as_role("member_of_the_body")
    response = client.get(INDEX)
    html = response.content.decode()
    assert "Anna Albers" in html
    for org in (council.rat, council.va, council.bau, council.cdu):
        assert org.name in html
    assert council.bau_next.name in html  # upcoming
    assert council.rat_next.name in html
    assert council.bau_past.name in html  # recent, with its invitation and minutes
    assert reverse("council:file", args=[council.invitation_bau.pk]) in html
    assert reverse("council:file", args=[council.minutes_bau.pk]) in html
    assert "1 nichtöffentlicher Punkt" in html  # Bau's past meeting
    assert council.anfrage.name in html  # her own inquiry
    assert response["Cache-Control"].startswith("max-age=0")


def test_meeting_page_lists_items_papers_and_files(
    client: Client, council: Council, as_role: Any
) -> None:
    as_role("member_of_the_body")
    html = client.get(meeting_url(council.bau_past.pk)).content.decode()
    assert "Regenrückhaltebecken am Geestrand" in html
    assert council.vorlage.get_absolute_url() in html
    assert reverse("council:file", args=[council.vorlage_pdf.pk]) in html
    assert reverse("council:file", args=[council.plan_pdf.pk]) in html
    assert council.secret.get_absolute_url() in html
    assert f"Das {SECRET_WORD} wird angenommen." in html  # the non-public resolution


def test_video_link_for_members_and_public_link_for_hybrid_meetings(
    client: Client, council: Council, as_role: Any, settings: Any
) -> None:
    settings.RATHAUS_JITSI_URL = "https://meet.example.org"
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    as_role("member_of_the_body")
    join = reverse("council_member:video_join", kwargs={"pk": council.bau_next.pk})
    assert join in client.get(INDEX).content.decode()
    assert join in client.get(meeting_url(council.bau_next.pk)).content.decode()
    rat = client.get(meeting_url(council.rat_past.pk)).content.decode()
    assert "https://stream.example.org/rat-5" in rat  # the public hybrid stream
    response = client.get(join)
    assert response.status_code == 302
    assert response["Location"].startswith("https://meet.example.org/13-sitzung")


# --- the second factor ----------------------------------------------------------------------


def test_member_without_a_device_sets_one_up_first(
    client: Client, council: Council, council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    response = client.post(
        reverse("accounts:login"), {"username": "ratsmitglied", "password": PASSWORD, "next": INDEX}
    )
    assert response["Location"] == INDEX
    to_setup = client.get(INDEX)
    assert to_setup.status_code == 302
    assert to_setup["Location"].startswith(reverse("accounts:otp_setup"))
    # Council members may enrol an authenticator app (staff-only before).
    setup = client.get(to_setup["Location"])
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=council_member, confirmed=False)
    confirmed = client.post(
        reverse("accounts:otp_setup"), {"code": device_code(device), "next": INDEX}
    )
    assert confirmed.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_member_with_a_device_enters_a_code(
    client: Client, council: Council, council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    device = TOTPDevice.objects.create(user=council_member, name="App", confirmed=True)
    client.post(reverse("accounts:login"), {"username": "ratsmitglied", "password": PASSWORD})
    response = client.get(meeting_url(council.va_past.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert SECRET_TITLE not in response.content.decode()
    entered = client.post(
        response["Location"], {"code": device_code(device), "next": meeting_url(council.va_past.pk)}
    )
    assert entered["Location"] == meeting_url(council.va_past.pk)
    assert SECRET_TITLE in client.get(meeting_url(council.va_past.pk)).content.decode()


def test_the_switch_turns_the_second_factor_off(
    client: Client, council: Council, council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    client.force_login(council_member)
    assert client.get(INDEX).status_code == 200


def test_a_member_whose_person_link_was_removed_is_out(
    client: Client, council: Council, council_member: Any, as_role: Any
) -> None:
    as_role("member_of_the_body")
    assert client.get(INDEX).status_code == 200
    council.anna.user = None
    council.anna.save()
    assert client.get(INDEX).status_code == 403
    assert client.get(meeting_url(council.va_past.pk)).status_code == 403
