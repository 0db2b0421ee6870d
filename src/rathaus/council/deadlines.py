"""The invitation deadline (Ladungsfrist) of council meetings in Lower Saxony.

§ 59 Abs. 1 NKomVG: the invitation to a meeting must reach the members at least one week
before the meeting (in urgent cases the chair may shorten it, which the invitation must
say). Rathaus counts the week in calendar days: for a meeting on a Thursday the invitation
must have gone out on the Thursday before, at any time of that day, or earlier.

The rule applies to the town's own meetings; mirrored meetings of another system are not
checked (their invitations are not recorded here).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rathaus.council.models import Meeting, Paper

INVITATION_PERIOD = datetime.timedelta(days=7)
# Meetings whose deadline is this close (or past) without an invitation are "at risk".
WARNING_DAYS = 3


class InvitationStatus(StrEnum):
    ON_TIME = "on_time"  # sent, at least a week ahead
    LATE = "late"  # sent, but less than a week ahead
    OPEN = "open"  # not sent, the deadline is comfortably ahead
    DUE_SOON = "due_soon"  # not sent, the deadline is within WARNING_DAYS
    MISSED = "missed"  # not sent, the deadline has passed, the meeting has not
    NOT_APPLICABLE = "not_applicable"  # no date, cancelled, mirrored, or past without record


@dataclass(frozen=True)
class InvitationCheck:
    status: InvitationStatus
    deadline: datetime.date | None = None
    days_left: int | None = None  # calendar days from today until the deadline
    sent_days_ahead: int | None = None  # calendar days between invitation and meeting

    @property
    def ok(self) -> bool:
        return self.status in (InvitationStatus.ON_TIME, InvitationStatus.OPEN)

    @property
    def warning(self) -> bool:
        return self.status in (
            InvitationStatus.LATE,
            InvitationStatus.DUE_SOON,
            InvitationStatus.MISSED,
        )

    @property
    def message(self) -> str:
        deadline = self.deadline.strftime("%d.%m.%Y") if self.deadline else ""
        if self.status == InvitationStatus.ON_TIME:
            return ngettext(
                "Die Einladung ging %(days)d Tag vor der Sitzung hinaus; die Ladungsfrist "
                "von einer Woche ist gewahrt.",
                "Die Einladung ging %(days)d Tage vor der Sitzung hinaus; die Ladungsfrist "
                "von einer Woche ist gewahrt.",
                self.sent_days_ahead or 0,
            ) % {"days": self.sent_days_ahead or 0}
        if self.status == InvitationStatus.LATE:
            return ngettext(
                "Die Einladung ging nur %(days)d Tag vor der Sitzung hinaus; die Ladungsfrist "
                "von einer Woche (§ 59 NKomVG) ist nicht gewahrt. Das ist nur in dringenden "
                "Fällen zulässig, auf die die Einladung hinweisen muss.",
                "Die Einladung ging nur %(days)d Tage vor der Sitzung hinaus; die Ladungsfrist "
                "von einer Woche (§ 59 NKomVG) ist nicht gewahrt. Das ist nur in dringenden "
                "Fällen zulässig, auf die die Einladung hinweisen muss.",
                self.sent_days_ahead or 0,
            ) % {"days": self.sent_days_ahead or 0}
        if self.status == InvitationStatus.OPEN:
            return _("Die Einladung muss spätestens am %(date)s versandt werden.") % {
                "date": deadline
            }
        if self.status == InvitationStatus.DUE_SOON:
            if self.days_left == 0:
                return _(
                    "Die Einladung muss heute (%(date)s) versandt werden, sonst ist die "
                    "Ladungsfrist von einer Woche nicht gewahrt."
                ) % {"date": deadline}
            return ngettext(
                "Die Einladung ist noch nicht versandt; die Ladungsfrist endet in %(days)d Tag "
                "(am %(date)s).",
                "Die Einladung ist noch nicht versandt; die Ladungsfrist endet in %(days)d Tagen "
                "(am %(date)s).",
                self.days_left or 0,
            ) % {"days": self.days_left or 0, "date": deadline}
        if self.status == InvitationStatus.MISSED:
            return _(
                "Die Ladungsfrist ist am %(date)s abgelaufen, ohne dass eine Einladung versandt "
                "wurde. Die Sitzung kann nur mit verkürzter Frist in dringenden Fällen "
                "stattfinden (§ 59 NKomVG)."
            ) % {"date": deadline}
        return _("Für diese Sitzung gilt keine Ladungsfrist.")


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def invitation_deadline(start: datetime.datetime) -> datetime.date:
    """The last day the invitation may go out for a meeting starting at `start`."""
    return _local_date(start) - INVITATION_PERIOD


def check_invitation(
    meeting: Meeting,
    *,
    now: datetime.datetime | None = None,
    warning_days: int = WARNING_DAYS,
) -> InvitationCheck:
    """Is the invitation deadline met for `meeting`, and if not yet decided, when is it?"""
    if meeting.start is None or meeting.cancelled or meeting.origin_id is not None:
        return InvitationCheck(InvitationStatus.NOT_APPLICABLE)
    now = now or timezone.now()
    deadline = invitation_deadline(meeting.start)
    meeting_day = _local_date(meeting.start)
    if meeting.invitation_sent_at is not None:
        ahead = (meeting_day - _local_date(meeting.invitation_sent_at)).days
        status = (
            InvitationStatus.ON_TIME
            if _local_date(meeting.invitation_sent_at) <= deadline
            else InvitationStatus.LATE
        )
        return InvitationCheck(status, deadline=deadline, sent_days_ahead=ahead)
    if meeting.start <= now:
        # A past meeting without a recorded invitation: nothing can be done about it any more,
        # and imported history often lacks the date; the monitor counts these separately.
        return InvitationCheck(InvitationStatus.NOT_APPLICABLE, deadline=deadline)
    days_left = (deadline - _local_date(now)).days
    if days_left < 0:
        status = InvitationStatus.MISSED
    elif days_left <= warning_days:
        status = InvitationStatus.DUE_SOON
    else:
        status = InvitationStatus.OPEN
    return InvitationCheck(status, deadline=deadline, days_left=days_left)


def meetings_at_risk(
    *, now: datetime.datetime | None = None, warning_days: int = WARNING_DAYS
) -> QuerySet[Meeting]:
    """Own upcoming meetings without an invitation whose deadline is near or already past."""
    now = now or timezone.now()
    # The deadline is near when the meeting day is at most a week plus `warning_days` away;
    # the day's end in local time is the last moment that still counts.
    last_day = timezone.localdate(now) + INVITATION_PERIOD + datetime.timedelta(days=warning_days)
    horizon = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.max))
    return (
        Meeting.objects.filter(
            deleted=False,
            cancelled=False,
            origin__isnull=True,
            invitation_sent_at__isnull=True,
            start__gt=now,
            start__lte=horizon,
        )
        .prefetch_related("organizations")
        .order_by("start")
    )


@dataclass(frozen=True)
class Timeliness:
    """For the monitor: of the meetings held in a period, how many were invited in time."""

    meetings: int
    invited: int
    on_time: int

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.meetings if self.meetings else None


def invitation_timeliness(start: datetime.datetime, end: datetime.datetime) -> Timeliness:
    """Own, held meetings starting in [start, end): with an invitation, and in time."""
    held = Meeting.objects.filter(
        deleted=False, cancelled=False, origin__isnull=True, start__gte=start, start__lt=end
    ).only("start", "invitation_sent_at")
    total = invited = on_time = 0
    for meeting in held.iterator(chunk_size=500):
        total += 1
        if meeting.invitation_sent_at is None or meeting.start is None:
            continue
        invited += 1
        if _local_date(meeting.invitation_sent_at) <= invitation_deadline(meeting.start):
            on_time += 1
    return Timeliness(meetings=total, invited=invited, on_time=on_time)


# --- inquiries and motions ------------------------------------------------------------------

INQUIRY_TYPES = ("Anfrage", "Antrag")


def open_inquiries() -> QuerySet[Paper]:
    """Own inquiries and motions not yet answered, the earliest due first."""
    return (
        Paper.objects.filter(
            deleted=False,
            origin__isnull=True,
            paper_type__in=INQUIRY_TYPES,
        )
        .exclude(inquiry_status=Paper.InquiryStatus.ANSWERED)
        .order_by(F("due_date").asc(nulls_last=True), "date", "pk")
    )


def overdue_inquiries(*, today: datetime.date | None = None) -> QuerySet[Paper]:
    """Unanswered inquiries and motions whose due date has passed."""
    today = today or timezone.localdate()
    return open_inquiries().filter(due_date__lt=today)
