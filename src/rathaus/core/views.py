from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from rathaus.catalog import selectors as catalog_selectors

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "life_situations": catalog_selectors.life_situations_with_counts(),
        "popular": catalog_selectors.popular_services(limit=8),
        "coverage": catalog_selectors.online_coverage(),
    }
    return render(request, "core/home.html", context)


def page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, f"core/{template}.html")


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return "ok"


def _check_tasks() -> str:
    """Reach the store of the configured task backend, whichever it is."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_rq.backend import RQBackend

    backend = task_backends["default"]
    if isinstance(backend, RQBackend):
        import django_rq

        django_rq.get_connection("default").ping()
        return "ok (rq)"
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        return "ok (database)"
    return f"ok ({type(backend).__name__})"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (("database", _check_database), ("tasks", _check_tasks)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of a dependency makes its check fail
            healthy = False
            checks[name] = f"error: {type(exc).__name__}: {exc}"
            logger.error("healthcheck failed", extra={"check": name, "error": str(exc)})
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)
