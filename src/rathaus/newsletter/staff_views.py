"""Staff pages of the newsletter (/verwaltung/newsletter/, role Redaktion).

Reach per topic for everyone with view_issue; the addresses themselves only with
view_subscriber. Compose an issue from published news items, preview it exactly as it is
sent, send a test, then start the sending task and watch its progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core import errors
from rathaus.newsletter import mail, selectors, sending, services
from rathaus.newsletter.forms import IssueForm, TestSendForm
from rathaus.newsletter.models import Issue, Subscriber

View = Callable[..., HttpResponse]
PER_PAGE = 50
# The HTML preview is the mail itself, with its inline styles; nothing else may load.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
)


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; signed-in users without `perm` get 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


@staff_view("newsletter.view_issue")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "newsletter/staff/index.html",
        {
            "topics": selectors.topics_with_reach(),
            "counts": selectors.subscriber_counts(),
            "issues": selectors.issues()[:50],
        },
    )


@staff_view("newsletter.view_subscriber")
def subscriber_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.subscribers(status=status, query=query), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "newsletter/staff/subscribers.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "statuses": Subscriber.Status.choices,
        },
    )


def _positions(request: HttpRequest, candidates: list[Any]) -> tuple[list[int], list[str]]:
    """The chosen news items in order, from one number field per candidate."""
    chosen: list[tuple[int, int, int]] = []
    problems = []
    for n, announcement in enumerate(candidates):
        raw = request.POST.get(f"pos_{announcement.pk}", "").strip()
        if not raw:
            continue
        try:
            position = int(raw)
            if position < 1:
                raise ValueError(raw)
        except ValueError:
            problems.append(
                _("„%(title)s“: Position muss eine ganze Zahl ab 1 sein.")
                % {"title": announcement.title}
            )
            continue
        chosen.append((position, n, announcement.pk))
    return [pk for _pos, _n, pk in sorted(chosen)], problems


def _issue_form(request: HttpRequest, issue: Issue | None) -> HttpResponse:
    candidates = selectors.candidate_announcements(issue)
    positions: dict[int, Any] = {}
    if issue is not None:
        positions = dict(issue.items.values_list("announcement_id", "position"))
    if request.method == "POST":
        form = IssueForm(request.POST)
        positions = {a.pk: request.POST.get(f"pos_{a.pk}", "") for a in candidates}
        order, problems = _positions(request, candidates)
        for problem in problems:
            form.add_error(None, problem)
        if form.is_valid() and not problems:
            try:
                issue = services.save_issue(
                    issue=issue,
                    subject=form.cleaned_data["subject"],
                    intro=form.cleaned_data["intro"],
                    topic_ids=[t.pk for t in form.cleaned_data["topics"]],
                    announcement_ids=order,
                    user=request.user,
                )
            except errors.RathausError as exc:
                for found in exc.problems or [errors.Problem(exc.message)]:
                    name = found.field if found.field in form.fields else None
                    form.add_error(name, found.message)
            else:
                messages.success(request, _("Die Ausgabe ist gespeichert."))
                return redirect("newsletter_staff:issue_detail", pk=issue.pk)
    elif issue is not None:
        form = IssueForm(
            initial={
                "subject": issue.subject,
                "intro": issue.intro,
                "topics": list(issue.topics.all()),
            }
        )
    else:
        form = IssueForm()
    rows = [(a, positions.get(a.pk, "")) for a in candidates]
    return render(
        request, "newsletter/staff/issue_form.html", {"form": form, "issue": issue, "rows": rows}
    )


@staff_view("newsletter.add_issue")
def issue_create(request: HttpRequest) -> HttpResponse:
    return _issue_form(request, None)


@staff_view("newsletter.change_issue")
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    if issue.status != Issue.Status.DRAFT:
        messages.error(request, _("Eine versandte Ausgabe kann nicht mehr geändert werden."))
        return redirect("newsletter_staff:issue_detail", pk=pk)
    return _issue_form(request, issue)


@staff_view("newsletter.view_issue")
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(
        Issue.objects.select_related("created_by", "send_requested_by"), pk=pk
    )
    rendered = mail.render_issue(issue, "de")
    text, _html = rendered.for_token(mail.TEST_TOKEN)
    topics = list(issue.topics.all())
    return render(
        request,
        "newsletter/staff/issue_detail.html",
        {
            "issue": issue,
            "items": selectors.issue_items(issue),
            "topics": topics,
            "preview_text": text,
            "progress": selectors.progress(issue),
            "estimate": selectors.recipient_estimate(t.pk for t in topics),
            "test_form": TestSendForm(initial={"to": getattr(request.user, "email", "")}),
            "states": Issue.Status,
        },
    )


@staff_view("newsletter.view_issue")
def issue_preview_html(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    language = request.GET.get("sprache", "de")
    if language not in {"de", "en"}:
        language = "de"
    _text, html = mail.render_issue(issue, language).for_token(mail.TEST_TOKEN)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@require_POST
@staff_view("newsletter.change_issue")
def issue_test(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte geben Sie eine gültige E-Mail-Adresse an."))
        return redirect("newsletter_staff:issue_detail", pk=pk)
    try:
        sending.send_test(issue=issue, to=form.cleaned_data["to"])
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    except OSError as exc:  # smtplib errors included: the mail server said no or is away
        messages.error(
            request,
            _("Der Testversand ist fehlgeschlagen: %(error)s") % {"error": sending._error(exc)},
        )
    else:
        messages.success(
            request,
            _("Testversand an %(to)s verschickt.") % {"to": form.cleaned_data["to"]},
        )
    return redirect("newsletter_staff:issue_detail", pk=pk)


@require_POST
@staff_view("newsletter.send_issue")
def issue_send(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    try:
        services.start_sending(issue=issue, user=request.user)
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Der Versand ist gestartet. Den Fortschritt sehen Sie auf dieser Seite."),
        )
    return redirect("newsletter_staff:issue_detail", pk=pk)


@require_POST
@staff_view("newsletter.send_issue")
def issue_release(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    released = services.release_uncertain(issue=issue)
    messages.success(
        request,
        _("%(count)d ungewisse Zustellungen werden erneut versucht.") % {"count": released},
    )
    return redirect("newsletter_staff:issue_detail", pk=pk)
