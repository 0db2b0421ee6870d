"""Every write of the forms app outside submission: drafts, definitions, versions, publishing.

Publishing keeps three other places in step, in the same transaction: the catalog entry of
the form's service (online channel, address, maturity; see `maturity.py`), its history, and
the search index (kind "form").
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts import trust
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service
from rathaus.core.errors import Conflict, NotFound, PermissionDenied, Problem, ValidationFailed
from rathaus.core.links import site_url
from rathaus.forms import engine, indexing
from rathaus.forms.maturity import WITHOUT_FORM, maturity_for
from rathaus.forms.models import Draft, FormDefinition, FormVersion, Upload

DRAFT_LIFETIME = datetime.timedelta(days=30)

# What a new definition starts with: one step, two fields; the editor shows how it looks.
STARTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vorname": {"type": "string", "title": "Vorname", "maxLength": 100},
        "nachname": {"type": "string", "title": "Nachname", "maxLength": 100},
        "email": {"type": "string", "title": "E-Mail-Adresse", "format": "email"},
    },
    "required": ["vorname", "nachname", "email"],
}
STARTER_UI: dict[str, Any] = {
    "applicant": {"name": ["vorname", "nachname"], "email": "email"},
    "steps": [
        {
            "id": "person",
            "title": "Angaben zur Person",
            "fields": [{"name": "vorname"}, {"name": "nachname"}, {"name": "email"}],
        }
    ],
}


def _require(user: Any, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(_("Es fehlt die Berechtigung „%(perm)s“.") % {"perm": perm})


# --- drafts (citizens) --------------------------------------------------------------------


@transaction.atomic
def start_draft(
    *, definition: FormDefinition, version: FormVersion, user: Any, trust_level: str
) -> Draft:
    """A new application on the published `version`; owned by `user` if signed in."""
    if not trust.meets(trust_level, definition.min_trust_level):
        raise PermissionDenied(
            _("Für dieses Formular müssen Sie sich mit dem Vertrauensniveau „%(level)s“ anmelden.")
            % {"level": definition.get_min_trust_level_display()}
        )
    if version.status != FormVersion.Status.PUBLISHED or not definition.is_active:
        raise Conflict(_("Dieses Formular kann gerade nicht neu begonnen werden."))
    first = engine.steps(version)
    return Draft.objects.create(
        version=version,
        owner=user if getattr(user, "is_authenticated", False) else None,
        trust_level=trust_level,
        step=first[0].id if first else "",
        expires_at=timezone.now() + DRAFT_LIFETIME,
    )


def save_answers(*, draft: Draft, data: dict[str, Any], step_id: str) -> Draft:
    """Store what was entered so far; every save keeps the draft for another 30 days."""
    if draft.submitted_at is not None:
        raise Conflict(_("Dieser Antrag ist schon abgeschickt."))
    draft.data = data
    draft.step = step_id
    draft.expires_at = timezone.now() + DRAFT_LIFETIME
    draft.save(update_fields=["data", "step", "expires_at", "modified"])
    return draft


def file_ids(draft: Draft, field: str) -> list[int]:
    value = draft.data.get(field)
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []


@transaction.atomic
def attach_upload(*, draft: Draft, upload: Upload) -> Draft:
    """Record an accepted upload as an answer of its field (the values are Upload ids)."""
    ids = file_ids(draft, upload.field)
    if upload.pk not in ids:
        ids.append(upload.pk)
    draft.data = {**draft.data, upload.field: ids}
    draft.save(update_fields=["data", "modified"])
    return draft


@transaction.atomic
def remove_upload(*, draft: Draft, upload_id: int) -> Draft:
    """Delete an uploaded file of this draft and forget it as an answer."""
    from rathaus.forms.uploads import delete_upload

    try:
        delete_upload(draft, upload_id)
    except NotFound:
        return draft  # removed already (a second click, another tab)
    # A file field without files has no answer, so "required" names it.
    draft.data = {key: value for key, value in draft.data.items() if value != []}
    draft.save(update_fields=["data", "modified"])
    return draft


def request_resume_mail(*, draft: Draft, email: str, language: str) -> Draft:
    """Remember the address and send the signed resume link there (queue "mail")."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from rathaus.forms.resume import send_resume_link

    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        message = _(
            "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@example.org."
        )
        raise ValidationFailed(message, problems=[Problem(message, field="email")]) from None
    with transaction.atomic():
        draft.email = email
        draft.save(update_fields=["email", "modified"])
        transaction.on_commit(lambda: send_resume_link.enqueue(draft.pk, language))
    return draft


def purge_expired_drafts(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Delete unsubmitted drafts past their expiry, with their files (data minimisation).

    Submitted drafts stay: they belong to a case, whose retention period governs them.
    """
    now = now or timezone.now()
    total = 0
    while True:
        ids = list(
            Draft.objects.filter(submitted_at__isnull=True, expires_at__lt=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return total
        uploads = Upload.objects.filter(draft_id__in=ids).exclude(file="")
        stored = [(u.file.storage, u.file.name) for u in uploads.only("file")]
        with transaction.atomic():
            Draft.objects.filter(pk__in=ids).delete()  # uploads go with them (cascade)

            def remove_files(files: list[tuple[Any, str]] = stored) -> None:
                for storage, name in files:
                    storage.delete(name)

            # The files go only once the rows are gone for good.
            transaction.on_commit(remove_files)
        total += len(ids)


# --- definitions and versions (staff) -----------------------------------------------------


@transaction.atomic
def create_definition(*, definition: FormDefinition, user: Any = None) -> FormDefinition:
    """A new definition with version 1 as a draft holding a small starter form."""
    _require(user, "forms.add_formdefinition")
    definition.full_clean()
    definition.save()
    FormVersion.objects.create(
        definition=definition,
        number=1,
        schema=STARTER_SCHEMA,
        ui=STARTER_UI,
        created_by=user,
    )
    return definition


@transaction.atomic
def update_definition(*, definition: FormDefinition, user: Any = None) -> FormDefinition:
    """Store changed settings (title, office, trust level, …); catalog and index follow."""
    _require(user, "forms.change_formdefinition")
    previous = FormDefinition.objects.filter(pk=definition.pk).values("service_id").first()
    definition.full_clean()
    definition.save()
    indexing.sync([definition])
    services = {definition.service_id, previous["service_id"] if previous else None}
    for service in Service.objects.filter(pk__in=[s for s in services if s]):
        sync_catalog(service=service, user=user)
    return definition


@transaction.atomic
def save_version(
    *,
    version: FormVersion,
    schema: Any,
    ui: Any,
    fee_cents: int,
    fee_label: str,
    user: Any = None,
) -> FormVersion:
    """Store the draft version's documents; a published version is frozen (Conflict)."""
    _require(user, "forms.change_formversion")
    locked = FormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != FormVersion.Status.DRAFT:
        raise Conflict(
            _("Version %(n)d ist nicht mehr im Entwurf und kann nicht geändert werden.")
            % {"n": locked.number}
        )
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        raise ValidationFailed(_("Datenschema und Oberfläche müssen JSON-Objekte sein."))
    version.schema, version.ui = schema, ui
    version.fee_cents, version.fee_label = fee_cents, fee_label
    version.save()
    return version


@transaction.atomic
def publish_version(*, version: FormVersion, user: Any = None) -> FormVersion:
    """Draft -> published, if the definition is complete; the previous published version is
    retired (drafts begun on it continue on it). Catalog and search follow."""
    _require(user, "forms.change_formversion")
    locked = FormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != FormVersion.Status.DRAFT:
        raise Conflict(
            _("Version %(n)d ist schon veröffentlicht oder zurückgezogen.") % {"n": locked.number}
        )
    problems = engine.check_definition(locked.schema, locked.ui)
    if problems:
        raise ValidationFailed(
            _("Version %(n)d kann so nicht veröffentlicht werden:") % {"n": locked.number},
            problems=problems,
        )
    definition = locked.definition
    FormVersion.objects.filter(definition=definition, status=FormVersion.Status.PUBLISHED).update(
        status=FormVersion.Status.RETIRED
    )
    locked.status = FormVersion.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = user if getattr(user, "is_authenticated", False) else None
    locked.save()
    indexing.sync([definition])
    if definition.service is not None:
        sync_catalog(service=definition.service, user=user)
    return locked


@transaction.atomic
def new_version(*, definition: FormDefinition, user: Any = None) -> FormVersion:
    """A draft copy of the newest version to work on; an existing draft is returned as is."""
    _require(user, "forms.add_formversion")
    FormDefinition.objects.select_for_update().filter(pk=definition.pk).first()
    existing = (
        definition.versions.filter(status=FormVersion.Status.DRAFT).order_by("-number").first()
    )
    if existing is not None:
        return existing
    newest = definition.versions.order_by("-number").first()
    return FormVersion.objects.create(
        definition=definition,
        number=(newest.number if newest else 0) + 1,
        schema=newest.schema if newest else STARTER_SCHEMA,
        ui=newest.ui if newest else STARTER_UI,
        fee_cents=newest.fee_cents if newest else 0,
        fee_label=newest.fee_label if newest else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def retire_definition(*, definition: FormDefinition, user: Any = None) -> FormDefinition:
    """No new applications any more: the published version is retired. Drafts already begun
    may still be finished on their version. Catalog and search follow."""
    _require(user, "forms.change_formversion")
    changed = FormVersion.objects.filter(
        definition=definition, status=FormVersion.Status.PUBLISHED
    ).update(status=FormVersion.Status.RETIRED)
    if not changed:
        raise Conflict(_("„%(title)s“ hat keine veröffentlichte Version.") % {"title": definition})
    indexing.sync([definition])
    if definition.service is not None:
        sync_catalog(service=definition.service, user=user)
    return definition


# --- catalog ------------------------------------------------------------------------------


def start_url(definition: FormDefinition) -> str:
    """The absolute German address of the form's start page (for the catalog and portals)."""
    with translation.override(settings.LANGUAGE_CODE):
        return site_url(reverse("forms:start", kwargs={"slug": definition.slug}))


def _is_ours(service: Service) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        prefix = site_url(reverse("forms:start", kwargs={"slug": "x"})).rsplit("x/", 1)[0]
    return service.online_service_own and service.online_service_url.startswith(prefix)


def sync_catalog(*, service: Service, user: Any = None) -> Service:
    """Let the catalog entry say what the service's own online forms offer (see maturity.py).

    Written through the catalog's service layer, so the change appears in its history.
    """
    service = Service.objects.select_for_update().get(pk=service.pk)
    forms = [
        d
        for d in FormDefinition.objects.filter(service=service, is_active=True).order_by(
            "title", "pk"
        )
        if d.published_version is not None
    ]
    before = (
        service.channel_online,
        service.online_service_url,
        service.online_service_name,
        service.online_service_own,
        service.trust_level,
        service.maturity_level,
        service.maturity_level_v2,
    )
    if forms:
        main = forms[0]
        levels = [maturity_for(d.published_version) for d in forms]  # type: ignore[arg-type]
        service.channel_online = True
        service.online_service_url = start_url(main)
        service.online_service_name = main.title
        service.online_service_own = True
        service.trust_level = main.min_trust_level
        # Only up: a higher level set by hand stays (see maturity.py).
        service.maturity_level = max(service.maturity_level, *(m.v1 for m in levels))
        service.maturity_level_v2 = max(service.maturity_level_v2, *(m.v2 for m in levels))
        reason = "Online-Formular veröffentlicht"
    elif _is_ours(service):
        service.channel_online = False
        service.online_service_url = ""
        service.online_service_name = ""
        service.online_service_own = False
        service.trust_level = ""
        service.maturity_level = min(service.maturity_level, WITHOUT_FORM.v1)
        service.maturity_level_v2 = min(service.maturity_level_v2, WITHOUT_FORM.v2)
        reason = "Online-Formular zurückgezogen"
    else:
        return service
    after = (
        service.channel_online,
        service.online_service_url,
        service.online_service_name,
        service.online_service_own,
        service.trust_level,
        service.maturity_level,
        service.maturity_level_v2,
    )
    if after != before:
        catalog_services.save_service(
            service=service,
            changed_by=user if getattr(user, "is_authenticated", False) else None,
            reason=reason,
        )
    return service
