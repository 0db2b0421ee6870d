"""Question 7: which services reach the state and federal portals, and back.

Three facts per service and portal: its description was exported (the XZuFi export records
this), the portal's page of the service links to our online service (checked by fetching
that page), and the portal sends applications (cases with channel "portal").
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from django.db import transaction
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core.links import site_url
from rathaus.monitor.models import PortalStatus

USER_AGENT = "RathausMonitor/1.0 (portal link check)"


@transaction.atomic
def record_export(service_ids: Iterable[int], portal: str) -> int:
    """Note that these services were exported to `portal` now."""
    now = timezone.now()
    ids = list(service_ids)
    existing = set(
        PortalStatus.objects.filter(portal=portal, service_id__in=ids).values_list(
            "service_id", flat=True
        )
    )
    PortalStatus.objects.filter(portal=portal, service_id__in=existing).update(exported_at=now)
    PortalStatus.objects.bulk_create(
        PortalStatus(service_id=pk, portal=portal, exported_at=now)
        for pk in ids
        if pk not in existing
    )
    return len(ids)


def _targets(service: Service) -> list[str]:
    """Addresses a portal page may link to: the online service and our catalog page."""
    return [
        url for url in (service.online_service_url, site_url(service.get_absolute_url())) if url
    ]


def check_links(*, client: httpx.Client | None = None) -> int:
    """Fetch every known portal page and record whether it links to the service."""
    http = client or httpx.Client(
        timeout=20, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    checked = 0
    try:
        for status in PortalStatus.objects.exclude(portal_url="").select_related("service"):
            status.link_checked_at = timezone.now()
            try:
                response = http.get(status.portal_url)
                response.raise_for_status()
                status.linked = any(t in response.text for t in _targets(status.service))
                status.link_error = ""
            except httpx.HTTPError as exc:
                status.linked = None
                status.link_error = f"{type(exc).__name__}: {exc}"[:300]
            status.save(update_fields=["linked", "link_checked_at", "link_error"])
            checked += 1
    finally:
        if client is None:
            http.close()
    return checked
