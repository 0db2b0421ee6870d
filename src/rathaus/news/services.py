"""Everything that writes news, official notices and events, and keeps the search index in step.

Only items citizens may see *now* are in the search index (published, past `publish_at`,
not expired). Scheduled and expired items change visibility without a write, so the hourly
task `tasks.sync_due_items` reconciles the index, and the site search filters every hit
through `PublishedQuerySet.published()` as well: a scheduled item never shows early, even
between two runs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from rathaus.core import search
from rathaus.core.errors import PermissionDenied, Problem, ValidationFailed
from rathaus.news import sanitize
from rathaus.news.models import Announcement, Event, Publishable, Topic

NEWS_KIND = "news"
EVENT_KIND = "event"
SEARCH_KINDS = (NEWS_KIND, EVENT_KIND)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# Formats a browser shows everywhere; the type is read from the bytes, not the file name.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


# --- search index ------------------------------------------------------------------------


def _kind_of(item: Publishable) -> str:
    return EVENT_KIND if isinstance(item, Event) else NEWS_KIND


def search_document(item: Publishable) -> search.Document:
    topics = [t.name for t in item.topics.all()]
    category = item.category.name if item.category_id and item.category else ""
    parts = [item.summary, sanitize.plain_text(item.body)]
    if isinstance(item, Event):
        parts += [item.place, item.address, item.organiser]
        label = str(Event._meta.verbose_name)
    elif isinstance(item, Announcement):
        label = item.get_kind_display()
    else:
        raise TypeError(f"not a news item: {item!r}")
    return search.Document(
        kind=_kind_of(item),
        object_id=item.pk,
        title=item.title,
        url=item.get_absolute_url(),
        keywords=" ".join([str(label), category, *topics]),
        body="\n".join(p for p in parts if p),
    )


def _visible_now(model: type[Publishable], ids: Iterable[int]) -> set[int]:
    return set(model.objects.published().filter(pk__in=list(ids)).values_list("pk", flat=True))


def sync_search_index(items: Iterable[Publishable]) -> None:
    """Index the items citizens may see now; take all others out of the index."""
    by_model: dict[type[Publishable], list[int]] = {}
    for item in items:
        by_model.setdefault(type(item), []).append(item.pk)
    for model, ids in by_model.items():
        kind = EVENT_KIND if model is Event else NEWS_KIND
        visible = _visible_now(model, ids)
        rows = (
            model.objects.filter(pk__in=visible)
            .select_related("category")
            .prefetch_related("topics")
        )
        # Stored addresses are the German ones (no language prefix), whoever runs this.
        with translation.override(settings.LANGUAGE_CODE):
            search.index_documents(search_document(row) for row in rows)
        hidden = set(ids) - visible
        if hidden:
            search.remove_documents(kind, hidden)


def sync_due_items() -> dict[str, int]:
    """Bring the index in line with the clock: add items whose time has come, remove expired
    ones. Safe to run at any time; returns how many documents were added and removed."""
    from rathaus.core.models import SearchDocument

    outcome = {"added": 0, "removed": 0}
    for model, kind in ((Announcement, NEWS_KIND), (Event, EVENT_KIND)):
        visible = set(model.objects.published().values_list("pk", flat=True))
        indexed = set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True))
        missing, extra = visible - indexed, indexed - visible
        with transaction.atomic():
            if missing:
                sync_search_index(model.objects.filter(pk__in=missing))
            if extra:
                search.remove_documents(kind, extra)
        outcome["added"] += len(missing)
        outcome["removed"] += len(extra)
    return outcome


def rebuild_search_index() -> int:
    from rathaus.core.models import SearchDocument

    with transaction.atomic():
        SearchDocument.objects.filter(kind__in=SEARCH_KINDS).delete()
        sync_search_index([*Announcement.objects.all(), *Event.objects.all()])
    return SearchDocument.objects.filter(kind__in=SEARCH_KINDS).count()


# --- validation --------------------------------------------------------------------------


def unique_slug(model: type[Publishable], title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title.replace("ß", "ss"))[:100] or "meldung"
    slug, n = base, 2
    existing = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_image(upload: UploadedFile) -> str:
    """The file extension for an uploaded image, after reading its bytes; raises
    ValidationFailed naming the field `image` when it is too large or not an image."""
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise ValidationFailed(
            _("Das Bild ist zu groß (höchstens %(mb)s MB).") % {"mb": MAX_IMAGE_BYTES // 2**20},
            problems=[Problem(field="image", message=_("Datei zu groß"))],
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = filetype.guess_mime(head) or ""
    if mime not in IMAGE_TYPES:
        raise ValidationFailed(
            _("Die Datei ist kein Bild im Format JPEG, PNG, WebP oder GIF."),
            problems=[Problem(field="image", message=_("kein unterstütztes Bildformat"))],
        )
    try:
        data = upload.read()
        upload.seek(0)
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(
                    _("Das Bild hat zu viele Bildpunkte."),
                    problems=[Problem(field="image", message=_("zu viele Bildpunkte"))],
                )
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            _("Das Bild ist beschädigt oder lässt sich nicht lesen."),
            problems=[Problem(field="image", message=_("beschädigtes Bild"))],
        ) from exc
    return IMAGE_TYPES[mime]


def _validate(item: Publishable) -> None:
    errors: dict[str, list[str]] = {}
    if item.image and not item.image_alt.strip():
        errors["image_alt"] = [
            _("Ein Bild braucht einen Alternativtext, der beschreibt, was es zeigt.")
        ]
    if item.expires_at and item.publish_at and item.expires_at <= item.publish_at:
        errors["expires_at"] = [_("„Sichtbar bis“ muss nach „veröffentlichen ab“ liegen.")]
    is_notice = isinstance(item, Announcement) and item.kind == Announcement.Kind.NOTICE
    if is_notice and item.legal_effect_date is None:  # type: ignore[attr-defined]
        errors["legal_effect_date"] = [
            _("Eine amtliche Bekanntmachung braucht das Datum, ab dem sie rechtswirksam ist.")
        ]
    if isinstance(item, Event) and item.ends_at and item.ends_at < item.starts_at:
        errors["ends_at"] = [_("Das Ende liegt vor dem Beginn.")]
    if errors:
        raise ValidationError(errors)


# --- writes ------------------------------------------------------------------------------


def _require(user: Any, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(_("Es fehlt die Berechtigung „%(perm)s“.") % {"perm": perm})


@transaction.atomic
def save_item(
    *,
    item: Publishable,
    user: Any = None,
    topics: Iterable[Topic] | None = None,
    image: UploadedFile | None = None,
) -> Publishable:
    """Validate, sanitise and store an announcement or event (new or changed), set its
    topics and keep the search index in step. Raises ValidationError naming the field."""
    model = type(item)
    action = "add" if item.pk is None else "change"
    _require(user, f"news.{action}_{model._meta.model_name}")
    item.body = sanitize.clean(item.body)
    item.title = item.title.strip()
    if not item.slug:
        item.slug = unique_slug(model, item.title, exclude_pk=item.pk)
    if image is not None:
        try:
            extension = check_image(image)
        except ValidationFailed as exc:
            raise ValidationError({"image": [exc.message]}) from exc
        image.name = f"{item.slug[:60]}.{extension}"
        item.image = image
    if item.pk is None and user is not None and getattr(user, "is_authenticated", False):
        item.author = user
    _validate(item)
    item.full_clean()
    item.save()
    if topics is not None:
        item.topics.set(list(topics))
    sync_search_index([item])
    return item


@transaction.atomic
def publish(*, item: Publishable, user: Any = None) -> Publishable:
    """Draft -> published; visible from `publish_at` (now, or later when scheduled)."""
    _require(user, f"news.change_{type(item)._meta.model_name}")
    item.status = Publishable.Status.PUBLISHED
    _validate(item)
    item.full_clean()
    item.save(update_fields=["status", "modified"])
    sync_search_index([item])
    return item


@transaction.atomic
def unpublish(*, item: Publishable, user: Any = None) -> Publishable:
    _require(user, f"news.change_{type(item)._meta.model_name}")
    item.status = Publishable.Status.DRAFT
    item.save(update_fields=["status", "modified"])
    sync_search_index([item])
    return item


@transaction.atomic
def delete_item(*, item: Publishable, user: Any = None) -> None:
    _require(user, f"news.delete_{type(item)._meta.model_name}")
    kind, pk = _kind_of(item), item.pk
    image = item.image.name if item.image else ""
    item.delete()
    search.remove_documents(kind, [pk])
    if image:
        storage = item.image.storage
        transaction.on_commit(lambda: storage.delete(image))
