"""The digitalization officer's monitor: the dashboard, audit findings, recomputation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.staff_views import staff_view
from rathaus.monitor import selectors
from rathaus.monitor.models import AuditRun
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
