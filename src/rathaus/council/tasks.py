"""Background tasks of the council (django-tasks; database backend or RQ, see settings.TASKS).

`send_alert_digests` and `purge_unconfirmed_subscriptions` are meant to be enqueued once a
day (cron or a systemd timer); both may run more often without harm.
"""

from __future__ import annotations

from django_tasks import task

from rathaus.council import alerts


@task(queue_name="mail")
def send_confirmation(subscription_id: int) -> bool:
    """The double opt-in mail of an alert subscription; False if none was due."""
    return alerts.send_confirmation(subscription_id=subscription_id)


@task(queue_name="mail")
def send_alert_digests() -> int:
    """One mail per subscriber address with what is new; returns the number of mails."""
    return alerts.send_digests()


@task()
def purge_unconfirmed_subscriptions() -> int:
    """Privacy: forget addresses whose subscription was not confirmed within a week."""
    return alerts.purge_unconfirmed()


@task()
def rebuild_search_index() -> int:
    """Re-index every council object (after a restore or a change of search rules)."""
    from rathaus.council.services import rebuild_search_index as rebuild

    return rebuild()
