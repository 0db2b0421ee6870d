"""Staff pages of the accessibility statement: draft from the last audit, edit, release.

Editing uses the permission of the answers to inquiries (`add_inquiryanswer`), releasing
that of releasing them (`release_inquiryanswer`): both belong to the digitalization officer,
who answers for the statement, and no new permission is needed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.staff_views import staff_view
from rathaus.core.errors import Conflict, Problem, ValidationFailed
from rathaus.monitor import selectors, statement
from rathaus.monitor.models import AccessibilityStatement

EDIT = "monitor.add_inquiryanswer"
RELEASE = "monitor.release_inquiryanswer"
PARTS = ("title", "text", "criteria")


@staff_view(EDIT)
def statement_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitor/staff/statement_list.html",
        {"statements": statement.statements(), "run": selectors.latest_audit()},
    )


@staff_view(EDIT)
@require_POST
def statement_draft(request: HttpRequest) -> HttpResponse:
    try:
        draft = statement.draft_from_audit(selectors.latest_audit(), request.user)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("monitor_staff:statements")
    messages.success(
        request,
        _("Der Entwurf wurde aus der Prüfung vom %(day)s erstellt.")
        % {"day": date_format(draft.audited_on or draft.prepared_on, "SHORT_DATE_FORMAT")},
    )
    return redirect("monitor_staff:statement", statement_id=draft.pk)


@staff_view(EDIT)
@require_POST
def statement_copy(request: HttpRequest, statement_id: int) -> HttpResponse:
    source = get_object_or_404(AccessibilityStatement, pk=statement_id)
    draft = statement.copy_as_draft(source, request.user)
    messages.success(request, _("Der neue Entwurf übernimmt die Texte der Erklärung."))
    return redirect("monitor_staff:statement", statement_id=draft.pk)


def _entry_keys(request: HttpRequest, stored: int) -> list[int]:
    """The indexes of the stored entries the form sent, in order."""
    keys = []
    for index in range(stored):
        if f"entry-{index}-title" in request.POST:
            keys.append(index)
    return keys


def _read_form(request: HttpRequest, current: AccessibilityStatement) -> dict[str, Any]:
    """The submitted values, shaped like `_form_state`, to show them again after an error."""
    post = request.POST
    entries = []
    for index in _entry_keys(request, len(current.entries)):
        stored = current.entries[index]
        entries.append(
            {
                "key": f"entry-{index}",
                "source": index,
                "title": post.get(f"entry-{index}-title", ""),
                "text": post.get(f"entry-{index}-text", ""),
                "criteria": post.get(f"entry-{index}-criteria", ""),
                "remove": post.get(f"entry-{index}-remove") == "1",
                "kind": stored.get("kind", ""),
                "pages": stored.get("pages", []),
                "page_count": stored.get("page_count"),
            }
        )
    return {
        "compliance": post.get("compliance", ""),
        "intro": post.get("intro", ""),
        "method": post.get("method", ""),
        "feedback": post.get("feedback", ""),
        "enforcement": post.get("enforcement", ""),
        "prepared_on": post.get("prepared_on", ""),
        "version": post.get("version", ""),
        "entries": entries,
        "new": {
            "title": post.get("entry-new-title", ""),
            "text": post.get("entry-new-text", ""),
            "criteria": post.get("entry-new-criteria", ""),
        },
    }


def _form_state(current: AccessibilityStatement) -> dict[str, Any]:
    return {
        "compliance": current.compliance,
        "intro": current.intro,
        "method": current.method,
        "feedback": current.feedback,
        "enforcement": current.enforcement,
        "prepared_on": current.prepared_on.isoformat(),
        "version": statement.version(current),
        "entries": [
            {
                "key": f"entry-{index}",
                "source": index,
                "title": entry.get("title", ""),
                "text": entry.get("text", ""),
                "criteria": ", ".join(entry.get("criteria", [])),
                "remove": False,
                "kind": entry.get("kind", ""),
                "pages": entry.get("pages", []),
                "page_count": entry.get("page_count"),
            }
            for index, entry in enumerate(current.entries)
        ],
        "new": {"title": "", "text": "", "criteria": ""},
    }


def _input(form: dict[str, Any]) -> statement.StatementInput:
    entries = [
        statement.EntryInput(
            title=e["title"],
            text=e["text"],
            criteria=e["criteria"],
            source=e["source"],
            key=e["key"],
        )
        for e in form["entries"]
        if not e["remove"]
    ]
    new = form["new"]
    if any(value.strip() for value in new.values()):
        entries.append(
            statement.EntryInput(
                title=new["title"], text=new["text"], criteria=new["criteria"], key="entry-new"
            )
        )
    return statement.StatementInput(
        compliance=form["compliance"],
        intro=form["intro"],
        method=form["method"],
        feedback=form["feedback"],
        enforcement=form["enforcement"],
        prepared_on=form["prepared_on"],
        entries=entries,
    )


@staff_view(EDIT)
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    current = get_object_or_404(
        AccessibilityStatement.objects.select_related("run"), pk=statement_id
    )
    problems: list[Problem] = []
    form = _form_state(current)
    if request.method == "POST":
        releasing = request.POST.get("action") == "release"
        if releasing and not request.user.has_perm(RELEASE):
            raise PermissionDenied
        form = _read_form(request, current)
        try:
            # One step: a refused release leaves the stored draft as it was.
            with transaction.atomic():
                saved = statement.save_texts(current, _input(form), expected=form["version"])
                if releasing:
                    statement.release(saved, user=request.user)
        except (ValidationFailed, Conflict) as exc:
            problems = exc.problems or [Problem(exc.message)]
        else:
            if releasing:
                messages.success(
                    request, _("Die Erklärung ist freigegeben und auf der öffentlichen Seite.")
                )
            else:
                messages.success(request, _("Die Erklärung wurde gespeichert."))
            return redirect("monitor_staff:statement", statement_id=current.pk)
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", []).append(problem.message)
    for entry in [*form["entries"], form["new"]]:
        key = entry.get("key", "entry-new")
        entry["errors"] = {part: errors.get(f"{key}-{part}", []) for part in PARTS}
    return render(
        request,
        "monitor/staff/statement.html",
        {
            "statement": current,
            "form": form,
            "problems": problems,
            "errors": errors,
            "compliance_choices": AccessibilityStatement.Compliance.choices,
            "is_current": (found := statement.current_statement()) is not None
            and found.pk == current.pk,
        },
    )
