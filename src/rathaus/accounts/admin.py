from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import ExternalIdentity, LocalSignup, Office, User
from rathaus.core.admin import GuardedHistoryAdmin

admin.site.site_header = _("Rathaus · Verwaltung")
admin.site.site_title = _("Rathaus")
admin.site.index_title = _("Stammdaten und Benutzer")


def _login_via_site(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """One sign-in page for everyone: the admin's own form knows nothing of the second factor.

    After the password, StaffSecondFactorMiddleware asks staff for their code before /admin/.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(next_url, login_url=reverse("accounts:login"))


admin.site.login = _login_via_site  # type: ignore[method-assign]


@admin.register(Office)
class OfficeAdmin(GuardedHistoryAdmin):
    list_display = ["name", "short_name", "parent", "phone", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["parent"]
    search_fields = ["name", "short_name", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "parent"]}),
        (_("Anschrift"), {"fields": ["street", "postal_code", "city", "room"]}),
        (_("Kontakt"), {"fields": ["opening_hours", "phone", "email", "website"]}),
        (_("Barrierefreiheit"), {"fields": ["accessibility"]}),
    ]


class ExternalIdentityInline(admin.TabularInline):
    """Sign-ins through BundID or a state account; support may unlink one, never add one."""

    model = ExternalIdentity
    extra = 0
    fields = ("protocol", "issuer", "subject", "last_trust_level", "last_sign_in_at")
    readonly_fields = ("protocol", "issuer", "subject", "last_trust_level", "last_sign_in_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LocalSignupInline(admin.StackedInline):
    model = LocalSignup
    extra = 0
    can_delete = False
    fields = ("created_at", "privacy_consent_at", "verified_at")
    readonly_fields = ("created_at", "privacy_consent_at", "verified_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [LocalSignupInline, ExternalIdentityInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "office"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "office"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or []),
        (_("Verwaltung"), {"fields": ["office", "preferred_language"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Verwaltung"), {"fields": ["email", "office"]}),
    ]
