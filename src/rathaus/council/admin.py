"""The council information system in Django's admin: the technical view for the IT department.

The council office works in its own staff UI (`/verwaltung/rat/`); the admin is for
repairs and for what that UI does not cover (bodies, legislative terms, locations). Saving
here keeps the search index in step, as the services do. Objects mirrored from another
system show where they came from; the importer overwrites changes to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rathaus.council import services
from rathaus.council.models import (
    AgendaItem,
    AlertDelivery,
    AlertSubscription,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)

ORIGIN_FIELDS = ["origin", "origin_url", "created", "modified"]


class OriginFilter(admin.SimpleListFilter):
    title = _("Herkunft")
    parameter_name = "herkunft"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("eigen", _("eigene Daten")), ("gespiegelt", _("gespiegelt"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "eigen":
            return queryset.filter(origin__isnull=True)
        if self.value() == "gespiegelt":
            return queryset.filter(origin__isnull=False)
        return queryset


class CouncilAdmin(admin.ModelAdmin):
    """Common ground: origin read-only, deleted objects filterable."""

    readonly_fields = ORIGIN_FIELDS
    list_filter = [OriginFilter, "deleted"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Which search documents a saved object touches; subclasses name the keyword.
    search_sync: str = ""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if self.search_sync:
            services.sync_search_index(**{self.search_sync: [obj]})

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        if self.search_sync:
            # Many-to-many fields (bodies, originators) are part of the documents too.
            services.sync_search_index(**{self.search_sync: [form.instance]})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        if self.search_sync:
            services.sync_search_index(**{self.search_sync: [pk]})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        if self.search_sync:
            services.sync_search_index(**{self.search_sync: pks})


@admin.register(Body)
class BodyAdmin(CouncilAdmin):
    list_display = ["name", "short_name", "ags", "origin"]
    search_fields = ["name", "short_name", "ags"]


@admin.register(LegislativeTerm)
class LegislativeTermAdmin(CouncilAdmin):
    list_display = ["name", "body", "start_date", "end_date"]
    list_select_related = ["body"]


@admin.register(Location)
class LocationAdmin(CouncilAdmin):
    list_display = ["__str__", "street_address", "locality"]
    search_fields = ["description", "street_address", "room", "locality"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "person"
    extra = 0
    fields = ["organization", "role", "on_behalf_of", "voting_right", "start_date", "end_date"]
    autocomplete_fields = ["organization", "on_behalf_of"]


@admin.register(Organization)
class OrganizationAdmin(CouncilAdmin):
    list_display = ["name", "short_name", "organization_type", "classification", "end_date"]
    list_filter = ["organization_type", OriginFilter, "deleted"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sub_organization_of", "location"]


@admin.register(Person)
class PersonAdmin(CouncilAdmin):
    list_display = ["name", "family_name", "given_name", "user"]
    search_fields = ["name", "family_name", "given_name"]
    autocomplete_fields = ["user", "location"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(CouncilAdmin):
    list_display = ["person", "organization", "role", "on_behalf_of", "start_date", "end_date"]
    list_select_related = ["person", "organization", "on_behalf_of"]
    list_filter = ["organization", OriginFilter, "deleted"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["person", "organization", "on_behalf_of"]


@admin.register(File)
class FileAdmin(CouncilAdmin):
    list_display = ["__str__", "mime_type", "size", "is_public", "date"]
    list_filter = ["is_public", "mime_type", OriginFilter, "deleted"]
    search_fields = ["name", "file_name", "sha512"]
    readonly_fields = [*ORIGIN_FIELDS, "size", "sha512", "mime_type", "text_extracted_at"]
    exclude = ["text"]  # may be megabytes; the search shows what matters
    search_sync = "files"


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "number", "name", "public", "result"]
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(CouncilAdmin):
    list_display = ["name", "start", "meeting_state", "is_public", "cancelled", "video_provider"]
    list_filter = [
        "meeting_state",
        "is_public",
        "cancelled",
        "video_provider",
        OriginFilter,
        "deleted",
    ]
    search_fields = ["name"]
    date_hierarchy = "start"
    filter_horizontal = ["organizations"]
    raw_id_fields = [
        "invitation",
        "results_protocol",
        "verbatim_protocol",
        "auxiliary_files",
        "participants",
    ]
    autocomplete_fields = ["location"]
    inlines = [AgendaItemInline]
    search_sync = "meetings"


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    fields = ["faction", "yes", "no", "abstain", "person", "choice"]
    autocomplete_fields = ["faction", "person"]


class ConsultationInline(admin.TabularInline):
    model = Consultation
    fk_name = "agenda_item"
    extra = 0
    fields = ["paper", "meeting", "role", "authoritative"]
    raw_id_fields = ["paper", "meeting"]


@admin.register(AgendaItem)
class AgendaItemAdmin(CouncilAdmin):
    list_display = ["__str__", "meeting", "public", "result"]
    list_select_related = ["meeting"]
    list_filter = ["public", OriginFilter, "deleted"]
    search_fields = ["name", "meeting__name"]
    raw_id_fields = ["meeting", "resolution_file", "auxiliary_files"]
    inlines = [ConsultationInline, VoteInline]
    search_sync = "agenda_items"


@admin.register(Paper)
class PaperAdmin(CouncilAdmin):
    list_display = ["reference", "name", "paper_type", "date", "is_public", "inquiry_status"]
    list_filter = ["paper_type", "is_public", "inquiry_status", OriginFilter, "deleted"]
    search_fields = ["reference", "name"]
    date_hierarchy = "date"
    raw_id_fields = [
        "main_file",
        "auxiliary_files",
        "answer_file",
        "related_papers",
        "superordinated_papers",
        "originator_persons",
        "under_direction_of",
        "originator_organizations",
        "locations",
    ]
    search_sync = "papers"


@admin.register(Consultation)
class ConsultationAdmin(CouncilAdmin):
    list_display = ["__str__", "role", "authoritative"]
    raw_id_fields = ["paper", "agenda_item", "meeting", "organizations"]


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):
    """For support requests ("please stop writing to me"): find an address and delete it."""

    list_display = ["email", "kind", "target_key", "confirmed_at", "last_sent_at"]
    list_filter = ["kind", "language"]
    search_fields = ["email"]
    readonly_fields = [
        "target_key",
        "token",
        "consent_text",
        "consent_at",
        "requested_at",
        "confirmed_at",
        "last_sent_at",
    ]
    raw_id_fields = ["organization", "paper", "person"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only the subscriber can subscribe (double opt-in)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscription", "kind", "created", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["subscription"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
