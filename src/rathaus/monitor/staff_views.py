"""The digitalization officer's monitor: the dashboard, audit findings, recomputation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.staff_views import staff_view
from rathaus.core.errors import Conflict, Problem, ValidationFailed
from rathaus.council.models import Paper
from rathaus.monitor import answer_render, selectors
from rathaus.monitor.answer import generate, release, save_texts
from rathaus.monitor.models import AuditRun, InquiryAnswer
from rathaus.monitor.tasks import compute_metrics

VIEW = "monitor.view_metricsnapshot"


@staff_view(VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitor/staff/dashboard.html",
        {"questions": selectors.questions(), "audit": selectors.latest_audit()},
    )


@staff_view("monitor.add_metricsnapshot")
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    compute_metrics.enqueue()
    messages.success(
        request,
        _("Die Kennzahlen werden im Hintergrund neu berechnet; in einer Minute sind sie da."),
    )
    return redirect("monitor_staff:dashboard")


@staff_view(VIEW)
def audit(request: HttpRequest, run_id: int | None = None) -> HttpResponse:
    run = get_object_or_404(AuditRun, pk=run_id) if run_id else selectors.latest_audit()
    pages = selectors.audit_pages(run) if run else []
    return render(request, "monitor/staff/audit.html", {"run": run, "pages": pages})


# --- answers to inquiries ----------------------------------------------------------------

ANSWER = "monitor.add_inquiryanswer"


@staff_view(ANSWER)
def answer_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "monitor/staff/answer_list.html", {"inquiries": selectors.inquiries_with_answers()}
    )


@staff_view(ANSWER)
@require_POST
def answer_generate(request: HttpRequest, paper_id: int) -> HttpResponse:
    paper = get_object_or_404(Paper, pk=paper_id)
    if not paper.questions:
        raise Http404
    answer = generate(paper, user=request.user)
    messages.success(
        request,
        _("Der Entwurf wurde aus den Zahlen vom %(day)s erstellt.")
        % {"day": date_format(answer.measured_on, "SHORT_DATE_FORMAT")},
    )
    return redirect("monitor_staff:answer", answer_id=answer.pk)


@staff_view(ANSWER)
def answer_detail(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = get_object_or_404(InquiryAnswer.objects.select_related("paper"), pk=answer_id)
    problems: list[Problem] = []
    if request.method == "POST":
        texts = {
            index: request.POST.get(f"section-{index}", "") for index in range(len(answer.sections))
        }
        try:
            answer = save_texts(answer, texts)
        except (ValidationFailed, Conflict) as exc:
            problems = exc.problems or [Problem(str(exc))]
        else:
            if request.POST.get("action") == "release":
                if not request.user.has_perm("monitor.release_inquiryanswer"):
                    raise PermissionDenied
                try:
                    answer = release(answer, user=request.user)
                except (ValidationFailed, Conflict) as exc:
                    problems = exc.problems or [Problem(str(exc))]
                else:
                    messages.success(
                        request, _("Die Antwort ist freigegeben und der Anfrage beigefügt.")
                    )
                    return redirect("monitor_staff:answer", answer_id=answer.pk)
            else:
                messages.success(request, _("Der Text wurde gespeichert."))
                return redirect("monitor_staff:answer", answer_id=answer.pk)
    return render(
        request,
        "monitor/staff/answer.html",
        {"answer": answer, "doc": answer_render.context(answer), "problems": problems},
    )


@staff_view(ANSWER)
def answer_download(request: HttpRequest, answer_id: int, fmt: str) -> HttpResponse:
    answer = get_object_or_404(InquiryAnswer.objects.select_related("paper"), pk=answer_id)
    stem = f"Antwort-{answer.paper.reference.replace('/', '-') or answer.paper.pk}"
    if fmt == "pdf":
        response = HttpResponse(answer_render.render_pdf(answer), content_type="application/pdf")
    elif fmt == "docx":
        response = HttpResponse(
            answer_render.render_docx(answer),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    elif fmt == "html":
        response = HttpResponse(
            answer_render.render_document_html(answer), content_type="text/html; charset=utf-8"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
