"""Everything that writes to the catalog. Views, the admin, the API and imports call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rathaus.catalog.models import Service
from rathaus.core import search
from rathaus.core.errors import PermissionDenied, ValidationFailed

SEARCH_KIND = "catalog.service"
FACETS_CACHE_KEY = "catalog:finder-facets"
DEFAULT_REVIEW_INTERVAL = datetime.timedelta(days=365)


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name.replace("ß", "ss"))[:100] or "leistung"
    slug, n = base, 2
    existing = Service.objects.exclude(pk=exclude_pk) if exclude_pk else Service.objects.all()
    while existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def search_document(service: Service) -> search.Document:
    office = service.office.name if service.office_id and service.office else ""
    body = "\n".join(
        part
        for part in (
            service.summary,
            service.description,
            service.requirements,
            service.documents,
            service.fees,
            service.ozg_name,
            office,
        )
        if part
    )
    return search.Document(
        kind=SEARCH_KIND,
        object_id=service.pk,
        title=service.name,
        url=service.get_absolute_url(),
        keywords=service.keywords.replace(",", " "),
        body=body,
    )


def sync_search_index(services: Iterable[Service]) -> None:
    """Published services are searchable; drafts and archived ones are not."""
    services = list(services)
    published = [s for s in services if s.status == Service.Status.PUBLISHED]
    hidden = [s.pk for s in services if s.status != Service.Status.PUBLISHED]
    search.index_documents(search_document(s) for s in published)
    if hidden:
        search.remove_documents(SEARCH_KIND, hidden)
    transaction.on_commit(lambda: cache.delete(FACETS_CACHE_KEY))


@transaction.atomic
def save_service(*, service: Service, changed_by: Any = None, reason: str = "") -> Service:
    """Validate and store a service (new or changed) and keep the search index in step."""
    if not service.slug:
        service.slug = unique_slug(service.name, exclude_pk=service.pk)
    if service.review_due is None:
        service.review_due = timezone.localdate() + DEFAULT_REVIEW_INTERVAL
    if service.channel_online and not service.online_service_url:
        raise ValidationFailed(_("Ein Online-Kanal braucht die Adresse des Online-Dienstes."))
    service.full_clean(validate_unique=True)
    if changed_by is not None:
        service._history_user = changed_by  # type: ignore[attr-defined]
    if reason:
        service._change_reason = reason  # type: ignore[attr-defined]
    service.save()
    sync_search_index([service])
    return service


def _require(user: Any, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(_("Es fehlt die Berechtigung „%(perm)s“.") % {"perm": perm})


@transaction.atomic
def publish_service(
    *, service: Service, user: Any = None, review_interval: datetime.timedelta | None = None
) -> Service:
    """Draft -> published; sets the publication time and the next review date."""
    _require(user, "catalog.publish_service")
    service.status = Service.Status.PUBLISHED
    service.published_at = timezone.now()
    service.review_due = timezone.localdate() + (review_interval or DEFAULT_REVIEW_INTERVAL)
    return save_service(service=service, changed_by=user, reason="veröffentlicht")


@transaction.atomic
def unpublish_service(*, service: Service, user: Any = None, archive: bool = False) -> Service:
    _require(user, "catalog.publish_service")
    service.status = Service.Status.ARCHIVED if archive else Service.Status.DRAFT
    return save_service(
        service=service, changed_by=user, reason="archiviert" if archive else "zurückgezogen"
    )


@transaction.atomic
def mark_reviewed(
    *, service: Service, user: Any = None, interval: datetime.timedelta | None = None
) -> Service:
    _require(user, "catalog.change_service")
    service.review_due = timezone.localdate() + (interval or DEFAULT_REVIEW_INTERVAL)
    return save_service(service=service, changed_by=user, reason="geprüft")


def rebuild_search_index(*, batch_size: int = 500) -> int:
    """Re-index every service from scratch (after a restore or a change of search rules)."""
    total = 0
    qs = Service.objects.select_related("office").order_by("pk")
    with transaction.atomic():
        search.remove_documents(SEARCH_KIND, qs.values_list("pk", flat=True))
        batch: list[Service] = []
        for service in qs.iterator(chunk_size=batch_size):
            batch.append(service)
            if len(batch) >= batch_size:
                sync_search_index(batch)
                total += len(batch)
                batch = []
        sync_search_index(batch)
        total += len(batch)
    return total
