"""Who may see non-public council objects: the one rule every page, feed, search and API uses.

Public objects are visible to everyone. A non-public meeting, agenda item, paper or file is
visible to

- council members (a `Person` linked to the user) with a current membership in one of the
  organizations the object belongs to, and
- the council office (role Ratsbüro) and administrators, who prepare and publish them.

Everybody else, anonymous readers and other roles alike, gets a 404 (`NotFound`), never a 403:
the existence of a non-public paper is itself not public.

Non-public papers need the second factor: a signed-in user whose session has not confirmed a
TOTP code (while `RATHAUS_STAFF_SECOND_FACTOR` is on) reads like an anonymous visitor, on the
citizen pages as in the member area. A stolen password alone shows nothing confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.council.models import AgendaItem, File, Meeting, Membership, Paper

PRIVILEGED_ROLES = (roles.COUNCIL_OFFICE, roles.ADMINISTRATOR)


@dataclass(frozen=True)
class Viewer:
    """What the visibility rule needs to know about a reader, computed once per request."""

    sees_everything: bool = False
    organization_ids: frozenset[int] = frozenset()

    @property
    def anonymous(self) -> bool:
        return not self.sees_everything and not self.organization_ids


PUBLIC = Viewer()


def viewer_for(user: Any) -> Viewer:
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    # Users of a request carry django-otp's `is_verified`; users loaded elsewhere (tasks,
    # commands) act for the system and are not asked.
    is_verified = getattr(user, "is_verified", None)
    if settings.RATHAUS_STAFF_SECOND_FACTOR and is_verified is not None and not is_verified():
        return PUBLIC
    if user.is_superuser or user.groups.filter(name__in=PRIVILEGED_ROLES).exists():
        return Viewer(sees_everything=True)
    today = timezone.localdate()
    org_ids = (
        Membership.objects.current(on=today)
        .filter(person__user=user)
        .values_list("organization_id", flat=True)
    )
    return Viewer(organization_ids=frozenset(org_ids))


def meetings(viewer: Viewer) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(deleted=False)
    if viewer.sees_everything:
        return qs
    rule = Q(is_public=True)
    if viewer.organization_ids:
        rule |= Q(organizations__in=viewer.organization_ids)
        return qs.filter(rule).distinct()
    return qs.filter(rule)


def agenda_items(viewer: Viewer) -> QuerySet[AgendaItem]:
    qs = AgendaItem.objects.filter(deleted=False, meeting__in=meetings(viewer))
    if viewer.sees_everything:
        return qs
    rule = Q(public=True)
    if viewer.organization_ids:
        rule |= Q(meeting__organizations__in=viewer.organization_ids)
        return qs.filter(rule).distinct()
    return qs.filter(rule)


def papers(viewer: Viewer) -> QuerySet[Paper]:
    qs = Paper.objects.filter(deleted=False)
    if viewer.sees_everything:
        return qs
    rule = Q(is_public=True)
    if viewer.organization_ids:
        # A non-public paper belongs to the bodies that consult it or lead it.
        rule |= Q(consultations__organizations__in=viewer.organization_ids)
        rule |= Q(under_direction_of__in=viewer.organization_ids)
        return qs.filter(rule).distinct()
    return qs.filter(rule)


def files(viewer: Viewer) -> QuerySet[File]:
    """Public files, and non-public ones attached to something the viewer may see."""
    qs = File.objects.filter(deleted=False)
    if viewer.sees_everything:
        return qs
    if not viewer.organization_ids:
        return qs.filter(is_public=True)
    own_meetings = Meeting.objects.filter(organizations__in=viewer.organization_ids)
    own_papers = papers(viewer).filter(is_public=False)
    own_items = AgendaItem.objects.filter(meeting__in=own_meetings)
    ids: set[int] = set()
    for values in (
        own_meetings.values_list("invitation_id", "results_protocol_id", "verbatim_protocol_id"),
        own_papers.values_list("main_file_id", "answer_file_id"),
        own_items.values_list("resolution_file_id"),
    ):
        for row in values:
            ids.update(pk for pk in row if pk)
    ids.update(own_meetings.values_list("auxiliary_files", flat=True).exclude(auxiliary_files=None))
    ids.update(own_papers.values_list("auxiliary_files", flat=True).exclude(auxiliary_files=None))
    ids.update(own_items.values_list("auxiliary_files", flat=True).exclude(auxiliary_files=None))
    return qs.filter(Q(is_public=True) | Q(pk__in=ids))
