"""Submission: one transaction, exactly one case, files copied, follow-ups after commit.

Also: the queue or the mail server being down at submission time loses nothing (the sweep
catches up), and the submit and "received" pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.cases.models import Case, CaseDocument, CaseEvent, Channel
from rathaus.core.errors import PermissionDenied, ValidationFailed
from rathaus.forms import receipts
from rathaus.forms.models import Draft, Upload
from rathaus.forms.submission import submit
from rathaus.forms.uploads import accept_upload
from tests.conftest import make_service
from tests.forms.helpers import PDF_ACCEPT, make_draft, make_form, minimal_pdf, upload
from tests.integrations.clamd import free_port

QUEUES = ["default", "mail", "import"]
IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    settings.RATHAUS_CLAMAV_URL = ""
    settings.TASKS = DATABASE


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """The db worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def with_file(draft: Draft, name: str = "Versicherung.pdf", text: str = "Police 4711") -> Upload:
    row = accept_upload(
        draft, "nachweis", upload(name, minimal_pdf(text)), accept=PDF_ACCEPT, max_bytes=2**20
    )
    draft.data["nachweis"] = [*draft.data.get("nachweis", []), row.pk]
    draft.save()
    return row


def private_files(tmp_path: Path, folder: str) -> list[Path]:
    return [p for p in (tmp_path / "private" / folder).rglob("*") if p.is_file()]


# --- the service ------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_creates_the_case_with_everything(office: Office, citizen: User) -> None:
    service = make_service(name="Hund anmelden")
    version = make_form(office, service=service, processing_days=10)
    draft = make_draft(version, owner=citizen, gefaehrlich=False, sachkunde="nicht gefragt")
    first = with_file(draft)
    second = with_file(draft, "Impfpass.pdf", "Tollwut 2026")

    case = submit(draft, user=citizen, declaration=True, language="de")

    assert case.channel == Channel.ONLINE
    assert case.office == office
    assert case.service == service
    assert case.form_version == version
    assert case.subject == "Hundeanmeldung Bello"
    assert case.applicant == citizen
    assert case.applicant_name == "Erika Mustermann"
    assert case.applicant_email == "erika@example.org"
    assert case.trust_level == "niedrig"
    assert case.fee_cents == 0
    assert case.payment_state == ""
    assert case.due_date == timezone.localdate() + dt.timedelta(days=10)
    # Data of a field hidden by its condition is dropped on submission.
    assert "sachkunde" not in case.data
    assert case.data["nachweis"] == [first.pk, second.pk]
    documents = list(case.documents.order_by("pk"))
    assert [d.kind for d in documents] == ["application", "application"]
    assert [d.original_name for d in documents] == ["Versicherung.pdf", "Impfpass.pdf"]
    assert documents[0].title == "Nachweis der Haftpflichtversicherung: Versicherung.pdf"
    for document, source in zip(documents, [first, second], strict=True):
        data = Path(document.file.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == document.sha256 == source.sha256
        assert document.file.name.startswith(f"cases/{case.pk}/")  # a copy the case owns
    draft.refresh_from_db()
    assert draft.case == case
    assert draft.submitted_at is not None
    assert list(case.events.values_list("action", flat=True)) == ["created", "submitted"]
    # The draft's own copies stay until the commit (pytest's transaction never commits).
    assert Path(first.file.path).exists()
    submitted = case.events.get(action="submitted")
    assert submitted.after["language"] == "de"
    assert submitted.after["documents"] == [d.pk for d in documents]


@pytest.mark.django_db(transaction=True)
def test_draft_files_are_released_after_commit(office: Office, tmp_path: Path) -> None:
    draft = make_draft(make_form(office))
    kept = with_file(draft)
    hidden = accept_upload(
        draft, "nachweis", upload("Alt.pdf", minimal_pdf("alt")), accept=PDF_ACCEPT, max_bytes=2**20
    )  # uploaded, then no longer part of the answers
    paths = [Path(kept.file.path), Path(hidden.file.path)]
    case = submit(draft, user=None, declaration=True)
    assert not any(p.exists() for p in paths)
    assert private_files(tmp_path, "forms") == []
    assert Upload.objects.filter(draft=draft, file="").count() == 2
    # The case has its copy; the summary of answers still names the file.
    [document] = case.documents.filter(kind="application")
    assert Path(document.file.path).read_bytes().startswith(b"%PDF-")
    from rathaus.forms import engine

    [(_, rows)] = [s for s in engine.summary_rows(case.form_version, case.data) if s[0] == "Hund"]
    assert ("Nachweis der Haftpflichtversicherung", "Versicherung.pdf") in rows


@pytest.mark.django_db
def test_anonymous_application_and_fee(office: Office) -> None:
    draft = make_draft(make_form(office, fee_cents=2500))
    case = submit(draft, user=None, declaration=True)
    assert case.applicant is None
    assert case.applicant_email == "erika@example.org"
    assert case.fee_cents == 2500
    assert case.payment_state == "open"
    assert case.trust_level == ""


@pytest.mark.django_db
def test_declaration_is_required_and_nothing_is_written(office: Office) -> None:
    draft = make_draft(make_form(office))
    with pytest.raises(ValidationFailed) as exc:
        submit(draft, user=None, declaration=False)
    assert exc.value.problems[0].field == "declaration"
    assert "vollständig und richtig" in exc.value.message
    assert not Case.objects.exists()
    draft.refresh_from_db()
    assert draft.submitted_at is None


@pytest.mark.django_db
def test_invalid_data_is_refused_per_field(office: Office) -> None:
    draft = make_draft(make_form(office), hund_name="", gefaehrlich=True)
    del draft.data["hund_name"]
    draft.save()
    with pytest.raises(ValidationFailed) as exc:
        submit(draft, user=None, declaration=True)
    fields = {p.field for p in exc.value.problems}
    assert {"hund_name", "sachkunde"} <= fields
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_someone_elses_file_is_never_attached(office: Office) -> None:
    version = make_form(office)
    other = make_draft(version)
    foreign = with_file(other)
    draft = make_draft(version, nachweis=[foreign.pk])
    with pytest.raises(ValidationFailed, match="gehört nicht zu diesem Antrag"):
        submit(draft, user=None, declaration=True)
    assert not CaseDocument.objects.exists()


@pytest.mark.django_db
def test_someone_elses_draft_cannot_be_submitted(office: Office, citizen: User) -> None:
    from tests.conftest import make_user

    draft = make_draft(make_form(office), owner=citizen)
    with pytest.raises(PermissionDenied):
        submit(draft, user=None, declaration=True)
    with pytest.raises(PermissionDenied):
        submit(draft, user=make_user("mallory"), declaration=True)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_expired_draft_is_refused(office: Office) -> None:
    from rathaus.core.errors import Conflict

    draft = make_draft(make_form(office))
    draft.expires_at = timezone.now() - dt.timedelta(minutes=1)
    draft.save()
    with pytest.raises(Conflict, match="abgelaufen"):
        submit(draft, user=None, declaration=True)


@pytest.mark.django_db
def test_form_requiring_a_higher_trust_level(office: Office, citizen: User) -> None:
    version = make_form(office)
    version.definition.min_trust_level = "substantiell"
    version.definition.save()
    draft = make_draft(version, owner=citizen)  # signed in with a password: "low"
    with pytest.raises(PermissionDenied, match="Vertrauensniveau"):
        submit(draft, user=citizen, declaration=True)
    # Signed in with the eID card meanwhile: the sign-in submitting now counts.
    case = submit(draft, user=citizen, declaration=True, trust_level="hoch")
    assert case.trust_level == "hoch"


@pytest.mark.django_db(transaction=True)
def test_an_error_halfway_leaves_no_trace(office: Office, tmp_path: Path) -> None:
    draft = make_draft(make_form(office))
    with_file(draft)
    broken = with_file(draft, "Zweite.pdf")
    before = Draft.objects.values().get(pk=draft.pk)
    # The second file vanished from the disk: the case and the first document are written
    # by then, and all of it must go.
    Path(broken.file.path).unlink()

    with pytest.raises(FileNotFoundError):
        submit(draft, user=None, declaration=True)

    assert not Case.objects.exists()
    assert not CaseDocument.objects.exists()
    assert not CaseEvent.objects.exists()
    assert Draft.objects.values().get(pk=draft.pk) == before
    assert private_files(tmp_path, "cases") == []


@pytest.mark.django_db
def test_double_submit_gives_one_case(office: Office) -> None:
    draft = make_draft(make_form(office))
    with_file(draft)
    first = submit(draft, user=None, declaration=True)
    # A second click (even without the box ticked: it is about the same application).
    again = submit(Draft.objects.get(pk=draft.pk), user=None, declaration=True)
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_give_one_case(office: Office) -> None:
    draft = make_draft(make_form(office))
    with_file(draft)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            stale = Draft.objects.get(pk=draft.pk)  # both threads see an unsubmitted draft
            barrier.wait(timeout=10)
            results.append(submit(stale, user=None, declaration=True).pk)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2
    assert results[0] == results[1]
    assert Case.objects.count() == 1
    assert CaseDocument.objects.filter(kind="application").count() == 1
    assert CaseEvent.objects.filter(action="submitted").count() == 1


# --- follow-ups after commit --------------------------------------------------------------


@pytest.mark.django_db
def test_followups_run_only_after_commit(
    office: Office, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.TASKS = IMMEDIATE
    draft = make_draft(make_form(office))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(draft, user=None, declaration=True)
    # Inside the transaction nothing was queued or sent.
    assert mail.outbox == []
    assert not case.documents.filter(kind="receipt").exists()
    assert len(callbacks) == 2  # release the draft's files, queue the follow-ups
    for callback in callbacks:
        callback()
    assert case.documents.filter(kind="receipt").count() == 1
    [message] = mail.outbox
    assert case.reference in message.subject
    assert message.to == ["erika@example.org"]
    assert case.events.filter(action="confirmation_sent").count() == 1


@pytest.mark.django_db
def test_task_backend_down_still_accepts(
    office: Office, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # RQ on a Redis port nobody listens on: enqueueing fails with a connection error.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    settings.RQ_QUEUES = {name: {"URL": f"redis://127.0.0.1:{free_port()}/0"} for name in QUEUES}
    draft = make_draft(make_form(office))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(draft, user=None, declaration=True)
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert not case.documents.filter(kind="receipt").exists()
    assert mail.outbox == []

    # The hourly sweep, once the worker runs again, makes up for both.
    result = receipts.sweep(now=timezone.now() + dt.timedelta(minutes=11))
    assert (result.receipts, result.mails, result.failures) == (1, 1, 0)
    assert case.documents.filter(kind="receipt").count() == 1
    assert len(mail.outbox) == 1
    # Nothing twice.
    again = receipts.sweep(now=timezone.now() + dt.timedelta(minutes=11))
    assert (again.receipts, again.mails) == (0, 0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sweep_leaves_fresh_submissions_to_their_own_tasks(office: Office) -> None:
    draft = make_draft(make_form(office))
    submit(draft, user=None, declaration=True)
    result = receipts.sweep()  # within the grace period
    assert (result.receipts, result.mails) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_smtp_down_at_submission_then_mail_after_sweep(
    office: Office, settings: Any, smtp_server: Any, keep_signal_handlers: None
) -> None:
    controller, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens: the mail server is "down"
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    draft = make_draft(make_form(office))
    with_file(draft)
    case = submit(draft, user=None, declaration=True)  # commits; tasks go to the database queue
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)

    assert Case.objects.count() == 1
    assert case.documents.filter(kind="receipt").count() == 1  # the receipt task worked
    assert not case.events.filter(action="confirmation_sent").exists()
    assert handler.messages == []

    settings.EMAIL_PORT = controller.port  # the mail server is back
    result = receipts.sweep(now=timezone.now() + dt.timedelta(minutes=11))
    assert (result.receipts, result.mails, result.failures) == (0, 1, 0)
    [message] = handler.messages
    assert message["X-Envelope-To"] == "erika@example.org"
    assert case.reference in message["Subject"]
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF-")
    assert case.events.filter(action="confirmation_sent").count() == 1


# --- pages --------------------------------------------------------------------------------


def submit_url(draft: Draft) -> str:
    return reverse("forms:submit", kwargs={"token": draft.resume_token})


@pytest.mark.django_db
def test_submit_page_without_declaration_goes_back_to_the_summary(
    client: Client, office: Office
) -> None:
    draft = make_draft(make_form(office))
    response = client.post(submit_url(draft), {})
    summary = reverse("forms:summary", kwargs={"token": draft.resume_token})
    assert response.status_code == 302
    assert response["Location"] == summary + "#declaration"
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert messages == ["Bitte bestätigen Sie, dass Ihre Angaben vollständig und richtig sind."]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_submit_page_then_done_page_for_this_browser_only(
    client: Client, office: Office, django_assert_max_num_queries: Any
) -> None:
    draft = make_draft(make_form(office))
    response = client.post(submit_url(draft), {"declaration": "1"})
    case = Case.objects.get()
    done = reverse("forms:done", kwargs={"reference": case.reference})
    assert response["Location"] == done
    # A second post (double click) lands on the same page, no second case.
    assert client.post(submit_url(draft), {"declaration": "1"})["Location"] == done
    assert Case.objects.count() == 1

    with django_assert_max_num_queries(6):
        page = client.get(done)
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html
    assert "Ihr Antrag ist eingegangen" in html
    assert "erika@example.org" in html
    assert reverse("forms:receipt", kwargs={"reference": case.reference}) in html

    # Another browser, knowing (or guessing) the reference, sees nothing.
    stranger = Client()
    assert stranger.get(done).status_code == 404
    assert (
        stranger.get(reverse("forms:receipt", kwargs={"reference": case.reference})).status_code
        == 404
    )


@pytest.mark.django_db
def test_receipt_download(client: Client, office: Office) -> None:
    draft = make_draft(make_form(office))
    client.post(submit_url(draft), {"declaration": "on"})
    case = Case.objects.get()
    response = client.get(reverse("forms:receipt", kwargs={"reference": case.reference}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"Eingangsbestaetigung-{case.reference}.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    # Made on demand when the worker had not got to it; stored once.
    client.get(reverse("forms:receipt", kwargs={"reference": case.reference}))
    assert case.documents.filter(kind="receipt").count() == 1


@pytest.mark.django_db
def test_applicant_account_sees_its_case_in_any_session(office: Office, citizen: User) -> None:
    draft = make_draft(make_form(office), owner=citizen)
    first = Client()
    first.force_login(citizen)
    first.post(submit_url(draft), {"declaration": "1"})
    case = Case.objects.get()
    later = Client()
    later.force_login(citizen)
    assert later.get(reverse("forms:done", kwargs={"reference": case.reference})).status_code == 200
    # An anonymous browser cannot submit an account's draft; it is sent to sign in.
    other = make_draft(draft.version, owner=citizen)
    response = Client().post(submit_url(other), {"declaration": "1"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_english_submission_is_remembered_for_the_mail(
    client: Client, office: Office, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    draft = make_draft(make_form(office))
    response = client.post("/en" + submit_url(draft), {"declaration": "1"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.events.get(action="submitted").after["language"] == "en"
    receipts.send_confirmation(case.pk)
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "en"
