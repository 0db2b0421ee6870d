"""Recurring background work, defined once; cron or a systemd timer enqueues each group.

django-tasks has no scheduler of its own. An operator adds, for example,

    0 * * * *  rathaus enqueue --schedule hourly
    30 3 * * * rathaus enqueue --schedule daily
    0 6 * * 1  rathaus enqueue --schedule weekly

and the workers do the rest. Every task here is safe to run more often than planned.
"""

from __future__ import annotations

SCHEDULES: dict[str, tuple[str, ...]] = {
    "hourly": (
        "rathaus.oparl.tasks.sync_remote_systems",
        "rathaus.oparl.tasks.check_stale_syncs",
        "rathaus.forms.tasks.sweep_submissions",
        "rathaus.news.tasks.sync_due_items",
        "rathaus.newsletter.tasks.resume_sending",
    ),
    "daily": (
        "rathaus.monitor.tasks.compute_metrics",
        "rathaus.monitor.tasks.alert_overdue_measures",
        "rathaus.council.tasks.send_alert_digests",
        "rathaus.council.tasks.purge_unconfirmed_subscriptions",
        "rathaus.forms.resume.purge_expired_drafts",
        "rathaus.newsletter.tasks.purge_unconfirmed",
        "rathaus.cases.tasks.send_deadline_reminders",
        "rathaus.cases.retention.apply_retention",
        "rathaus.accounts.tasks.purge_unconfirmed_signups",
        "rathaus.accounts.tasks.purge_saml_requests",
    ),
    "weekly": (
        "rathaus.monitor.tasks.check_oparl",
        "rathaus.monitor.tasks.audit_site",
        "rathaus.catalog.tasks.notify_overdue_reviews",
    ),
}
