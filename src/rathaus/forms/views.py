"""Citizen pages of online forms: start, the steps, the summary, save and resume.

The resume token in a draft's address is the capability to it. A draft that belongs to an
account is only shown to that account; when the session ran out in the middle of a step, the
posted answers are kept in the (new, anonymous) session, the citizen signs in again and
continues where they were, with nothing lost.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rathaus.accounts import trust
from rathaus.catalog.models import Service
from rathaus.core.errors import NotFound, Problem, ValidationFailed
from rathaus.forms import engine, resume, selectors, services
from rathaus.forms.models import Draft, FormVersion
from rathaus.forms.widgets import bind

# Answers posted while the session had run out, kept until the owner has signed in again.
PENDING_KEY = "rathaus_forms_pending"


def fee_text(cents: int) -> str:
    return f"{formats.number_format(cents / 100, decimal_pos=2, use_l10n=True)} €"


def step_url(draft: Draft, step_id: str) -> str:
    return reverse("forms:step", kwargs={"token": draft.resume_token, "step_id": step_id})


def summary_url(draft: Draft) -> str:
    return reverse("forms:summary", kwargs={"token": draft.resume_token})


def login_url(next_url: str) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': next_url})}"


# --- start --------------------------------------------------------------------------------


# No CSRF token on this page: it is public and sets no cookie for readers. Posting it from
# elsewhere can do no more than begin an empty application.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        definition, version = selectors.form_for_start(slug)
    except NotFound as exc:
        raise Http404(exc.message) from None
    service = definition.service
    level = trust.trust_level(request)
    allowed = trust.meets(level, definition.min_trust_level)
    here = reverse("forms:start", kwargs={"slug": slug})
    if request.method == "POST":
        if not allowed:
            return HttpResponseRedirect(login_url(here))
        draft = services.start_draft(
            definition=definition, version=version, user=request.user, trust_level=level
        )
        return redirect(step_url(draft, _first_step(draft)))
    context = {
        "definition": definition,
        "version": version,
        # Only a public catalog entry is linked (a draft service's page does not exist).
        "service": service if service and service.status == Service.Status.PUBLISHED else None,
        "steps": engine.steps(version),
        "fee": fee_text(version.fee_cents) if version.fee_cents else "",
        "allowed": allowed,
        "signed_in": request.user.is_authenticated,
        "login_url": login_url(here),
        "uploads": [f for f in engine.all_fields(version) if f.widget == "file"],
    }
    return render(request, "forms/start.html", context)


def _first_step(draft: Draft) -> str:
    visible = engine.visible_steps(draft.version, draft.data)
    return visible[0].id if visible else ""


# --- access to a draft --------------------------------------------------------------------


def _open_draft(request: HttpRequest, token: str) -> Draft | HttpResponse:
    """The draft of `token` if this request may work on it; else the answer to give."""
    draft = selectors.draft_by_token(token)
    if draft is None:
        raise Http404(_("Diesen Antrag gibt es nicht."))
    if draft.owner_id is not None:
        if not request.user.is_authenticated:
            if request.method == "POST":
                _keep_pending(request, draft)
            messages.info(
                request,
                _(
                    "Bitte melden Sie sich (wieder) an. Ihr Antrag ist gespeichert; danach geht "
                    "es an derselben Stelle weiter."
                ),
            )
            return HttpResponseRedirect(login_url(request.path))
        if request.user.pk != draft.owner_id:
            raise Http404(_("Diesen Antrag gibt es nicht."))
    if draft.submitted_at is not None:
        return _submitted(request, draft)
    if draft.is_expired:
        return render(request, "forms/expired.html", {"draft": draft}, status=410)
    definition = draft.version.definition
    if not trust.meets(trust.trust_level(request), definition.min_trust_level):
        return HttpResponseRedirect(login_url(request.path))
    return draft


def _submitted(request: HttpRequest, draft: Draft) -> HttpResponse:
    if draft.case is not None:
        try:
            return redirect(reverse("forms:done", kwargs={"reference": draft.case.reference}))
        except NoReverseMatch:
            pass
    return render(request, "forms/already_submitted.html", {"draft": draft})


def _keep_pending(request: HttpRequest, draft: Draft) -> None:
    """Keep what was posted for the owner's next visit after signing in (no files)."""
    posted = {
        key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
    }
    request.session[PENDING_KEY] = {
        "token": draft.resume_token,
        "path": request.path,
        "post": posted,
    }


def _apply_pending(request: HttpRequest, draft: Draft, step: engine.Step) -> None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("token") != draft.resume_token:
        return
    if pending.get("path") != request.path:
        return
    del request.session[PENDING_KEY]
    post = QueryDict(mutable=True)
    for key, values in (pending.get("post") or {}).items():
        post.setlist(key, [str(v) for v in values])
    fields = engine.rendered_fields(step, draft.data)
    services.save_answers(
        draft=draft, data=engine.parse_step(fields, post, draft.data), step_id=step.id
    )
    messages.success(request, _("Ihre zuletzt eingegebenen Angaben sind übernommen."))


# --- steps --------------------------------------------------------------------------------


def _neighbours(
    version: FormVersion, data: dict[str, Any], step: engine.Step
) -> tuple[engine.Step | None, engine.Step | None, list[engine.Step]]:
    """Previous and next step around `step` among those shown, given the answers."""
    visible = engine.visible_steps(version, data)
    before = [s for s in visible if s.position < step.position]
    after = [s for s in visible if s.position > step.position]
    return (before[-1] if before else None), (after[0] if after else None), visible


def _upload(request: HttpRequest, draft: Draft, fields: list[engine.Field]) -> list[Problem]:
    """Accept the files posted for the step's file fields; problems name the field."""
    from rathaus.forms.uploads import accept_upload  # built beside this module

    problems: list[Problem] = []
    for f in fields:
        if f.widget != "file":
            continue
        for uploaded in request.FILES.getlist(f.name):
            try:
                upload = accept_upload(
                    draft, f.name, uploaded, accept=list(f.accept), max_bytes=f.max_bytes
                )
            except ValidationFailed as exc:
                problems.extend(exc.problems or [Problem(exc.message, field=f.name)])
            else:
                services.attach_upload(draft=draft, upload=upload)
    return problems


@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, token: str, step_id: str) -> HttpResponse:
    opened = _open_draft(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    draft = opened
    version = draft.version
    current = engine.step_by_id(version, step_id)
    if current is None:
        raise Http404(_("Diesen Schritt gibt es in diesem Formular nicht."))
    _apply_pending(request, draft, current)
    fields = engine.rendered_fields(current, draft.data)
    previous, following, visible = _neighbours(version, draft.data, current)
    if not fields:
        # Left out by an earlier answer: on to the next step that applies.
        return redirect(step_url(draft, following.id) if following else summary_url(draft))

    problems: list[Problem] = []
    if request.method == "POST":
        action = request.POST.get("action", "next")
        data = engine.parse_step(fields, request.POST, draft.data)
        services.save_answers(draft=draft, data=data, step_id=current.id)
        problems = _upload(request, draft, fields)
        remove = request.POST.get("remove", "")
        if remove.isdigit():
            services.remove_upload(draft=draft, upload_id=int(remove))
            messages.success(request, _("Die Datei ist entfernt."))
            return redirect(step_url(draft, current.id))
        # Conditions may have changed with the answers: neighbours anew.
        previous, following, visible = _neighbours(version, draft.data, current)
        # A refused file is said at once, whichever button was pressed; the answers are saved.
        if action == "back" and not problems:
            if previous is None:
                return redirect("forms:start", slug=version.definition.slug)
            return redirect(step_url(draft, previous.id))
        if action == "save" and not problems:
            return redirect("forms:saved", token=draft.resume_token)
        if action == "upload" and not problems:
            return redirect(step_url(draft, current.id))
        if action == "next" and not problems:
            problems = engine.validate_step(version, current, draft.data)
            if not problems:
                target = step_url(draft, following.id) if following else summary_url(draft)
                return redirect(target)
        fields = engine.rendered_fields(current, draft.data)

    views = bind(
        fields,
        draft.data,
        problems,
        all_fields=engine.fields_by_name(version),
        uploads=draft.uploads.all() if any(f.widget == "file" for f in fields) else (),
    )
    by_name = {v.name: v for v in views}
    context = {
        "draft": draft,
        "definition": version.definition,
        "step": current,
        "fields": views,
        "errors": [(p, by_name[p.field].target_id if p.field in by_name else "") for p in problems],
        "number": next((i for i, s in enumerate(visible, 1) if s.id == current.id), 1),
        "total": len(visible),
        "is_first": previous is None,
        "is_last": following is None,
        "multipart": any(f.widget == "file" for f in fields),
    }
    return render(request, "forms/step.html", context)


# --- summary ------------------------------------------------------------------------------


def summary(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open_draft(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    draft = opened
    version = draft.version
    problems = engine.validate_all(version, draft.data)
    known = engine.fields_by_name(version)
    visible = engine.visible_steps(version, draft.data)
    try:
        submit_url = reverse("forms:submit", kwargs={"token": draft.resume_token})
    except NoReverseMatch:
        submit_url = ""
    context = {
        "draft": draft,
        "definition": version.definition,
        "version": version,
        "sections": [
            (section, step_url(draft, section.step.id))
            for section in engine.summary(version, draft.data)
        ],
        "problems": [
            (p, step_url(draft, known[p.field].step_id) + f"#{known[p.field].html_id}")
            for p in problems
            if p.field in known
        ],
        "fee": fee_text(version.fee_cents) if version.fee_cents else "",
        "back_url": step_url(draft, visible[-1].id) if visible else "",
        "submit_url": submit_url,
    }
    return render(request, "forms/summary.html", context)


# --- save and resume ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def saved(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open_draft(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    draft = opened
    error = ""
    sent_to = ""
    if request.method == "POST" and draft.owner_id is None:
        try:
            services.request_resume_mail(
                draft=draft,
                email=request.POST.get("email", ""),
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationFailed as exc:
            error = exc.message
        else:
            sent_to = draft.email
    context = {
        "draft": draft,
        "definition": draft.version.definition,
        "continue_url": step_url(draft, draft.step or _first_step(draft)),
        "error": error,
        "sent_to": sent_to,
        "email": request.POST.get("email", draft.email)
        if request.method == "POST"
        else draft.email,
        "account_url": _account_url(),
    }
    return render(request, "forms/saved.html", context)


def _account_url() -> str:
    for name in ("my_cases:list", "my_cases:index", "accounts:home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def resume_link(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        token = resume.token_from_link(signed)
    except resume.LinkExpired:
        return render(request, "forms/expired.html", {"draft": None}, status=410)
    except NotFound as exc:
        raise Http404(exc.message) from None
    opened = _open_draft(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    return redirect(step_url(opened, opened.step or _first_step(opened)))
