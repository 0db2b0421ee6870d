"""Background tasks of accounts (django-tasks): the sign-up mails go through the mail queue."""

from __future__ import annotations

from django_tasks import task

from rathaus.accounts import signup


@task(queue_name="mail")
def send_signup_mail(kind: str, user_id: int) -> bool:
    """The confirmation link ("verify") or the note that the address has an account ("exists")."""
    return signup.send_signup_mail(kind=kind, user_id=user_id)


@task()
def purge_unconfirmed_signups() -> int:
    """Privacy: forget sign-ups whose address was not confirmed within a week."""
    return signup.purge_unconfirmed()


@task()
def purge_saml_requests() -> int:
    """SAML AuthnRequest ids older than a day are of no use: no Response may answer them."""
    import datetime

    from django.utils import timezone

    from rathaus.accounts.models import SamlRequest

    cutoff = timezone.now() - datetime.timedelta(days=1)
    deleted, _kinds = SamlRequest.objects.filter(issued_at__lt=cutoff).delete()
    return deleted
