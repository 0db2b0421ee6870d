"""The technical admin: definitions and versions to look at, drafts to find. Editing forms
happens in the staff editor (/verwaltung/formulare/), which validates and publishes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rathaus.forms.models import Draft, FormDefinition, FormVersion


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ["number", "status", "fee_cents", "created", "published_at", "published_by"]
    readonly_fields = ["number", "status", "fee_cents", "created", "published_at", "published_by"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "office", "service", "min_trust_level", "is_active"]
    list_filter = ["is_active", "office"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["service"]
    inlines = [FormVersionInline]


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["definition", "number", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["definition__title"]
    readonly_fields = ["definition", "number", "status", "published_at", "published_by", "created"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Frozen once published; drafts are edited in the staff editor with its checks.
        return False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Drafts hold personal data: listed for support, never edited here."""

    list_display = ["pk", "version", "owner", "step", "modified", "expires_at", "submitted_at"]
    list_filter = ["submitted_at"]
    fields = ["version", "owner", "step", "trust_level", "modified", "expires_at", "submitted_at"]
    readonly_fields = [
        "version",
        "owner",
        "step",
        "trust_level",
        "modified",
        "expires_at",
        "submitted_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
