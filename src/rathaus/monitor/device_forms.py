"""Forms of the device inventory pages: filters, one device, the CSV upload, headcounts."""

from __future__ import annotations

import codecs
import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Office
from rathaus.monitor.device_selectors import DeviceFilters
from rathaus.monitor.devices import COLUMNS, device_problems, inventory_number_taken
from rathaus.monitor.models import Device, Headcount

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class DeviceFilterForm(forms.Form):
    """The filters above the inventory (GET, so a filtered list can be bookmarked)."""

    office = forms.ModelChoiceField(
        label=_("Dienststelle"),
        required=False,
        queryset=Office.objects.all(),
        to_field_name="slug",
        empty_label=_("alle"),
    )
    kind = forms.ChoiceField(
        label=_("Art"), required=False, choices=[("", _("alle")), *Device.Kind.choices]
    )
    mobil = forms.ChoiceField(
        label=_("für mobiles Arbeiten geeignet"),
        required=False,
        choices=[("", _("alle")), ("ja", _("ja")), ("nein", _("nein"))],
    )
    garantie = forms.ChoiceField(
        label=_("Garantie"),
        required=False,
        choices=[
            ("", _("alle")),
            ("abgelaufen", _("abgelaufen")),
            ("bald", _("läuft innerhalb von 90 Tagen ab")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Ausmusterung"),
        required=False,
        choices=[
            ("", _("alle")),
            ("aktiv", _("nicht ausgemustert")),
            ("ausgemustert", _("ausgemustert")),
        ],
    )

    def filters(self) -> DeviceFilters:
        if not self.is_bound:
            return DeviceFilters()
        self.is_valid()  # an invalid filter is dropped and named; the valid ones still apply
        data = self.cleaned_data
        mobile = data.get("mobil")
        return DeviceFilters(
            office=data.get("office"),
            kind=data.get("kind") or "",
            capable={"ja": True, "nein": False}.get(mobile or ""),
            warranty={"abgelaufen": "expired", "bald": "expiring"}.get(
                data.get("garantie") or "", ""
            ),
            status={"aktiv": "in_use", "ausgemustert": "retired"}.get(data.get("status") or "", ""),
        )


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = [
            "inventory_number",
            "kind",
            "model_name",
            "office",
            "holder",
            "home_office_capable",
            "purchased_on",
            "warranty_until",
            "retired_on",
        ]
        widgets = {"purchased_on": DATE, "warranty_until": DATE, "retired_on": DATE}
        help_texts = {
            "holder": _("Nur die Personalnummer, nie den Namen."),
            "purchased_on": _(
                "Ohne Anschaffungsdatum zählt das Gerät nicht in der Kennzahl „mobiles Arbeiten“."
            ),
            "retired_on": _("Leer lassen, solange das Gerät genutzt wird."),
        }

    def clean_inventory_number(self) -> str:
        number: str = self.cleaned_data["inventory_number"].strip()
        taken = Device.objects.filter(inventory_number=number).exclude(pk=self.instance.pk)
        if number and taken.exists():
            raise forms.ValidationError(inventory_number_taken(number), code="unique")
        return number

    def validate_unique(self) -> None:
        pass  # checked in clean_inventory_number with a message that names the number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = Device(
            purchased_on=data.get("purchased_on"),
            warranty_until=data.get("warranty_until"),
            retired_on=data.get("retired_on"),
        )
        for problem in device_problems(candidate):
            if problem.field and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data


ENCODINGS = [
    ("auto", _("automatisch (UTF-8, sonst Windows-1252)")),
    ("utf-8", _("UTF-8")),
    ("cp1252", _("Windows-1252 (ältere Excel-Versionen)")),
]
# Signatures of files people upload by mistake instead of a CSV export.
_SPREADSHEETS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# Text files hold tabs and line ends, no other control characters; binary files do.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DeviceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-Datei"),
        help_text=_("Höchstens 5 MB; Trennzeichen Semikolon, Komma oder Tabulator."),
    )
    encoding = forms.ChoiceField(label=_("Zeichenkodierung"), choices=ENCODINGS, initial="auto")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload: UploadedFile | None = data.get("file")
        if upload is None:
            return data
        try:
            data["content"], data["encoding"] = read_csv_upload(
                upload, data.get("encoding") or "auto"
            )
        except forms.ValidationError as exc:
            self.add_error("file", exc)
        return data


def read_csv_upload(upload: UploadedFile, encoding: str) -> tuple[bytes, str]:
    """The bytes of an uploaded CSV and the encoding they decode with, or a clear refusal."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("Die Datei ist %(size)s MB groß; erlaubt sind höchstens 5 MB.")
            % {"size": number_format(size / 1024 / 1024, decimal_pos=1)},
            code="too_large",
        )
    content = upload.read()
    if not content.strip():
        raise forms.ValidationError(_("Die Datei ist leer."), code="empty")
    if content.startswith(_SPREADSHEETS):
        raise forms.ValidationError(
            _(
                "Das ist eine Excel-Arbeitsmappe, keine CSV-Datei. Speichern Sie sie in Excel "
                "mit „Speichern unter“ als „CSV (Trennzeichen-getrennt)“."
            ),
            code="spreadsheet",
        )
    # Control bytes are ASCII in both encodings, so the check comes before decoding.
    control = _CONTROL.search(content)
    if control:
        raise forms.ValidationError(
            _(
                "Die Datei ist keine Textdatei: Zeile %(line)s enthält Steuerzeichen. "
                "Bitte laden Sie die Geräteliste als CSV hoch."
            )
            % {"line": content.count(b"\n", 0, control.start()) + 1},
            code="binary",
        )
    _text, encoding = _decode(content, encoding)
    return content, encoding


def _decode(content: bytes, encoding: str) -> tuple[str, str]:
    names = ["utf-8", "cp1252"] if encoding == "auto" else [encoding]
    for name in names:
        try:
            return content.removeprefix(codecs.BOM_UTF8).decode(name), name
        except UnicodeDecodeError as exc:
            error = exc
    where = {
        "line": content.count(b"\n", 0, error.start) + 1,
        "byte": content[error.start : error.start + 1].hex().upper(),
    }
    if encoding == "auto":
        message = _(
            "Die Datei lässt sich weder als UTF-8 noch als Windows-1252 lesen (Zeile %(line)s, "
            "Byte 0x%(byte)s). Bitte laden Sie die Geräteliste als CSV hoch."
        )
    else:
        where["encoding"] = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}[encoding]
        message = _(
            "Die Datei ist nicht in %(encoding)s kodiert (Zeile %(line)s, Byte 0x%(byte)s). "
            "Wählen Sie „automatisch“ oder die andere Zeichenkodierung."
        )
    raise forms.ValidationError(message % where, code="encoding")


def csv_template() -> str:
    """The header line of the import file, as Excel in Germany writes it."""
    return ";".join(COLUMNS) + "\r\n"


class HeadcountForm(forms.ModelForm):
    class Meta:
        model = Headcount
        fields = ["as_of", "staff"]
        widgets = {"as_of": DATE}

    def clean_as_of(self) -> Any:
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(
                _("Der Stichtag liegt in der Zukunft; erfassen Sie den Personalstand von heute.")
            )
        return as_of

    def validate_unique(self) -> None:
        pass  # the same day again corrects the recorded number (record_headcount)
