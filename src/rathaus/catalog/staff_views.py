"""Staff UI of the catalog: list, edit, publish, review, history. Thin: rules live elsewhere.

Who may edit which service is decided by `staff_selectors.editable_services`; every view that
changes a service fetches it from there, so a typed-in address of another office's service
answers 404 whatever the templates show.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rathaus.accounts.selectors import office_scope
from rathaus.accounts.views import safe_next
from rathaus.catalog import services as catalog_services
from rathaus.catalog import staff_selectors
from rathaus.catalog.forms import ServiceForm, StaffFilterForm
from rathaus.catalog.models import Service
from rathaus.core import errors

PER_PAGE = 25
View = Callable[..., HttpResponse]


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; signed-in users without `perm` get 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


@staff_view("catalog.view_service")
def service_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    services = staff_selectors.staff_services(form.filters(), user=request.user)
    page = Paginator(services, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/service_list.html", {"form": form, "page": page})


@staff_view("catalog.view_service")
def overdue(request: HttpRequest) -> HttpResponse:
    services = staff_selectors.overdue_services(user=request.user)
    page = Paginator(services, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/overdue.html", {"page": page})


@staff_view("catalog.add_service")
def service_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Service())


@staff_view("catalog.change_service")
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(staff_selectors.editable_services(request.user), pk=pk)
    return _edit(request, service)


def _edit(request: HttpRequest, service: Service) -> HttpResponse:
    user = request.user
    form = ServiceForm(
        request.POST or None,
        # A copy: validation writes the posted values into the form's instance, and the
        # page header must keep showing the stored state next to the errors.
        instance=copy.copy(service),
        offices=staff_selectors.editable_offices(user),
        own_office_only=not office_scope(user).all_offices,
    )
    if request.method == "POST" and form.is_valid() and _save(form, user):
        messages.success(
            request, _("Die Leistung „%(name)s“ ist gespeichert.") % {"name": form.instance.name}
        )
        return redirect("catalog_staff:edit", pk=form.instance.pk)
    return render(request, "staff/service_form.html", {"form": form, "service": service})


def _save(form: ServiceForm, user: Any) -> bool:
    """Store through the service layer (validation, history, search index) in one transaction."""
    is_new = form.instance.pk is None
    # Stored data, not UI text: the history reads the same in either language.
    reason = form.cleaned_data.get("change_reason") or ("angelegt" if is_new else "bearbeitet")
    try:
        with transaction.atomic():
            service = form.save(commit=False)
            catalog_services.save_service(service=service, changed_by=user, reason=reason)
            form.save_m2m()
    except errors.ValidationFailed as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        _add_model_errors(form, exc)
    else:
        return True
    if is_new:
        form.instance.pk = None  # rolled back: the form must still create, not update
    return False


def _add_model_errors(form: ServiceForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, field_errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, field_errors)


ACTIONS: dict[str, tuple[Callable[..., Service], dict[str, Any], str | Promise]] = {
    "publish": (
        catalog_services.publish_service,
        {},
        gettext_lazy("„%(name)s“ ist veröffentlicht."),
    ),
    "withdraw": (
        catalog_services.unpublish_service,
        {},
        gettext_lazy("„%(name)s“ ist zurückgezogen und wieder ein Entwurf."),
    ),
    "archive": (
        catalog_services.unpublish_service,
        {"archive": True},
        gettext_lazy("„%(name)s“ ist archiviert."),
    ),
}


@require_POST
@staff_view("catalog.change_service")
def service_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS and action != "reviewed":
        raise Http404
    service = get_object_or_404(staff_selectors.editable_services(request.user), pk=pk)
    next_url = safe_next(request, default=service_edit_url(service))
    try:
        if action == "reviewed":
            service = catalog_services.mark_reviewed(service=service, user=request.user)
            message = _("„%(name)s“ ist geprüft; nächste Prüfung am %(date)s.") % {
                "name": service.name,
                "date": formats.date_format(service.review_due, "SHORT_DATE_FORMAT")
                if service.review_due
                else "—",
            }
        else:
            function, kwargs, template = ACTIONS[action]
            service = function(service=service, user=request.user, **kwargs)
            message = str(template) % {"name": service.name}
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(
            request,
            _("„%(name)s“ ist unvollständig: %(errors)s")
            % {"name": service.name, "errors": " ".join(exc.messages)},
        )
    else:
        messages.success(request, message)
    return HttpResponseRedirect(next_url)


def service_edit_url(service: Service) -> str:
    return reverse("catalog_staff:edit", kwargs={"pk": service.pk})


@staff_view("catalog.view_service")
def service_history(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("office"), pk=pk)
    page = staff_selectors.service_history(service, page=request.GET.get("page") or 1)
    context = {
        "service": service,
        "page": page,
        "editable": staff_selectors.can_edit(request.user, service),
    }
    return render(request, "staff/service_history.html", context)
