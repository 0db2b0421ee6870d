from __future__ import annotations

import logging

from django.conf import settings
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
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
        return "ok (rq)"
    if settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        return "ok (database)"
    return f"ok ({settings.TASKS_BACKEND})"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (("database", _check_database), ("tasks", _check_tasks)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
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
