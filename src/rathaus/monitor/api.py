"""`/api/v1/metrics/`: the monitor's figures as open data (definitions, latest value, history)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from rathaus.catalog.api import ACCEPT_LANGUAGE, ERRORS, OpenDataView
from rathaus.core.errors import NotFound
from rathaus.monitor import selectors
from rathaus.monitor.selectors import Figure
from rathaus.monitor.serializers import MetricHistorySerializer, MetricSerializer


def _snapshot(snapshot: Any) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {"day": snapshot.day, "value": snapshot.value, "detail": snapshot.detail}


def _metric(figure: Figure, *, history: bool = False) -> dict[str, Any]:
    metric = figure.metric
    data: dict[str, Any] = {
        "id": metric.id,
        "question": metric.question,
        "title": str(metric.title),
        "unit": metric.unit,
        "formula": str(metric.formula),
        "data_source": str(metric.source),
        "reading": str(metric.reading),
        "higher_is_better": metric.higher_is_better,
        "latest": _snapshot(figure.latest),
    }
    if history:
        data["history"] = [_snapshot(s) for s in figure.history]
    return data


@extend_schema(tags=["metrics"])
class MetricListView(OpenDataView):
    @extend_schema(
        operation_id="metrics_list",
        summary="Every figure of the digitalization monitor",
        description="Definition and latest value (null before the first computation) of every "
        "metric, ordered by question.",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: MetricSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        figures = [f for block in selectors.questions(days=2) for f in block.figures]
        return Response([_metric(f) for f in figures])


@extend_schema(tags=["metrics"])
class MetricDetailView(OpenDataView):
    @extend_schema(
        operation_id="metrics_retrieve",
        summary="One figure with its history (one year)",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: MetricHistorySerializer, **ERRORS},
    )
    def get(self, request: Request, metric_id: str) -> Response:
        figure = selectors.figure(metric_id)
        if figure is None:
            raise NotFound(_("Es gibt keine Kennzahl „%(id)s“.") % {"id": metric_id})
        return Response(_metric(figure, history=True))
