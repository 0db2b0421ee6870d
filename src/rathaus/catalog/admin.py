"""The catalog in Django's admin, with the same rules as the staff UI.

Writes go through `catalog.services` (validation, history, search index); office leads may
change only their own office's services, as in the staff UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rathaus.accounts.selectors import office_scope
from rathaus.catalog import services as catalog_services
from rathaus.catalog import staff_selectors
from rathaus.catalog.forms import FIELDSETS, ServiceForm
from rathaus.catalog.models import LifeSituation, Service
from rathaus.core import errors, search
from rathaus.core.admin import GuardedHistoryAdmin


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = _("Prüfung")
    parameter_name = "pruefung"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ueberfaellig", _("überfällig")), ("aktuell", _("aktuell"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "ueberfaellig":
            return queryset.review_overdue()  # type: ignore[attr-defined]
        if self.value() == "aktuell":
            return queryset.exclude(review_due__lt=timezone.localdate())
        return queryset


@admin.register(Service)
class ServiceAdmin(GuardedHistoryAdmin):
    form = ServiceForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "leika_key", "office", "status", "maturity_level", "review_due"]
    list_filter = [
        "status",
        "topic",
        "office",
        "maturity_level",
        "maturity_level_v2",
        ReviewOverdueFilter,
    ]
    list_select_related = ["office"]
    search_fields = ["name", "leika_key"]
    readonly_fields = ["status", "published_at", "created", "modified"]
    actions = ["publish", "withdraw", "archive", "mark_reviewed"]
    fieldsets = [
        *[(legend, {"fields": names}) for legend, names in FIELDSETS],
        (_("Status"), {"fields": ["status", "published_at", "created", "modified"]}),
        (_("Änderung"), {"fields": ["change_reason"]}),
    ]

    # --- who may change what -----------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or staff_selectors.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or staff_selectors.can_edit(request.user, obj)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.publish_service")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "office":
            kwargs["queryset"] = staff_selectors.editable_offices(request.user)
            if not office_scope(request.user).all_offices:
                # Office leads must file a service under their own office, never under none.
                kwargs["required"] = True
                kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writes through the service layer ----------------------------------------------

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason") or (
            "bearbeitet (Admin)" if change else "angelegt (Admin)"
        )
        catalog_services.save_service(service=obj, changed_by=request.user, reason=reason)

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        search.remove_documents(catalog_services.SEARCH_KIND, [obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        search.remove_documents(
            catalog_services.SEARCH_KIND, list(queryset.values_list("pk", flat=True))
        )
        super().delete_queryset(request, queryset)

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet[Service],
        function: Callable[..., Service],
        **kwargs: Any,
    ) -> None:
        allowed = queryset & staff_selectors.editable_services(request.user)
        skipped = queryset.count() - allowed.count()
        done, failed = 0, []
        for service in allowed:
            try:
                function(service=service, user=request.user, **kwargs)
            except (errors.RathausError, ValidationError) as exc:
                failed.append(f"{service.name}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d Leistung geändert.", "%d Leistungen geändert.", done) % done,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d Leistung einer anderen Dienststelle übersprungen.",
                    "%d Leistungen anderer Dienststellen übersprungen.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )
        for problem in failed:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description=_("Ausgewählte veröffentlichen"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._run(request, queryset, catalog_services.publish_service)

    @admin.action(description=_("Ausgewählte zurückziehen (Entwurf)"), permissions=["publish"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._run(request, queryset, catalog_services.unpublish_service)

    @admin.action(description=_("Ausgewählte archivieren"), permissions=["publish"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._run(request, queryset, catalog_services.unpublish_service, archive=True)

    @admin.action(description=_("Ausgewählte als geprüft markieren"), permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._run(request, queryset, catalog_services.mark_reviewed)


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
