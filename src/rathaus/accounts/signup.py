"""Local citizen accounts: sign up, confirm the email address through a signed link, resend.

The account stays inactive until its owner follows the link. Every answer to the form is the
same whether the address is known or not (no user enumeration); what differs is only the mail
that the owner of the address receives.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts import roles
from rathaus.accounts.models import LocalSignup, User
from rathaus.core.errors import ValidationFailed
from rathaus.core.links import site_url

logger = logging.getLogger(__name__)

LINK_SALT = "rathaus.accounts.signup.verify-email"


def link_max_age() -> int:
    """Seconds a confirmation link stays valid (RATHAUS_SIGNUP_LINK_HOURS, default 48)."""
    return int(settings.RATHAUS_SIGNUP_LINK_HOURS * 3600)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _fingerprint(user: User) -> str:
    # Binds a link to the account's state: once the account is active (or the address or
    # password changed), every earlier link stops working, so a link works only once.
    state = f"{user.pk}:{user.email}:{user.password}:{user.is_active}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=LINK_SALT, compress=True)


def verification_url(user: User) -> str:
    with translation.override(user.preferred_language or "de"):
        path = reverse("accounts:signup_verify", kwargs={"token": make_token(user)})
    return site_url(path)


def _existing(email: str) -> User | None:
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .select_related("local_signup")
        .order_by("pk")
        .first()
    )


def _pending(user: User) -> LocalSignup | None:
    signup: LocalSignup | None = getattr(user, "local_signup", None)
    if signup is not None and signup.verified_at is None and not user.is_active:
        return signup
    return None


def _enqueue(kind: str, user_id: int) -> None:
    from rathaus.accounts import tasks

    # After the commit: a worker in another process must find the row.
    transaction.on_commit(lambda: tasks.send_signup_mail.enqueue(kind, user_id))


@transaction.atomic
def sign_up(
    *, first_name: str, last_name: str, email: str, password: str, language: str = "de"
) -> None:
    """Register a citizen, or (same answer) remind the owner of an existing address.

    The password is validated by the caller's form (Django's validators) before this runs.
    """
    email = normalize_email(email)
    existing = _existing(email)
    if existing is not None:
        # A pending account gets its link again; nothing of it changes, so nobody can set
        # the password of an address they do not own by registering it a second time.
        kind = "verify" if _pending(existing) else "exists"
        _enqueue(kind, existing.pk)
        logger.info("sign-up for a known address", extra={"user_id": existing.pk, "mail": kind})
        return
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=False,
        preferred_language=language if language in {"de", "en"} else "de",
    )
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.CITIZEN))
    LocalSignup.objects.create(user=user, privacy_consent_at=timezone.now())
    _enqueue("verify", user.pk)
    logger.info("citizen signed up", extra={"user_id": user.pk})


@transaction.atomic
def resend(*, email: str) -> None:
    """Send the link again if a pending account has this address; silent otherwise."""
    user = _existing(normalize_email(email))
    if user is not None and _pending(user):
        _enqueue("verify", user.pk)


@dataclass(frozen=True)
class Verified:
    user: User
    already: bool = False


@transaction.atomic
def verify(*, token: str) -> Verified:
    """Activate the account the link was made for; raises ValidationFailed naming why not."""
    try:
        data: dict[str, Any] = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            _("Der Bestätigungslink ist abgelaufen. Fordern Sie unten einen neuen an.")
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationFailed(
            _(
                "Der Bestätigungslink ist ungültig. Bitte kopieren Sie ihn vollständig "
                "aus der E-Mail."
            )
        ) from exc
    # Locks the sign-up row and its account (an inner join, which PostgreSQL can lock).
    signup = (
        LocalSignup.objects.select_for_update()
        .select_related("user")
        .filter(user_id=int(data.get("u") or 0))
        .first()
    )
    if signup is None:
        raise ValidationFailed(_("Zu diesem Bestätigungslink gibt es kein Konto (mehr)."))
    user = signup.user
    if signup.verified_at is not None:
        # Clicked twice: the first click did the work; a locked account stays locked.
        return Verified(user=user, already=True)
    if data.get("f") != _fingerprint(user):
        raise ValidationFailed(
            _("Dieser Bestätigungslink gilt nicht mehr. Fordern Sie unten einen neuen an.")
        )
    now = timezone.now()
    user.is_active = True
    user.save(update_fields=["is_active"])
    signup.verified_at = now
    signup.save(update_fields=["verified_at"])
    logger.info("citizen email verified", extra={"user_id": user.pk})
    return Verified(user=user)


UNCONFIRMED_RETENTION = datetime.timedelta(days=7)


@transaction.atomic
def purge_unconfirmed() -> int:
    """Privacy: delete accounts whose address was not confirmed within a week (or the link's
    validity, if longer); returns how many. They never signed in and own nothing."""
    keep = max(UNCONFIRMED_RETENTION, datetime.timedelta(seconds=link_max_age()))
    stale = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        local_signup__verified_at__isnull=True,
        local_signup__created_at__lt=timezone.now() - keep,
    )
    count = 0
    for user in stale:
        user.delete()
        count += 1
    if count:
        logger.info("unconfirmed sign-ups deleted", extra={"count": count})
    return count


# --- mail --------------------------------------------------------------------------------


def signup_message(kind: str, user: User, *, connection: Any = None) -> EmailMultiAlternatives:
    """The confirmation mail ("verify") or the note to an address already registered."""
    language = user.preferred_language or "de"
    with translation.override(language):
        if kind == "verify":
            subject = _("Bitte bestätigen Sie Ihre E-Mail-Adresse")
        else:
            subject = _("Sie haben bereits ein Konto")
        context = {
            "user": user,
            "kind": kind,
            "language": language,
            "subject": subject,
            "municipality": settings.RATHAUS_MUNICIPALITY,
            "site_url": settings.SITE_URL,
            "verify_url": verification_url(user) if kind == "verify" else "",
            "login_url": site_url(reverse("accounts:login")),
            "resend_url": site_url(reverse("accounts:signup_resend")),
            "hours": settings.RATHAUS_SIGNUP_LINK_HOURS,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("accounts/email/signup.txt", context),
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
            connection=connection,
        )
        message.attach_alternative(
            render_to_string("accounts/email/signup.html", context), "text/html"
        )
    return message


def send_signup_mail(*, kind: str, user_id: int) -> bool:
    """Send one sign-up mail; False when the account is gone or no longer needs it."""
    user = User.objects.select_related("local_signup").filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    if kind == "verify" and not _pending(user):
        return False  # confirmed meanwhile: a late worker sends no stale link
    with get_connection() as connection:
        signup_message(kind, user, connection=connection).send()
    return True
