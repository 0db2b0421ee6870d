"""The news editor (role Redaktion and administrators): list, create and edit announcements and
events with a server-rendered preview, publish, withdraw, delete. Thin: rules live in
`services` (sanitising, validation, search index) and the forms.

Everything under /verwaltung/ needs a confirmed second factor (accounts middleware).
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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core import errors
from rathaus.news import sanitize, services
from rathaus.news.forms import AnnouncementForm, EventForm, PublishableForm, bound_fieldsets
from rathaus.news.models import Announcement, Event, Publishable

PER_PAGE = 25
View = Callable[..., HttpResponseBase]


class Kind:
    def __init__(
        self,
        slug: str,
        model: type[Publishable],
        form: type[PublishableForm],
        template: str,
        label: str,
    ) -> None:
        self.slug, self.model, self.form, self.template, self.label = (
            slug,
            model,
            form,
            template,
            label,
        )

    @property
    def model_name(self) -> str:
        return str(self.model._meta.model_name)


KINDS = {
    "meldung": Kind(
        "meldung", Announcement, AnnouncementForm, "news/_announcement.html", "Meldung"
    ),
    "veranstaltung": Kind("veranstaltung", Event, EventForm, "news/_event.html", "Veranstaltung"),
}


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; signed-in users without `perm` get 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


def _require(request: HttpRequest, kind: Kind, action: str) -> None:
    if not request.user.has_perm(f"news.{action}_{kind.model_name}"):
        raise PermissionDenied


def state_of(item: Publishable, now: Any) -> str:
    if item.status != Publishable.Status.PUBLISHED:
        return "entwurf"
    if item.publish_at > now:
        return "geplant"
    if item.expires_at and item.expires_at <= now:
        return "abgelaufen"
    return "sichtbar"


@staff_view("news.view_announcement")
def item_list(request: HttpRequest) -> HttpResponse:
    kind = KINDS.get(request.GET.get("art", ""), KINDS["meldung"])
    state = request.GET.get("status", "")
    now = timezone.now()
    qs = kind.model.objects.select_related("category")
    if state == "entwurf":
        qs = qs.filter(status=Publishable.Status.DRAFT)
    elif state == "geplant":
        qs = qs.filter(status=Publishable.Status.PUBLISHED, publish_at__gt=now)
    elif state == "sichtbar":
        qs = qs.published(now)
    elif state == "abgelaufen":
        qs = qs.filter(status=Publishable.Status.PUBLISHED, expires_at__lte=now)
    else:
        state = ""
    order = "-starts_at" if kind.model is Event else "-publish_at"
    page = Paginator(qs.order_by(order, "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(item, state_of(item, now)) for item in page.object_list]
    context = {
        "kind": kind,
        "kinds": KINDS.values(),
        "state": state,
        "states": [
            ("", _("alle")),
            ("entwurf", _("Entwürfe")),
            ("geplant", _("geplant")),
            ("sichtbar", _("sichtbar")),
            ("abgelaufen", _("abgelaufen")),
        ],
        "page": page,
        "rows": rows,
    }
    return render(request, "news/staff/list.html", context)


@staff_view("news.view_announcement")
def create(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    _require(request, spec, "add")
    item = spec.model()
    if spec.model is Announcement and request.GET.get("art") in Announcement.Kind.values:
        item.kind = request.GET["art"]  # type: ignore[attr-defined]
    return _edit(request, spec, item)


@staff_view("news.view_announcement")
def edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    _require(request, spec, "change")
    item = get_object_or_404(spec.model.objects.select_related("category"), pk=pk)
    return _edit(request, spec, item)


def _edit(request: HttpRequest, spec: Kind, item: Publishable) -> HttpResponse:
    form = spec.form(
        request.POST or None,
        request.FILES or None,
        # A copy: validation writes the posted values into the instance, and the page
        # header must keep showing the stored state next to the errors.
        instance=copy.copy(item),
    )
    preview: Publishable | None = None
    preview_topics: list[Any] = []
    if request.method == "POST" and form.is_valid():
        if request.POST.get("aktion") == "vorschau":
            preview = form.save(commit=False)
            # The preview shows what would be stored: the sanitised text.
            preview.body = sanitize.clean(preview.body)
            preview_topics = list(form.cleaned_data.get("topics") or [])
        elif (saved := _save(request, form)) is not None:
            messages.success(request, _("„%(title)s“ ist gespeichert.") % {"title": saved.title})
            return redirect("news_staff:edit", kind=spec.slug, pk=saved.pk)
    context = {
        "form": form,
        "fieldsets": bound_fieldsets(form),
        "item": item,
        "spec": spec,
        "state": state_of(item, timezone.now()) if item.pk else "",
        "preview": preview,
        "preview_topics": preview_topics,
        "new_image": bool(preview is not None and form.cleaned_data.get("image")),
        "show_image": bool(
            preview is not None
            and item.image
            and not form.cleaned_data.get("remove_image")
            and not form.cleaned_data.get("image")
        ),
    }
    return render(request, "news/staff/edit.html", context)


def _save(request: HttpRequest, form: PublishableForm) -> Publishable | None:
    is_new = form.instance.pk is None
    old_image = form.initial.get("image") if not is_new else None
    try:
        with transaction.atomic():
            item = form.save(commit=False)
            upload = form.cleaned_data.get("image")
            if form.cleaned_data.get("remove_image") and not upload:
                item.image = ""
            services.save_item(
                item=item,
                user=request.user,
                topics=form.cleaned_data.get("topics") or [],
                image=upload or None,
            )
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.ValidationFailed as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        for name, field_errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    else:
        if old_image and getattr(old_image, "name", "") != (item.image.name if item.image else ""):
            storage, name = old_image.storage, old_image.name
            transaction.on_commit(lambda: storage.delete(name))
        return item
    if is_new:
        form.instance.pk = None  # rolled back: the form must still create, not update
    return None


ACTIONS = {"freigeben", "zurueckziehen"}


@require_POST
@staff_view("news.view_announcement")
def action(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    spec = _kind(kind)
    if action not in ACTIONS:
        raise Http404
    _require(request, spec, "change")
    item = get_object_or_404(spec.model, pk=pk)
    try:
        if action == "freigeben":
            services.publish(item=item, user=request.user)
            if item.publish_at > timezone.now():
                message = _("„%(title)s“ ist freigegeben und erscheint am %(when)s.") % {
                    "title": item.title,
                    "when": timezone.localtime(item.publish_at).strftime("%d.%m.%Y %H:%M"),
                }
            else:
                message = _("„%(title)s“ ist veröffentlicht.") % {"title": item.title}
        else:
            services.unpublish(item=item, user=request.user)
            message = _("„%(title)s“ ist zurückgezogen und wieder ein Entwurf.") % {
                "title": item.title
            }
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(
            request,
            _("„%(title)s“ ist unvollständig: %(errors)s")
            % {"title": item.title, "errors": " ".join(exc.messages)},
        )
    else:
        messages.success(request, message)
    return redirect("news_staff:edit", kind=spec.slug, pk=item.pk)


@staff_view("news.view_announcement")
def delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    _require(request, spec, "delete")
    item = get_object_or_404(spec.model, pk=pk)
    if request.method == "POST":
        title = item.title
        services.delete_item(item=item, user=request.user)
        messages.success(request, _("„%(title)s“ ist gelöscht.") % {"title": title})
        return redirect(reverse("news_staff:list") + f"?art={spec.slug}")
    return render(request, "news/staff/delete.html", {"item": item, "spec": spec})


@staff_view("news.view_announcement")
def image(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    """The stored image of any item (drafts too), for the editor and its preview."""
    spec = _kind(kind)
    item = get_object_or_404(spec.model.objects.exclude(image=""), pk=pk)
    try:
        handle = item.image.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
