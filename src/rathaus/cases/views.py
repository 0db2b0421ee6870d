"""Back office (Vorgänge): inbox, case page, actions, registration, letter templates.

Thin: reads come from `cases.selectors`, writes go through `cases.services`. Every case is
fetched through `selectors.cases_visible_to`, so a case of another office answers 404 even by
a typed-in address. Action forms carry the version the clerk saw; a stale one is refused
by the service (Conflict) and the page says so, keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.views import safe_next
from rathaus.cases import selectors, services
from rathaus.cases.forms import (
    AssignForm,
    BulkForm,
    DeadlineForm,
    DecideForm,
    DocumentForm,
    InboxFilterForm,
    LetterForm,
    LetterTemplateForm,
    MediaBreakForm,
    MessageForm,
    NoteForm,
    RegisterForm,
    StateForm,
    VersionForm,
)
from rathaus.cases.models import Case, LetterTemplate, State
from rathaus.core import errors

View = Callable[..., HttpResponseBase]
WORK = "cases.work_case"


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; signed-in users without `perm` get 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    case = selectors.visible_case(request.user, reference)
    if case is None:
        raise Http404(_("Diesen Vorgang gibt es nicht."))
    return case


# --- inbox ----------------------------------------------------------------------------------


@staff_view(WORK)
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None, user=request.user)
    cases = selectors.for_list(selectors.inbox(request.user, form.filters()))
    page = selectors.inbox_page(cases, request.GET.get("page", 1))
    bulk = BulkForm(user=request.user)
    context = {
        "form": form,
        "page": page,
        "bulk": bulk,
        "today": _today(),
    }
    return render(request, "cases/staff/inbox.html", context)


def _today() -> Any:
    return timezone.localdate()


@staff_view(WORK)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST, user=request.user)
    back = safe_next(request, reverse("cases:inbox"))
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in problems:
                messages.error(request, f"{label}: {problem}" if label else str(problem))
        return redirect(back)
    try:
        results = services.bulk_apply(
            actor=request.user,  # type: ignore[arg-type]
            action=form.cleaned_data["action"],
            items=form.cleaned_data["case"],
            assignee=form.cleaned_data["assignee"],
            target=form.cleaned_data["target"],
        )
    except errors.RathausError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        messages.success(
            request,
            _("Erledigt (%(count)d): %(list)s")
            % {
                "count": len(done),
                "list": ", ".join(f"{r.reference} {r.message}" for r in done),
            },
        )
    for r in failed:
        messages.error(
            request,
            _("Nicht erledigt: %(reference)s – %(message)s")
            % {"reference": r.reference or f"#{r.case_id}", "message": r.message},
        )
    return redirect(back)


# --- one case -------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    reference: str,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = selectors.case_for(request.user, reference)
    if case is None:
        raise Http404(_("Diesen Vorgang gibt es nicht."))
    initial = {"version": case.version}
    next_states = [
        (value, label) for value, label in selectors.next_states(case) if value != State.DECIDED
    ]
    built: dict[str, forms.Form] = {
        "take": VersionForm(initial=initial, prefix="take"),
        "unassign": VersionForm(initial=initial, prefix="unassign"),
        "assign": AssignForm(initial=initial, prefix="assign", office_id=case.office_id),
        "state": StateForm(initial=initial, prefix="state", choices=next_states),
        "deadline": DeadlineForm(initial={**initial, "due_date": case.due_date}, prefix="deadline"),
        "note": NoteForm(initial=initial, prefix="note"),
        "document": DocumentForm(initial=initial, prefix="document"),
        "letter": LetterForm(initial=initial, prefix="letter", office_id=case.office_id),
        "message": MessageForm(initial=initial, prefix="message"),
        "request": MessageForm(
            initial={
                **initial,
                "subject": _("Bitte reichen Sie Unterlagen nach"),
            },
            prefix="request",
        ),
        "decide": DecideForm(initial=initial, prefix="decide", office_id=case.office_id),
        "close": VersionForm(initial=initial, prefix="close"),
        "media": MediaBreakForm(initial=initial, prefix="media"),
    }
    error_form = None
    if bound is not None:
        name, form = bound
        built[name] = form
        error_form = form
    allowed = {value for value, _label in selectors.next_states(case)}
    context = {
        "case": case,
        "rows": selectors.data_rows(case),
        "forms": built,
        "error_form": error_form,
        "error_anchor": bound[0] if bound else "",
        "can_decide": State.DECIDED in allowed,
        "can_close": State.CLOSED in allowed,
        "can_wait": case.state == State.WAITING or State.WAITING in allowed,
        "has_state_choices": bool(next_states),
        "is_closed": case.state == State.CLOSED,
        "fee_euros": case.fee_cents / 100,
        "templates_exist": built["letter"].fields["template"].queryset.exists(),  # type: ignore[attr-defined]
        "today": _today(),
    }
    return render(request, "cases/staff/detail.html", context, status=status)


@staff_view(WORK)
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, reference)


def _action(
    request: HttpRequest,
    reference: str,
    name: str,
    form: forms.Form,
    *,
    run: Callable[[Case, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Validate `form`, run the service, redirect with `done`; or show the errors in place."""
    case = _case_or_404(request, reference)
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            placed = False
            for problem in exc.problems:
                if problem.field and problem.field in form.fields:
                    form.add_error(problem.field, problem.message)
                    placed = True
            if not placed:
                form.add_error(None, exc.message)
            return _detail(request, reference, bound=(name, form), status=exc.http_status)
        messages.success(request, done)
        return redirect(reverse("cases:detail", kwargs={"reference": reference}) + f"#{name}")
    return _detail(request, reference, bound=(name, form), status=400)


def _user(request: HttpRequest) -> Any:
    return request.user


@staff_view(WORK)
@require_POST
def take(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "take",
        VersionForm(request.POST, prefix="take"),
        run=lambda case, d: services.take(
            case, actor=_user(request), expected_version=d["version"]
        ),
        done=_("Sie bearbeiten den Vorgang jetzt."),
    )


@staff_view(WORK)
@require_POST
def unassign(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "unassign",
        VersionForm(request.POST, prefix="unassign"),
        run=lambda case, d: services.unassign(
            case, actor=_user(request), expected_version=d["version"]
        ),
        done=_("Die Zuweisung ist aufgehoben."),
    )


@staff_view(WORK)
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _action(
        request,
        reference,
        "assign",
        AssignForm(request.POST, prefix="assign", office_id=case.office_id),
        run=lambda case, d: services.assign(
            case, actor=_user(request), assignee=d["assignee"], expected_version=d["version"]
        ),
        done=_("Der Vorgang ist zugewiesen."),
    )


@staff_view(WORK)
@require_POST
def change_state(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    choices = [(v, label) for v, label in selectors.next_states(case) if v != State.DECIDED]
    return _action(
        request,
        reference,
        "state",
        StateForm(request.POST, prefix="state", choices=choices),
        run=lambda case, d: services.change_state(
            case,
            d["target"],
            actor=_user(request),
            expected_version=d["version"],
            reason=d["reason"],
        ),
        done=_("Der Status ist geändert."),
    )


@staff_view(WORK)
@require_POST
def deadline(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "deadline",
        DeadlineForm(request.POST, prefix="deadline"),
        run=lambda case, d: services.set_deadline(
            case, actor=_user(request), due_date=d["due_date"], expected_version=d["version"]
        ),
        done=_("Die Frist ist gespeichert."),
    )


@staff_view(WORK)
@require_POST
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "note",
        NoteForm(request.POST, prefix="note"),
        run=lambda case, d: services.add_note(
            case, actor=_user(request), text=d["text"], expected_version=d["version"]
        ),
        done=_("Die Notiz ist gespeichert."),
    )


@staff_view(WORK)
@require_POST
def document(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "document",
        DocumentForm(request.POST, request.FILES, prefix="document"),
        run=lambda case, d: services.add_document(
            case,
            actor=_user(request),
            uploaded=d["file"],
            title=d["title"],
            kind=d["kind"],
            visible_to_applicant=d["visible_to_applicant"],
            expected_version=d["version"],
        ),
        done=_("Das Dokument ist gespeichert."),
    )


@staff_view(WORK)
@require_POST
def letter(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _action(
        request,
        reference,
        "letter",
        LetterForm(request.POST, prefix="letter", office_id=case.office_id),
        run=lambda case, d: services.generate_letter(
            case,
            actor=_user(request),
            template=d["template"],
            send_to_applicant=d["send_to_applicant"],
            expected_version=d["version"],
        ),
        done=_("Das Schreiben ist erstellt."),
    )


@staff_view(WORK)
@require_POST
def message(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "message",
        MessageForm(request.POST, prefix="message"),
        run=lambda case, d: services.send_message(
            case,
            actor=_user(request),
            subject=d["subject"],
            body=d["body"],
            expected_version=d["version"],
        ),
        done=_("Die Nachricht ist gesendet."),
    )


@staff_view(WORK)
@require_POST
def request_documents(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "request",
        MessageForm(request.POST, prefix="request"),
        run=lambda case, d: services.request_documents(
            case,
            actor=_user(request),
            subject=d["subject"],
            body=d["body"],
            expected_version=d["version"],
        ),
        done=_("Die Unterlagen sind angefordert; der Vorgang wartet auf die Antragsteller*in."),
    )


@staff_view(WORK)
@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _action(
        request,
        reference,
        "decide",
        DecideForm(request.POST, prefix="decide", office_id=case.office_id),
        run=lambda case, d: services.decide(
            case,
            actor=_user(request),
            outcome=d["outcome"],
            template=d["template"],
            send_to_applicant=d["send_to_applicant"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        done=_("Die Entscheidung ist gespeichert."),
    )


@staff_view(WORK)
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "close",
        VersionForm(request.POST, prefix="close"),
        run=lambda case, d: services.close(
            case, actor=_user(request), expected_version=d["version"]
        ),
        done=_("Der Vorgang ist abgeschlossen."),
    )


@staff_view(WORK)
@require_POST
def media_break(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        "media",
        MediaBreakForm(request.POST, prefix="media"),
        run=lambda case, d: services.record_media_break(
            case,
            actor=_user(request),
            kind=d["kind"],
            note=d["note"],
            expected_version=d["version"],
        ),
        done=_("Der Medienbruch ist vermerkt."),
    )


@staff_view(WORK)
def document_download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    found = selectors.document_for(request.user, reference, pk)
    if found is None:
        raise Http404(_("Dieses Dokument gibt es nicht."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Zu diesem Dokument ist keine Datei gespeichert.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.original_name or f"{found.title}",
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- registering ------------------------------------------------------------------------------


@staff_view("cases.add_case")
def register(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(WORK):
        raise PermissionDenied
    form = RegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.register_case(
                actor=request.user,  # type: ignore[arg-type]
                registration=form.registration(),
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            placed = False
            for problem in exc.problems:
                if problem.field and problem.field in form.fields:
                    form.add_error(problem.field, problem.message)
                    placed = True
            if not placed:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Der Vorgang %(reference)s ist erfasst.") % {"reference": case.reference},
            )
            return redirect(case.get_absolute_url())
    return render(request, "cases/staff/register.html", {"form": form})


# --- letter templates -------------------------------------------------------------------------


@staff_view("cases.view_lettertemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    templates = selectors.managed_templates(request.user)
    return render(request, "cases/staff/template_list.html", {"templates": templates})


@staff_view("cases.add_lettertemplate")
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form(request, LetterTemplate())


@staff_view("cases.change_lettertemplate")
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form(
        request, get_object_or_404(selectors.managed_templates(request.user), pk=pk)
    )


def _template_form(request: HttpRequest, template: LetterTemplate) -> HttpResponse:
    form = LetterTemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_letter_template(
                form.save(commit=False),
                actor=request.user,  # type: ignore[arg-type]
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.RathausError as exc:
            for problem in exc.problems or [errors.Problem(exc.message)]:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        else:
            messages.success(
                request, _("Die Vorlage „%(name)s“ ist gespeichert.") % {"name": saved}
            )
            return redirect("cases:template_list")
    return render(request, "cases/staff/template_form.html", {"form": form, "template": template})
