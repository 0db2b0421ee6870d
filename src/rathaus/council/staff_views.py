"""Staff UI of the council office (Ratsbüro): bodies, persons, meetings, papers, inquiries.

Thin: every write goes through `council.services`, whose errors name the field and what is
wrong; these views put them next to the field. Only the town's own objects are edited
here; objects mirrored from another council system belong to that system (its importer
would overwrite any change), so their addresses answer 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core import errors
from rathaus.council import deadlines, services, video
from rathaus.council.forms import (
    PAPER_TYPES,
    AgendaItemForm,
    AnswerForm,
    InquiryStatusForm,
    InvitationForm,
    MeetingFilterForm,
    MeetingForm,
    MembershipForm,
    MinutesForm,
    OrganizationForm,
    PaperFileForm,
    PaperFilterForm,
    PaperForm,
    PersonForm,
    ResultForm,
    SearchForm,
    VideoForm,
    VoteForm,
    factions,
)
from rathaus.council.models import (
    AgendaItem,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)

PER_PAGE = 25
View = Callable[..., HttpResponse]


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; signed-in users without `perm` get 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


# Only the town's own objects are edited here (see the module docstring).
def _own_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(origin__isnull=True, deleted=False)


def _own_papers() -> QuerySet[Paper]:
    return Paper.objects.filter(origin__isnull=True, deleted=False)


def _own_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(origin__isnull=True, deleted=False)


def _own_persons() -> QuerySet[Person]:
    return Person.objects.filter(origin__isnull=True, deleted=False)


def _own_items() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(
        origin__isnull=True, deleted=False, meeting__origin__isnull=True, meeting__deleted=False
    ).select_related("meeting")


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _form_errors(form: forms.BaseForm, exc: errors.RathausError) -> None:
    """Put a service's problems next to the fields they name; the rest above the form."""
    placed = False
    for problem in exc.problems:
        if problem.field and problem.field in form.fields:
            form.add_error(problem.field, problem.message)
            placed = True
        elif problem.field == "upload" and "upload" in form.fields:
            form.add_error("upload", problem.message)
            placed = True
        else:
            form.add_error(None, problem.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _call(request: HttpRequest, function: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service for a POST action; errors become a message, 403 stays 403."""
    try:
        return function(user=request.user, **kwargs)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        details = " ".join(p.message for p in exc.problems if p.message != exc.message)
        messages.error(request, f"{exc.message} {details}".strip())
        return None


def _announce_upload(request: HttpRequest, stored: services.StoredFile) -> None:
    if stored.warning:
        messages.warning(
            request,
            _("„%(name)s“ ist gespeichert. Hinweis: %(warning)s")
            % {"name": stored.file.name, "warning": stored.warning},
        )


# --- overview ---------------------------------------------------------------------------


@staff_view("council.view_meeting")
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = list(
        _own_meetings()
        .filter(start__gte=now, start__lte=now + datetime.timedelta(days=42))
        .prefetch_related("organizations")
        .order_by("start")[:20]
    )
    context = {
        "upcoming": [(m, deadlines.check_invitation(m, now=now)) for m in upcoming],
        "at_risk": deadlines.meetings_at_risk(now=now).count(),
        "overdue_inquiries": deadlines.overdue_inquiries().count(),
        "open_inquiries": deadlines.open_inquiries().count(),
        "minutes_missing": _own_meetings()
        .filter(
            start__lt=now,
            start__gte=now - datetime.timedelta(days=90),
            cancelled=False,
            results_protocol__isnull=True,
        )
        .count(),
    }
    return render(request, "council/staff/index.html", context)


# --- organizations ----------------------------------------------------------------------


@staff_view("council.view_organization")
def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = _own_organizations().annotate(
        current_members=Count(
            "memberships",
            filter=Q(memberships__deleted=False)
            & (
                Q(memberships__end_date__isnull=True)
                | Q(memberships__end_date__gte=timezone.localdate())
            ),
        )
    )
    return render(
        request,
        "council/staff/organization_list.html",
        {"page": _page(request, organizations.order_by("organization_type", "name"))},
    )


@staff_view("council.add_organization")
def organization_create(request: HttpRequest) -> HttpResponse:
    return _organization_form(request, Organization())


@staff_view("council.change_organization")
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _organization_form(request, get_object_or_404(_own_organizations(), pk=pk))


def _organization_form(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_organization(
                organization=form.save(commit=False), user=request.user
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("„%(name)s“ ist gespeichert.") % {"name": saved.name})
            return redirect("council_staff:organization_edit", pk=saved.pk)
    memberships = (
        organization.memberships.filter(deleted=False)
        .select_related("person", "on_behalf_of")
        .order_by("end_date", "person__family_name", "person__name")
        if organization.pk
        else []
    )
    context = {"form": form, "organization": organization, "memberships": memberships}
    return render(request, "council/staff/organization_form.html", context)


# --- persons ----------------------------------------------------------------------------


@staff_view("council.view_person")
def person_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    persons = _own_persons().select_related("user")
    if form.is_valid() and form.cleaned_data["q"]:
        text = form.cleaned_data["q"]
        persons = persons.filter(
            Q(name__icontains=text) | Q(family_name__icontains=text) | Q(given_name__icontains=text)
        )
    return render(
        request, "council/staff/person_list.html", {"form": form, "page": _page(request, persons)}
    )


@staff_view("council.add_person")
def person_create(request: HttpRequest) -> HttpResponse:
    return _person_form(request, Person())


@staff_view("council.change_person")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_form(request, get_object_or_404(_own_persons(), pk=pk))


def _person_form(request: HttpRequest, person: Person) -> HttpResponse:
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_person(
                person=form.save(commit=False),
                account=form.cleaned_data["account"],
                user=request.user,
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
            if "user" in {p.field for p in exc.problems}:
                form.add_error("account", exc.message)
        else:
            messages.success(request, _("„%(name)s“ ist gespeichert.") % {"name": saved.name})
            return redirect("council_staff:person_edit", pk=saved.pk)
    memberships = (
        person.memberships.filter(deleted=False)
        .select_related("organization", "on_behalf_of")
        .order_by("end_date", "organization__name")
        if person.pk
        else []
    )
    context = {"form": form, "person": person, "memberships": memberships}
    return render(request, "council/staff/person_form.html", context)


# --- memberships ------------------------------------------------------------------------


@staff_view("council.add_membership")
def membership_create(request: HttpRequest) -> HttpResponse:
    membership = Membership()
    initial: dict[str, Any] = {"start_date": timezone.localdate()}
    for key in ("person", "organization"):
        value = request.GET.get(key, "")
        if value.isdigit():
            initial[key] = int(value)
    return _membership_form(request, membership, initial)


@staff_view("council.change_membership")
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.filter(origin__isnull=True, deleted=False), pk=pk
    )
    return _membership_form(request, membership, {})


def _membership_form(
    request: HttpRequest, membership: Membership, initial: dict[str, Any]
) -> HttpResponse:
    form = MembershipForm(request.POST or None, instance=membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_membership(membership=form.save(commit=False), user=request.user)
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Die Mitgliedschaft „%(m)s“ ist gespeichert.") % {"m": saved}
            )
            return redirect("council_staff:person_edit", pk=saved.person_id)
    return render(
        request, "council/staff/membership_form.html", {"form": form, "membership": membership}
    )


@require_POST
@staff_view("council.change_membership")
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.filter(origin__isnull=True, deleted=False), pk=pk
    )
    if _call(request, services.end_membership, membership=membership) is not None:
        messages.success(request, _("Die Mitgliedschaft „%(m)s“ ist beendet.") % {"m": membership})
    return redirect("council_staff:person_edit", pk=membership.person_id)


# --- meetings ---------------------------------------------------------------------------


@staff_view("council.view_meeting")
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    meetings = _own_meetings().prefetch_related("organizations")
    when = "upcoming"
    if form.is_valid():
        when = form.cleaned_data["when"] or "upcoming"
        if form.cleaned_data["organization"]:
            meetings = meetings.filter(organizations=form.cleaned_data["organization"])
    now = timezone.now()
    if when == "upcoming":
        meetings = meetings.filter(start__gte=now - datetime.timedelta(hours=12)).order_by("start")
    elif when == "past":
        meetings = meetings.filter(start__lt=now).order_by("-start")
    else:
        meetings = meetings.order_by("-start")
    page = _page(request, meetings)
    rows = [(m, deadlines.check_invitation(m, now=now)) for m in page.object_list]
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "council/staff/meeting_list.html", context)


@staff_view("council.view_meeting")
def meetings_at_risk(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        (m, deadlines.check_invitation(m, now=now)) for m in deadlines.meetings_at_risk(now=now)
    ]
    return render(request, "council/staff/meetings_at_risk.html", {"rows": rows})


@staff_view("council.add_meeting")
def meeting_create(request: HttpRequest) -> HttpResponse:
    return _meeting_page(request, Meeting())


@staff_view("council.view_meeting")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(_own_meetings(), pk=pk)
    if request.method == "POST" and not request.user.has_perm("council.change_meeting"):
        raise PermissionDenied
    return _meeting_page(request, meeting)


def _meeting_page(request: HttpRequest, meeting: Meeting, **forms_: Any) -> HttpResponse:
    """The meeting form; `forms_` are the bound action forms of a failed action POST."""
    posting = request.method == "POST" and not forms_
    form = MeetingForm(request.POST if posting else None, instance=meeting)
    if posting and form.is_valid():
        try:
            saved = services.save_meeting(
                meeting=form.save(commit=False),
                organizations=list(form.cleaned_data["organizations"]),
                user=request.user,
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Die Sitzung „%(name)s“ ist gespeichert.") % {"name": saved.name}
            )
            check = deadlines.check_invitation(saved)
            if check.warning:
                messages.warning(request, check.message)
            return redirect("council_staff:meeting_edit", pk=saved.pk)
    context: dict[str, Any] = {"form": form, "meeting": meeting}
    if meeting.pk:
        stored = Meeting.objects.get(pk=meeting.pk)  # the form may hold unsaved input
        items = (
            stored.agenda_items.filter(deleted=False)
            .prefetch_related("consultations__paper")
            .order_by("order")
        )
        context.update(
            stored=stored,
            check=deadlines.check_invitation(stored),
            items=items,
            invitation_form=forms_.get("invitation_form") or InvitationForm(prefix="invitation"),
            minutes_form=forms_.get("minutes_form") or MinutesForm(prefix="minutes"),
            video_form=forms_.get("video_form")
            or VideoForm(
                initial={
                    "provider": stored.video_provider,
                    "public_url": stored.video_public_url,
                },
                providers=video.configured_providers(),
                prefix="video",
            ),
            video_configured=bool(video.configured_providers()),
            recipients=services.invitation_recipients(stored),
        )
    return render(request, "council/staff/meeting_form.html", context)


def _change_meeting(request: HttpRequest, pk: int) -> Meeting:
    if not request.user.has_perm("council.change_meeting"):
        raise PermissionDenied
    return get_object_or_404(_own_meetings(), pk=pk)


@require_POST
@staff_view("council.change_meeting")
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _change_meeting(request, pk)
    form = InvitationForm(request.POST, request.FILES, prefix="invitation")
    if not form.is_valid():
        return _meeting_page(request, meeting, invitation_form=form)
    try:
        sent = services.send_invitation(
            meeting=meeting,
            upload=form.cleaned_data["upload"],
            notify=form.cleaned_data["notify"],
            user=request.user,
        )
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        _form_errors(form, exc)
        return _meeting_page(request, meeting, invitation_form=form)
    if sent.first_time:
        messages.success(request, _("Die Einladung ist versandt."))
    else:
        messages.success(
            request,
            _("Die Einladung ist erneut versandt; als Versanddatum gilt weiter der %(date)s.")
            % {"date": timezone.localtime(sent.meeting.invitation_sent_at).strftime("%d.%m.%Y")},
        )
    if sent.recipients:
        messages.info(
            request,
            _("Benachrichtigt: %(n)d Mitglieder per E-Mail.") % {"n": len(sent.recipients)},
        )
    check = deadlines.check_invitation(sent.meeting)
    if check.warning:
        messages.warning(request, check.message)
    return redirect("council_staff:meeting_edit", pk=meeting.pk)


@require_POST
@staff_view("council.change_meeting")
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _change_meeting(request, pk)
    form = MinutesForm(request.POST, request.FILES, prefix="minutes")
    if not form.is_valid():
        return _meeting_page(request, meeting, minutes_form=form)
    try:
        stored = services.attach_minutes(
            meeting=meeting, upload=form.cleaned_data["upload"], user=request.user
        )
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        _form_errors(form, exc)
        return _meeting_page(request, meeting, minutes_form=form)
    messages.success(request, _("Die Niederschrift ist gespeichert und veröffentlicht."))
    _announce_upload(request, stored)
    return redirect("council_staff:meeting_edit", pk=meeting.pk)


@require_POST
@staff_view("council.change_meeting")
def meeting_video(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _change_meeting(request, pk)
    form = VideoForm(request.POST, providers=video.configured_providers(), prefix="video")
    if not form.is_valid():
        return _meeting_page(request, meeting, video_form=form)
    try:
        services.set_video_conference(
            meeting=meeting,
            provider=form.cleaned_data["provider"],
            public_url=form.cleaned_data["public_url"],
            user=request.user,
        )
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        _form_errors(form, exc)
        return _meeting_page(request, meeting, video_form=form)
    messages.success(request, _("Die Videokonferenz ist gespeichert."))
    return redirect("council_staff:meeting_edit", pk=meeting.pk)


@require_POST
@staff_view("council.change_meeting")
def meeting_video_end(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _change_meeting(request, pk)
    try:
        ended = video.end_conference(meeting)
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    else:
        if ended:
            messages.success(request, _("Die Videokonferenz ist beendet."))
        else:
            messages.info(request, _("Die Videokonferenz lief nicht."))
    return redirect("council_staff:meeting_edit", pk=meeting.pk)


@staff_view("council.view_meeting")
def meeting_video_join(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(_own_meetings(), pk=pk)
    if not video.can_join(meeting, request.user):
        raise Http404
    try:
        return HttpResponseRedirect(video.join_url(meeting, request.user))
    except errors.RathausError as exc:
        messages.error(request, exc.message)
        return redirect("council_staff:meeting_edit", pk=meeting.pk)


@require_POST
@staff_view("council.change_meeting")
def meeting_public(request: HttpRequest, pk: int, public: bool) -> HttpResponse:
    meeting = _change_meeting(request, pk)
    hidden = _call(request, services.set_public, obj=meeting, public=public)
    if hidden is not None:
        _announce_visibility(request, meeting.name, public, hidden)
    return redirect("council_staff:meeting_edit", pk=meeting.pk)


def _announce_visibility(request: HttpRequest, name: str, public: bool, hidden: list[File]) -> None:
    if public:
        messages.success(request, _("„%(name)s“ ist jetzt öffentlich.") % {"name": name})
        return
    messages.success(request, _("„%(name)s“ ist jetzt nichtöffentlich.") % {"name": name})
    if hidden:
        messages.info(
            request,
            _("Mit ihr sind %(n)d Dateien nichtöffentlich geworden.") % {"n": len(hidden)},
        )


# --- agenda items -----------------------------------------------------------------------


@staff_view("council.add_agendaitem")
def agenda_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(_own_meetings(), pk=pk)
    return _agenda_item_page(request, AgendaItem(meeting=meeting, public=meeting.is_public))


@staff_view("council.view_agendaitem")
def agenda_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_own_items(), pk=pk)
    if request.method == "POST" and not request.user.has_perm("council.change_agendaitem"):
        raise PermissionDenied
    return _agenda_item_page(request, item)


def _agenda_item_page(
    request: HttpRequest, item: AgendaItem, result_form: ResultForm | None = None
) -> HttpResponse:
    posting = request.method == "POST" and result_form is None
    is_new = item.pk is None
    form = AgendaItemForm(request.POST if posting else None, instance=item)
    if posting and form.is_valid():
        try:
            saved = services.save_agenda_item(
                item=form.save(commit=False),
                paper=form.cleaned_data["paper_reference"],
                consultation_role=form.cleaned_data["consultation_role"],
                authoritative=form.cleaned_data["authoritative"],
                user=request.user,
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Der Tagesordnungspunkt ist gespeichert."))
            if is_new or "and_next" in request.POST:
                return redirect("council_staff:meeting_edit", pk=saved.meeting_id)
            return redirect("council_staff:agenda_item_edit", pk=saved.pk)
    context: dict[str, Any] = {"form": form, "item": item, "meeting": item.meeting}
    if item.pk:
        stored = AgendaItem.objects.get(pk=item.pk)
        context.update(
            stored=stored,
            result_form=result_form or ResultForm(instance=stored),
            votes=stored.votes.select_related("faction", "person").order_by(
                "person", "faction__name", "person__family_name"
            ),
        )
    return render(request, "council/staff/agenda_item_form.html", context)


@require_POST
@staff_view("council.change_agendaitem")
def agenda_item_result(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_own_items(), pk=pk)
    form = ResultForm(request.POST, instance=AgendaItem.objects.get(pk=item.pk))
    if form.is_valid():
        try:
            services.record_result(
                item=item,
                result=form.cleaned_data["result"],
                resolution_text=form.cleaned_data["resolution_text"],
                minutes_text=form.cleaned_data["minutes_text"],
                user=request.user,
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Das Ergebnis ist gespeichert."))
            return redirect("council_staff:agenda_item_edit", pk=item.pk)
    return _agenda_item_page(request, item, result_form=form)


def _voters(item: AgendaItem) -> list[Person]:
    """The members of the meeting's bodies on the day of the meeting."""
    meeting = item.meeting
    day = timezone.localtime(meeting.start).date() if meeting.start else timezone.localdate()
    return list(
        Person.objects.filter(
            memberships__organization__in=meeting.organizations.all(),
            memberships__deleted=False,
        )
        .filter(
            Q(memberships__start_date__isnull=True) | Q(memberships__start_date__lte=day),
            Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=day),
        )
        .distinct()
        .order_by("family_name", "given_name", "name")
    )


@staff_view("council.view_vote")
def agenda_item_votes(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_own_items(), pk=pk)
    faction_list = list(factions().order_by("name"))
    person_list = _voters(item)
    initial: dict[str, Any] = {}
    for vote in item.votes.all():
        if vote.faction_id and vote.person_id is None:
            initial[f"faction_{vote.faction_id}_yes"] = vote.yes
            initial[f"faction_{vote.faction_id}_no"] = vote.no
            initial[f"faction_{vote.faction_id}_abstain"] = vote.abstain
        elif vote.person_id:
            initial[f"person_{vote.person_id}"] = vote.choice
    form = VoteForm(
        request.POST or None, initial=initial, faction_list=faction_list, person_list=person_list
    )
    if request.method == "POST":
        if not request.user.has_perm("council.add_vote"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            faction_votes = [
                services.FactionVote(
                    faction=f,
                    yes=data.get(f"faction_{f.pk}_yes") or 0,
                    no=data.get(f"faction_{f.pk}_no") or 0,
                    abstain=data.get(f"faction_{f.pk}_abstain") or 0,
                )
                for f in faction_list
            ]
            person_votes = [
                services.PersonVote(person=p, choice=data[f"person_{p.pk}"])
                for p in person_list
                if data.get(f"person_{p.pk}")
            ]
            try:
                services.record_votes(
                    item=item, factions=faction_votes, persons=person_votes, user=request.user
                )
            except errors.PermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            except errors.RathausError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Die Abstimmung ist gespeichert."))
                return redirect("council_staff:agenda_item_edit", pk=item.pk)
    totals = {
        key: sum(getattr(v, key) for v in item.votes.filter(person__isnull=True))
        for key in ("yes", "no", "abstain")
    }
    context = {"form": form, "item": item, "meeting": item.meeting, "totals": totals}
    return render(request, "council/staff/agenda_item_votes.html", context)


@require_POST
@staff_view("council.change_agendaitem")
def agenda_item_public(request: HttpRequest, pk: int, public: bool) -> HttpResponse:
    item = get_object_or_404(_own_items(), pk=pk)
    hidden = _call(request, services.set_public, obj=item, public=public)
    if hidden is not None:
        _announce_visibility(request, str(item), public, hidden)
    return redirect("council_staff:meeting_edit", pk=item.meeting_id)


# --- papers -----------------------------------------------------------------------------


@staff_view("council.view_paper")
def paper_list(request: HttpRequest) -> HttpResponse:
    form = PaperFilterForm(request.GET or None)
    papers = _own_papers().select_related("main_file")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            papers = papers.filter(Q(reference__icontains=data["q"]) | Q(name__icontains=data["q"]))
        if data["paper_type"]:
            papers = papers.filter(paper_type__iexact=data["paper_type"])
        if data["inquiry_status"]:
            papers = papers.filter(inquiry_status=data["inquiry_status"])
    context = {"form": form, "page": _page(request, papers), "paper_types": PAPER_TYPES}
    return render(request, "council/staff/paper_list.html", context)


@staff_view("council.add_paper")
def paper_create(request: HttpRequest) -> HttpResponse:
    paper_type = request.GET.get("art", "")
    initial = {"date": timezone.localdate()}
    if paper_type in deadlines.INQUIRY_TYPES:
        initial["paper_type"] = paper_type  # type: ignore[assignment]
    return _paper_page(request, Paper(), initial=initial)


@staff_view("council.view_paper")
def paper_edit(request: HttpRequest, pk: int) -> HttpResponse:
    paper = get_object_or_404(_own_papers(), pk=pk)
    if request.method == "POST" and not request.user.has_perm("council.change_paper"):
        raise PermissionDenied
    return _paper_page(request, paper)


def _paper_page(
    request: HttpRequest,
    paper: Paper,
    *,
    initial: dict[str, Any] | None = None,
    file_form: PaperFileForm | None = None,
) -> HttpResponse:
    posting = request.method == "POST" and file_form is None
    form = PaperForm(request.POST if posting else None, instance=paper, initial=initial)
    if posting and form.is_valid():
        try:
            saved = services.save_paper(paper=form.save(commit=False), user=request.user)
            form.save_m2m()
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            _form_errors(form, exc)
        else:
            services.sync_search_index(papers=[saved])  # originators are in the document
            messages.success(request, _("Die Drucksache „%(p)s“ ist gespeichert.") % {"p": saved})
            return redirect("council_staff:paper_edit", pk=saved.pk)
    context: dict[str, Any] = {"form": form, "paper": paper, "paper_types": PAPER_TYPES}
    if paper.pk:
        stored = Paper.objects.select_related("main_file", "answer_file").get(pk=paper.pk)
        context.update(
            stored=stored,
            file_rows=[
                *([(stored.main_file, _("Hauptdokument"))] if stored.main_file else []),
                *((f, "") for f in stored.auxiliary_files.filter(deleted=False).order_by("pk")),
            ],
            file_form=file_form
            or PaperFileForm(initial={"is_public": stored.is_public}, prefix="file"),
            consultations=stored.consultations.select_related("meeting", "agenda_item")
            .prefetch_related("organizations")
            .order_by("meeting__start"),
            is_inquiry=services.is_inquiry(stored),
            transitions=[
                (status, Paper.InquiryStatus(status).label)
                for status in services.INQUIRY_TRANSITIONS.get(
                    stored.inquiry_status or Paper.InquiryStatus.RECEIVED, ()
                )
            ],
        )
    return render(request, "council/staff/paper_form.html", context)


def _change_paper(request: HttpRequest, pk: int) -> Paper:
    if not request.user.has_perm("council.change_paper"):
        raise PermissionDenied
    return get_object_or_404(_own_papers(), pk=pk)


@require_POST
@staff_view("council.change_paper")
def paper_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _change_paper(request, pk)
    form = PaperFileForm(request.POST, request.FILES, prefix="file")
    if not form.is_valid():
        return _paper_page(request, paper, file_form=form)
    data = form.cleaned_data
    try:
        stored = services.attach_paper_file(
            paper=paper,
            upload=data["upload"],
            main=data["role"] == "main",
            name=data["name"],
            is_public=data["is_public"] and paper.is_public,
            user=request.user,
        )
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        _form_errors(form, exc)
        return _paper_page(request, paper, file_form=form)
    messages.success(request, _("Die Datei „%(name)s“ ist gespeichert.") % {"name": stored.file})
    _announce_upload(request, stored)
    return redirect("council_staff:paper_edit", pk=paper.pk)


@require_POST
@staff_view("council.change_paper")
def paper_file_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    paper = _change_paper(request, pk)
    file = get_object_or_404(File.objects.filter(deleted=False), pk=file_pk)
    try:
        services.remove_paper_file(paper=paper, file=file, user=request.user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Datei „%(name)s“ ist entfernt.") % {"name": file})
    return redirect("council_staff:paper_edit", pk=paper.pk)


@require_POST
@staff_view("council.change_paper")
def paper_public(request: HttpRequest, pk: int, public: bool) -> HttpResponse:
    paper = _change_paper(request, pk)
    hidden = _call(request, services.set_public, obj=paper, public=public)
    if hidden is not None:
        _announce_visibility(request, str(paper), public, hidden)
    return redirect("council_staff:paper_edit", pk=paper.pk)


@require_POST
@staff_view("council.change_file")
def file_public(request: HttpRequest, pk: int, public: bool) -> HttpResponse:
    file = get_object_or_404(File.objects.filter(origin__isnull=True, deleted=False), pk=pk)
    if _call(request, services.set_public, obj=file, public=public) is not None:
        _announce_visibility(request, str(file), public, [])
    default = reverse("council_staff:index")
    target = request.POST.get("next", "")
    # Only back into this staff area; anything else goes to the overview.
    if not target.startswith(reverse("council_staff:index")):
        target = default
    return HttpResponseRedirect(target)


# --- inquiries and motions --------------------------------------------------------------


@staff_view("council.view_paper")
def inquiry_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    papers = deadlines.open_inquiries().prefetch_related("originator_persons")
    context = {"page": _page(request, papers), "today": today, "overdue_only": False}
    return render(request, "council/staff/inquiry_list.html", context)


@staff_view("council.view_paper")
def inquiry_overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    papers = deadlines.overdue_inquiries(today=today).prefetch_related("originator_persons")
    context = {"page": _page(request, papers), "today": today, "overdue_only": True}
    return render(request, "council/staff/inquiry_list.html", context)


@require_POST
@staff_view("council.change_paper")
def inquiry_status(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _change_paper(request, pk)
    form = InquiryStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie einen Bearbeitungsstand."))
    elif (
        _call(request, services.set_inquiry_status, paper=paper, status=form.cleaned_data["status"])
        is not None
    ):
        messages.success(
            request,
            _("„%(p)s“ ist jetzt „%(status)s“.")
            % {"p": paper, "status": paper.get_inquiry_status_display()},
        )
    return redirect("council_staff:paper_edit", pk=paper.pk)


@staff_view("council.view_paper")
def inquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    paper = get_object_or_404(_own_papers(), pk=pk)
    if not services.is_inquiry(paper):
        raise Http404
    form = AnswerForm(
        request.POST or None, request.FILES or None, initial={"answer_text": paper.answer_text}
    )
    if request.method == "POST":
        if not request.user.has_perm("council.change_paper"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.answer_inquiry(
                    paper=paper,
                    answer_text=data["answer_text"],
                    upload=data["upload"],
                    finish=data["finish"],
                    user=request.user,
                )
            except errors.PermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            except errors.RathausError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Die Antwort ist gespeichert."))
                return redirect("council_staff:paper_edit", pk=paper.pk)
    return render(request, "council/staff/inquiry_answer.html", {"form": form, "paper": paper})
