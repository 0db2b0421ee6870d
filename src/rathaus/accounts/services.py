"""Writes for accounts: the second factor (TOTP app and backup codes)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator-App"
BACKUP_DEVICE_NAME = "Sicherungscodes"


def normalize_code(code: str) -> str:
    """People type codes with spaces or dashes ("123 456", "abcd-efgh"); ignore those."""
    return "".join(ch for ch in code.strip().lower() if ch not in " -\t")


def _new_backup_token() -> str:
    # Backup codes must never look like a TOTP code, so a typed code picks exactly one
    # device and a wrong guess does not throttle the other one.
    while True:
        token = StaticToken.random_token()
        if not token.isdigit():
            return token


def _refusal(device: Device) -> str | None:
    """Why a code may not be checked now (django-otp's exponential back-off), or None."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    info = info or {}
    if info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and info.get("locked_until"):
        until = formats.time_format(timezone.localtime(info["locked_until"]), "H:i:s")
        return _(
            "Zu viele falsche Codes hintereinander. Bitte warten Sie bis %(time)s Uhr "
            "und versuchen Sie es dann erneut."
        ) % {"time": until}
    return _("Die Prüfung des Codes ist vorübergehend gesperrt.")


def _check(device: Device, code: str, *, user: Any) -> str | None:
    """Verify `code` on a device locked for update; returns an error message or None.

    It returns rather than raises: the caller must let the transaction commit, or the
    failure that `verify_token` counted on the device (the throttle) would be rolled back.
    """
    if refusal := _refusal(device):
        return refusal
    if device.verify_token(code):
        return None
    logger.warning(
        "second factor rejected", extra={"user_id": user.pk, "device": device.persistent_id}
    )
    return _(
        "Der Code ist falsch oder abgelaufen. Bitte geben Sie den aktuellen Code "
        "aus Ihrer Authenticator-App oder einen unbenutzten Sicherungscode ein."
    )


@transaction.atomic
def start_totp_setup(*, user: Any) -> TOTPDevice:
    """The unconfirmed device whose secret the setup page shows (reused until confirmed)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _replace_backup_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [_new_backup_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_totp_setup(*, user: Any, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the new app with a code it shows; returns the device and fresh backup codes.

    A confirmed device replaces any earlier one (a new phone), and old backup codes stop working.
    """
    code = normalize_code(code)
    if not code:
        raise ValidationFailed(_("Bitte geben Sie den Code aus Ihrer Authenticator-App ein."))
    codes: list[str] = []
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        error: str | None
        if device is None:
            error = _("Es wird gerade keine Authenticator-App eingerichtet.")
        else:
            error = _check(device, code, user=user)
        if error is None and device is not None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _replace_backup_codes(user)
    if error is not None or device is None:
        raise ValidationFailed(error or "")
    logger.info("second factor set up", extra={"user_id": user.pk})
    return device, codes


@transaction.atomic
def regenerate_backup_codes(*, user: Any) -> list[str]:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationFailed(_("Richten Sie zuerst eine Authenticator-App ein."))
    return _replace_backup_codes(user)


def verify_second_factor(*, user: Any, code: str) -> Device:
    """Check a code from the app (digits) or a backup code (letters and digits).

    The device is locked for the check so parallel guesses cannot slip past the throttle.
    """
    code = normalize_code(code)
    if not code:
        raise ValidationFailed(_("Bitte geben Sie einen Code ein."))
    with transaction.atomic():
        totp = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("-pk")
            .first()
        )
        device: Device | None = totp
        if not code.isdigit():
            device = (
                StaticDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-pk")
                .first()
            )
        if totp is None or device is None:
            error: str | None = _(
                "Für Ihr Konto ist noch kein zweiter Faktor eingerichtet "
                "oder dieser Code passt zu keinem Verfahren."
            )
        else:
            error = _check(device, code, user=user)
    if error is not None or device is None:
        raise ValidationFailed(error or "")
    return device


# --- password sign-in throttling ---------------------------------------------------------
# Per account name, not per IP address (none is stored): after SIGN_IN_MAX_FAILURES wrong
# passwords the account takes no password for SIGN_IN_LOCK_SECONDS, which stops guessing
# without locking the owner out for long. The cache is shared by all web processes in the
# scale-out setup (Redis); the embedded default counts per process.
SIGN_IN_MAX_FAILURES = 10
SIGN_IN_LOCK_SECONDS = 15 * 60


def _sign_in_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"accounts:sign-in-failures:{digest}"


def sign_in_blocked(username: str) -> bool:
    return int(cache.get(_sign_in_key(username), 0)) >= SIGN_IN_MAX_FAILURES


def record_failed_sign_in(username: str) -> int:
    key = _sign_in_key(username)
    cache.add(key, 0, SIGN_IN_LOCK_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, SIGN_IN_LOCK_SECONDS)
        failures = 1
    if failures >= SIGN_IN_MAX_FAILURES:
        logger.warning("sign-in locked after repeated failures", extra={"failures": failures})
    return int(failures)


def clear_sign_in_failures(username: str) -> None:
    cache.delete(_sign_in_key(username))
