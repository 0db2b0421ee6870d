"""Background work after an online application (django-tasks; see settings.TASKS).

`make_receipt` and `send_confirmation` are queued right after a submission commits;
`sweep_submissions` runs hourly (core/schedule.py) and makes up for whatever did not happen
because the queue or the mail server was down. All three are safe to run more than once.
"""

from __future__ import annotations

from django_tasks import task

from rathaus.forms import receipts


@task()
def make_receipt(case_id: int) -> int:
    """Render and store the receipt PDF; returns the document id."""
    return receipts.ensure_receipt(case_id).pk


@task(queue_name="mail")
def send_confirmation(case_id: int) -> bool:
    """Mail the receipt to the applicant (once); False if there was nothing to send."""
    return receipts.send_confirmation(case_id)


@task()
def sweep_submissions() -> dict[str, int]:
    """Receipts and confirmation mails still missing for recent online applications."""
    result = receipts.sweep()
    return {"receipts": result.receipts, "mails": result.mails, "failures": result.failures}
