"""Counts views of public pages for the monitor (see `rathaus.monitor.usage`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from rathaus.monitor import usage

NOT_PUBLIC = ("/verwaltung/", "/en/verwaltung/", "/admin/", "/api/", "/oparl/", "/healthz")


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
            usage.record_view(request, None)  # the whole site
            match = request.resolver_match
            service_id = usage.service_for_match(match.view_name, match.kwargs) if match else None
            if service_id is not None:
                usage.record_view(request, service_id)
        return response
