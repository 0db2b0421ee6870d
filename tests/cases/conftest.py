"""Fixtures of the back-office tests: two offices, their clerks, cases, files, mail."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases import services
from rathaus.cases.models import Case, Channel
from tests.conftest import make_user, use_smtp

QUEUES = ["default", "mail", "import"]
IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}


def real_pdf(text: str = "Antrag auf Papier") -> bytes:
    """A real one-page PDF (WeasyPrint), as a scanner would deliver one."""
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{text}</p>").write_pdf() or b"")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Accounts are made by the dozen here; the real hasher costs seconds on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office_b(db: None) -> Office:
    return Office.objects.create(
        name="Fachgruppe Ordnung", slug="ordnung", email="ordnung@example.org"
    )


@pytest.fixture
def colleague(db: None, office: Office) -> User:
    return make_user("kollegin", roles.CLERK, office=office, first_name="Kim", last_name="Koll")


@pytest.fixture
def lead(db: None, office: Office) -> User:
    return make_user("leitung", roles.OFFICE_LEAD, office=office)


@pytest.fixture
def clerk_b(db: None, office_b: Office) -> User:
    return make_user("clerk-b", roles.CLERK, office=office_b)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("admin", roles.ADMINISTRATOR)


def new_case(office: Office, **fields: Any) -> Case:
    defaults: dict[str, Any] = {
        "channel": Channel.ONLINE,
        "subject": "Hundeanmeldung Bello",
        "applicant_name": "Erika Mustermann",
        "applicant_email": "erika@example.org",
    }
    defaults.update(fields)
    return services.create_case(office=office, **defaults)


@pytest.fixture
def case(office: Office, citizen: User) -> Case:
    return new_case(office, applicant=citizen)


@pytest.fixture
def smtp_mail(settings: Any, smtp_server: Any) -> Any:
    """Django's SMTP backend pointed at the test's own server; tasks run immediately."""
    controller, handler = smtp_server
    use_smtp(settings, controller)
    settings.SITE_URL = "https://rathaus.example.org"
    settings.TASKS = IMMEDIATE_TASKS
    return handler
