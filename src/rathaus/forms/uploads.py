"""Checking and keeping files that citizens (and clerks) upload.

Nothing about a file is taken from the browser: the type is sniffed from the bytes
(`filetype` for binary formats, our own checks for PDF and plain text), the size is counted,
the SHA-256 is computed while reading, and the file is scanned by ClamAV when a scanner is
configured. Refusals name the file and what is wrong, in words a citizen understands.

Files are kept in the private storage (outside the web root, see `rathaus.core.storage`)
under a random name; the citizen's file name is metadata only.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.errors import Conflict, NotFound, Problem, ValidationFailed
from rathaus.forms.models import Draft, Upload
from rathaus.integrations.clamav import ScannerUnavailable, client_from_settings

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8192
TEXT_TYPES = ("text/plain", "text/csv")
UNKNOWN = "application/octet-stream"

# What a type is called in a sentence: (with indefinite article, negated, bare label).
# Articles differ by gender in German, so each type carries its own forms.
_TYPE_NAMES = {
    "application/pdf": (
        gettext_lazy("eine PDF-Datei"),
        gettext_lazy("keine PDF-Datei"),
        gettext_lazy("PDF"),
    ),
    "image/jpeg": (
        gettext_lazy("ein JPEG-Bild"),
        gettext_lazy("kein JPEG-Bild"),
        gettext_lazy("JPEG-Bild"),
    ),
    "image/png": (
        gettext_lazy("ein PNG-Bild"),
        gettext_lazy("kein PNG-Bild"),
        gettext_lazy("PNG-Bild"),
    ),
    "image/gif": (
        gettext_lazy("ein GIF-Bild"),
        gettext_lazy("kein GIF-Bild"),
        gettext_lazy("GIF-Bild"),
    ),
    "image/webp": (
        gettext_lazy("ein WebP-Bild"),
        gettext_lazy("kein WebP-Bild"),
        gettext_lazy("WebP-Bild"),
    ),
    "image/tiff": (
        gettext_lazy("ein TIFF-Bild"),
        gettext_lazy("kein TIFF-Bild"),
        gettext_lazy("TIFF-Bild"),
    ),
    "image/heic": (
        gettext_lazy("ein HEIC-Bild"),
        gettext_lazy("kein HEIC-Bild"),
        gettext_lazy("HEIC-Bild"),
    ),
    "text/plain": (
        gettext_lazy("eine Textdatei"),
        gettext_lazy("keine Textdatei"),
        gettext_lazy("Textdatei"),
    ),
    "text/csv": (
        gettext_lazy("eine CSV-Datei"),
        gettext_lazy("keine CSV-Datei"),
        gettext_lazy("CSV-Datei"),
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        gettext_lazy("ein Word-Dokument"),
        gettext_lazy("kein Word-Dokument"),
        gettext_lazy("Word-Dokument"),
    ),
    "application/msword": (
        gettext_lazy("ein Word-Dokument"),
        gettext_lazy("kein Word-Dokument"),
        gettext_lazy("Word-Dokument"),
    ),
    "application/vnd.oasis.opendocument.text": (
        gettext_lazy("ein OpenDocument-Text"),
        gettext_lazy("kein OpenDocument-Text"),
        gettext_lazy("OpenDocument-Text"),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        gettext_lazy("eine Excel-Tabelle"),
        gettext_lazy("keine Excel-Tabelle"),
        gettext_lazy("Excel-Tabelle"),
    ),
    "application/vnd.oasis.opendocument.spreadsheet": (
        gettext_lazy("eine OpenDocument-Tabelle"),
        gettext_lazy("keine OpenDocument-Tabelle"),
        gettext_lazy("OpenDocument-Tabelle"),
    ),
    "application/x-msdownload": (
        gettext_lazy("ein ausführbares Programm"),
        gettext_lazy("kein ausführbares Programm"),
        gettext_lazy("Programm"),
    ),
    "application/x-executable": (
        gettext_lazy("ein ausführbares Programm"),
        gettext_lazy("kein ausführbares Programm"),
        gettext_lazy("Programm"),
    ),
    "application/zip": (
        gettext_lazy("ein ZIP-Archiv"),
        gettext_lazy("kein ZIP-Archiv"),
        gettext_lazy("ZIP-Archiv"),
    ),
}
_ARCHIVES = {
    "application/x-tar",
    "application/x-rar-compressed",
    "application/gzip",
    "application/x-bzip2",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/zstd",
    "application/x-lzip",
}


def type_phrase(content_type: str) -> str:
    """'ein PNG-Bild', 'eine PDF-Datei', … for a sentence about the file."""
    if content_type in _TYPE_NAMES:
        return str(_TYPE_NAMES[content_type][0])
    if content_type in _ARCHIVES:
        return _("ein komprimiertes Archiv")
    family = content_type.split("/", 1)[0]
    if family == "image":
        return _("ein Bild in einem nicht erlaubten Format")
    if family in {"audio", "video"}:
        return _("eine Audio- oder Videodatei")
    return _("eine Datei in einem unbekannten Format")


def type_label(content_type: str) -> str:
    """'PDF', 'PNG-Bild', … for a list of what is allowed."""
    if content_type in _TYPE_NAMES:
        return str(_TYPE_NAMES[content_type][2])
    if content_type == "image/*":
        return _("Bild")
    return content_type


def describe_accept(accept: Sequence[str]) -> str:
    """The allowed types as a readable list without duplicates, e.g. 'PDF, JPEG-Bild, PNG-Bild'."""
    labels: list[str] = []
    for item in accept:
        label = type_label(item)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def format_size(size: int) -> str:
    """Bytes as a German figure: '10 MB', '12,4 MB', '350 KB'."""
    mb = 1024 * 1024
    if size >= mb:
        value = size / mb
        return _("%(size)s MB") % {"size": number_format(value, 0 if value == int(value) else 1)}
    if size >= 1024:
        return _("%(size)s KB") % {"size": number_format(round(size / 1024))}
    return _("%(size)s Byte") % {"size": number_format(size)}


def clean_name(name: str | None) -> str:
    """The citizen's file name, reduced to its last part and printable characters."""
    raw = name or ""
    raw = PureWindowsPath(PurePosixPath(raw).name).name  # "C:\\Users\\x\\a.pdf" → "a.pdf"
    raw = unicodedata.normalize("NFC", raw)
    cleaned = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C").strip()
    if len(cleaned) > 200:
        stem, dot, ext = cleaned.rpartition(".")
        short = f"{stem[: 190 - len(ext)]}…{dot}{ext}"
        cleaned = short if dot and len(ext) <= 10 else cleaned[:200]
    return cleaned or _("Datei ohne Namen")


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 or Windows-1252 text without control characters other than tab, CR, LF, FF.

    Windows-1252 because spreadsheets exported on German Windows PCs still write it; binary
    data fails here on its control bytes.
    """
    if not head or b"\0" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a multi-byte character.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            text = head[: exc.start].decode("utf-8", "replace")
        else:
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def sniff(head: bytes) -> str:
    """The content type of a file judged by its first bytes alone."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    # filetype wants "%PDF" at byte 0; PDF writers sometimes put a byte-order mark or white
    # space before the header, which readers accept. Anything else in front is not a PDF.
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "application/pdf"
    if _looks_like_text(head):
        return "text/plain"
    return UNKNOWN


def _accepted_as(sniffed: str, accept: Sequence[str]) -> str | None:
    """The type the file is accepted as, or None."""
    for item in accept:
        if item == sniffed:
            return sniffed
        if item.endswith("/*") and sniffed.startswith(item[:-1]):
            return sniffed
        # Text is only text: a CSV file sniffs as plain text.
        if sniffed == "text/plain" and item in TEXT_TYPES:
            return item
    return None


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check; `file` is the upload, rewound, ready to be saved."""

    file: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str
    scan: str  # Upload.Scan value


def _chunks(uploaded: UploadedFile) -> Iterator[bytes]:
    uploaded.seek(0)
    yield from uploaded.chunks()


def check_file(
    uploaded: UploadedFile, *, field: str, accept: Sequence[str], max_bytes: int
) -> CheckedFile:
    """Check an uploaded file; raise ValidationFailed (one Problem for `field`) if it fails.

    Order: emptiness and size (cheap), type by content, then the virus scan. When a scanner is
    configured but cannot be reached the file is refused (fail closed) with a message that
    asks the citizen to try again later; nothing else they entered is lost.
    """
    name = clean_name(uploaded.name)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, problems=[Problem(field=field, message=message)])

    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    size = uploaded.size if uploaded.size is not None else 0
    if not head:
        raise refuse(_("Die Datei „%(name)s“ ist leer.") % {"name": name})
    if size > max_bytes:
        raise refuse(
            _("Die Datei „%(name)s“ ist %(size)s groß und damit größer als %(max)s.")
            % {"name": name, "size": format_size(size), "max": format_size(max_bytes)}
        )
    sniffed = sniff(head)
    content_type = _accepted_as(sniffed, accept)
    if content_type is None:
        if len(accept) == 1 and accept[0] in _TYPE_NAMES:
            message = _("Die Datei „%(name)s“ ist %(expected)s, sondern %(actual)s.") % {
                "name": name,
                "expected": _TYPE_NAMES[accept[0]][1],
                "actual": type_phrase(sniffed),
            }
        else:
            message = _("Die Datei „%(name)s“ ist %(actual)s. Erlaubt sind: %(allowed)s.") % {
                "name": name,
                "actual": type_phrase(sniffed),
                "allowed": describe_accept(accept),
            }
        raise refuse(message)

    digest = hashlib.sha256()
    counted = 0
    for chunk in _chunks(uploaded):
        digest.update(chunk)
        counted += len(chunk)
    # The size Django reports is counted from the request body, but a file object handed in
    # by other code (a scan import) is counted here once more.
    if counted > max_bytes:
        raise refuse(
            _("Die Datei „%(name)s“ ist %(size)s groß und damit größer als %(max)s.")
            % {"name": name, "size": format_size(counted), "max": format_size(max_bytes)}
        )

    scan = Upload.Scan.NOT_SCANNED
    scanner = client_from_settings()
    if scanner is not None:
        try:
            result = scanner.scan_chunks(_chunks(uploaded))
        except ScannerUnavailable:
            logger.exception("virus scanner unavailable", extra={"field": field})
            raise refuse(
                _(
                    "Die Datei „%(name)s“ konnte nicht auf Schadsoftware geprüft werden, weil "
                    "die Virenprüfung gerade nicht erreichbar ist. Bitte laden Sie die Datei "
                    "in einigen Minuten noch einmal hoch; Ihre übrigen Angaben bleiben gespeichert."
                )
                % {"name": name}
            ) from None
        if not result.clean:
            logger.warning(
                "upload refused: malware found",
                extra={"field": field, "signature": result.signature},
            )
            raise refuse(
                _(
                    "Die Datei „%(name)s“ enthält Schadsoftware (%(signature)s) und wurde "
                    "nicht angenommen."
                )
                % {"name": name, "signature": result.signature}
            )
        scan = Upload.Scan.CLEAN
    uploaded.seek(0)
    return CheckedFile(
        file=uploaded,
        name=name,
        content_type=content_type,
        size=counted,
        sha256=digest.hexdigest(),
        scan=scan,
    )


def accept_upload(
    draft: Draft,
    field: str,
    uploaded: UploadedFile,
    *,
    accept: Sequence[str],
    max_bytes: int,
) -> Upload:
    """Check a file and keep it with the draft; raises ValidationFailed if it is refused.

    The caller puts the returned row's id into the draft data of `field`.
    """
    if draft.submitted_at is not None:
        raise Conflict(
            _("Dieser Antrag ist schon abgeschickt; Dateien können nicht mehr ergänzt werden.")
        )
    checked = check_file(uploaded, field=field, accept=accept, max_bytes=max_bytes)
    return store_checked(draft, field, checked)


def store_checked(draft: Draft, field: str, checked: CheckedFile) -> Upload:
    """Write a checked file to the private storage and its row; no file without a row."""
    upload = Upload(
        draft=draft,
        field=field,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scan=checked.scan,
    )
    upload.file.save("upload", checked.file, save=False)
    try:
        with transaction.atomic():
            upload.save()
    except Exception:
        upload.file.storage.delete(upload.file.name)
        raise
    return upload


def delete_upload(draft: Draft, upload_id: int) -> None:
    """Remove one file of a draft (row, file, and its id in the draft data)."""
    if draft.submitted_at is not None:
        raise Conflict(
            _("Dieser Antrag ist schon abgeschickt; Dateien können nicht mehr entfernt werden.")
        )
    with transaction.atomic():
        upload = Upload.objects.select_for_update().filter(draft=draft, pk=upload_id).first()
        if upload is None:
            raise NotFound(_("Diese Datei gehört nicht (mehr) zu Ihrem Antrag."))
        ids = draft.data.get(upload.field)
        if isinstance(ids, list) and upload_id in ids:
            draft.data[upload.field] = [i for i in ids if i != upload_id]
            Draft.objects.filter(pk=draft.pk).update(data=draft.data)
        name = upload.file.name
        storage = upload.file.storage
        upload.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))
