"""Counts views of public pages for the monitor (see `rathaus.monitor.usage`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition
from rathaus.monitor import usage

# Pages that belong to one service: the catalog page and the start page of its form.
SERVICE_VIEWS = {"catalog:detail": "service", "forms:start": "form"}
NOT_PUBLIC = ("/verwaltung/", "/en/verwaltung/", "/admin/", "/api/", "/oparl/", "/healthz")
SLUG_CACHE_SECONDS = 300


def _service_id(kind: str, slug: str) -> int | None:
    key = f"usage-slug:{kind}:{slug}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached) or None
    if kind == "service":
        found = Service.objects.filter(slug=slug).values_list("pk", flat=True).first()
    else:
        forms = FormDefinition.objects.filter(slug=slug)
        found = forms.values_list("service_id", flat=True).first()
    cache.set(key, found or 0, SLUG_CACHE_SECONDS)
    return found


class UsageCountingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.RATHAUS_USAGE_COUNTING
            and request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(NOT_PUBLIC)
        ):
            match = request.resolver_match
            kind = SERVICE_VIEWS.get(match.view_name) if match else None
            service_id = _service_id(kind, match.kwargs.get("slug", "")) if kind and match else None
            usage.record_view(request, None)  # the whole site
            if service_id is not None:
                usage.record_view(request, service_id)
        return response
