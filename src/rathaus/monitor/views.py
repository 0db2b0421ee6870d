"""The public digitalization monitor: the inquiry's questions with live figures."""

from __future__ import annotations

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rathaus.monitor import selectors
from rathaus.monitor.registry import METRICS, QUESTIONS
from rathaus.monitor.statement import current_statement


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "monitor/index.html", {"questions": selectors.questions()})


def question(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if code not in QUESTIONS:
        raise Http404
    block = selectors.questions([code])[0]
    return render(
        request,
        "monitor/question.html",
        {"question": block, "service_months": selectors.service_months(block)},
    )


def roadmap(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitor/roadmap.html",
        {"strategies": selectors.roadmap(public=True), "today": timezone.localdate()},
    )


def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kennzahlen.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["kennzahl", "frage", "einheit", "stichtag", "wert"])
    for snapshot in selectors.export_rows():
        metric = METRICS.get(snapshot.metric_id)
        if metric is None:
            continue  # a metric that was retired keeps its rows but is not published
        value = "" if snapshot.value is None else str(snapshot.value).replace(".", ",")
        writer.writerow([metric.id, metric.question, metric.unit, snapshot.day.isoformat(), value])
    return response


def export_json(request: HttpRequest) -> HttpResponse:
    data = [
        {
            "metric": s.metric_id,
            "question": METRICS[s.metric_id].question,
            "unit": METRICS[s.metric_id].unit,
            "day": s.day,
            "value": s.value,
            "detail": s.detail,
        }
        for s in selectors.export_rows()
        if s.metric_id in METRICS
    ]
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="kennzahlen.json"'
    return response


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The released accessibility statement; the static one until a statement is released."""
    found = current_statement()
    if found is None:
        return render(request, "core/barrierefreiheit.html")
    return render(request, "monitor/statement_public.html", {"statement": found})
