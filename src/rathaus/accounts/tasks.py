"""Background tasks of accounts (django-tasks): the sign-up mails go through the mail queue."""

from __future__ import annotations

from django_tasks import task

from rathaus.accounts import signup


@task(queue_name="mail")
def send_signup_mail(kind: str, user_id: int) -> bool:
    """The confirmation link ("verify") or the note that the address has an account ("exists")."""
    return signup.send_signup_mail(kind=kind, user_id=user_id)
