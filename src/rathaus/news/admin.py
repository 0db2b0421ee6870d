"""Categories and topics in the admin. Announcements and events are edited only in the news
editor (/verwaltung/aktuelles/), which sanitises their text and keeps the search index in step."""

from __future__ import annotations

from django.contrib import admin

from rathaus.news.models import Category, Topic


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "description")
