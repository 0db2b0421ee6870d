"""The invitation deadline (one week, § 59 NKomVG), meetings at risk, overdue inquiries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from rathaus.council import deadlines
from rathaus.council.deadlines import InvitationStatus, check_invitation
from rathaus.council.models import Body, Meeting, Organization, Paper
from rathaus.oparl.models import RemoteSystem

BERLIN = ZoneInfo("Europe/Berlin")
# A Thursday evening meeting; "now" is a Monday morning two and a half weeks earlier.
MEETING = datetime.datetime(2026, 3, 26, 18, 0, tzinfo=BERLIN)
NOW = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)


def meeting(start: datetime.datetime | None = MEETING, **fields: object) -> Meeting:
    return Meeting(name="Sitzung des Rates", start=start, **fields)  # type: ignore[misc]


def test_deadline_is_the_same_weekday_one_week_before() -> None:
    assert deadlines.invitation_deadline(MEETING) == datetime.date(2026, 3, 19)
    # Across the change to summer time (29 March 2026) the calendar week still counts.
    after = datetime.datetime(2026, 4, 2, 18, 0, tzinfo=BERLIN)
    assert deadlines.invitation_deadline(after) == datetime.date(2026, 3, 26)
    # A meeting early in the morning Berlin time is on that Berlin day, not the UTC one.
    early = datetime.datetime(2026, 3, 26, 0, 30, tzinfo=BERLIN)
    assert deadlines.invitation_deadline(early) == datetime.date(2026, 3, 19)


@pytest.mark.parametrize(
    ("sent", "status", "days"),
    [
        (datetime.datetime(2026, 3, 12, 10, 0, tzinfo=BERLIN), InvitationStatus.ON_TIME, 14),
        # The last day counts whole, late in the evening included.
        (datetime.datetime(2026, 3, 19, 23, 30, tzinfo=BERLIN), InvitationStatus.ON_TIME, 7),
        (datetime.datetime(2026, 3, 20, 8, 0, tzinfo=BERLIN), InvitationStatus.LATE, 6),
        (datetime.datetime(2026, 3, 25, 8, 0, tzinfo=BERLIN), InvitationStatus.LATE, 1),
    ],
)
def test_sent_invitations_are_on_time_or_late(
    sent: datetime.datetime, status: InvitationStatus, days: int
) -> None:
    check = check_invitation(meeting(invitation_sent_at=sent), now=NOW)
    assert check.status == status
    assert check.sent_days_ahead == days
    assert check.deadline == datetime.date(2026, 3, 19)
    assert check.ok is (status == InvitationStatus.ON_TIME)
    assert check.warning is (status == InvitationStatus.LATE)
    assert str(days) in check.message
    if status == InvitationStatus.LATE:
        assert "nicht gewahrt" in check.message
        assert "§ 59 NKomVG" in check.message


@pytest.mark.parametrize(
    ("now", "status", "days_left"),
    [
        (NOW, InvitationStatus.OPEN, 10),
        (datetime.datetime(2026, 3, 15, 12, 0, tzinfo=BERLIN), InvitationStatus.OPEN, 4),
        (datetime.datetime(2026, 3, 16, 12, 0, tzinfo=BERLIN), InvitationStatus.DUE_SOON, 3),
        (datetime.datetime(2026, 3, 19, 22, 0, tzinfo=BERLIN), InvitationStatus.DUE_SOON, 0),
        (datetime.datetime(2026, 3, 20, 0, 5, tzinfo=BERLIN), InvitationStatus.MISSED, -1),
        (datetime.datetime(2026, 3, 26, 17, 59, tzinfo=BERLIN), InvitationStatus.MISSED, -7),
    ],
)
def test_unsent_invitations_by_how_close_the_deadline_is(
    now: datetime.datetime, status: InvitationStatus, days_left: int
) -> None:
    check = check_invitation(meeting(), now=now)
    assert check.status == status
    assert check.days_left == days_left
    assert check.warning is (status in {InvitationStatus.DUE_SOON, InvitationStatus.MISSED})
    assert "19.03.2026" in check.message
    if days_left == 0:
        assert "heute" in check.message


@pytest.mark.parametrize(
    "fields",
    [
        {"start": None},
        {"cancelled": True},
        # past meeting without a recorded invitation: nothing to warn about any more
        {"start": datetime.datetime(2026, 3, 1, 18, 0, tzinfo=BERLIN)},
    ],
)
def test_no_deadline_for_undated_cancelled_or_past_meetings(fields: dict[str, object]) -> None:
    check = check_invitation(meeting(**{"start": MEETING, **fields}), now=NOW)
    assert check.status == InvitationStatus.NOT_APPLICABLE
    assert not check.warning
    assert check.message


@pytest.mark.django_db
def test_mirrored_meetings_are_not_checked() -> None:
    remote = RemoteSystem.objects.create(
        name="Kreistag", system_url="https://ris.example.org/oparl"
    )
    assert check_invitation(meeting(origin=remote), now=NOW).status == (
        InvitationStatus.NOT_APPLICABLE
    )


@pytest.mark.django_db
def test_meetings_at_risk_lists_own_unsent_meetings_near_their_deadline() -> None:
    def make(name: str, start: datetime.datetime, **fields: object) -> Meeting:
        return Meeting.objects.create(name=name, start=start, **fields)  # type: ignore[misc]

    remote = RemoteSystem.objects.create(
        name="Kreistag", system_url="https://ris.example.org/oparl"
    )
    day = datetime.timedelta(days=1)
    # NOW is Monday 9 March; the horizon is 7 + 3 days ahead: Thursday 19 March, end of day.
    missed = make("verpasst", NOW + 5 * day)
    due_today = make("heute fällig", NOW + 7 * day)
    last_day = make("letzter Tag im Blick", datetime.datetime(2026, 3, 19, 23, 0, tzinfo=BERLIN))
    make("später", datetime.datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))
    make("schon eingeladen", NOW + 5 * day, invitation_sent_at=NOW)
    make("abgesagt", NOW + 5 * day, cancelled=True)
    make("gelöscht", NOW + 5 * day, deleted=True)
    make("gespiegelt", NOW + 5 * day, origin=remote)
    make("vorbei", NOW - day)
    at_risk = list(deadlines.meetings_at_risk(now=NOW))
    assert at_risk == [missed, due_today, last_day]
    statuses = [check_invitation(m, now=NOW).status for m in at_risk]
    assert statuses == [
        InvitationStatus.MISSED,
        InvitationStatus.DUE_SOON,
        InvitationStatus.DUE_SOON,
    ]


@pytest.mark.django_db
def test_timeliness_for_the_monitor() -> None:
    day = datetime.timedelta(days=1)
    start = datetime.datetime(2026, 1, 1, tzinfo=BERLIN)
    Meeting.objects.create(name="rechtzeitig", start=MEETING, invitation_sent_at=MEETING - 8 * day)
    Meeting.objects.create(name="knapp", start=MEETING, invitation_sent_at=MEETING - 3 * day)
    Meeting.objects.create(name="ohne", start=MEETING)
    Meeting.objects.create(name="abgesagt", start=MEETING, cancelled=True)
    Meeting.objects.create(name="außerhalb", start=start - day, invitation_sent_at=start - 9 * day)
    result = deadlines.invitation_timeliness(start, start + 365 * day)
    assert (result.meetings, result.invited, result.on_time) == (3, 2, 1)
    assert result.share_on_time == pytest.approx(1 / 3)
    empty = deadlines.invitation_timeliness(start - 30 * day, start - 20 * day)
    assert empty.share_on_time is None


@pytest.mark.django_db
def test_overdue_inquiries() -> None:
    body = Body.objects.create(name="Hansestadt Buxtehude")
    today = datetime.date(2026, 3, 9)

    def paper(ref: str, paper_type: str, due: datetime.date | None, status: str) -> Paper:
        return Paper.objects.create(
            body=body,
            reference=ref,
            name=ref,
            paper_type=paper_type,
            due_date=due,
            inquiry_status=status,
        )

    received, progress, answered = (
        Paper.InquiryStatus.RECEIVED,
        Paper.InquiryStatus.IN_PROGRESS,
        Paper.InquiryStatus.ANSWERED,
    )
    late_inquiry = paper("2026/001", "Anfrage", datetime.date(2026, 3, 1), received)
    late_motion = paper("2026/002", "Antrag", datetime.date(2026, 3, 8), progress)
    paper("2026/003", "Anfrage", datetime.date(2026, 3, 1), answered)
    due_today = paper("2026/004", "Anfrage", today, received)
    no_date = paper("2026/005", "Anfrage", None, received)
    paper("2026/006", "Beschlussvorlage", datetime.date(2026, 3, 1), "")
    assert list(deadlines.overdue_inquiries(today=today)) == [late_inquiry, late_motion]
    assert list(deadlines.open_inquiries()) == [late_inquiry, late_motion, due_today, no_date]
    assert Organization.objects.count() == 0
