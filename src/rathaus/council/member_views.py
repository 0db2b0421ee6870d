"""The member area: what a council member needs for the meetings of their own bodies.

Only for users linked to a council `Person` with the role Ratsmitglied, and only after
they confirmed a second factor in this session (TOTP through the accounts flow; the switch
is `RATHAUS_STAFF_SECOND_FACTOR`). What a member sees comes from `council.visibility`:
the non-public agenda items, papers and files of their own bodies, nobody else's. A
meeting of another body answers 404 here, public or not: this area is about one's own
bodies, the citizen pages show the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from rathaus.accounts import roles
from rathaus.accounts import selectors as account_selectors
from rathaus.core import errors
from rathaus.council import video, visibility
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Paper,
    Person,
)

View = Callable[..., HttpResponse]
UPCOMING_DAYS = 120
RECENT_DAYS = 60


def _second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where to go first when this session has not confirmed a second factor yet."""
    user = request.user
    if not settings.RATHAUS_STAFF_SECOND_FACTOR or account_selectors.is_verified(user):
        return None
    target = account_selectors.second_factor_url(user, next_url=request.get_full_path())
    return HttpResponseRedirect(target)


def verified_required(view: View) -> View:
    """Signed in, and the second factor confirmed in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if (response := _second_factor_redirect(request)) is not None:
            return response
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def member_required(view: View) -> View:
    """Council members only (linked person, role Ratsmitglied), with a confirmed second factor.

    The view receives the member's `Person` after the request.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = Person.objects.filter(user=user, deleted=False).first()
        if person is None or not user.groups.filter(name=roles.COUNCIL_MEMBER).exists():
            raise PermissionDenied(_("Der Mitgliederbereich ist Ratsmitgliedern vorbehalten."))
        if (response := _second_factor_redirect(request)) is not None:
            return response
        return view(request, person, *args, **kwargs)

    return never_cache(wrapper)


def _own_meetings(viewer: visibility.Viewer) -> Any:
    """Meetings of the member's current bodies (public or not), through the visibility rule."""
    return (
        visibility.meetings(viewer)
        .filter(organizations__in=viewer.organization_ids)
        .distinct()
        .select_related("location", "invitation", "results_protocol")
        .prefetch_related("organizations")
    )


@dataclass
class MeetingRow:
    meeting: Meeting
    non_public_items: int = 0
    join_link: str | None = None


@dataclass
class MemberHome:
    person: Person
    memberships: list[Membership]
    upcoming: list[MeetingRow] = field(default_factory=list)
    recent: list[MeetingRow] = field(default_factory=list)
    own_papers: list[Paper] = field(default_factory=list)


@member_required
def index(request: HttpRequest, person: Person) -> HttpResponse:
    viewer = visibility.viewer_for(request.user)
    now = timezone.now()
    today = timezone.localdate()
    memberships = list(
        Membership.objects.current(on=today)
        .filter(person=person)
        .select_related("organization", "on_behalf_of")
        .order_by("organization__organization_type", "organization__name")
    )
    meetings = _own_meetings(viewer).exclude(deleted=True)
    upcoming = list(
        meetings.filter(
            start__gte=now - datetime.timedelta(hours=6),
            start__lte=now + datetime.timedelta(days=UPCOMING_DAYS),
        ).order_by("start")
    )
    recent = list(
        meetings.filter(start__lt=now - datetime.timedelta(hours=6))
        .filter(start__gte=now - datetime.timedelta(days=RECENT_DAYS))
        .order_by("-start")
    )
    non_public = _non_public_counts(viewer, [m.pk for m in upcoming + recent])
    home = MemberHome(
        person=person,
        memberships=memberships,
        upcoming=[
            MeetingRow(m, non_public.get(m.pk, 0), video.join_link(m, request.user))
            for m in upcoming
        ],
        recent=[MeetingRow(m, non_public.get(m.pk, 0)) for m in recent],
        own_papers=list(
            visibility.papers(viewer)
            .filter(originator_persons=person)
            .order_by("-date", "-pk")[:20]
        ),
    )
    return render(request, "council/member/index.html", {"home": home})


def _non_public_counts(viewer: visibility.Viewer, meeting_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    rows = visibility.agenda_items(viewer).filter(meeting_id__in=meeting_ids, public=False)
    for meeting_id in rows.values_list("meeting_id", flat=True):
        counts[meeting_id] = counts.get(meeting_id, 0) + 1
    return counts


@dataclass
class ItemRow:
    item: AgendaItem
    papers: list[Paper]
    files: list[File]


@member_required
def meeting(request: HttpRequest, person: Person, pk: int) -> HttpResponse:
    viewer = visibility.viewer_for(request.user)
    found = _own_meetings(viewer).filter(pk=pk).first()
    if found is None:
        raise Http404(_("Diese Sitzung gibt es nicht."))
    visible_files = visibility.files(viewer)
    visible_papers = visibility.papers(viewer)
    items = list(
        visibility.agenda_items(viewer)
        .filter(meeting=found)
        .select_related("resolution_file")
        .prefetch_related(
            Prefetch(
                "consultations",
                queryset=Consultation.objects.filter(
                    deleted=False, paper__in=visible_papers
                ).select_related("paper", "paper__main_file"),
            ),
            Prefetch("auxiliary_files", queryset=visible_files),
        )
        .order_by("order")
    )
    visible_ids = set(visible_files.values_list("pk", flat=True))
    rows = []
    for item in items:
        papers = [c.paper for c in item.consultations.all() if c.paper is not None]
        files = list(item.auxiliary_files.all())
        if item.resolution_file_id in visible_ids and item.resolution_file is not None:
            files.append(item.resolution_file)
        for paper in papers:
            if paper.main_file_id in visible_ids and paper.main_file is not None:
                files.append(paper.main_file)
        rows.append(ItemRow(item=item, papers=papers, files=files))
    meeting_files = [
        f
        for f in (found.invitation, found.results_protocol, found.verbatim_protocol)
        if f is not None and f.pk in visible_ids and not f.deleted
    ]
    meeting_files += list(found.auxiliary_files.filter(pk__in=visible_ids))
    context = {
        "meeting": found,
        "person": person,
        "rows": rows,
        "meeting_files": meeting_files,
        "join_link": video.join_link(found, request.user),
        "public_video": video.public_url(found),
    }
    return render(request, "council/member/meeting.html", context)


@verified_required
def video_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Into the meeting's video conference: a personal link made now (tokens expire)."""
    found = Meeting.objects.filter(pk=pk, deleted=False).first()
    if found is None or not video.can_join(found, request.user):
        raise Http404(_("Zu dieser Sitzung gibt es keine Videokonferenz für Sie."))
    try:
        target = video.join_url(found, request.user)
    except errors.RathausError as exc:
        messages.error(
            request,
            _("Die Videokonferenz ist gerade nicht erreichbar: %(reason)s")
            % {"reason": exc.message},
        )
        return redirect("council_member:meeting", pk=found.pk)
    return HttpResponseRedirect(target)
