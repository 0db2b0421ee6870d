"""Uploads: type sniffed from the bytes, size, SHA-256, virus scan with a real clamd, storage."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from rathaus.accounts.models import Office
from rathaus.core.errors import Conflict, NotFound, ValidationFailed
from rathaus.forms.models import Upload
from rathaus.forms.uploads import accept_upload, check_file, clean_name, delete_upload, sniff
from tests.forms.helpers import (
    PDF_ACCEPT,
    make_draft,
    make_form,
    minimal_pdf,
    tiny_png,
    upload,
    windows_exe,
)
from tests.integrations.clamd import EICAR, Clamd, free_port
from tests.integrations.clamd import clamd as clamd  # noqa: PLC0414 (the fixture)

MB = 1024 * 1024


def refusal(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    [problem] = exc.value.problems
    assert problem.field == "nachweis"
    assert problem.message == exc.value.message
    return problem.message


@pytest.fixture(autouse=True)
def _no_scanner(settings: Any, tmp_path: Path) -> None:
    settings.RATHAUS_CLAMAV_URL = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def test_pdf_is_accepted_with_size_and_hash() -> None:
    data = minimal_pdf()
    checked = check_file(
        upload("Versicherung.pdf", data), field="nachweis", accept=PDF_ACCEPT, max_bytes=10 * MB
    )
    assert checked.content_type == "application/pdf"
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.name == "Versicherung.pdf"
    assert checked.scan == Upload.Scan.NOT_SCANNED


def test_pdf_with_a_wrong_browser_type_is_accepted() -> None:
    # Browsers send application/octet-stream or x-pdf for PDFs often enough; the bytes count.
    checked = check_file(
        upload("scan", minimal_pdf(), content_type="application/octet-stream"),
        field="nachweis",
        accept=["application/pdf"],
        max_bytes=MB,
    )
    assert checked.content_type == "application/pdf"


def test_executable_named_pdf_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_file(
            upload("rechnung.pdf", windows_exe()),
            field="nachweis",
            accept=["application/pdf"],
            max_bytes=MB,
        )
    assert refusal(exc) == (
        "Die Datei „rechnung.pdf“ ist keine PDF-Datei, sondern ein ausführbares Programm."
    )


def test_png_named_pdf_is_refused_when_only_pdf_is_allowed() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_file(
            upload("foto.pdf", tiny_png()),
            field="nachweis",
            accept=["application/pdf"],
            max_bytes=MB,
        )
    assert refusal(exc) == "Die Datei „foto.pdf“ ist keine PDF-Datei, sondern ein PNG-Bild."


def test_png_named_pdf_is_a_png_where_images_are_allowed() -> None:
    checked = check_file(
        upload("foto.pdf", tiny_png()), field="nachweis", accept=PDF_ACCEPT, max_bytes=MB
    )
    assert checked.content_type == "image/png"


def test_refusal_lists_the_allowed_types() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_file(
            upload("setup.exe.jpg", windows_exe(), "image/jpeg"),
            field="nachweis",
            accept=PDF_ACCEPT,
            max_bytes=MB,
        )
    assert refusal(exc) == (
        "Die Datei „setup.exe.jpg“ ist ein ausführbares Programm. "
        "Erlaubt sind: PDF, JPEG-Bild, PNG-Bild."
    )


def test_oversized_file_is_refused_with_both_sizes() -> None:
    data = minimal_pdf() + b"%" + b"0" * (int(10.5 * MB))
    with pytest.raises(ValidationFailed) as exc:
        check_file(
            upload("gross.pdf", data), field="nachweis", accept=PDF_ACCEPT, max_bytes=10 * MB
        )
    assert refusal(exc) == "Die Datei „gross.pdf“ ist 10,5 MB groß und damit größer als 10 MB."


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_file(upload("leer.pdf", b""), field="nachweis", accept=PDF_ACCEPT, max_bytes=MB)
    assert refusal(exc) == "Die Datei „leer.pdf“ ist leer."


def test_plain_text_and_csv() -> None:
    text = "Name;Ort\nMüller;Buxtehude\n".encode()
    checked = check_file(
        upload("liste.csv", text, "text/csv"), field="nachweis", accept=["text/csv"], max_bytes=MB
    )
    assert checked.content_type == "text/csv"
    windows = "Name;Straße\nMüller;Hauptstraße 1\n".encode("cp1252")
    assert sniff(windows) == "text/plain"
    with pytest.raises(ValidationFailed, match="ist eine Textdatei"):
        check_file(upload("x.pdf", text), field="nachweis", accept=PDF_ACCEPT, max_bytes=MB)
    # Binary garbage is neither text nor anything else.
    with pytest.raises(ValidationFailed, match="unbekannten Format"):
        check_file(
            upload("x.txt", bytes(range(256)) * 4),
            field="nachweis",
            accept=["text/plain"],
            max_bytes=MB,
        )


def test_sniffing_ignores_everything_but_the_bytes() -> None:
    assert sniff(minimal_pdf()) == "application/pdf"
    assert sniff(b"\xef\xbb\xbf" + minimal_pdf()) == "application/pdf"
    assert sniff(b"Kein PDF: %PDF-1.4 steht hier nur im Text") == "text/plain"
    assert sniff(tiny_png()) == "image/png"
    assert sniff(b"\x7fELF\x02\x01\x01" + b"\0" * 100) == "application/x-executable"


def test_file_names_are_reduced_to_their_last_part() -> None:
    assert clean_name("C:\\Users\\erika\\Desktop\\Nachweis.pdf") == "Nachweis.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\u202ec.pdf") == "abc.pdf"
    assert clean_name("") == "Datei ohne Namen"
    long = clean_name("x" * 300 + ".pdf")
    assert len(long) <= 200
    assert long.endswith("….pdf")


@pytest.mark.django_db
def test_accept_upload_stores_privately_under_a_random_name(office: Office) -> None:
    draft = make_draft(make_form(office))
    data = minimal_pdf()
    row = accept_upload(
        draft, "nachweis", upload("Nachweis.pdf", data), accept=PDF_ACCEPT, max_bytes=MB
    )
    row.refresh_from_db()
    assert row.draft == draft
    assert row.original_name == "Nachweis.pdf"
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert "Nachweis" not in row.file.name
    assert row.file.name.startswith(f"forms/{draft.pk}/")
    path = Path(row.file.path)
    assert path.read_bytes() == data
    assert not str(path).startswith(str(django_settings.MEDIA_ROOT))
    assert not str(path).startswith(str(django_settings.STATIC_ROOT))


@pytest.mark.django_db
def test_refused_upload_leaves_nothing(office: Office, tmp_path: Path) -> None:
    draft = make_draft(make_form(office))
    with pytest.raises(ValidationFailed):
        accept_upload(
            draft, "nachweis", upload("a.pdf", windows_exe()), accept=PDF_ACCEPT, max_bytes=MB
        )
    assert not Upload.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "private").rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_delete_upload_removes_row_file_and_reference(office: Office) -> None:
    draft = make_draft(make_form(office))
    row = accept_upload(
        draft, "nachweis", upload("a.pdf", minimal_pdf()), accept=PDF_ACCEPT, max_bytes=MB
    )
    other = accept_upload(
        draft, "nachweis", upload("b.pdf", minimal_pdf("B")), accept=PDF_ACCEPT, max_bytes=MB
    )
    draft.data["nachweis"] = [row.pk, other.pk]
    draft.save()
    path = Path(row.file.path)
    delete_upload(draft, row.pk)
    draft.refresh_from_db()
    assert draft.data["nachweis"] == [other.pk]
    assert not Upload.objects.filter(pk=row.pk).exists()
    assert not path.exists()
    with pytest.raises(NotFound):
        delete_upload(draft, row.pk)
    stranger = make_draft(draft.version)
    with pytest.raises(NotFound):
        delete_upload(stranger, other.pk)


@pytest.mark.django_db
def test_submitted_draft_takes_no_more_files(office: Office) -> None:
    from django.utils import timezone

    draft = make_draft(make_form(office))
    draft.submitted_at = timezone.now()
    draft.save()
    with pytest.raises(Conflict):
        accept_upload(
            draft, "nachweis", upload("a.pdf", minimal_pdf()), accept=PDF_ACCEPT, max_bytes=MB
        )


# --- with a real clamd ------------------------------------------------------------------


def test_eicar_is_refused_by_the_scanner(clamd: Clamd, settings: Any) -> None:
    settings.RATHAUS_CLAMAV_URL = clamd.url
    # EICAR is plain text, so it passes the type check for text and only the scanner stops it.
    with pytest.raises(ValidationFailed) as exc:
        check_file(
            upload("brief.txt", EICAR, "text/plain"),
            field="nachweis",
            accept=["text/plain"],
            max_bytes=MB,
        )
    assert refusal(exc).startswith(
        "Die Datei „brief.txt“ enthält Schadsoftware (Rathaus.Test.EICAR"
    )
    assert refusal(exc).endswith("und wurde nicht angenommen.")


def test_eicar_inside_a_pdf_is_refused(clamd: Clamd, settings: Any) -> None:
    settings.RATHAUS_CLAMAV_URL = clamd.url
    data = minimal_pdf() + b"%" + EICAR + b"\n"
    with pytest.raises(ValidationFailed, match="enthält Schadsoftware"):
        check_file(upload("a.pdf", data), field="nachweis", accept=PDF_ACCEPT, max_bytes=MB)


def test_clean_file_is_marked_scanned(clamd: Clamd, settings: Any) -> None:
    settings.RATHAUS_CLAMAV_URL = clamd.url
    checked = check_file(
        upload("a.pdf", minimal_pdf()), field="nachweis", accept=PDF_ACCEPT, max_bytes=MB
    )
    assert checked.scan == Upload.Scan.CLEAN


@pytest.mark.django_db
def test_scanner_down_refuses_and_keeps_the_draft(office: Office, settings: Any) -> None:
    settings.RATHAUS_CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"
    settings.RATHAUS_CLAMAV_TIMEOUT = 2
    draft = make_draft(make_form(office), hund_name="Rex")
    with pytest.raises(ValidationFailed) as exc:
        accept_upload(
            draft, "nachweis", upload("a.pdf", minimal_pdf()), accept=PDF_ACCEPT, max_bytes=MB
        )
    assert refusal(exc) == (
        "Die Datei „a.pdf“ konnte nicht auf Schadsoftware geprüft werden, weil die Virenprüfung "
        "gerade nicht erreichbar ist. Bitte laden Sie die Datei in einigen Minuten noch einmal "
        "hoch; Ihre übrigen Angaben bleiben gespeichert."
    )
    draft.refresh_from_db()
    assert draft.data["hund_name"] == "Rex"
    assert not Upload.objects.exists()
