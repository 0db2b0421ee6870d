"""Video conferences for council meetings, whichever system runs them.

The rest of Rathaus uses only this module: `create_room(meeting)` prepares a room,
`join_url(meeting, user)` is the personal address to enter it, `public_url(meeting)` the
address the public may follow (hybrid public meetings), `can_join` and `join_link` tell
pages whether to show the join button, and `video_share` feeds the monitor. The systems
themselves live in `rathaus.integrations.jitsi` and `rathaus.integrations.bigbluebutton`.

Who may join: the members of the meeting's bodies (the same rule that lets them see its
non-public items) and the council office, who also moderate; a member whose membership
role is a chair (Vorsitz) moderates too.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from rathaus.core import errors
from rathaus.council import visibility
from rathaus.council.models import Meeting, Membership, Organization
from rathaus.integrations import bigbluebutton, jitsi

logger = logging.getLogger(__name__)

Provider = Meeting.VideoProvider


class VideoNotConfigured(errors.RathausError):
    http_status = 503
    code = "video_not_configured"


class VideoUnavailable(errors.RathausError):
    """The video system answered with an error or not at all."""

    http_status = 502
    code = "video_unavailable"


# --- configuration ------------------------------------------------------------------------


def jitsi_config() -> jitsi.JitsiConfig:
    return jitsi.JitsiConfig(
        base_url=settings.RATHAUS_JITSI_URL,
        app_id=settings.RATHAUS_JITSI_APP_ID,
        jwt_secret=settings.RATHAUS_JITSI_JWT_SECRET,
        audience=settings.RATHAUS_JITSI_JWT_AUDIENCE,
    )


def bbb_client() -> bigbluebutton.BigBlueButton:
    if not (settings.RATHAUS_BBB_URL and settings.RATHAUS_BBB_SECRET):
        raise VideoNotConfigured(
            "BigBlueButton ist nicht eingerichtet (RATHAUS_BBB_URL und RATHAUS_BBB_SECRET)."
        )
    try:
        return bigbluebutton.BigBlueButton(
            settings.RATHAUS_BBB_URL,
            settings.RATHAUS_BBB_SECRET,
            algorithm=settings.RATHAUS_BBB_CHECKSUM,
            timeout=settings.RATHAUS_VIDEO_TIMEOUT,
        )
    except ValueError as exc:
        raise VideoNotConfigured(f"BigBlueButton ist falsch eingerichtet: {exc}") from exc


def configured_providers() -> list[str]:
    """The systems this installation can use, in the order the meeting form offers them."""
    found = []
    if settings.RATHAUS_JITSI_URL:
        found.append(Provider.JITSI.value)
    if settings.RATHAUS_BBB_URL and settings.RATHAUS_BBB_SECRET:
        found.append(Provider.BBB.value)
    return found


# --- rooms --------------------------------------------------------------------------------


def _bbb_password(meeting_id: str, role: str) -> str:
    # Derived, not stored: whoever knows the API secret can act on the meeting anyway.
    key = settings.RATHAUS_BBB_SECRET.encode()
    return hmac.new(key, f"{meeting_id}:{role}".encode(), hashlib.sha256).hexdigest()[:24]


def _bbb_create(meeting: Meeting) -> bigbluebutton.CreatedMeeting:
    client = bbb_client()
    try:
        return client.create(
            meeting_id=meeting.video_meeting_id,
            name=(meeting.name or "Sitzung")[:250],
            attendee_pw=_bbb_password(meeting.video_meeting_id, "attendee"),
            moderator_pw=_bbb_password(meeting.video_meeting_id, "moderator"),
            logout_url=f"{settings.SITE_URL}{meeting.get_absolute_url()}",
        )
    except bigbluebutton.BigBlueButtonError as exc:
        logger.warning("bbb create failed", extra={"meeting": meeting.pk, "error": str(exc)})
        raise VideoUnavailable(
            f"BigBlueButton hat die Konferenz nicht angelegt ({exc.message_key}: {exc.message})."
        ) from exc


def create_room(meeting: Meeting, *, provider: str | None = None) -> Meeting:
    """Give the meeting a room on `provider` (or its current one); the caller saves it.

    Jitsi rooms need no call: the random name is the room. A BigBlueButton meeting is
    created through the API right away, so a wrong secret or an unreachable server shows
    up while the council office prepares the meeting, not when members try to join.
    """
    provider = provider if provider is not None else meeting.video_provider
    if provider == Provider.JITSI:
        if not settings.RATHAUS_JITSI_URL:
            raise VideoNotConfigured("Jitsi ist nicht eingerichtet (RATHAUS_JITSI_URL).")
        if meeting.video_provider != provider or not meeting.video_room:
            meeting.video_room = jitsi.new_room_name(meeting.name)
        meeting.video_meeting_id = ""
    elif provider == Provider.BBB:
        bbb_client()  # fails early when not configured
        if meeting.video_provider != provider or not meeting.video_meeting_id:
            meeting.video_meeting_id = f"rathaus-{secrets.token_hex(16)}"
        meeting.video_room = meeting.video_meeting_id
        _bbb_create(meeting)
    elif provider == Provider.NONE:
        meeting.video_room = ""
        meeting.video_meeting_id = ""
    else:
        raise errors.ValidationFailed(f"Unbekanntes Videosystem {provider!r}.")
    meeting.video_provider = provider
    return meeting


def end_conference(meeting: Meeting) -> bool:
    """End a running BigBlueButton meeting; False when it was not running (or is Jitsi)."""
    if meeting.video_provider != Provider.BBB or not meeting.video_meeting_id:
        return False
    client = bbb_client()
    try:
        if not client.is_meeting_running(meeting.video_meeting_id):
            return False
        client.end(
            meeting_id=meeting.video_meeting_id,
            moderator_pw=_bbb_password(meeting.video_meeting_id, "moderator"),
        )
    except bigbluebutton.BigBlueButtonError as exc:
        raise VideoUnavailable(
            f"BigBlueButton hat die Konferenz nicht beendet ({exc.message_key}: {exc.message})."
        ) from exc
    return True


# --- who joins, and how -------------------------------------------------------------------


def _meeting_org_ids(meeting: Meeting) -> set[int]:
    return set(meeting.organizations.values_list("pk", flat=True))


def can_join(meeting: Meeting, user: Any) -> bool:
    """Members of the meeting's bodies and the council office, for a meeting with a room."""
    if not meeting.has_video or meeting.deleted or meeting.cancelled:
        return False
    if not (meeting.video_room or meeting.video_meeting_id):
        return False
    viewer = visibility.viewer_for(user)
    if viewer.sees_everything:
        return True
    return bool(viewer.organization_ids & _meeting_org_ids(meeting))


def is_moderator(meeting: Meeting, user: Any) -> bool:
    if visibility.viewer_for(user).sees_everything:
        return True
    return Membership.objects.filter(
        person__user=user,
        organization__in=meeting.organizations.all(),
        deleted=False,
        role__icontains="vorsitz",
    ).exists()


def display_name(user: Any) -> str:
    person = getattr(user, "council_person", None)
    if person is not None:
        return str(person.name)
    return str(user.get_full_name() or user.get_username())


def join_url(meeting: Meeting, user: Any) -> str:
    """The personal address that puts `user` into the meeting's conference.

    Callers check `can_join` first. For BigBlueButton the meeting is (re)created first:
    BigBlueButton forgets meetings some minutes after the last participant left, and
    `create` on a running meeting only answers that it exists.
    """
    name = display_name(user)
    moderator = is_moderator(meeting, user)
    if meeting.video_provider == Provider.JITSI:
        config = jitsi_config()
        if not config.base_url:
            raise VideoNotConfigured("Jitsi ist nicht eingerichtet (RATHAUS_JITSI_URL).")
        return jitsi.join_url(
            config,
            meeting.video_room,
            display_name=name,
            user_id=str(user.pk),
            email=user.email or "",
            moderator=moderator,
        )
    if meeting.video_provider == Provider.BBB:
        created = _bbb_create(meeting)
        return bbb_client().join_url(
            meeting_id=meeting.video_meeting_id,
            full_name=name,
            role="MODERATOR" if moderator else "VIEWER",
            user_id=str(user.pk),
            create_time=created.create_time,
        )
    raise VideoNotConfigured("Für diese Sitzung ist keine Videokonferenz eingerichtet.")


def join_link(meeting: Meeting, user: Any) -> str | None:
    """The address of the join button for this user, or None if they may not join.

    For pages: the button leads to a view that makes the personal link at click time
    (tokens expire; BigBlueButton meetings must exist when the link is used).
    """
    if not can_join(meeting, user):
        return None
    return reverse("council_member:video_join", kwargs={"pk": meeting.pk})


def public_url(meeting: Meeting) -> str:
    """The address anyone may follow for a public (hybrid) meeting; empty otherwise."""
    if not meeting.is_public or meeting.deleted or meeting.cancelled:
        return ""
    return meeting.video_public_url


# --- for the monitor ----------------------------------------------------------------------


@dataclass(frozen=True)
class VideoShare:
    meetings: int
    with_video: int

    @property
    def share(self) -> float | None:
        return self.with_video / self.meetings if self.meetings else None


def video_share(start: datetime.datetime, end: datetime.datetime) -> VideoShare:
    """Of the town's council and committee meetings starting in [start, end), those with video.

    Cancelled meetings do not count; mirrored meetings of another system neither (whether
    they had video is not known here).
    """
    committees = Organization.objects.filter(organization_type=Organization.Type.COMMITTEE)
    meetings = Meeting.objects.filter(
        deleted=False,
        cancelled=False,
        origin__isnull=True,
        start__gte=start,
        start__lt=end,
        organizations__in=committees,
    ).distinct()
    total = meetings.count()
    with_video = meetings.filter(~Q(video_provider="")).count()
    return VideoShare(meetings=total, with_video=with_video)
