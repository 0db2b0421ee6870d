"""`/api/v1/cases/` and `/api/v1/me/cases/`: the case API (namespace `cases_api`)."""

from django.urls import path

from rathaus.cases import api

app_name = "cases_api"
urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="case-list"),
    path("cases/<str:reference>/", api.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<str:reference>/transition/",
        api.CaseTransitionView.as_view(),
        name="case-transition",
    ),
    path("me/cases/", api.MyCaseListView.as_view(), name="my-case-list"),
]
