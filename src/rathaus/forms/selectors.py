"""Reads of the forms app: what the citizen pages, the account page and the editor show."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from rathaus.accounts.selectors import office_scope
from rathaus.core.errors import NotFound
from rathaus.forms.models import Draft, FormDefinition, FormVersion


def startable_forms() -> QuerySet[FormDefinition]:
    """Active definitions with a published version: the forms citizens can start."""
    return FormDefinition.objects.filter(
        is_active=True, versions__status=FormVersion.Status.PUBLISHED
    ).distinct()


def form_for_start(slug: str) -> tuple[FormDefinition, FormVersion]:
    """The definition and the version a new application starts on; NotFound otherwise."""
    definition = (
        FormDefinition.objects.select_related("service", "office")
        .filter(slug=slug, is_active=True)
        .first()
    )
    version = definition.published_version if definition is not None else None
    if definition is None or version is None:
        raise NotFound("Dieses Online-Formular gibt es nicht (mehr).")
    version.definition = definition  # the engine reads the title; no second query
    return definition, version


def draft_by_token(token: str) -> Draft | None:
    return (
        Draft.objects.select_related(
            "version", "version__definition", "version__definition__service", "case"
        )
        .filter(resume_token=token)
        .first()
    )


def open_drafts(user: Any) -> QuerySet[Draft]:
    """The signed-in citizen's applications in progress, newest first ("Meine Anträge")."""
    if not getattr(user, "is_authenticated", False):
        return Draft.objects.none()
    return (
        Draft.objects.filter(owner=user, submitted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("version", "version__definition")
        .order_by("-modified")
    )


def continue_url(draft: Draft) -> str:
    """Where an unfinished application goes on: the step last saved (for "Meine Anträge")."""
    from django.urls import reverse

    if draft.step:
        return reverse("forms:step", kwargs={"token": draft.resume_token, "step_id": draft.step})
    return reverse("forms:summary", kwargs={"token": draft.resume_token})


def online_form_annotations() -> dict[str, Subquery]:
    """Annotations for a Service queryset: slug and title of its startable form, if any.

    Part of the catalog's detail query, so the "Online beantragen" link costs no query.
    """
    forms = startable_forms().filter(service=OuterRef("pk")).order_by("title", "pk")
    return {
        "online_form_slug": Subquery(forms.values("slug")[:1]),
        "online_form_title": Subquery(forms.values("title")[:1]),
    }


# --- staff -------------------------------------------------------------------------------


def staff_definitions(user: Any) -> QuerySet[FormDefinition]:
    """The definitions a staff member may see and edit: their office's, or all."""
    return (
        FormDefinition.objects.filter(office_scope(user).as_q("office"))
        .select_related("office", "service")
        .prefetch_related("versions")
        .order_by("title", "pk")
    )


def editable_definition(user: Any, pk: int) -> FormDefinition:
    definition = staff_definitions(user).filter(pk=pk).first()
    if definition is None:
        raise NotFound("Dieses Formular gibt es nicht oder Sie dürfen es nicht bearbeiten.")
    return definition


def draft_version(definition: FormDefinition) -> FormVersion | None:
    return definition.versions.filter(status=FormVersion.Status.DRAFT).order_by("-number").first()


def newest_version(definition: FormDefinition) -> FormVersion | None:
    return definition.versions.order_by("-number").first()
