"""Staff page of the OParl importer: which remote systems are mirrored and how they stand.

Council office and administrators only (other signed-in users get 403); the middleware
asks staff for their second factor before any page below /verwaltung/.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from rathaus.accounts import roles
from rathaus.oparl.importer import status
from rathaus.oparl.models import RemoteSystem, SyncProblem, SyncRun

View = Callable[..., HttpResponse]
ALLOWED_ROLES = (roles.COUNCIL_OFFICE, roles.ADMINISTRATOR)
RUNS_SHOWN = 20
PROBLEMS_PER_PAGE = 50


def council_office_only(view: View) -> View:
    @login_required
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if not (user.is_superuser or user.groups.filter(name__in=ALLOWED_ROLES).exists()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__doc__ = view.__doc__
    return wrapped


@council_office_only
def system_list(request: HttpRequest) -> HttpResponse:
    statuses = status.system_statuses()
    context = {"statuses": statuses, "any_stale": any(s.stale for s in statuses)}
    return render(request, "oparl/staff_systems.html", context)


@council_office_only
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(RemoteSystem, pk=pk)
    runs = list(system.runs.order_by("-started_at")[:RUNS_SHOWN])
    run: SyncRun | None = runs[0] if runs else None
    if (wanted := request.GET.get("lauf", "")).isdigit():
        run = get_object_or_404(SyncRun, system=system, pk=int(wanted))
    problems = run.problems.order_by("id") if run else SyncProblem.objects.none()
    page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "system": system,
        "runs": runs,
        "run": run,
        "page": page,
        "stale": status.is_stale(system, timezone.now()),
        "stale_since": status.stale_since(system),
    }
    return render(request, "oparl/staff_system.html", context)
