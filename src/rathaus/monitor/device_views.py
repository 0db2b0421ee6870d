"""Staff pages of the device inventory (gap B1): list, one device, CSV import, headcounts.

Thin: the rules and every write live in `monitor/devices.py`, the reads in
`monitor/device_selectors.py`.
"""

from __future__ import annotations

import base64
import copy
import io
import zlib
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from rathaus.accounts.models import Office
from rathaus.accounts.views import safe_next
from rathaus.catalog.staff_views import staff_view
from rathaus.core.errors import Conflict, ImportRejected, Problem, ValidationFailed
from rathaus.monitor import device_selectors
from rathaus.monitor.device_forms import (
    MAX_UPLOAD_BYTES,
    DeviceFilterForm,
    DeviceForm,
    DeviceUploadForm,
    HeadcountForm,
    csv_template,
)
from rathaus.monitor.devices import (
    COLUMNS,
    delete_device,
    parse_csv,
    plan_records,
    record_headcount,
    retire_device,
    save_device,
    save_records,
)
from rathaus.monitor.models import Device

PER_PAGE = 50
PREVIEW_ROWS = 200
PREVIEW_MAX_AGE = 60 * 60  # seconds between the dry run and "Importieren"
PREVIEW_SALT = "rathaus.monitor.device-import"


@staff_view("monitor.view_device")
def device_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DeviceFilterForm(request.GET or None)
    devices = device_selectors.devices(form.filters(), day=today)
    context = {
        "form": form,
        "page": Paginator(devices, PER_PAGE).get_page(request.GET.get("page")),
        "summary": device_selectors.summary(today),
        "today": today,
        "soon": today + device_selectors.WARRANTY_SOON,
    }
    return render(request, "monitor/staff/devices_list.html", context)


@staff_view("monitor.add_device")
def device_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Device())


@staff_view("monitor.change_device")
def device_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Device.objects.select_related("office"), pk=pk))


def _edit(request: HttpRequest, device: Device) -> HttpResponse:
    # A copy: validation writes the posted values into the instance, and the page header
    # must keep showing the stored device next to the errors.
    form = DeviceForm(request.POST or None, instance=copy.copy(device))
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_device(form.save(commit=False))
        except ValidationFailed as exc:
            for problem in exc.problems or [Problem(exc.message)]:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(
                request,
                _("Das Gerät %(number)s ist gespeichert.") % {"number": saved.inventory_number},
            )
            return redirect("monitor_staff:device_edit", pk=saved.pk)
    return render(
        request,
        "monitor/staff/devices_form.html",
        {"form": form, "device": device, "today": timezone.localdate()},
    )


@require_POST
@staff_view("monitor.change_device")
def device_retire(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device, pk=pk)
    next_url = safe_next(request, default=reverse("monitor_staff:device_edit", args=[pk]))
    try:
        device = retire_device(device)
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Das Gerät %(number)s ist ausgemustert; es zählt ab heute nicht mehr "
                "als in Gebrauch."
            )
            % {"number": device.inventory_number},
        )
    return redirect(next_url)


@staff_view("monitor.delete_device")
def device_delete(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device.objects.select_related("office"), pk=pk)
    if request.method == "POST":
        delete_device(device)
        messages.success(
            request, _("Das Gerät %(number)s ist gelöscht.") % {"number": device.inventory_number}
        )
        return redirect("monitor_staff:devices")
    return render(request, "monitor/staff/devices_delete.html", {"device": device})


@staff_view("monitor.view_device")
def device_template(request: HttpRequest) -> HttpResponse:
    # With a byte order mark, so Excel opens the umlauts of later rows correctly.
    response = HttpResponse("\ufeff" + csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="geraete-vorlage.csv"'
    return response


class MemoryOnlyUpload(FileUploadHandler):
    """Keeps an upload in memory up to `limit` bytes and never writes it to disk.

    A larger file is read to its end but not kept: its size is what the form reports.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.buffer = io.BytesIO()
        self.size = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size <= self.limit:
            self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        if self.size > self.limit:
            self.buffer = io.BytesIO()
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


@staff_view("monitor.add_device")
@csrf_exempt  # checked by csrf_protect below, after the upload handler is in place
def device_import(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [MemoryOnlyUpload(request, limit=MAX_UPLOAD_BYTES)]
    return _device_import(request)


@csrf_protect
def _device_import(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitor.change_device"):
        raise PermissionDenied  # an import also updates existing devices
    context: dict[str, Any] = {"columns": COLUMNS, "form": DeviceUploadForm()}
    if request.method == "POST" and "payload" in request.POST:
        try:
            content, encoding = _unpack(request.POST["payload"])
            result = save_records(parse_csv(content, encoding=encoding), source=Device.Source.CSV)
        except ImportRejected as exc:
            context["rejected"] = exc
        else:
            messages.success(
                request,
                _("Import abgeschlossen: %(created)s Geräte angelegt, %(updated)s geändert.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("monitor_staff:devices")
    elif request.method == "POST":
        form = DeviceUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            content, encoding = form.cleaned_data["content"], form.cleaned_data["encoding"]
            context["filename"] = form.cleaned_data["file"].name
            try:
                records = parse_csv(content, encoding=encoding)
            except ImportRejected as exc:
                context["rejected"] = exc
            else:
                context.update(_preview(records, content, encoding))
    return render(request, "monitor/staff/devices_import.html", context)


def _preview(records: list[Any], content: bytes, encoding: str) -> dict[str, Any]:
    plan = plan_records(records, source=Device.Source.CSV)
    counts = dict.fromkeys(("create", "update", "unchanged"), 0)
    for row in plan:
        counts[row.action] += 1
    changing = [row for row in plan if row.action != "unchanged"]
    # The file travels signed in the page, never to disk: "Importieren" stores exactly
    # what this dry run was computed from, and an old page expires.
    # Compressed before base64 (CSV shrinks several times), so even a 5 MB file stays far
    # below Django's 2.5 MB limit for posted form fields.
    packed = base64.b64encode(zlib.compress(content, 6)).decode("ascii")
    payload = signing.TimestampSigner(salt=PREVIEW_SALT).sign_object(
        {"encoding": encoding, "data": packed}
    )
    return {
        "plan": changing[:PREVIEW_ROWS],
        "plan_more": max(0, len(changing) - PREVIEW_ROWS),
        "counts": counts,
        "payload": payload,
    }


def _unpack(payload: str) -> tuple[bytes, str]:
    signer = signing.TimestampSigner(salt=PREVIEW_SALT)
    try:
        data = signer.unsign_object(payload, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportRejected(
            _("Die Vorschau ist älter als eine Stunde. Bitte laden Sie die Datei erneut hoch.")
        ) from None
    except signing.BadSignature:
        raise ImportRejected(
            _(
                "Die Vorschau ist unvollständig oder verändert. "
                "Bitte laden Sie die Datei erneut hoch."
            )
        ) from None
    return zlib.decompress(base64.b64decode(data["data"])), str(data["encoding"])


@staff_view("monitor.view_headcount")
def headcounts(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    offices = list(Office.objects.order_by("name"))
    bound: HeadcountForm | None = None
    if request.method == "POST":
        if not (
            request.user.has_perm("monitor.add_headcount")
            and request.user.has_perm("monitor.change_headcount")
        ):
            raise PermissionDenied
        office = next((o for o in offices if str(o.pk) == request.POST.get("office")), None)
        if office is None:
            raise Http404
        bound = HeadcountForm(request.POST, prefix=f"office-{office.pk}")
        if bound.is_valid():
            headcount = record_headcount(
                office, as_of=bound.cleaned_data["as_of"], staff=bound.cleaned_data["staff"]
            )
            messages.success(
                request,
                _("Personalstand gespeichert: %(office)s, %(staff)s Beschäftigte.")
                % {"office": office.name, "staff": headcount.staff},
            )
            return redirect("monitor_staff:headcounts")
    latest = device_selectors.latest_headcounts(today)
    rows = []
    for office in offices:
        prefix = f"office-{office.pk}"
        form = (
            bound
            if bound is not None and bound.prefix == prefix
            else HeadcountForm(prefix=prefix, initial={"as_of": today})
        )
        rows.append({"office": office, "form": form, "latest": latest.get(office.pk)})
    context = {
        "rows": rows,
        "form": bound,  # for the error summary
        "page": Paginator(device_selectors.headcounts(), PER_PAGE).get_page(
            request.GET.get("page")
        ),
    }
    return render(request, "monitor/staff/devices_headcounts.html", context)
