"""Counting use of the service pages without cookies and without personal data.

For each counted request the middleware adds one view for the service of the page and, if
the browser was not seen on that page today, one visitor. "Seen" is a hash of the address,
the browser's user agent and a random salt of the day; the salt lives only in the cache and
changes at midnight, so yesterday's hashes cannot be recomputed. Nothing of it is stored: the
database gets only the day's totals.

Counts are buffered per process and written by the first counted request after
FLUSH_SECONDS; a process that ends loses at most the counts of that interval, which a
statistic can afford (and which is better than writing to the database on every view).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition
from rathaus.integrations.matomo import PageDay
from rathaus.monitor.models import UsageCount

FLUSH_SECONDS = 30.0
SLUG_CACHE_SECONDS = 300
# Pages that belong to one service: the catalog page and the start page of its form.
SERVICE_VIEWS = {"catalog:detail": "service", "forms:start": "form"}
BOT = re.compile(
    r"bot|crawl|spider|slurp|preview|monitor|checker|curl|wget|python|httpx|java/|go-http|"
    r"headless|lighthouse|rathausauditor|axe",
    re.IGNORECASE,
)
Key = tuple[dt.date, int | None, str]

_lock = threading.Lock()
_buffer: Counter[Key] = Counter()
_last_flush = time.monotonic()


def is_bot(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    return not agent or bool(BOT.search(agent))


def _salt(day: dt.date) -> str:
    key = f"usage-salt:{day.isoformat()}"
    salt = cache.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(16), timeout=2 * 24 * 3600)
        salt = cache.get(key)
    return str(salt)


def _first_visit_today(request: HttpRequest, day: dt.date, service_id: int | None) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.headers.get("User-Agent", "")
    digest = hashlib.sha256(f"{_salt(day)}|{address}|{agent}".encode()).hexdigest()[:24]
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    seconds_left = max(60, int((timezone.make_aware(midnight) - timezone.now()).total_seconds()))
    return bool(cache.add(f"usage-seen:{day}:{service_id}:{digest}", 1, timeout=seconds_left))


def record_view(request: HttpRequest, service_id: int | None) -> None:
    """Count one view (and maybe one visitor) of a service page; bots are not counted."""
    if is_bot(request):
        return
    day = timezone.localdate()
    with _lock:
        _buffer[(day, service_id, UsageCount.Event.VIEW)] += 1
    if _first_visit_today(request, day, service_id):
        with _lock:
            _buffer[(day, service_id, UsageCount.Event.VISITOR)] += 1
    if time.monotonic() - _last_flush >= FLUSH_SECONDS:
        flush()


def flush() -> int:
    """Write the buffered counts; returns how many counter rows were touched."""
    global _last_flush  # noqa: PLW0603 - the buffer is per process on purpose
    with _lock:
        pending = dict(_buffer)
        _buffer.clear()
        _last_flush = time.monotonic()
    for (day, service_id, event), n in pending.items():
        _add(day, service_id, event, n)
    return len(pending)


def _add(day: dt.date, service_id: int | None, event: str, n: int) -> None:
    rows = UsageCount.objects.filter(day=day, event=event, source=UsageCount.Source.RATHAUS)
    rows = (
        rows.filter(service_id=service_id)
        if service_id is not None
        else rows.filter(service__isnull=True)
    )
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            UsageCount.objects.create(day=day, service_id=service_id, event=event, count=n)
    except IntegrityError:  # another process created the row meanwhile
        rows.update(count=F("count") + n)


def service_for_path(path: str) -> int | None:
    """The service a page of this site belongs to (catalog page or form start), if any."""
    path = path if path.endswith("/") else path + "/"
    # The language prefix only resolves while that language is active (i18n_patterns).
    language = next(
        (code for code, _name in settings.LANGUAGES if path.startswith(f"/{code}/")),
        settings.LANGUAGE_CODE,
    )
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return None
    return service_for_match(match.view_name, match.kwargs)


def service_for_match(view_name: str, kwargs: dict[str, Any]) -> int | None:
    """The service of a resolved page: its catalog page or the start page of its form."""
    kind = SERVICE_VIEWS.get(view_name)
    if kind is None:
        return None
    slug = str(kwargs.get("slug", ""))
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


@transaction.atomic
def import_matomo(pages: Iterable[PageDay]) -> int:
    """Store Matomo's figures per day and service, replacing earlier imports of those days."""
    totals: Counter[Key] = Counter()
    days: set[dt.date] = set()
    for page in pages:
        days.add(page.day)
        service_id = service_for_path(urlsplit(page.url).path or "/")
        totals[(page.day, None, UsageCount.Event.VIEW)] += page.views
        if service_id is not None:
            # Visits add up per page only: one visit may include many pages of the site.
            totals[(page.day, service_id, UsageCount.Event.VIEW)] += page.views
            totals[(page.day, service_id, UsageCount.Event.VISITOR)] += page.visits
    UsageCount.objects.filter(source=UsageCount.Source.MATOMO, day__in=days).delete()
    UsageCount.objects.bulk_create(
        UsageCount(day=day, service_id=sid, event=event, count=n, source=UsageCount.Source.MATOMO)
        for (day, sid, event), n in totals.items()
    )
    return len(totals)
