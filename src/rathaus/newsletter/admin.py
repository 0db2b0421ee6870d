"""Admin: read-mostly views for operators; all writes of substance go through the services."""

from __future__ import annotations

from django.contrib import admin

from rathaus.newsletter.models import Bounce, Delivery, Issue, IssueItem, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "language", "consent_at", "confirmed_at", "bounce_count")
    list_filter = ("status", "language", "topics")
    search_fields = ("email",)
    readonly_fields = (
        "token",
        "consent_text",
        "consent_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "last_bounce_at",
    )


@admin.register(Bounce)
class BounceAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "kind", "status", "received_at", "source")
    list_filter = ("kind",)
    readonly_fields = ("subscriber", "kind", "status", "diagnostic", "received_at", "source")


class IssueItemInline(admin.TabularInline):
    model = IssueItem
    extra = 0
    raw_id_fields = ("announcement",)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("subject", "status", "recipient_count", "sent_at", "created")
    list_filter = ("status",)
    inlines = [IssueItemInline]
    readonly_fields = ("status", "snapshot_at", "recipient_count", "sent_at", "send_requested_at")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("issue", "subscriber", "state", "attempts", "sent_at")
    list_filter = ("state", "issue")
    raw_id_fields = ("issue", "subscriber")
    readonly_fields = ("state", "attempts", "claimed_at", "sent_at", "error")
