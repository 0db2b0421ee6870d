"""The answer to the seed inquiry: composed from figures, edited, released, rendered three ways."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from rathaus.accounts.models import Office, User
from rathaus.cases.models import Channel, MediaBreak, State
from rathaus.cases.services import create_case
from rathaus.core.errors import Conflict, ValidationFailed
from rathaus.council.models import Paper
from rathaus.monitor.answer import classify, generate, release, save_texts
from rathaus.monitor.answer_render import render_document_html, render_docx, render_pdf
from rathaus.monitor.models import InquiryAnswer, MetricSnapshot
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(office: Office) -> None:
    now = timezone.now()
    for i, channel in enumerate([Channel.ONLINE, Channel.ONLINE, Channel.POST, Channel.PORTAL]):
        case = create_case(office=office, channel=channel, subject=f"Fall {i}", received_at=now)
        case.state = State.DECIDED
        case.decided_at = now
        case.save()
        if channel == Channel.POST:
            MediaBreak.objects.create(case=case, kind=MediaBreak.Kind.PAPER_RECEIVED, at=now)
    # A year of history for the chart of question 5.
    for days_ago, value in [(360, 30.0), (180, 40.0)]:
        MetricSnapshot.objects.create(
            metric_id="q5.online_case_share",
            day=timezone.localdate() - dt.timedelta(days=days_ago),
            value=value,
        )


def test_every_seed_question_finds_its_monitor_question(inquiry: Paper) -> None:
    assert [classify(q) for q in inquiry.questions] == [f"Q{n}" for n in range(1, 9)]


def test_the_answer_covers_the_questions_and_the_three_remarks(
    inquiry: Paper, figures: None
) -> None:
    answer = generate(inquiry)

    codes = [s["code"] for s in answer.sections]
    assert codes == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "B1", "B2", "B3"]
    q5 = answer.sections[4]
    assert q5["number"] == 5
    assert "4 Anträge ein, davon 75 % online" in q5["text"]
    assert "gestiegen" in q5["text"]
    per_service = next(t for t in q5["tables"] if t["caption"].startswith("Online-Anteil je"))
    assert per_service["rows"] == [["ohne Leistung", "4", "3", "75 %"]]
    q6 = answer.sections[5]
    assert "3 durchgehend digital" in q6["text"] or "wurden 3 durchgehend" in q6["text"]
    assert all(s["sources"] for s in answer.sections if s["code"] != "Q1")
    assert answer.snapshot["metrics"]["q5.online_case_share"]["value"] == 75.0


def test_the_answer_keeps_its_figures(inquiry: Paper, figures: None, office: Office) -> None:
    answer = generate(inquiry)
    before = render_document_html(answer)
    create_case(office=office, channel=Channel.POST, subject="später", received_at=timezone.now())
    MetricSnapshot.objects.all().delete()
    answer.refresh_from_db()
    assert render_document_html(answer) == before


def test_pdf_and_docx_carry_the_text_tables_and_charts(inquiry: Paper, figures: None) -> None:
    answer = generate(inquiry)

    reader = PdfReader(io.BytesIO(render_pdf(answer)))
    pdf_text = " ".join(page.extract_text() for page in reader.pages)
    assert "Antwort der Verwaltung" in pdf_text
    assert "Frage 5" in pdf_text
    assert "75 %" in pdf_text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    assert reader.trailer["/Root"]["/Lang"] == "de"

    document = Document(io.BytesIO(render_docx(answer)))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    assert "Frage 2: Welche kommunalen Dienstleistungen" in docx_text
    assert "75 %" in docx_text
    assert "Zur Begründung: Videokonferenzen" in docx_text
    assert len(document.tables) >= 3
    assert len(document.inline_shapes) >= 1  # the chart of question 5


def test_edit_then_release_attaches_the_answer_to_the_inquiry(
    inquiry: Paper, figures: None
) -> None:
    answer = generate(inquiry)
    with pytest.raises(ValidationFailed) as caught:
        save_texts(answer, {0: "   "})
    assert caught.value.problems[0].field == "section-0"

    answer = save_texts(answer, {0: "Die Strategie koordiniert die Stabsstelle Digitalisierung."})
    answer = release(answer, user=None)

    inquiry.refresh_from_db()
    assert inquiry.inquiry_status == Paper.InquiryStatus.ANSWERED
    assert inquiry.answer_text.startswith("Frage 1: Gibt es eine Digitalisierungsstrategie")
    assert "koordiniert die Stabsstelle" in inquiry.answer_text
    assert inquiry.answer_file is not None
    assert inquiry.answer_file.mime_type == "application/pdf"
    with pytest.raises(Conflict):
        save_texts(answer, {0: "später geändert"})


def test_a_placeholder_blocks_the_release(inquiry: Paper) -> None:
    inquiry.questions = [*inquiry.questions, "Wie viele Bäume stehen im Stadtpark?"]
    inquiry.save()
    answer = generate(inquiry)
    assert answer.sections[-4]["code"] is None  # before the three remarks
    with pytest.raises(ValidationFailed, match="Platzhalter"):
        release(answer, user=None)
    assert InquiryAnswer.objects.get().status == "draft"


def test_command_writes_the_current_answer(inquiry: Paper, tmp_path: Path) -> None:
    target = tmp_path / "antwort.docx"
    call_command(
        "inquiry_answer", "--inquiry", str(inquiry.pk), "--format", "docx", "--output", str(target)
    )
    assert "Antwort der Verwaltung" in "\n".join(p.text for p in Document(str(target)).paragraphs)
    call_command(
        "inquiry_answer",
        "--inquiry",
        str(inquiry.pk),
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "a.pdf"),
    )
    assert InquiryAnswer.objects.count() == 1  # the second call used the same draft


def test_staff_generate_edit_release_and_download(
    client: Client, inquiry: Paper, figures: None, digital_officer: User
) -> None:
    verified_login(client, digital_officer)
    assert "2020/123" in client.get("/verwaltung/digitalisierung/antworten/").content.decode()
    response = client.post(f"/verwaltung/digitalisierung/antworten/neu/{inquiry.pk}/")
    answer = InquiryAnswer.objects.get()
    assert response.url == f"/verwaltung/digitalisierung/antworten/{answer.pk}/"
    page = client.get(response.url).content.decode()
    assert 'id="section-0"' in page

    texts = {f"section-{i}": s["text"] for i, s in enumerate(answer.sections)}
    texts["section-0"] = ""
    invalid = client.post(response.url, {**texts, "action": "save"})
    assert 'href="#section-0"' in invalid.content.decode()

    texts["section-0"] = "Neu formuliert."
    client.post(response.url, {**texts, "action": "release"})
    answer.refresh_from_db()
    assert answer.status == "released"
    assert answer.released_by == digital_officer
    pdf = client.get(f"/verwaltung/digitalisierung/antworten/{answer.pk}/download.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"%PDF" in pdf.content[:8]
