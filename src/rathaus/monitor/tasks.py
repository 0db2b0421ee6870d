from __future__ import annotations

from django_tasks import task

from rathaus.monitor.services import compute_all


@task()
def compute_metrics() -> int:
    """Daily: today's value of every metric (see `rathaus.core.schedule`)."""
    return compute_all()


@task()
def check_oparl() -> int:
    """Weekly: the OParl conformance of the configured endpoint (our own by default)."""
    from django.conf import settings

    from rathaus.core.links import site_url
    from rathaus.monitor.council import check_oparl_endpoint

    endpoint = settings.RATHAUS_MONITOR_OPARL_URL or site_url("/oparl/v1.1/")
    return check_oparl_endpoint(endpoint).pk


@task(queue_name="mail")
def alert_overdue_measures() -> int:
    """Daily: mail the digitalization officers about measures that became overdue."""
    from rathaus.monitor.alerts import send_overdue_alerts

    return send_overdue_alerts()


@task(queue_name="import")
def audit_site() -> int:
    """Weekly: the accessibility auditor over the site and the catalog's online services."""
    from rathaus.monitor.audits import run_site_audit

    return run_site_audit().pk
