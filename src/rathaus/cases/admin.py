"""Cases in Django's admin: read-only. Every change goes through the back office (services),
which keeps the audit trail and the optimistic lock; the admin only looks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rathaus.cases.models import Case, CaseEvent, LetterTemplate


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "actor_name", "action", "summary", "before", "after")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "office", "channel", "state", "received_at", "due_date"]
    list_filter = ["state", "channel", "office"]
    search_fields = ["reference"]
    date_hierarchy = "received_at"
    list_select_related = ["office"]
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "subject", "is_active"]
    list_filter = ["is_active", "office"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from rathaus.cases import services

        services.save_letter_template(obj, actor=request.user)  # type: ignore[arg-type]
