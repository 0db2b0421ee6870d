"""`/api/v1/`: the read-only catalog API (namespace `api`); see docs/api.md."""

from django.urls import path, re_path

from rathaus.catalog import api

app_name = "api"
urlpatterns = [
    path("services/", api.ServiceListView.as_view(), name="service-list"),
    path("services/<str:leika_key>/", api.ServiceDetailView.as_view(), name="service-detail"),
    path("offices/", api.OfficeListView.as_view(), name="office-list"),
    path("offices/<slug:slug>/", api.OfficeDetailView.as_view(), name="office-detail"),
    path("life-situations/", api.LifeSituationListView.as_view(), name="life-situation-list"),
    path("schema.yaml", api.SchemaView.as_view(), name="schema"),
    # Only addresses ending in "/", so a missing slash still gets Django's redirect first.
    re_path(r"^.*/$", api.NotFoundView.as_view(), name="not-found"),
]
