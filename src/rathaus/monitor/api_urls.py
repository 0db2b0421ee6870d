"""`/api/v1/metrics/` (namespace `monitor_api`)."""

from django.urls import path

from rathaus.monitor import api

app_name = "monitor_api"
urlpatterns = [
    path("metrics/", api.MetricListView.as_view(), name="metric-list"),
    path("metrics/<str:metric_id>/", api.MetricDetailView.as_view(), name="metric-detail"),
]
