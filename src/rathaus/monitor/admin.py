"""Strategy, devices and headcounts can also be kept in the admin (the staff pages under
/verwaltung/digitalisierung/ are the everyday way); figures, audits and accessibility
statements are written by the monitor and its pages and shown here read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rathaus.monitor.models import (
    AccessibilityStatement,
    AuditRun,
    Device,
    Goal,
    Headcount,
    Measure,
    MetricSnapshot,
    ProgressNote,
    Strategy,
)


class GoalInline(admin.TabularInline[Goal, Strategy]):
    model = Goal
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin[Strategy]):
    list_display = ["title", "adopted_on"]
    inlines = [GoalInline]


class ProgressNoteInline(admin.TabularInline[ProgressNote, Measure]):
    model = ProgressNote
    extra = 1
    fields = ["day", "percent", "text"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin[Measure]):
    list_display = ["title", "goal", "owner", "status", "due_date", "ozg", "sdg_9c", "public"]
    list_filter = ["status", "ozg", "sdg_9c", "public", "goal__strategy"]
    search_fields = ["title", "description"]
    inlines = [ProgressNoteInline]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ["inventory_number", "kind", "office", "home_office_capable", "warranty_until"]
    list_filter = ["kind", "home_office_capable", "source", "office"]
    search_fields = ["inventory_number", "model_name", "holder"]


@admin.register(Headcount)
class HeadcountAdmin(admin.ModelAdmin[Headcount]):
    list_display = ["office", "as_of", "staff"]
    list_filter = ["office"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["metric_id", "day", "value"]
    list_filter = ["metric_id"]
    date_hierarchy = "day"


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "error"]


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(ReadOnlyAdmin):
    list_display = ["prepared_on", "status", "compliance", "audited_on", "released_at"]
    list_filter = ["status", "compliance"]
