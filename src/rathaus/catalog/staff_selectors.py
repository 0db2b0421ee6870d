"""Reads for the staff UI of the catalog: what a user may see and edit, lists, history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.accounts.models import Office
from rathaus.accounts.selectors import office_scope
from rathaus.catalog.models import Service
from rathaus.catalog.selectors import services_due_for_review

EDIT_PERMISSION = "catalog.change_service"


def editable_services(user: Any) -> QuerySet[Service]:
    """The services `user` may change: all, those of their own office, or none."""
    if not user.has_perm(EDIT_PERMISSION):
        return Service.objects.none()
    return Service.objects.filter(office_scope(user).as_q("office"))


def editable_offices(user: Any) -> QuerySet[Office]:
    """The offices `user` may make responsible for a service."""
    scope = office_scope(user)
    if not user.has_perm(EDIT_PERMISSION):
        return Office.objects.none()
    if scope.all_offices:
        return Office.objects.all()
    if scope.office_id is None:
        return Office.objects.none()
    return Office.objects.filter(pk=scope.office_id)


def can_edit(user: Any, service: Service) -> bool:
    return user.has_perm(EDIT_PERMISSION) and office_scope(user).allows(service.office_id)


def with_editable_flag(qs: QuerySet[Service], user: Any) -> QuerySet[Service]:
    """Annotate `editable` so lists show edit links and buttons only where they work."""
    if not user.has_perm(EDIT_PERMISSION):
        flag: Any = Value(False)
    else:
        scope = office_scope(user)
        if scope.all_offices:
            flag = Value(True)
        elif scope.office_id is None:
            flag = Value(False)
        else:
            flag = ExpressionWrapper(Q(office_id=scope.office_id), output_field=BooleanField())
    return qs.annotate(editable=ExpressionWrapper(flag, output_field=BooleanField()))


@dataclass
class StaffFilters:
    text: str = ""
    status: str = ""
    office: str = ""  # slug
    overdue: bool = False


def staff_services(filters: StaffFilters, *, user: Any) -> QuerySet[Service]:
    """Every service (drafts and archived ones too), filtered, for the staff list."""
    qs = Service.objects.select_related("office")
    if filters.text:
        text = filters.text.strip()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(leika_key__startswith=text)
            | Q(keywords__icontains=text)
            | Q(ozg_name__icontains=text)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.office:
        qs = qs.filter(office__slug=filters.office)
    if filters.overdue:
        qs = qs.review_overdue()
    return with_editable_flag(qs.order_by("name", "pk"), user)


def overdue_services(*, user: Any) -> QuerySet[Service]:
    return with_editable_flag(services_due_for_review().order_by("review_due", "name"), user)


# --- History ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: datetime.datetime
    user: str
    reason: str
    kind: str
    compared: bool = False  # False for the oldest version: nothing to compare it with
    changes: list[FieldChange] = field(default_factory=list)


_KINDS = {
    "+": gettext_lazy("angelegt"),
    "~": gettext_lazy("geändert"),
    "-": gettext_lazy("gelöscht"),
}


def _display(
    model_field: models.Field[Any, Any] | None, value: Any, offices: dict[int, str]
) -> str:
    """A value as people read it: labels for choices, names for offices, local dates."""
    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if isinstance(model_field, models.ForeignKey) and model_field.related_model is Office:
        return offices.get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _user_label(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


def service_history(service: Service, *, page: int | str = 1, per_page: int = 20) -> Page[Any]:
    """One page of the service's versions, newest first, each with what changed."""
    records = service.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page_obj = Paginator(records, per_page).get_page(page)
    versions = list(page_obj.object_list)
    if versions:
        last = versions[-1]
        older = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
        versions.append(older)
    else:
        versions.append(None)
    office_ids = {
        value
        for record in versions
        if record is not None
        for value in [record.office_id]
        if value is not None
    }
    offices = dict(Office.objects.filter(pk__in=office_ids).values_list("pk", "name"))
    entries = []
    for record, previous in pairwise(versions):
        entry = HistoryEntry(
            date=record.history_date,
            user=_user_label(record),
            reason=record.history_change_reason or "",
            kind=str(_KINDS.get(record.history_type, record.history_type)),
        )
        if previous is not None:
            entry.compared = True
            delta = record.diff_against(previous)
            for change in sorted(delta.changes, key=lambda c: _field_order(c.field)):
                model_field = _model_field(change.field)
                entry.changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(model_field.verbose_name) if model_field else change.field,
                        old=_display(model_field, change.old, offices),
                        new=_display(model_field, change.new, offices),
                    )
                )
        entries.append(entry)
    page_obj.object_list = entries
    return page_obj


def _model_field(name: str) -> models.Field[Any, Any] | None:
    try:
        found = Service._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed from the model since that version
        return None
    return found if isinstance(found, models.Field) else None


_FIELD_ORDER = {f.name: i for i, f in enumerate(Service._meta.get_fields())}


def _field_order(name: str) -> int:
    return _FIELD_ORDER.get(name, len(_FIELD_ORDER))
