"""Accounts signed in through an identity provider (OpenID Connect, SAML 2.0).

One rule for both protocols: an identity is (issuer, subject). It links to exactly one account;
a new identity makes a new citizen account. An email address asserted by a provider never
links an existing account, or any provider could take over any account by claiming its address.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth import login
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts import roles
from rathaus.accounts.models import ExternalIdentity, User
from rathaus.accounts.trust import set_trust_level
from rathaus.catalog.maturity import TrustLevel
from rathaus.core.errors import PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)

# Assurance levels as identity providers name them. eIDAS (Regulation 910/2014) has three
# levels; the STORK QAA levels that BundID and older German portals send have four, of which
# 1 and 2 are "basic" (registration without proof of identity), 3 "substantial" (e.g. the
# ELSTER certificate) and 4 "high" (eID card).
CONTEXT_LEVELS: dict[str, str] = {
    "http://eidas.europa.eu/LoA/low": TrustLevel.LOW,
    "http://eidas.europa.eu/LoA/substantial": TrustLevel.SUBSTANTIAL,
    "http://eidas.europa.eu/LoA/high": TrustLevel.HIGH,
    "http://eidas.europa.eu/NotNotified/LoA/low": TrustLevel.LOW,
    "http://eidas.europa.eu/NotNotified/LoA/substantial": TrustLevel.SUBSTANTIAL,
    "http://eidas.europa.eu/NotNotified/LoA/high": TrustLevel.HIGH,
    "STORK-QAA-Level-1": TrustLevel.LOW,
    "STORK-QAA-Level-2": TrustLevel.LOW,
    "STORK-QAA-Level-3": TrustLevel.SUBSTANTIAL,
    "STORK-QAA-Level-4": TrustLevel.HIGH,
    "urn:eu:stork:names:tc:STORK:1.0:assertion:QAA-Level-1": TrustLevel.LOW,
    "urn:eu:stork:names:tc:STORK:1.0:assertion:QAA-Level-2": TrustLevel.LOW,
    "urn:eu:stork:names:tc:STORK:1.0:assertion:QAA-Level-3": TrustLevel.SUBSTANTIAL,
    "urn:eu:stork:names:tc:STORK:1.0:assertion:QAA-Level-4": TrustLevel.HIGH,
}


def parse_levels(text: str, *, setting: str) -> dict[str, str]:
    """Read "value=level,value=level" from a setting; names the faulty pair if one is wrong."""
    levels: dict[str, str] = {}
    for raw in text.split(","):
        pair = raw.strip()
        if not pair:
            continue
        value, sep, level = pair.rpartition("=")
        level = level.strip()
        if not sep or not value.strip() or level not in TrustLevel.values or not level:
            raise ValidationFailed(
                _(
                    "%(setting)s: „%(pair)s“ ist keine Zuordnung „Wert=Niveau“ mit einem der "
                    "Niveaus niedrig, substantiell, hoch."
                )
                % {"setting": setting, "pair": pair}
            )
        levels[value.strip()] = level
    return levels


def level_for(value: str, *, extra: dict[str, str], default: str = TrustLevel.NONE) -> str:
    """The trust level of an `acr` or AuthnContextClassRef value; `default` if unknown."""
    value = (value or "").strip()
    if value in extra:
        return extra[value]
    return CONTEXT_LEVELS.get(value, default)


@dataclass(frozen=True)
class Asserted:
    """What an identity provider told us about the person signing in."""

    protocol: str
    issuer: str
    subject: str
    trust_level: str
    authn_context: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""


def _username(asserted: Asserted) -> str:
    # Stable, unique and free of personal data; the subject itself may be long or a
    # pseudonym the provider prefers to keep out of logs and the admin list.
    digest = hashlib.sha256(f"{asserted.issuer}\n{asserted.subject}".encode()).hexdigest()
    return f"{asserted.protocol}-{digest[:24]}"


def _new_user(asserted: Asserted) -> User:
    user = User(
        username=_username(asserted),
        email=asserted.email.strip().lower(),
        first_name=asserted.first_name[:150],
        last_name=asserted.last_name[:150],
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=roles.CITIZEN))
    return user


def link(asserted: Asserted) -> User:
    """The account of this identity, made on its first sign-in; updates the identity record."""
    if not asserted.issuer or not asserted.subject:
        raise ValidationFailed(_("Der Anmeldedienst hat keine Kennung der Person übermittelt."))
    now = timezone.now()
    try:
        with transaction.atomic():
            identity = (
                ExternalIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=asserted.issuer, subject=asserted.subject)
                .first()
            )
            if identity is None:
                user = _new_user(asserted)
                identity = ExternalIdentity(
                    user=user,
                    protocol=asserted.protocol,
                    issuer=asserted.issuer,
                    subject=asserted.subject,
                )
                logger.info("external identity linked to a new account", extra={"user_id": user.pk})
            else:
                user = identity.user
                # Fill what the account lacks; what the person changed here stays theirs.
                fresh = {
                    "first_name": asserted.first_name[:150],
                    "last_name": asserted.last_name[:150],
                    "email": asserted.email.strip().lower(),
                }
                changed = [
                    name for name, value in fresh.items() if value and not getattr(user, name)
                ]
                for name in changed:
                    setattr(user, name, fresh[name])
                if changed:
                    user.save(update_fields=changed)
            if not user.is_active:
                raise PermissionDenied(_("Dieses Konto ist gesperrt."))
            identity.last_trust_level = asserted.trust_level
            identity.last_authn_context = asserted.authn_context[:500]
            identity.last_sign_in_at = now
            identity.save()
    except IntegrityError:
        # Two first sign-ins of the same identity at once: the other one made the account.
        return link(asserted)
    return user


def establish(request: HttpRequest, user: User, trust_level: str) -> None:
    """Sign the browser in as `user` with the level the provider asserted for this sign-in."""
    # Such accounts have no password: ModelBackend only loads them by id on later requests.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    set_trust_level(request, trust_level)


def sign_in(request: HttpRequest, asserted: Asserted) -> User:
    """Link the identity and sign the browser in."""
    user = link(asserted)
    establish(request, user, asserted.trust_level)
    return user
