"""Reads about users: their roles, the offices they act for, their second factor, their areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import roles


@dataclass(frozen=True)
class OfficeScope:
    """The offices a user acts for: all of them, one, or none."""

    all_offices: bool = False
    office_id: int | None = None

    def allows(self, office_id: int | None) -> bool:
        if self.all_offices:
            return True
        return self.office_id is not None and office_id == self.office_id

    def as_q(self, field: str = "office") -> Q:
        """A filter for querysets whose `field` points at an Office."""
        if self.all_offices:
            return Q()
        if self.office_id is None:
            return Q(pk__in=[])
        return Q(**{f"{field}_id": self.office_id})


def role_names(user: Any) -> list[str]:
    """The user's role groups, in the order roles.py defines them."""
    if not getattr(user, "is_authenticated", False):
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in roles.ROLE_LABELS if role in names]


def role_labels(user: Any) -> list[str]:
    return [str(roles.ROLE_LABELS[name]) for name in role_names(user)]


def office_scope(user: Any) -> OfficeScope:
    """Office leads and clerks act for their own office; some roles act for all of them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OfficeScope()
    if user.is_superuser:
        return OfficeScope(all_offices=True)
    if user.groups.filter(name__in=roles.ALL_OFFICES_ROLES).exists():
        return OfficeScope(all_offices=True)
    return OfficeScope(office_id=user.office_id)


# --- Second factor ----------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Staff need a verified TOTP code for staff pages; citizens never do."""
    if not settings.RATHAUS_STAFF_SECOND_FACTOR:
        return False
    return bool(getattr(user, "is_authenticated", False) and user.is_staff_member)


def is_verified(user: Any) -> bool:
    """True when OTPMiddleware found a device verified in this session."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_confirmed_device(user: Any) -> bool:
    return bool(user_has_device(user, confirmed=True))


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def backup_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def second_factor_url(user: Any, *, next_url: str = "") -> str:
    """Where an unverified staff member goes: set up a device first, or enter a code."""
    name = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_setup"
    return _with_next(reverse(name), next_url)


@dataclass(frozen=True)
class SecondFactorStatus:
    required: bool
    has_device: bool
    verified: bool
    backup_codes_left: int


def second_factor_status(user: Any) -> SecondFactorStatus:
    has_device = confirmed_totp_device(user) is not None
    return SecondFactorStatus(
        required=second_factor_required(user),
        has_device=has_device,
        verified=is_verified(user),
        backup_codes_left=backup_codes_left(user) if has_device else 0,
    )


# --- Staff areas ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffArea:
    label: str | Promise
    url_name: str
    permission: str
    description: str | Promise = ""


# Every pillar adds its staff pages here; the account page lists those the user may open.
STAFF_AREAS: list[StaffArea] = [
    StaffArea(
        _("Leistungen verwalten"),
        "catalog_staff:list",
        "catalog.view_service",
        _("Leistungskatalog bearbeiten, veröffentlichen und prüfen."),
    ),
    StaffArea(
        _("Prüfung überfällig"),
        "catalog_staff:overdue",
        "catalog.view_service",
        _("Leistungen, deren Prüftermin verstrichen ist."),
    ),
    StaffArea(
        _("Vorgänge"),
        "cases:inbox",
        "cases.work_case",
        _("Posteingang, Bearbeitung, Fristen, Bescheide; Eingang von Papieranträgen erfassen."),
    ),
    StaffArea(
        _("Ratsbüro"),
        "council_staff:index",
        "council.view_meeting",
        _("Sitzungen, Tagesordnungen, Drucksachen, Einladungen und Niederschriften."),
    ),
    StaffArea(
        _("Anfragen und Anträge"),
        "council_staff:inquiry_list",
        "council.view_paper",
        _("Offene und überfällige Anfragen und Anträge beantworten."),
    ),
    StaffArea(
        _("Online-Formulare"),
        "forms_staff:list",
        "forms.view_formdefinition",
        _("Formulare für Online-Anträge anlegen, mit Vorschau bearbeiten und veröffentlichen."),
    ),
]


@dataclass(frozen=True)
class AreaLink:
    label: str | Promise
    url: str
    description: str | Promise = ""


def staff_areas_for(user: Any) -> list[AreaLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = [
        AreaLink(area.label, reverse(area.url_name), area.description)
        for area in STAFF_AREAS
        if user.has_perm(area.permission)
    ]
    if user.is_active and user.is_staff:
        links.append(
            AreaLink(
                _("Technische Verwaltung (Django-Admin)"),
                reverse("admin:index"),
                _("Stammdaten, Benutzer, Dienststellen und Versionsverlauf."),
            )
        )
    return links


def active_emails(users: QuerySet[Any]) -> list[str]:
    """The addresses of the active users among `users`, each once, sorted."""
    return sorted(
        set(users.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )
