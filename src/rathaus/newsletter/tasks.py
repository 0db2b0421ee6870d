"""Background tasks of the newsletter (django-tasks, queue "mail").

`send_issue` may run any number of times for one issue: it continues with the pending
deliveries (see `newsletter.sending`). `resume_sending` runs hourly, `purge_unconfirmed`
daily (core/schedule.py).
"""

from __future__ import annotations

from django_tasks import task

from rathaus.newsletter import sending, services
from rathaus.newsletter.mail import confirmation_message
from rathaus.newsletter.models import Subscriber


@task(queue_name="mail")
def send_confirmation(subscriber_id: int) -> bool:
    """The double opt-in mail (or, for an active address, the note with its links)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status not in (
        Subscriber.Status.PENDING,
        Subscriber.Status.ACTIVE,
    ):
        return False  # purged or unsubscribed before the worker came to it
    confirmation_message(subscriber).send()
    return True


@task(queue_name="mail")
def send_issue(issue_id: int) -> dict[str, int]:
    """Send (or continue sending) an issue; returns the deliveries per state."""
    result = sending.send_issue(issue_id)
    return result.states


@task(queue_name="mail")
def resume_sending() -> int:
    """Continue every issue still being sent (after a crash, or 4xx refusals); hourly."""
    return sending.resume_all()


@task()
def purge_unconfirmed() -> int:
    """Privacy: forget addresses whose subscription was not confirmed in time."""
    return services.purge_unconfirmed()
