"""Everything that writes to the council information system.

The search index comes first (used by the council office, the importer and the tests);
the staff write services follow below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from django.urls import reverse
from django.utils import translation

from rathaus.core import search

# =========================================================================================
# Search index
#
# Papers, agenda items, meetings and files are indexed whether public or not: who may see a
# hit is decided when searching (`selectors.search_council` intersects the hits with the
# querysets of `visibility`), so a member finds the non-public papers of their own bodies.
# Deleted objects (and objects gone from the database) leave the index.
# =========================================================================================

PAPER_KIND = "council.paper"
AGENDA_ITEM_KIND = "council.agendaitem"
MEETING_KIND = "council.meeting"
FILE_KIND = "council.file"
SEARCH_KINDS = (PAPER_KIND, AGENDA_ITEM_KIND, MEETING_KIND, FILE_KIND)

# PostgreSQL refuses a tsvector over 1 MB; the start of a very long file is what matters.
MAX_BODY_CHARS = 300_000


def _join(*parts: Any) -> str:
    return "\n".join(str(p).strip() for p in parts if p and str(p).strip())


def _paper_document(paper: Any) -> search.Document:
    originators = [p.name for p in paper.originator_persons.all()]
    originators += [o.name for o in paper.originator_organizations.all()]
    questions = paper.questions if isinstance(paper.questions, list) else [paper.questions]
    return search.Document(
        kind=PAPER_KIND,
        object_id=paper.pk,
        title=f"{paper.reference} {paper.name}".strip(),
        url=paper.get_absolute_url(),
        keywords=" ".join([paper.paper_type, *map(str, paper.keywords or []), *originators]),
        body=_join(*(str(q) for q in questions if q), paper.answer_text)[:MAX_BODY_CHARS],
    )


def _agenda_item_document(item: Any) -> search.Document:
    return search.Document(
        kind=AGENDA_ITEM_KIND,
        object_id=item.pk,
        title=item.name,
        url=reverse("council:agenda_item", kwargs={"pk": item.pk}),
        keywords=" ".join([item.result, item.meeting.name, *map(str, item.keywords or [])]),
        body=_join(item.resolution_text, item.minutes_text)[:MAX_BODY_CHARS],
    )


def _meeting_document(meeting: Any) -> search.Document:
    location = str(meeting.location) if meeting.location_id and meeting.location else ""
    return search.Document(
        kind=MEETING_KIND,
        object_id=meeting.pk,
        title=meeting.name,
        url=meeting.get_absolute_url(),
        keywords=" ".join(
            [*(o.name for o in meeting.organizations.all()), *map(str, meeting.keywords or [])]
        ),
        body=location,
    )


def _file_document(file: Any) -> search.Document:
    return search.Document(
        kind=FILE_KIND,
        object_id=file.pk,
        title=file.name or file.file_name or str(file.pk),
        url=reverse("council:file", kwargs={"pk": file.pk}),
        keywords=" ".join([file.file_name, *map(str, file.keywords or [])]),
        body=(file.text or "")[:MAX_BODY_CHARS],
    )


def _querysets() -> dict[str, tuple[QuerySet[Any], Any]]:
    """Per kind: the rows to index (with what their document reads) and the builder."""
    from rathaus.council.models import AgendaItem, File, Meeting, Organization, Paper, Person

    return {
        PAPER_KIND: (
            Paper.objects.prefetch_related(
                Prefetch("originator_persons", queryset=Person.objects.only("pk", "name")),
                Prefetch(
                    "originator_organizations", queryset=Organization.objects.only("pk", "name")
                ),
            ),
            _paper_document,
        ),
        AGENDA_ITEM_KIND: (AgendaItem.objects.select_related("meeting"), _agenda_item_document),
        MEETING_KIND: (
            Meeting.objects.select_related("location").prefetch_related(
                Prefetch("organizations", queryset=Organization.objects.only("pk", "name"))
            ),
            _meeting_document,
        ),
        FILE_KIND: (File.objects.all(), _file_document),
    }


def _ids(objects: Iterable[Model | int]) -> list[int]:
    return [obj if isinstance(obj, int) else int(obj.pk) for obj in objects]


def _sync_kind(kind: str, objects: Iterable[Model | int]) -> None:
    ids = _ids(objects)
    if not ids:
        return
    queryset, build = _querysets()[kind]
    # Read again from the database: callers may hold stale objects or only ids.
    rows = list(queryset.filter(pk__in=ids, deleted=False))
    # Stored addresses are the German ones (no language prefix), whoever runs this.
    with translation.override(settings.LANGUAGE_CODE):
        search.index_documents([build(row) for row in rows])
    gone = set(ids) - {row.pk for row in rows}
    if gone:
        search.remove_documents(kind, gone)


def sync_papers_index(papers: Iterable[Model | int]) -> None:
    _sync_kind(PAPER_KIND, papers)


def sync_agenda_items_index(items: Iterable[Model | int]) -> None:
    _sync_kind(AGENDA_ITEM_KIND, items)


def sync_meetings_index(meetings: Iterable[Model | int]) -> None:
    _sync_kind(MEETING_KIND, meetings)


def sync_files_index(files: Iterable[Model | int]) -> None:
    _sync_kind(FILE_KIND, files)


@transaction.atomic
def sync_search_index(
    *,
    papers: Iterable[Model | int] = (),
    agenda_items: Iterable[Model | int] = (),
    meetings: Iterable[Model | int] = (),
    files: Iterable[Model | int] = (),
) -> None:
    """Bring the index in step with these objects (or ids): add, replace or remove them.

    Call it after every write, with what the write touched. An agenda item's document
    names its meeting, so renaming a meeting should also pass the meeting's items.
    """
    sync_papers_index(papers)
    sync_agenda_items_index(agenda_items)
    sync_meetings_index(meetings)
    sync_files_index(files)


def rebuild_search_index(*, batch_size: int = 500) -> int:
    """Index every council object from scratch (after an import, a restore, new rules)."""
    from rathaus.core.models import SearchDocument

    total = 0
    with transaction.atomic():
        for kind, (queryset, _build) in _querysets().items():
            search.remove_documents(
                kind, SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)
            )
            ids: Sequence[int] = list(
                queryset.filter(deleted=False).order_by("pk").values_list("pk", flat=True)
            )
            for start in range(0, len(ids), batch_size):
                _sync_kind(kind, ids[start : start + batch_size])
            total += len(ids)
    return total


# =========================================================================================
# Staff write services (council office) follow below.
# =========================================================================================
