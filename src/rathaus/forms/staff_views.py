"""Staff editor of online forms: list, create, settings, edit a draft version with a live
preview, publish, new version, retire. Thin: the rules live in services and the engine.

Every view fetches the definition through `selectors.editable_definition`, so the address of
another office's form answers 404 whatever the templates show.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.staff_views import staff_view
from rathaus.core import errors
from rathaus.core.errors import Problem
from rathaus.forms import engine, selectors, services
from rathaus.forms.forms import DefinitionForm, VersionForm
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.forms.widgets import bind


def _definition(request: HttpRequest, pk: int) -> FormDefinition:
    try:
        return selectors.editable_definition(request.user, pk)
    except errors.NotFound as exc:
        raise Http404(exc.message) from None


def _offices(request: HttpRequest) -> Any:
    from rathaus.accounts.models import Office
    from rathaus.accounts.selectors import office_scope

    scope = office_scope(request.user)
    if scope.all_offices:
        return Office.objects.all()
    return Office.objects.filter(pk=scope.office_id) if scope.office_id else Office.objects.none()


@staff_view("forms.view_formdefinition")
def definition_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for definition in selectors.staff_definitions(request.user):
        versions = sorted(definition.versions.all(), key=lambda v: -v.number)
        published = next((v for v in versions if v.status == FormVersion.Status.PUBLISHED), None)
        draft = next((v for v in versions if v.status == FormVersion.Status.DRAFT), None)
        rows.append({"definition": definition, "published": published, "draft": draft})
    return render(request, "forms/staff/list.html", {"rows": rows})


@staff_view("forms.add_formdefinition")
def definition_create(request: HttpRequest) -> HttpResponse:
    form = DefinitionForm(request.POST or None, offices=_offices(request))
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.create_definition(
                definition=form.save(commit=False), user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except errors.PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        else:
            messages.success(
                request,
                _("„%(title)s“ ist angelegt. Version 1 ist ein Entwurf zum Bearbeiten.")
                % {"title": definition.title},
            )
            return redirect("forms_staff:version", pk=definition.pk, number=1)
    return render(request, "forms/staff/definition_form.html", {"form": form, "definition": None})


@staff_view("forms.view_formdefinition")
def definition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    form = DefinitionForm(request.POST or None, instance=definition, offices=_offices(request))
    if request.method == "POST":
        if not request.user.has_perm("forms.change_formdefinition"):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.update_definition(
                        definition=form.save(commit=False), user=request.user
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Die Einstellungen sind gespeichert."))
                return redirect("forms_staff:detail", pk=definition.pk)
        definition.refresh_from_db()
    context = {
        "definition": definition,
        "form": form,
        "versions": definition.versions.order_by("-number"),
        "published": definition.published_version,
        "draft": selectors.draft_version(definition),
    }
    return render(request, "forms/staff/definition_form.html", context)


def _version(definition: FormDefinition, number: int) -> FormVersion:
    version = definition.versions.filter(number=number).first()
    if version is None:
        raise Http404(_("Diese Version gibt es nicht."))
    version.definition = definition
    return version


def _preview(definition: FormDefinition, schema: Any, ui: Any) -> list[dict[str, Any]]:
    """Every step as the citizen would see it, from documents that may not be saved yet."""
    version = FormVersion(definition=definition, schema=schema, ui=ui)
    known = engine.fields_by_name(version)
    return [
        {
            "step": step,
            "fields": bind(step.fields, {}, all_fields=known, prefix=f"vorschau-{step.position}-"),
        }
        for step in engine.steps(version)
    ]


@staff_view("forms.view_formversion")
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition = _definition(request, pk)
    version = _version(definition, number)
    editable = version.status == FormVersion.Status.DRAFT and request.user.has_perm(
        "forms.change_formversion"
    )
    initial = VersionForm.initial_for(
        version.schema, version.ui, version.fee_cents, version.fee_label
    )
    form = VersionForm(request.POST or None, initial=initial)
    schema, ui = version.schema, version.ui
    if request.method == "POST":
        if not editable:
            raise DjangoPermissionDenied
        if form.is_valid():
            schema, ui = form.cleaned_data["schema"], form.cleaned_data["ui"]
            if request.POST.get("action") == "save":
                try:
                    services.save_version(
                        version=version,
                        schema=schema,
                        ui=ui,
                        fee_cents=form.cleaned_data["fee_cents"],
                        fee_label=form.cleaned_data["fee_label"],
                        user=request.user,
                    )
                except errors.RathausError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request, _("Version %(n)d ist gespeichert.") % {"n": version.number}
                    )
                    return redirect("forms_staff:version", pk=definition.pk, number=number)
        else:
            schema, ui = None, None  # no preview of text that is no JSON
    return _render_editor(
        request, definition, version, form, schema=schema, ui=ui, editable=editable
    )


def _render_editor(
    request: HttpRequest,
    definition: FormDefinition,
    version: FormVersion,
    form: VersionForm,
    *,
    schema: Any,
    ui: Any,
    editable: bool,
    publish_problems: list[Problem] | None = None,
) -> HttpResponse:
    previewable = schema is not None and ui is not None
    context = {
        "definition": definition,
        "version": version,
        "form": form,
        "editable": editable,
        "preview": _preview(definition, schema, ui) if previewable else None,
        "problems": engine.check_definition(schema, ui) if previewable else [],
        "publish_problems": publish_problems or [],
    }
    return render(request, "forms/staff/version_form.html", context)


@require_POST
@staff_view("forms.change_formversion")
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition = _definition(request, pk)
    version = _version(definition, number)
    try:
        services.publish_version(version=version, user=request.user)
    except errors.ValidationFailed as exc:
        form = VersionForm(
            initial=VersionForm.initial_for(
                version.schema, version.ui, version.fee_cents, version.fee_label
            )
        )
        problems = [Problem(exc.message), *exc.problems]
        return _render_editor(
            request,
            definition,
            version,
            form,
            schema=version.schema,
            ui=version.ui,
            editable=True,
            publish_problems=problems,
        )
    except errors.PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except (errors.RathausError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))  # type: ignore[union-attr]
        return redirect("forms_staff:version", pk=definition.pk, number=number)
    messages.success(
        request,
        _("Version %(n)d von „%(title)s“ ist veröffentlicht.")
        % {"n": version.number, "title": definition.title},
    )
    return redirect("forms_staff:detail", pk=definition.pk)


@require_POST
@staff_view("forms.add_formversion")
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    version = services.new_version(definition=definition, user=request.user)
    return redirect("forms_staff:version", pk=definition.pk, number=version.number)


@require_POST
@staff_view("forms.change_formversion")
def definition_retire(request: HttpRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    try:
        services.retire_definition(definition=definition, user=request.user)
    except errors.PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except errors.RathausError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("„%(title)s“ ist zurückgezogen; neue Anträge sind nicht mehr möglich.")
            % {"title": definition.title},
        )
    return redirect("forms_staff:detail", pk=definition.pk)
