"""Site audits: crawl the town's pages and the catalog's online services, keep the findings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core.links import site_url
from rathaus.monitor.auditor import Auditor, PageResult, Robots, browser, crawl
from rathaus.monitor.models import AuditFinding, AuditPage, AuditRun


def allowed_hosts() -> set[str]:
    """This installation's host and the hosts listed in RATHAUS_AUDIT_HOSTS."""
    own = urlsplit(settings.SITE_URL).hostname or "127.0.0.1"
    extra = {h.strip() for h in getattr(settings, "RATHAUS_AUDIT_HOSTS", "").split(",")}
    return {own} | {h for h in extra if h}


def service_start_urls(hosts: set[str]) -> dict[str, int]:
    """Online-service addresses of published services on allowed hosts, by URL."""
    urls: dict[str, int] = {}
    for pk, url in (
        Service.objects.published()
        .exclude(online_service_url="")
        .values_list("pk", "online_service_url")
    ):
        if urlsplit(url).hostname in hosts:
            urls.setdefault(url, pk)
    return urls


@dataclass(frozen=True)
class AuditSettings:
    max_pages: int = 200
    max_depth: int = 6
    delay_seconds: float = 0.5
    check_reflow: bool = True


def run_site_audit(
    start_urls: list[str] | None = None,
    *,
    hosts: set[str] | None = None,
    options: AuditSettings | None = None,
) -> AuditRun:
    """Crawl (browser first, database after: see `rathaus.monitor.auditor`) and store a run."""
    options = options or AuditSettings()
    hosts = hosts if hosts is not None else allowed_hosts()
    services = service_start_urls(hosts)
    starts = start_urls or [site_url("/"), *services]
    # Created before the browser starts, so a crashed crawl leaves a run without an end.
    run = AuditRun.objects.create(
        started_at=timezone.now(), start_urls=starts, allowed_hosts=sorted(hosts)
    )
    error = ""
    results: list[PageResult] = []
    try:
        with browser() as instance:
            auditor = Auditor(
                instance, check_reflow=options.check_reflow, delay_seconds=options.delay_seconds
            )
            try:
                results = crawl(
                    auditor,
                    starts,
                    allowed_hosts=hosts,
                    max_pages=options.max_pages,
                    max_depth=options.max_depth,
                    robots=Robots(),
                )
            finally:
                auditor.close()
    except Exception as exc:  # the browser itself failed: keep the run with its error
        error = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
    _store(run, results, services, error)
    return run


@transaction.atomic
def _store(run: AuditRun, results: list[PageResult], services: dict[str, int], error: str) -> None:
    run.finished_at = timezone.now()
    run.error = error
    run.save(update_fields=["finished_at", "error"])
    for result in results:
        page = AuditPage.objects.create(
            run=run,
            url=result.url[:500],
            title=result.title[:300],
            status=result.status,
            depth=result.depth,
            reflows=result.reflows,
            error=result.error[:300],
            service_id=services.get(result.url),
        )
        AuditFinding.objects.bulk_create(
            AuditFinding(
                page=page,
                rule=f.rule,
                criteria=list(f.criteria),
                impact=f.impact if f.impact in AuditFinding.Impact.values else "",
                selector=f.selector[:500],
                help=f.help[:300],
            )
            for f in result.findings
        )


@dataclass(frozen=True)
class AuditSummary:
    pages: int
    pages_without_serious: int
    reflowing: int
    by_impact: dict[str, int]
    top_rules: list[tuple[str, int]]


def summarize(run: AuditRun) -> AuditSummary:
    pages = run.pages.filter(error="")
    serious = Q(findings__impact__in=[AuditFinding.Impact.CRITICAL, AuditFinding.Impact.SERIOUS])
    flagged = pages.filter(serious).distinct().count()
    findings = AuditFinding.objects.filter(page__run=run)
    by_impact = dict(
        findings.values_list("impact").annotate(n=Count("id")).values_list("impact", "n")
    )
    top_rules = list(
        findings.values_list("rule").annotate(n=Count("id")).order_by("-n", "rule")[:10]
    )
    total = pages.count()
    return AuditSummary(
        pages=total,
        pages_without_serious=total - flagged,
        reflowing=pages.filter(reflows=True).count(),
        by_impact=by_impact,
        top_rules=[(rule, n) for rule, n in top_rules],
    )
