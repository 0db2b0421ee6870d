"""Published forms in the site-wide search index (kind "form"), kept in step on every change.

The services of this app call `sync` inside their transactions; `rebuild` re-creates every
form's entry (after a restore or a change of the search rules), like the catalog's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from rathaus.core import search
from rathaus.forms.models import FormDefinition

SEARCH_KIND = "form"


def is_startable(definition: FormDefinition) -> bool:
    return definition.is_active and definition.published_version is not None


def search_document(definition: FormDefinition) -> search.Document:
    version = definition.published_version
    service = definition.service
    keywords = [service.name, service.keywords.replace(",", " ")] if service else []
    ui = version.ui if version is not None and isinstance(version.ui, dict) else {}
    steps: list[Any] = ui["steps"] if isinstance(ui.get("steps"), list) else []
    body = [service.summary if service else "", definition.office.name]
    body += [str(s.get("title", "")) for s in steps if isinstance(s, dict)]
    body += [str(s.get("intro", "")) for s in steps if isinstance(s, dict)]
    # The German address, like the catalog's: /en/ pages translate it on the way out.
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("forms:start", kwargs={"slug": definition.slug})
    return search.Document(
        kind=SEARCH_KIND,
        object_id=definition.pk,
        title=definition.title,
        url=url,
        keywords=" ".join(k for k in keywords if k),
        body="\n".join(part for part in body if part),
    )


def sync(definitions: Iterable[FormDefinition]) -> None:
    """Startable forms are searchable; inactive ones and those without a published version not."""
    definitions = list(definitions)
    search.index_documents(search_document(d) for d in definitions if is_startable(d))
    hidden = [d.pk for d in definitions if not is_startable(d)]
    if hidden:
        search.remove_documents(SEARCH_KIND, hidden)


def rebuild() -> int:
    """Re-index every form from scratch; returns the number of forms indexed."""
    definitions = list(FormDefinition.objects.select_related("service", "office").order_by("pk"))
    with transaction.atomic():
        search.remove_documents(SEARCH_KIND, [d.pk for d in definitions])
        sync(definitions)
    return sum(1 for d in definitions if is_startable(d))


@task(queue_name="default")
def rebuild_search_index() -> int:
    """Re-index every published form (after a restore or a change of the search rules)."""
    return rebuild()
