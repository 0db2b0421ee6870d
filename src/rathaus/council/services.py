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

# --- council office writes
#
# Everything the council office (Ratsbüro) does in the staff UI: bodies, persons,
# memberships, meetings and their agendas, papers with files, publishing, results and votes,
# invitations, minutes, video rooms, and inquiries and motions. Each function validates, writes
# in one transaction and keeps the search index in step (`sync_search_index` above). `user`
# is the person acting (permissions are checked); None means the system itself (imports,
# the demo loader, tests).

import contextvars  # noqa: E402 - this part of the module is its own section
import datetime as _dt  # noqa: E402
import functools  # noqa: E402
import hashlib as _hashlib  # noqa: E402
import logging as _logging  # noqa: E402
import secrets as _secrets  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402
from dataclasses import field as _field  # noqa: E402
from typing import TypeVar as _TypeVar  # noqa: E402
from typing import cast  # noqa: E402

from django.contrib.auth.models import Group as _Group  # noqa: E402
from django.core.exceptions import ValidationError as _DjangoValidationError  # noqa: E402
from django.core.files.base import ContentFile as _ContentFile  # noqa: E402
from django.core.mail import EmailMessage as _EmailMessage  # noqa: E402
from django.db.models import Max as _Max  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402
from django.utils.text import get_valid_filename as _valid_filename  # noqa: E402
from django.utils.text import slugify as _slugify  # noqa: E402

from rathaus.accounts import roles as _roles  # noqa: E402
from rathaus.core import errors as _errors  # noqa: E402
from rathaus.council import pdf as _pdf  # noqa: E402
from rathaus.council.deadlines import INQUIRY_TYPES  # noqa: E402
from rathaus.council.models import (  # noqa: E402
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)

_log = _logging.getLogger("rathaus.council.office")
_F = _TypeVar("_F", bound=Callable[..., Any])

# Paper types that are inquiries or motions (questions, due date, status): `INQUIRY_TYPES`.
# received -> in progress -> answered; nothing else, and no way back once answered.
INQUIRY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Paper.InquiryStatus.RECEIVED: (Paper.InquiryStatus.IN_PROGRESS,),
    Paper.InquiryStatus.IN_PROGRESS: (Paper.InquiryStatus.ANSWERED,),
    Paper.InquiryStatus.ANSWERED: (),
}

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# What council documents are: PDFs above all, office documents and images. Anything a
# browser would run (HTML, SVG, XML) or that says nothing about itself is refused.
ALLOWED_UPLOAD_TYPES = frozenset(
    {
        "application/pdf",
        "application/rtf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/x-ole-storage",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/tiff",
        "image/webp",
        "text/plain",
    }
)


def _require(user: Any, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise _errors.PermissionDenied(f"Es fehlt die Berechtigung {perm!r}.")


def _full_clean(obj: Model, *, exclude: Sequence[str] = ()) -> None:
    """Model validation as a ValidationFailed that names each field and what is wrong."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except _DjangoValidationError as exc:
        problems = []
        for name, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            for message in messages:
                problems.append(_errors.Problem(message, field=None if name == "__all__" else name))
        raise _errors.ValidationFailed(
            "Die Angaben sind unvollständig oder fehlerhaft.", problems=problems
        ) from exc


def _invalid(message: str, field: str | None = None) -> _errors.ValidationFailed:
    return _errors.ValidationFailed(message, problems=[_errors.Problem(message, field=field)])


def default_body() -> Body:
    """The town's own body: new organizations, persons and papers belong to it."""
    body = Body.objects.filter(origin__isnull=True, deleted=False).order_by("pk").first()
    if body is None:
        raise _errors.ValidationFailed(
            "Es ist noch keine eigene Körperschaft angelegt; legen Sie sie in der "
            "technischen Verwaltung an."
        )
    return body


def _unique_slug(organization: Organization) -> str:
    base = _slugify(organization.name.replace("ß", "ss"))[:100] or "gremium"
    others = Organization.objects.filter(body_id=organization.body_id)
    if organization.pk:
        others = others.exclude(pk=organization.pk)
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- bodies, persons, memberships ---------------------------------------------------------


@transaction.atomic
def save_organization(*, organization: Organization, user: Any = None) -> Organization:
    """Create or change a body (Gremium), faction or other organization."""
    _require(user, "council.change_organization" if organization.pk else "council.add_organization")
    if organization.body_id is None:
        organization.body = default_body()
    organization.name = organization.name.strip()
    if not organization.slug:
        organization.slug = _unique_slug(organization)
    if organization.pk and organization.sub_organization_of_id == organization.pk:
        raise _invalid(
            "Ein Gremium kann nicht sein eigenes übergeordnetes Gremium sein.",
            "sub_organization_of",
        )
    if (
        organization.start_date
        and organization.end_date
        and organization.end_date < organization.start_date
    ):
        raise _invalid("Die Auflösung liegt vor der Gründung.", "end_date")
    _full_clean(organization)
    renamed = (
        organization.pk is not None
        and Organization.objects.filter(pk=organization.pk).exclude(name=organization.name).exists()
    )
    organization.save()
    if renamed:
        # Meeting documents name their bodies; they must find the new name.
        sync_search_index(meetings=organization.meetings.all())
    return organization


@transaction.atomic
def save_person(*, person: Person, user: Any = None, account: Any = None) -> Person:
    """Create or change a person; `account` links (or with False unlinks) a user account.

    A linked account is what lets a council member sign in to the member area and see the
    non-public items of their bodies, so linking also gives it the role Ratsmitglied.
    """
    _require(user, "council.change_person" if person.pk else "council.add_person")
    if person.body_id is None:
        person.body = default_body()
    if not person.name.strip():
        person.name = " ".join(p for p in (person.given_name, person.family_name) if p).strip()
    if not person.name:
        raise _invalid("Bitte geben Sie einen Namen an.", "name")
    if account is False:
        person.user = None
    elif account is not None:
        taken = Person.objects.filter(user=account).exclude(pk=person.pk).first()
        if taken is not None:
            raise _invalid(
                f"Das Benutzerkonto {account.get_username()!r} gehört schon zu {taken.name}.",
                "user",
            )
        person.user = account
    _full_clean(person)
    person.save()
    if person.user is not None:
        group, _created = _Group.objects.get_or_create(name=_roles.COUNCIL_MEMBER)
        person.user.groups.add(group)
    return person


@transaction.atomic
def save_membership(*, membership: Membership, user: Any = None) -> Membership:
    """A person's seat in a body, with role, term and the faction it is held for."""
    _require(user, "council.change_membership" if membership.pk else "council.add_membership")
    if (
        membership.start_date
        and membership.end_date
        and membership.end_date < membership.start_date
    ):
        raise _invalid("Das Ende der Mitgliedschaft liegt vor ihrem Beginn.", "end_date")
    faction = membership.on_behalf_of
    if faction is not None:
        if faction.organization_type != Organization.Type.FACTION:
            raise _invalid(
                f"„{faction.name}“ ist keine Fraktion; „für (Fraktion)“ nennt die Fraktion, "
                "für die der Sitz gehalten wird.",
                "on_behalf_of",
            )
        if faction.pk == membership.organization_id:
            raise _invalid(
                "Eine Mitgliedschaft in einer Fraktion wird nicht für diese Fraktion gehalten.",
                "on_behalf_of",
            )
    _full_clean(membership)
    membership.save()
    return membership


@transaction.atomic
def end_membership(
    *, membership: Membership, end_date: _dt.date | None = None, user: Any = None
) -> Membership:
    """Memberships are ended, not deleted: the history of a body stays visible."""
    membership.end_date = end_date or _timezone.localdate()
    return save_membership(membership=membership, user=user)


# --- files ----------------------------------------------------------------------------------


@_dataclass(frozen=True)
class StoredFile:
    """A stored upload and what the text extraction found (its error is shown to staff)."""

    file: File
    extraction: _pdf.Extraction | None = None

    @property
    def warning(self) -> str:
        return self.extraction.error if self.extraction is not None else ""


def _read_upload(upload: Any) -> tuple[bytes, str]:
    name = str(getattr(upload, "name", "") or "datei")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _invalid(
            f"Die Datei „{name}“ ist zu groß ({size // (1024 * 1024)} MB); "
            f"erlaubt sind höchstens {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
            "upload",
        )
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    if not data:
        raise _invalid(f"Die Datei „{name}“ ist leer.", "upload")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _invalid(f"Die Datei „{name}“ ist zu groß.", "upload")
    return data, name


# Django has no hook for a rollback, so a service that stores uploads remembers what it
# wrote and deletes it again when it fails: no bytes without their database row.
_stored_uploads: contextvars.ContextVar[list[tuple[Any, str]] | None] = contextvars.ContextVar(
    "council_stored_uploads", default=None
)


def _remember_upload(storage: Any, name: str) -> None:
    stored = _stored_uploads.get()
    if stored is not None:
        stored.append((storage, name))


def _uploads_cleaned_on_error(function: _F) -> _F:
    """Around `transaction.atomic`: on an exception, delete the files this call stored."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _stored_uploads.get() is not None:  # an outer service call cleans up
            return function(*args, **kwargs)
        stored: list[tuple[Any, str]] = []
        token = _stored_uploads.set(stored)
        try:
            return function(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                storage.delete(name)
            raise
        finally:
            _stored_uploads.reset(token)

    return cast("_F", wrapper)


@_uploads_cleaned_on_error
@transaction.atomic
def store_file(
    *,
    upload: Any,
    name: str = "",
    is_public: bool = True,
    date: _dt.date | None = None,
    user: Any = None,
) -> StoredFile:
    """Store an uploaded document: type from its bytes, size, SHA-512 and, for PDFs, its text.

    `upload` is a Django UploadedFile or any object with `read()` and `name`.
    """
    _require(user, "council.add_file")
    data, original_name = _read_upload(upload)
    mime_type = _pdf.sniff_mime_type(data)
    if mime_type not in ALLOWED_UPLOAD_TYPES:
        raise _invalid(
            f"„{original_name}“ ist als {mime_type} erkannt worden; erlaubt sind PDF, "
            "Office-Dokumente, Bilder und reiner Text.",
            "upload",
        )
    file_name = _valid_filename(original_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]
    file = File(
        name=(name or original_name.rsplit(".", 1)[0]).strip()[:300],
        file_name=file_name,
        mime_type=mime_type,
        date=date or _timezone.localdate(),
        size=len(data),
        sha512=_hashlib.sha512(data).hexdigest(),
        is_public=is_public,
    )
    extraction = None
    if mime_type == _pdf.PDF:
        extraction = _pdf.extract_text(data)
        file.text = extraction.text
        file.text_extracted_at = _timezone.now()
    elif mime_type == "text/plain":
        file.text = data.decode("utf-8", "replace")[: _pdf.MAX_TEXT_CHARS]
        file.text_extracted_at = _timezone.now()
    # The stored name is random: where media are served directly, a non-public file's
    # address must not be guessable from its name.
    suffix = file_name.rsplit(".", 1)[-1].lower()[:10] if "." in file_name else "bin"
    file.content.save(f"{_secrets.token_hex(16)}.{suffix}", _ContentFile(data), save=False)
    _remember_upload(file.content.storage, file.content.name)
    _full_clean(file, exclude=["content"])
    file.save()
    sync_search_index(files=[file])
    return StoredFile(file=file, extraction=extraction)


# --- meetings and agendas -------------------------------------------------------------------


@transaction.atomic
def save_meeting(
    *,
    meeting: Meeting,
    organizations: Sequence[Organization] | None = None,
    user: Any = None,
) -> Meeting:
    """Create or change a meeting; `organizations` are the bodies that meet (None: unchanged)."""
    _require(user, "council.change_meeting" if meeting.pk else "council.add_meeting")
    meeting.name = meeting.name.strip()
    if meeting.start and meeting.end and meeting.end < meeting.start:
        raise _invalid("Das Ende der Sitzung liegt vor ihrem Beginn.", "end")
    if organizations is not None and not organizations and meeting.origin_id is None:
        raise _invalid("Bitte wählen Sie das Gremium, das tagt.", "organizations")
    if meeting.video_public_url and not meeting.is_public:
        raise _invalid(
            "Eine nichtöffentliche Sitzung hat keinen öffentlichen Videolink.", "video_public_url"
        )
    _full_clean(meeting)
    meeting.save()
    if organizations is not None:
        meeting.organizations.set(organizations)
        # Consultations on the agenda belong to the bodies that meet.
        for consultation in Consultation.objects.filter(agenda_item__meeting=meeting):
            consultation.organizations.set(organizations)
    sync_search_index(meetings=[meeting], agenda_items=meeting.agenda_items.all())
    return meeting


class _Unset:
    pass


UNSET: Any = _Unset()


@transaction.atomic
def save_agenda_item(
    *,
    item: AgendaItem,
    paper: Paper | None = UNSET,
    consultation_role: str = "",
    authoritative: bool = False,
    user: Any = None,
) -> AgendaItem:
    """Create or change an agenda item; `paper` is the paper it consults (None removes it).

    A new item without an order goes to the end of the agenda; without a number it is
    numbered after its order.
    """
    _require(user, "council.change_agendaitem" if item.pk else "council.add_agendaitem")
    meeting = item.meeting
    if not item.order:
        last = meeting.agenda_items.exclude(pk=item.pk).aggregate(m=_Max("order"))["m"] or 0
        item.order = last + 1
    if not item.number:
        item.number = str(item.order)
    item.name = item.name.strip()
    if not item.name and isinstance(paper, Paper):
        item.name = paper.name
    if not meeting.is_public and item.public:
        # An item of a non-public meeting is never public; say so instead of pretending.
        item.public = False
    _full_clean(item)
    item.save()
    papers_touched: list[Paper] = []
    if paper is not UNSET:
        existing = Consultation.objects.filter(agenda_item=item).select_related("paper")
        papers_touched += [c.paper for c in existing if c.paper is not None]
        if paper is None:
            existing.delete()
        else:
            consultation = existing.first() or Consultation(agenda_item=item)
            consultation.paper = paper
            consultation.meeting = meeting
            consultation.role = consultation_role
            consultation.authoritative = authoritative
            consultation.save()
            consultation.organizations.set(meeting.organizations.all())
            existing.exclude(pk=consultation.pk).delete()
            papers_touched.append(paper)
    sync_search_index(agenda_items=[item], papers=papers_touched)
    return item


@transaction.atomic
def reorder_agenda(*, meeting: Meeting, item_ids: Sequence[int], user: Any = None) -> None:
    """Put the agenda in the given order (ids of all its items); numbers follow the order."""
    _require(user, "council.change_agendaitem")
    items = {item.pk: item for item in meeting.agenda_items.all()}
    if sorted(item_ids) != sorted(items):
        raise _invalid("Die neue Reihenfolge muss jeden Tagesordnungspunkt genau einmal nennen.")
    for position, pk in enumerate(item_ids, start=1):
        item = items[pk]
        renumber = item.number == str(item.order)
        item.order = position
        if renumber:
            item.number = str(position)
        item.save(update_fields=["order", "number", "modified"])


@transaction.atomic
def record_result(
    *,
    item: AgendaItem,
    result: str,
    resolution_text: str = "",
    minutes_text: str = "",
    user: Any = None,
) -> AgendaItem:
    """The outcome of an agenda item: result (e.g. beschlossen), resolution and minutes text."""
    _require(user, "council.change_agendaitem")
    item.result = result.strip()
    item.resolution_text = resolution_text.strip()
    item.minutes_text = minutes_text.strip()
    _full_clean(item)
    item.save()
    sync_search_index(agenda_items=[item])
    return item


@_dataclass(frozen=True)
class FactionVote:
    faction: Organization
    yes: int = 0
    no: int = 0
    abstain: int = 0


@_dataclass(frozen=True)
class PersonVote:
    person: Person
    choice: str


@transaction.atomic
def record_votes(
    *,
    item: AgendaItem,
    factions: Sequence[FactionVote] = (),
    persons: Sequence[PersonVote] = (),
    user: Any = None,
) -> list[Vote]:
    """Replace the recorded votes of an agenda item: counts per faction, choices per person."""
    _require(user, "council.add_vote")
    problems: list[_errors.Problem] = []
    seen_factions: set[int] = set()
    for entry in factions:
        label = entry.faction.name
        if entry.faction.organization_type != Organization.Type.FACTION:
            problems.append(_errors.Problem(f"„{label}“ ist keine Fraktion.", field="faction"))
        if entry.faction.pk in seen_factions:
            problems.append(_errors.Problem(f"„{label}“ ist doppelt genannt.", field="faction"))
        seen_factions.add(entry.faction.pk)
        for name, count in (("yes", entry.yes), ("no", entry.no), ("abstain", entry.abstain)):
            if count < 0:
                problems.append(
                    _errors.Problem(f"{label}: Stimmenzahlen sind nie negativ.", field=name)
                )
    seen_persons: set[int] = set()
    for vote in persons:
        if vote.choice not in Vote.Choice.values:
            problems.append(
                _errors.Problem(
                    f"{vote.person.name}: unbekannte Stimme {vote.choice!r}.", field="choice"
                )
            )
        if vote.person.pk in seen_persons:
            problems.append(
                _errors.Problem(f"{vote.person.name} ist doppelt genannt.", field="person")
            )
        seen_persons.add(vote.person.pk)
    if problems:
        raise _errors.ValidationFailed("Die Abstimmung ist fehlerhaft.", problems=problems)
    item.votes.all().delete()
    created = [
        Vote(agenda_item=item, faction=e.faction, yes=e.yes, no=e.no, abstain=e.abstain)
        for e in factions
        if e.yes or e.no or e.abstain
    ]
    created += [Vote(agenda_item=item, person=v.person, choice=v.choice) for v in persons]
    return Vote.objects.bulk_create(created)


# --- papers and their files ---------------------------------------------------------------


def is_inquiry(paper: Paper) -> bool:
    return paper.paper_type in INQUIRY_TYPES


@transaction.atomic
def save_paper(*, paper: Paper, user: Any = None) -> Paper:
    """Create or change a paper; inquiries and motions start as received."""
    _require(user, "council.change_paper" if paper.pk else "council.add_paper")
    if paper.body_id is None:
        paper.body = default_body()
    paper.name = paper.name.strip()
    paper.reference = paper.reference.strip()
    if paper.reference and paper.origin_id is None:
        clash = Paper.objects.filter(
            body_id=paper.body_id, reference=paper.reference, origin__isnull=True, deleted=False
        ).exclude(pk=paper.pk)
        if clash.exists():
            raise _invalid(
                f"Die Drucksachennummer {paper.reference} ist schon vergeben.", "reference"
            )
    paper.questions = [str(q).strip() for q in (paper.questions or []) if str(q).strip()]
    if is_inquiry(paper) and not paper.inquiry_status:
        paper.inquiry_status = Paper.InquiryStatus.RECEIVED
    if paper.inquiry_status and not is_inquiry(paper) and paper.pk is None:
        paper.inquiry_status = ""
    _full_clean(paper)
    paper.save()
    sync_search_index(papers=[paper])
    return paper


@_uploads_cleaned_on_error
@transaction.atomic
def attach_paper_file(
    *,
    paper: Paper,
    upload: Any,
    main: bool = False,
    name: str = "",
    is_public: bool | None = None,
    user: Any = None,
) -> StoredFile:
    """Upload the paper's main file (replacing the previous one) or an attachment.

    The file is public only if the paper is and nobody says otherwise.
    """
    _require(user, "council.change_paper")
    stored = store_file(
        upload=upload,
        name=name,
        is_public=paper.is_public if is_public is None else is_public,
        date=paper.date,
        user=user,
    )
    touched = [stored.file]
    if main:
        previous = paper.main_file
        paper.main_file = stored.file
        paper.save(update_fields=["main_file", "modified"])
        if previous is not None and previous.pk != stored.file.pk:
            previous.deleted = True
            previous.save(update_fields=["deleted", "modified"])
            touched.append(previous)
    else:
        paper.auxiliary_files.add(stored.file)
    sync_search_index(files=touched, papers=[paper])
    return stored


@transaction.atomic
def remove_paper_file(*, paper: Paper, file: File, user: Any = None) -> None:
    """Take a file off a paper; it is marked deleted (and answers 410 in the OParl API)."""
    _require(user, "council.change_paper")
    if paper.main_file_id == file.pk:
        paper.main_file = None
        paper.save(update_fields=["main_file", "modified"])
    elif paper.auxiliary_files.filter(pk=file.pk).exists():
        paper.auxiliary_files.remove(file)
    else:
        raise _errors.NotFound("Die Datei gehört nicht zu dieser Drucksache.")
    file.deleted = True
    file.save(update_fields=["deleted", "modified"])
    sync_search_index(files=[file], papers=[paper])


# --- publishing -----------------------------------------------------------------------------


def _files_of(obj: Meeting | Paper | AgendaItem) -> list[File]:
    ids: set[int] = set()
    if isinstance(obj, Meeting):
        ids.update(
            pk
            for pk in (obj.invitation_id, obj.results_protocol_id, obj.verbatim_protocol_id)
            if pk
        )
        for item in obj.agenda_items.all():
            ids.update(f.pk for f in _files_of(item))
    elif isinstance(obj, Paper):
        ids.update(pk for pk in (obj.main_file_id, obj.answer_file_id) if pk)
    elif obj.resolution_file_id:
        ids.add(obj.resolution_file_id)
    ids.update(obj.auxiliary_files.values_list("pk", flat=True))
    return list(File.objects.filter(pk__in=ids))


@transaction.atomic
def set_public(
    *, obj: Meeting | Paper | AgendaItem | File, public: bool, user: Any = None
) -> list[File]:
    """Publish an object or make it non-public; returns the files that went non-public with it.

    Making something non-public takes its files along (the invitation, minutes, attachments
    and resolution files of a meeting, agenda item or paper): a file must not stay
    downloadable when what it belongs to is secret. Publishing does not publish the files;
    each file is released on its own, after someone has looked at it.
    """
    model = type(obj)
    perm = {Meeting: "meeting", Paper: "paper", AgendaItem: "agendaitem", File: "file"}[model]
    _require(user, f"council.change_{perm}")
    hidden: list[File] = []
    if isinstance(obj, AgendaItem):
        if public and not obj.meeting.is_public:
            raise _invalid(
                "Die Sitzung ist nichtöffentlich; ihre Tagesordnungspunkte können nicht "
                "öffentlich sein.",
                "public",
            )
        obj.public = public
        obj.save(update_fields=["public", "modified"])
    else:
        if isinstance(obj, Meeting) and not public and obj.video_public_url:
            obj.video_public_url = ""
        obj.is_public = public
        obj.save()
    if not public and not isinstance(obj, File):
        hidden = [f for f in _files_of(obj) if f.is_public]
        File.objects.filter(pk__in=[f.pk for f in hidden]).update(
            is_public=False, modified=_timezone.now()
        )
    sync_search_index(
        meetings=[obj] if isinstance(obj, Meeting) else [],
        agenda_items=(
            [obj]
            if isinstance(obj, AgendaItem)
            else obj.agenda_items.all()
            if isinstance(obj, Meeting)
            else []
        ),
        papers=[obj] if isinstance(obj, Paper) else [],
        files=[*hidden, *([obj] if isinstance(obj, File) else [])],
    )
    return hidden


# --- invitations, minutes, video --------------------------------------------------------------


@_dataclass(frozen=True)
class InvitationSent:
    meeting: Meeting
    recipients: list[str] = _field(default_factory=list)
    first_time: bool = True


def invitation_recipients(meeting: Meeting) -> list[str]:
    """E-mail addresses of the current members of the bodies that meet."""
    day = _timezone.localtime(meeting.start).date() if meeting.start else _timezone.localdate()
    memberships = (
        Membership.objects.current(on=day)
        .filter(organization__in=meeting.organizations.all())
        .select_related("person", "person__user")
    )
    addresses: dict[str, None] = {}
    for membership in memberships:
        person = membership.person
        found = [str(a).strip() for a in (person.email or []) if str(a).strip()]
        if not found and person.user is not None and person.user.email:
            found = [person.user.email]
        for address in found:
            addresses.setdefault(address.lower(), None)
    return sorted(addresses)


def _invitation_mail(meeting: Meeting, recipients: list[str]) -> _EmailMessage:
    when = ""
    if meeting.start:
        when = _timezone.localtime(meeting.start).strftime("%d.%m.%Y, %H:%M Uhr")
    where = str(meeting.location) if meeting.location_id and meeting.location else ""
    link = f"{settings.SITE_URL}{reverse('council_member:meeting', kwargs={'pk': meeting.pk})}"
    lines = [
        "Sehr geehrte Damen und Herren,",
        "",
        f"hiermit werden Sie zur Sitzung „{meeting.name}“ eingeladen.",
        "",
        f"Termin: {when}" if when else "",
        f"Ort: {where}" if where else "",
        "",
        "Die Tagesordnung und die Unterlagen, auch die nichtöffentlichen, finden Sie im",
        f"Mitgliederbereich: {link}",
    ]
    if meeting.has_video:
        lines += [
            "",
            "Sie können auch per Videokonferenz teilnehmen; den Zugang finden Sie",
            "ebenfalls im Mitgliederbereich.",
        ]
    lines += ["", "Mit freundlichen Grüßen", "Ihr Ratsbüro"]
    return _EmailMessage(
        subject=f"Einladung: {meeting.name}",
        body="\n".join(lines),
        to=[settings.DEFAULT_FROM_EMAIL],
        bcc=recipients,
    )


@_uploads_cleaned_on_error
@transaction.atomic
def send_invitation(
    *,
    meeting: Meeting,
    upload: Any = None,
    notify: bool = True,
    user: Any = None,
    now: _dt.datetime | None = None,
) -> InvitationSent:
    """Send the invitation: store its document, note the time, mail the members.

    The time of the first invitation is kept when it is sent again (a corrected agenda):
    the invitation deadline counts from the first one. The mail goes out once the
    transaction is committed, in blind copy to the members of the bodies that meet.
    """
    _require(user, "council.change_meeting")
    now = now or _timezone.now()
    if meeting.cancelled:
        raise _invalid("Die Sitzung ist abgesagt; es gibt nichts einzuladen.")
    if meeting.start is None:
        raise _invalid("Die Sitzung hat noch keinen Termin.", "start")
    if meeting.start <= now:
        raise _invalid("Die Sitzung hat schon begonnen; eine Einladung kommt zu spät.", "start")
    if upload is not None:
        stored = store_file(
            upload=upload,
            name=f"Einladung {meeting.name}",
            is_public=meeting.is_public,
            user=user,
        )
        meeting.invitation = stored.file
    first_time = meeting.invitation_sent_at is None
    if first_time:
        meeting.invitation_sent_at = now
    meeting.meeting_state = Meeting.State.INVITED
    meeting.save()
    recipients = invitation_recipients(meeting) if notify else []
    if recipients:
        message = _invitation_mail(meeting, recipients)

        def deliver() -> None:
            try:
                message.send()
            except Exception:  # the invitation is recorded; the office sees the log
                _log.exception("invitation mail failed", extra={"meeting": meeting.pk})

        transaction.on_commit(deliver)
    sync_search_index(meetings=[meeting])
    return InvitationSent(meeting=meeting, recipients=recipients, first_time=first_time)


@_uploads_cleaned_on_error
@transaction.atomic
def attach_minutes(
    *,
    meeting: Meeting,
    upload: Any,
    user: Any = None,
    now: _dt.datetime | None = None,
) -> StoredFile:
    """Store the minutes (Niederschrift) as the meeting's results protocol and publish them.

    `minutes_published_at` keeps the first publication: the monitor measures how long the
    minutes took, and a corrected version does not make them later.
    """
    _require(user, "council.change_meeting")
    now = now or _timezone.now()
    stored = store_file(
        upload=upload,
        name=f"Niederschrift {meeting.name}",
        is_public=meeting.is_public,
        date=_timezone.localdate(now),
        user=user,
    )
    previous = meeting.results_protocol
    meeting.results_protocol = stored.file
    if meeting.minutes_published_at is None:
        meeting.minutes_published_at = now
    if meeting.start and meeting.start <= now:
        meeting.meeting_state = Meeting.State.RUNNING
    meeting.save()
    touched = [stored.file]
    if previous is not None and previous.pk != stored.file.pk:
        previous.deleted = True
        previous.save(update_fields=["deleted", "modified"])
        touched.append(previous)
    sync_search_index(meetings=[meeting], files=touched)
    return stored


@transaction.atomic
def set_video_conference(
    *,
    meeting: Meeting,
    provider: str,
    public_url: str = "",
    user: Any = None,
) -> Meeting:
    """Give the meeting a video room (Jitsi or BigBlueButton), or take it away ("").

    `public_url` is the address the public may follow for a public hybrid meeting
    (e.g. a live stream); non-public meetings have none.
    """
    from rathaus.council import video

    _require(user, "council.change_meeting")
    if public_url and not meeting.is_public:
        raise _invalid(
            "Eine nichtöffentliche Sitzung hat keinen öffentlichen Videolink.", "video_public_url"
        )
    video.create_room(meeting, provider=provider)
    meeting.video_public_url = public_url.strip()
    _full_clean(meeting)
    meeting.save()
    return meeting


# --- inquiries and motions ------------------------------------------------------------------


@transaction.atomic
def set_inquiry_status(
    *, paper: Paper, status: str, user: Any = None, now: _dt.datetime | None = None
) -> Paper:
    """Move an inquiry or motion on: received -> in progress -> answered, nothing else.

    Answered needs an answer: a text or a file.
    """
    _require(user, "council.change_paper")
    if not is_inquiry(paper):
        raise _invalid(
            f"„{paper}“ ist keine Anfrage und kein Antrag (Art: {paper.paper_type or '—'}).",
            "paper_type",
        )
    current = paper.inquiry_status or Paper.InquiryStatus.RECEIVED
    if status not in Paper.InquiryStatus.values:
        raise _invalid(f"Unbekannter Bearbeitungsstand {status!r}.", "inquiry_status")
    if status not in INQUIRY_TRANSITIONS[current]:
        labels = dict(Paper.InquiryStatus.choices)
        allowed = ", ".join(f"„{labels[s]}“" for s in INQUIRY_TRANSITIONS[current]) or "keiner"
        raise _errors.Conflict(
            f"Von „{labels[current]}“ geht es nicht nach „{labels[status]}“; "
            f"möglich ist: {allowed}."
        )
    if status == Paper.InquiryStatus.ANSWERED:
        if not (paper.answer_text.strip() or paper.answer_file_id):
            raise _invalid(
                "Eine Anfrage ist erst beantwortet, wenn die Antwort als Text oder Datei vorliegt.",
                "answer_text",
            )
        paper.answered_at = now or _timezone.now()
    paper.inquiry_status = status
    paper.save()
    sync_search_index(papers=[paper])
    return paper


@_uploads_cleaned_on_error
@transaction.atomic
def answer_inquiry(
    *,
    paper: Paper,
    answer_text: str | None = None,
    upload: Any = None,
    finish: bool = False,
    user: Any = None,
    now: _dt.datetime | None = None,
) -> Paper:
    """Store the answer (text and/or file); with `finish`, the inquiry is then answered.

    An answered inquiry's answer can still be corrected; its status stays answered.
    """
    _require(user, "council.change_paper")
    if not is_inquiry(paper):
        raise _invalid(f"„{paper}“ ist keine Anfrage und kein Antrag.", "paper_type")
    touched: list[File] = []
    if answer_text is not None:
        paper.answer_text = answer_text.strip()
    if upload is not None:
        stored = store_file(
            upload=upload,
            name=f"Antwort {paper.reference} {paper.name}".strip(),
            is_public=paper.is_public,
            user=user,
        )
        previous = paper.answer_file
        paper.answer_file = stored.file
        touched.append(stored.file)
        if previous is not None:
            previous.deleted = True
            previous.save(update_fields=["deleted", "modified"])
            touched.append(previous)
    paper.save()
    sync_search_index(papers=[paper], files=touched)
    if finish and paper.inquiry_status != Paper.InquiryStatus.ANSWERED:
        paper = set_inquiry_status(
            paper=paper, status=Paper.InquiryStatus.ANSWERED, user=user, now=now
        )
    return paper
