"""Video conferences of meetings: rooms, who may join, join links, public links, the share."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core import errors
from rathaus.council import services, video
from rathaus.council.models import Meeting, Organization
from tests.council.conftest import Council, make_meeting
from tests.integrations.bigbluebutton.server import SECRET, FakeBigBlueButton, running_server

JITSI_SECRET = "jitsi-shared-secret-for-the-tests-0123456789"


@pytest.fixture
def jitsi(settings: Any) -> None:
    settings.RATHAUS_JITSI_URL = "https://meet.example.org"
    settings.RATHAUS_JITSI_APP_ID = "rathaus"
    settings.RATHAUS_JITSI_JWT_SECRET = JITSI_SECRET
    settings.RATHAUS_JITSI_JWT_AUDIENCE = "jitsi"


@pytest.fixture
def bbb(settings: Any) -> Iterator[FakeBigBlueButton]:
    with running_server() as fake:
        settings.RATHAUS_BBB_URL = fake.url
        settings.RATHAUS_BBB_SECRET = SECRET
        settings.RATHAUS_BBB_CHECKSUM = "sha256"
        yield fake


def verified(client: Client, user: Any) -> None:
    """Sign in with a confirmed second factor, as after entering a TOTP code."""
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def claims(url: str) -> dict[str, Any]:
    token = dict(parse_qsl(urlsplit(url).query))["jwt"]
    return jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi")


# --- rooms ------------------------------------------------------------------------------


@pytest.mark.usefixtures("jitsi")
def test_jitsi_room_is_created_once_and_unguessable(council: Council) -> None:
    meeting = council.bau_next
    services.set_video_conference(meeting=meeting, provider="jitsi")
    meeting.refresh_from_db()
    assert meeting.video_provider == "jitsi"
    assert meeting.video_room.startswith("13-sitzung-des-ausschusses")
    assert len(meeting.video_room.rsplit("-", 1)[1]) == 32
    room = meeting.video_room
    services.set_video_conference(meeting=meeting, provider="jitsi")
    assert Meeting.objects.get(pk=meeting.pk).video_room == room  # kept, links stay valid
    services.set_video_conference(meeting=meeting, provider="")
    meeting.refresh_from_db()
    assert (meeting.video_provider, meeting.video_room) == ("", "")


def test_unconfigured_systems_are_named(council: Council, settings: Any) -> None:
    settings.RATHAUS_JITSI_URL = ""
    settings.RATHAUS_BBB_URL = ""
    assert video.configured_providers() == []
    with pytest.raises(video.VideoNotConfigured, match="RATHAUS_JITSI_URL"):
        services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    with pytest.raises(video.VideoNotConfigured, match="RATHAUS_BBB_URL"):
        services.set_video_conference(meeting=council.bau_next, provider="bbb")
    with pytest.raises(errors.ValidationFailed, match="zoom"):
        services.set_video_conference(meeting=council.bau_next, provider="zoom")
    assert Meeting.objects.get(pk=council.bau_next.pk).video_provider == ""


def test_bbb_meeting_is_created_through_the_api(
    council: Council, bbb: FakeBigBlueButton, settings: Any
) -> None:
    meeting = council.bau_next
    services.set_video_conference(meeting=meeting, provider="bbb")
    meeting.refresh_from_db()
    assert meeting.video_provider == "bbb"
    assert meeting.video_meeting_id.startswith("rathaus-")
    (create,) = bbb.calls("create")
    assert create.checksum_ok
    assert create.algorithm == "sha256"
    assert create.params["meetingID"] == meeting.video_meeting_id
    assert create.params["name"] == meeting.name
    assert create.params["logoutURL"].endswith(meeting.get_absolute_url())
    # Passwords are derived from the secret, never stored, and differ per role.
    assert create.params["attendeePW"] != create.params["moderatorPW"]
    assert meeting.video_meeting_id not in create.params["moderatorPW"]


def test_bbb_errors_roll_back_and_say_why(council: Council, bbb: FakeBigBlueButton) -> None:
    bbb.secret = "the server has another secret"
    with pytest.raises(video.VideoUnavailable, match="checksumError"):
        services.set_video_conference(meeting=council.bau_next, provider="bbb")
    assert Meeting.objects.get(pk=council.bau_next.pk).video_provider == ""


def test_public_link_only_for_public_meetings(council: Council, settings: Any) -> None:
    settings.RATHAUS_JITSI_URL = "https://meet.example.org"
    with pytest.raises(errors.ValidationFailed, match="nichtöffentliche"):
        services.set_video_conference(
            meeting=council.va_past, provider="jitsi", public_url="https://stream.example.org/va"
        )
    assert video.public_url(council.rat_past) == "https://stream.example.org/rat-5"
    council.rat_past.cancelled = True
    assert video.public_url(council.rat_past) == ""
    assert video.public_url(council.va_past) == ""


# --- who joins ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "rat", "bau"),
    [
        ("anonymous", False, False),
        ("citizen", False, False),
        ("clerk", False, False),
        ("member_of_the_body", True, True),  # Anna: Rat and Bau
        ("member_of_another_body", True, False),  # Bernd: Rat and Schule
        ("council_office", True, True),
    ],
)
@pytest.mark.usefixtures("jitsi")
def test_who_may_join(council: Council, login_as: Any, role: str, rat: bool, bau: bool) -> None:
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    user = login_as(role)
    rat_meeting, bau_meeting = council.rat_past, Meeting.objects.get(pk=council.bau_next.pk)
    assert video.can_join(rat_meeting, user) is rat
    assert video.can_join(bau_meeting, user) is bau
    expected = reverse("council_member:video_join", kwargs={"pk": bau_meeting.pk})
    assert video.join_link(bau_meeting, user) == (expected if bau else None)


@pytest.mark.usefixtures("jitsi")
def test_no_join_without_room_or_when_cancelled(council: Council, council_member: Any) -> None:
    assert not video.can_join(council.bau_next, council_member)  # no room yet
    council.rat_past.cancelled = True
    assert not video.can_join(council.rat_past, council_member)


@pytest.mark.usefixtures("jitsi")
def test_jitsi_join_url_carries_name_and_moderation(
    council: Council, council_member: Any, other_council_member: Any, council_office_user: Any
) -> None:
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    bau = Meeting.objects.get(pk=council.bau_next.pk)
    anna = claims(video.join_url(bau, council_member))  # chair of Bau: moderates
    assert anna["room"] == bau.video_room
    assert anna["context"]["user"]["name"] == "Anna Albers"
    assert anna["context"]["user"]["moderator"] is True
    bernd = claims(video.join_url(council.rat_past, other_council_member))
    assert bernd["context"]["user"]["name"] == "Bernd Brandt"
    assert "moderator" not in bernd["context"]["user"]
    office = claims(video.join_url(council.rat_past, council_office_user))
    assert office["context"]["user"]["moderator"] is True
    assert office["exp"] > timezone.now().timestamp()


def test_bbb_join_creates_the_meeting_again_then_signs_the_link(
    council: Council, bbb: FakeBigBlueButton, other_council_member: Any
) -> None:
    services.set_video_conference(meeting=council.rat_past, provider="bbb")
    bbb.answers["create"] = "create_duplicate.xml"
    url = video.join_url(Meeting.objects.get(pk=council.rat_past.pk), other_council_member)
    assert len(bbb.calls("create")) == 2
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["fullName"] == "Bernd Brandt"
    assert params["role"] == "VIEWER"
    assert params["createTime"] == "1767254400000"
    import httpx

    assert httpx.get(url).status_code == 404  # the fake has no client page ...
    assert bbb.calls("join")[0].checksum_ok  # ... but accepted the signature


# --- the join view in the member area -----------------------------------------------------


@pytest.mark.usefixtures("jitsi")
def test_join_view_redirects_members_into_the_room(
    client: Client, council: Council, council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    url = reverse("council_member:video_join", kwargs={"pk": council.bau_next.pk})
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    client.force_login(council_member)  # password only: the second factor comes first
    unverified = client.get(url)
    assert unverified.status_code == 302
    assert unverified["Location"].startswith(reverse("accounts:otp_setup"))
    verified(client, council_member)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("https://meet.example.org/13-sitzung")
    assert claims(response["Location"])["context"]["user"]["name"] == "Anna Albers"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.usefixtures("jitsi")
def test_join_view_is_404_for_members_of_other_bodies(
    client: Client, council: Council, other_council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    client.force_login(other_council_member)
    url = reverse("council_member:video_join", kwargs={"pk": council.bau_next.pk})
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("council_member:video_join", kwargs={"pk": 999999})).status_code == 404
    )


def test_join_view_reports_an_unreachable_server(
    client: Client, council: Council, council_member: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    with running_server() as fake:
        settings.RATHAUS_BBB_URL = fake.url
        settings.RATHAUS_BBB_SECRET = SECRET
        services.set_video_conference(meeting=council.bau_next, provider="bbb")
    # The server is gone now.
    client.force_login(council_member)
    url = reverse("council_member:video_join", kwargs={"pk": council.bau_next.pk})
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "council_member:meeting", kwargs={"pk": council.bau_next.pk}
    )
    assert "nicht erreichbar" in response.content.decode()


# --- the monitor ----------------------------------------------------------------------------


def test_video_share(council: Council) -> None:
    now = timezone.now()
    start, end = now - datetime.timedelta(days=60), now + datetime.timedelta(days=60)
    share = video.video_share(start, end)
    # Six meetings, one cancelled; only the Rat's meeting had video.
    assert (share.meetings, share.with_video) == (5, 1)
    assert share.share == pytest.approx(0.2)
    # Faction meetings are no council or committee meetings.
    make_meeting("Fraktionssitzung", [council.cdu], days=3, video_provider="jitsi")
    assert video.video_share(start, end).meetings == 5
    council.bau_next.video_provider = Meeting.VideoProvider.BBB
    council.bau_next.save()
    assert video.video_share(start, end).with_video == 2
    assert video.video_share(end, end + datetime.timedelta(days=1)).share is None
    assert council.cdu.organization_type == Organization.Type.FACTION


def test_a_wrong_checksum_setting_is_named(council: Council, settings: Any) -> None:
    settings.RATHAUS_BBB_URL = "https://bbb.example.org/bigbluebutton/"
    settings.RATHAUS_BBB_SECRET = SECRET
    settings.RATHAUS_BBB_CHECKSUM = "md5"
    with pytest.raises(video.VideoNotConfigured, match="md5"):
        services.set_video_conference(meeting=council.bau_next, provider="bbb")


@pytest.mark.usefixtures("jitsi")
def test_the_council_office_joins_from_the_staff_ui_as_moderator(
    client: Client, council: Council, council_office_user: Any, settings: Any
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    client.force_login(council_office_user)
    staff_join = reverse("council_staff:meeting_video_join", args=[council.rat_past.pk])
    response = client.get(staff_join)
    assert response.status_code == 302
    assert response["Location"].startswith("https://meet.example.org/rat-5-sitzung?jwt=")
    assert claims(response["Location"])["context"]["user"]["moderator"] is True
    # A meeting without a room has nothing to join.
    no_room = reverse("council_staff:meeting_video_join", args=[council.bau_next.pk])
    assert client.get(no_room).status_code == 404


@pytest.mark.usefixtures("jitsi")
def test_meeting_page_shows_the_join_button_to_members_only(
    client: Client,
    council: Council,
    council_member: Any,
    other_council_member: Any,
    settings: Any,
) -> None:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    services.set_video_conference(meeting=council.bau_next, provider="jitsi")
    join = reverse("council_member:video_join", kwargs={"pk": council.bau_next.pk})
    page = council.bau_next.get_absolute_url()

    assert join not in client.get(page).content.decode()
    client.force_login(other_council_member)
    assert join not in client.get(page).content.decode()
    client.force_login(council_member)
    assert join in client.get(page).content.decode()
