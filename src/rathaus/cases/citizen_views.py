"""“Meine Anträge” (`/konto/antraege/`): the signed-in applicant's cases, thin views.

Reads go through `citizen_selectors` (only the user's own cases), writes through
`citizen_services`. Someone else's reference answers 404 like an unknown one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.cases import citizen_selectors as selectors
from rathaus.cases import citizen_services as services
from rathaus.cases.models import Case, CaseDocument
from rathaus.core.errors import Conflict, NotFound, ValidationFailed
from rathaus.forms.uploads import describe_accept, format_size

PAGE_SIZE = 25
# Shown in the browser; anything else is saved as a file.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _case_or_404(request: HttpRequest, reference: str) -> dict[str, Any]:
    try:
        return selectors.case_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404(_("Diesen Vorgang gibt es nicht.")) from None


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.case_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": case, "state": selectors.short_state(case.state)} for case in page.object_list]
    context = {"page": page, "rows": rows, "drafts": selectors.open_drafts(request.user)}
    return render(request, "cases/citizen/list.html", context)


@never_cache
@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "cases/citizen/detail.html", _case_or_404(request, reference))


@login_required
@require_POST
def mark_read(request: HttpRequest, reference: str) -> HttpResponse:
    page = _case_or_404(request, reference)
    count = services.mark_messages_read(page["case"], user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("Die Nachrichten sind als gelesen markiert."))
    return redirect("my_cases:detail", reference=reference)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        # The service checks each file (type by content, size, virus scan); here only a list.
        if data in (None, ""):
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


class AnswerForm(forms.Form):
    documents = MultipleFileField(
        label=gettext_lazy("Dateien"),
        required=False,
        help_text=gettext_lazy(
            "Sie können mehrere Dateien auswählen (%(types)s, je höchstens %(size)s)."
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("Nachricht an die Verwaltung"),
        required=False,
        max_length=services.ANSWER_MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = str(self.fields["documents"].help_text) % {
            "types": describe_accept(services.ANSWER_ACCEPT),
            "size": format_size(services.ANSWER_MAX_BYTES),
        }
        self.fields["documents"].widget.attrs["accept"] = ",".join(services.ANSWER_ACCEPT)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, reference: str) -> HttpResponse:
    page = _case_or_404(request, reference)
    case: Case = page["case"]
    if page["open_request"] is None:
        messages.info(request, _("Zu diesem Vorgang sind keine Unterlagen angefordert."))
        return redirect("my_cases:detail", reference=reference)
    posted = request.method == "POST"
    # Bound on every POST, even one with files only (an empty text must still be checked).
    form = AnswerForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.answer_request(
                case,
                user=request.user,  # type: ignore[arg-type]
                answer=services.Answer(
                    text=form.cleaned_data["text"], files=form.cleaned_data["documents"]
                ),
            )
        except ValidationFailed as exc:
            for problem in exc.problems:
                name = problem.field if problem.field in form.fields else None
                form.add_error(name, problem.message)
            if not exc.problems:
                form.add_error(None, exc.message)
        except (Conflict, NotFound) as exc:
            messages.error(request, exc.message)
            return redirect("my_cases:detail", reference=reference)
        else:
            messages.success(
                request,
                _(
                    "Vielen Dank, Ihre Antwort ist bei uns eingegangen. "
                    "Wir bearbeiten Ihren Antrag weiter."
                ),
            )
            return redirect("my_cases:detail", reference=reference)
    return render(request, "cases/citizen/answer.html", {**page, "form": form})


@login_required
def document(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """A file of the applicant's own case, from private storage; 404 for anything else."""
    try:
        found = selectors.own_document(request.user, reference, pk)
    except CaseDocument.DoesNotExist:
        raise Http404(_("Dieses Dokument gibt es nicht.")) from None
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Zu diesem Dokument ist keine Datei gespeichert.")) from None
    response = FileResponse(
        handle,
        as_attachment=found.content_type not in INLINE_TYPES,
        filename=found.original_name or found.title,
        content_type=found.content_type or "application/octet-stream",
    )
    # Personal data: no shared cache may keep it, and the browser must not guess the type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
