"""The answer as an HTML page, a tagged PDF (WeasyPrint) and a Word document (python-docx).

All three render from the answer's stored sections and snapshot, never from today's figures.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from docx import Document
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFont

from rathaus.core.pdf import html_to_pdf
from rathaus.monitor.charts import Point, line_chart
from rathaus.monitor.models import InquiryAnswer
from rathaus.monitor.registry import METRICS

TITLE = "Antwort der Verwaltung"


@dataclass
class ChartView:
    metric_id: str
    title: str
    description: str
    points: list[Point]

    def svg(self) -> SafeString:
        unit = METRICS[self.metric_id].unit if self.metric_id in METRICS else ""
        return line_chart(self.points, title=self.title, description=self.description, unit=unit)


def _charts(answer: InquiryAnswer, section: dict[str, Any]) -> list[ChartView]:
    series = answer.snapshot.get("series", {})
    metrics = answer.snapshot.get("metrics", {})
    charts = []
    for metric_id in section.get("charts", []):
        points = [
            Point(dt.date.fromisoformat(day), value)
            for day, value in series.get(metric_id, [])
            if value is not None
        ]
        if len(points) < 2:
            continue  # a single value is in the text already; a chart would show nothing
        title = metrics.get(metric_id, {}).get("title", metric_id)
        first, last = points[0], points[-1]
        description = (
            f"Verlauf von {first.day:%d.%m.%Y} ({_plain(first.value)}) "
            f"bis {last.day:%d.%m.%Y} ({_plain(last.value)})"
        )
        charts.append(ChartView(metric_id, title, description, points))
    return charts


def _plain(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def context(answer: InquiryAnswer) -> dict[str, Any]:
    sections = [
        {
            **section,
            "paragraphs": _paragraphs(section["text"]),
            "chart_views": _charts(answer, section),
        }
        for section in answer.sections
    ]
    return {
        "answer": answer,
        "paper": answer.paper,
        "sections": sections,
        "title": TITLE,
        "municipality": settings.RATHAUS_MUNICIPALITY,
    }


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def render_document_html(answer: InquiryAnswer) -> str:
    """A complete, self-contained HTML document (the PDF's source and the HTML download)."""
    with translation.override("de"):
        return render_to_string("monitor/answer_document.html", context(answer))


def render_pdf(answer: InquiryAnswer) -> bytes:
    return html_to_pdf(render_document_html(answer))


# --- Word ------------------------------------------------------------------------------------


def _chart_png(chart: ChartView, width: int = 1200, height: int = 480) -> bytes:
    """The chart as a PNG for Word, which cannot show SVG: the same line, drawn with Pillow."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=22)
    left, right, top, bottom = 110, 30, 30, 70
    values = [p.value for p in chart.points]
    unit = METRICS[chart.metric_id].unit if chart.metric_id in METRICS else ""
    ceiling = 100.0 if unit == "percent" else max(*values, 1.0) * 1.1
    first, last = chart.points[0].day, chart.points[-1].day
    span = max((last - first).days, 1)

    def xy(point: Point) -> tuple[float, float]:
        x = left + (width - left - right) * (point.day - first).days / span
        y = top + (height - top - bottom) * (1 - point.value / ceiling)
        return x, y

    for i in range(5):
        y = top + (height - top - bottom) * i / 4
        draw.line([(left, y), (width - right, y)], fill="#767676", width=1)
        draw.text((10, y - 12), _plain(ceiling * (4 - i) / 4), fill="#1a1a1a", font=font)
    draw.line([xy(p) for p in chart.points], fill="#005a9c", width=4)
    draw.text((left, height - 45), f"{first:%d.%m.%Y}", fill="#1a1a1a", font=font)
    draw.text((width - right - 130, height - 45), f"{last:%d.%m.%Y}", fill="#1a1a1a", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_docx(answer: InquiryAnswer) -> bytes:
    data = context(answer)
    document = Document()
    document.core_properties.title = f"{TITLE}: {answer.paper.name}"
    document.core_properties.language = "de-DE"
    style = document.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(11)
    document.add_heading(TITLE, level=0)
    document.add_paragraph(
        f"{data['municipality']} · zur {answer.paper.paper_type or 'Anfrage'} "
        f"{answer.paper.reference} „{answer.paper.name}“"
    )
    document.add_paragraph(f"Stand der Zahlen: {answer.measured_on:%d.%m.%Y}")
    for section in data["sections"]:
        heading = (
            f"Frage {section['number']}: {section['question']}"
            if section["number"]
            else section["question"]
        )
        document.add_heading(heading, level=1)
        for paragraph in section["paragraphs"]:
            document.add_paragraph(paragraph)
        for table in section["tables"]:
            document.add_paragraph(table["caption"], style="Caption")
            grid = document.add_table(rows=1, cols=len(table["head"]))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table["head"], strict=True):
                cell.text = text
            for row in table["rows"]:
                cells = grid.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = str(text)
        for chart in section["chart_views"]:
            document.add_picture(io.BytesIO(_chart_png(chart)), width=Cm(15))
            # Word keeps the description as the picture's alternative text.
            document.inline_shapes[-1]._inline.docPr.set(
                "descr", f"{chart.title}. {chart.description}"
            )
            document.add_paragraph(
                f"Abbildung: {chart.title}. {chart.description}.", style="Caption"
            )
        if section["sources"]:
            document.add_paragraph("Quellen: " + "; ".join(section["sources"]), style="Caption")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
