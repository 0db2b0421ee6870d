"""Retention: anonymised data is really gone, files leave the storage, statistics stay."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from rathaus.accounts.models import Office, User
from rathaus.cases import retention, services
from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    MediaBreak,
    Outcome,
    State,
)
from rathaus.core.errors import Conflict
from rathaus.core.schedule import SCHEDULES
from rathaus.forms.models import Draft, FormDefinition, FormVersion, Upload
from tests.cases.citizen_helpers import (
    PDF_BYTES,
    add_document,
    make_case,
    private_dir_fixture,  # noqa: F401 (the private_dir fixture)
    stored,
)

pytestmark = pytest.mark.usefixtures("private_dir")
PERSONAL = ("Erika", "Mustermann", "erika@example.org", "Bello", "DE02120300000000202051")


def expire(case: Case, days: int = 1) -> Case:
    Case.objects.filter(pk=case.pk).update(
        retention_until=timezone.localdate() - dt.timedelta(days=days)
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def closed_case(office: Office, citizen: User) -> Case:
    case = make_case(office, applicant=citizen, state=State.IN_REVIEW)
    citizen.first_name, citizen.last_name = "Erika", "Mustermann"
    citizen.save()
    add_document(case)
    add_document(case, kind=CaseDocument.Kind.CITIZEN, title="Impfpass Bello", name="bello.pdf")
    CaseMessage.objects.create(
        case=case, direction="out", subject="Frage zu Bello", body="Liebe Frau Mustermann …"
    )
    CaseMessage.objects.create(
        case=case, direction="in", author=citizen, subject="Antwort", body="Gruß, Erika"
    )
    CaseNote.objects.create(case=case, text="Frau Mustermann rief an.")
    MediaBreak.objects.create(case=case, kind=MediaBreak.Kind.POSTED, at=timezone.now())
    services.record_event(
        case,
        actor=citizen,
        action="citizen_answer",
        summary="Erika Mustermann hat geantwortet",
        before={"applicant_name": "Erika Mustermann"},
        after={"applicant_name": "E. Mustermann", "state": "in_review"},
    )
    definition = FormDefinition.objects.create(slug="hund", title="Hund anmelden", office=office)
    version = FormVersion.objects.create(definition=definition, number=1, status="published")
    draft = Draft.objects.create(
        version=version,
        owner=citizen,
        data={"name": "Erika Mustermann"},
        expires_at=timezone.now(),
        submitted_at=timezone.now(),
        case=case,
    )
    upload = Upload(
        draft=draft,
        field="impfpass",
        original_name="bello.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        scan="not_scanned",
    )
    from django.core.files.base import ContentFile

    upload.file.save("upload", ContentFile(PDF_BYTES), save=True)
    Case.objects.filter(pk=case.pk).update(outcome=Outcome.APPROVED)
    case = services.transition(case, State.DECIDED, actor=None)
    case = services.transition(case, State.CLOSED, actor=None)
    return expire(case)


def everything_text(case_id: int) -> str:
    """Every stored value belonging to the case, as one string to search for personal data."""
    case = Case.objects.filter(pk=case_id).values().get()
    parts: list[Any] = [case]
    parts += list(CaseEvent.objects.filter(case_id=case_id).values())
    parts += list(CaseMessage.objects.filter(case_id=case_id).values())
    parts += list(CaseNote.objects.filter(case_id=case_id).values())
    parts += list(CaseDocument.objects.filter(case_id=case_id).values())
    parts += list(MediaBreak.objects.filter(case_id=case_id).values())
    return json.dumps(parts, default=str, ensure_ascii=False)


def test_anonymise_removes_personal_data_and_files_keeps_statistics(
    closed_case: Case, citizen: User, django_capture_on_commit_callbacks: Any, private_dir: Path
) -> None:
    files = list(closed_case.documents.values_list("file", flat=True))
    assert all(stored(name) for name in files)
    before = {
        "events": closed_case.events.count(),
        "messages": closed_case.messages.count(),
        "breaks": closed_case.media_breaks.count(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.run()
    assert report.cases == 1
    assert report.documents == 2
    assert report.files == 3  # two documents and the draft's upload

    case = Case.objects.get(pk=closed_case.pk)
    text = everything_text(case.pk)
    for value in PERSONAL:
        assert value not in text, value
    assert case.applicant_id is None
    assert case.data == {}
    assert case.anonymised_at is not None
    # Files gone from the storage, rows gone from the database.
    assert not any(stored(name) for name in files)
    assert not any(p.is_file() for p in private_dir.rglob("*"))
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not CaseNote.objects.filter(case=case).exists()
    assert not Draft.objects.filter(case=case).exists()
    assert not Upload.objects.exists()
    # What statistics need is still there.
    assert case.reference == closed_case.reference
    assert (case.service_id, case.office_id, case.channel) == (
        closed_case.service_id,
        closed_case.office_id,
        closed_case.channel,
    )
    assert case.state == State.CLOSED
    assert case.outcome == Outcome.APPROVED
    assert case.received_at == closed_case.received_at
    assert case.closed_at == closed_case.closed_at
    assert case.events.count() == before["events"]
    assert case.messages.count() == before["messages"]
    assert case.media_breaks.count() == before["breaks"]
    states = [e.after.get("state") for e in case.events.filter(action="state")]
    assert states == ["in_review", "decided", "closed"]
    answer = case.events.get(action="citizen_answer")
    assert answer.actor_id is None
    assert answer.actor_name == "Antragsteller*in"
    assert answer.after == {"applicant_name": "[entfernt]", "state": "in_review"}
    # The citizen's account itself stays; it is simply no longer linked.
    assert User.objects.filter(pk=citizen.pk).exists()
    assert not Case.objects.filter(applicant=citizen).exists()


def test_idempotent_and_only_due_cases(
    closed_case: Case, office: Office, django_capture_on_commit_callbacks: Any
) -> None:
    open_case = make_case(office)
    later = expire(make_case(office, state=State.CLOSED), days=-30)  # due next month
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.run().cases == 1
    first = Case.objects.get(pk=closed_case.pk).anonymised_at
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.run().cases == 0
    assert Case.objects.get(pk=closed_case.pk).anonymised_at == first
    for untouched in (open_case, later):
        assert Case.objects.get(pk=untouched.pk).applicant_name == "Erika Mustermann"


def test_batches(office: Office, django_capture_on_commit_callbacks: Any) -> None:
    cases = [expire(make_case(office, state=State.CLOSED)) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.run(batch_size=2)
    assert report.cases == 5
    assert sorted(report.references) == sorted(c.reference for c in cases)
    assert not Case.objects.filter(anonymised_at__isnull=True).exists()


def test_delete_mode_removes_the_case_and_its_files(
    closed_case: Case, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RATHAUS_CASE_RETENTION = "delete"
    files = list(closed_case.documents.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.run()
    assert report.mode == "delete"
    assert report.cases == 1
    assert not Case.objects.filter(pk=closed_case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=closed_case.pk).exists()
    assert not any(stored(name) for name in files)
    assert not Upload.objects.exists()


def test_dry_run_changes_nothing(closed_case: Case) -> None:
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    output = out.getvalue()
    assert "1 Vorgänge würden anonymisiert." in output
    assert closed_case.reference in output
    assert "Dokumente: 2" in output
    case = Case.objects.get(pk=closed_case.pk)
    assert case.anonymised_at is None
    assert case.applicant_name == "Erika Mustermann"
    assert all(stored(d.file.name) for d in case.documents.all())


def test_command_applies(closed_case: Case) -> None:
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "1 Vorgänge anonymisiert." in out.getvalue()
    assert Case.objects.get(pk=closed_case.pk).anonymised_at is not None


def test_single_trail_changes_stay_refused(closed_case: Case) -> None:
    event = closed_case.events.first()
    assert event is not None
    event.summary = "geändert"
    with pytest.raises(Conflict):
        event.save()
    with pytest.raises(Conflict):
        event.delete()


def test_task_is_scheduled_daily_and_returns_counts(closed_case: Case) -> None:
    assert "rathaus.cases.retention.apply_retention" in SCHEDULES["daily"]
    result = retention.apply_retention.call()
    assert result["cases"] == 1
    assert result["mode"] == "anonymise"


def test_anonymised_cases_leave_my_cases(
    client: Any, closed_case: Case, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        retention.run()
    client.force_login(citizen)
    response = client.get("/konto/antraege/")
    assert closed_case.reference not in response.content.decode()
    counts = Case.objects.aggregate(n=Count("pk"))
    assert counts["n"] == 1
