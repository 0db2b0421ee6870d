"""`/verwaltung/akten/`: a case as a record archive for staff (namespace `case_export`)."""

from django.urls import path

from rathaus.cases import export_views

app_name = "case_export"
urlpatterns = [
    path("<str:reference>/", export_views.download, name="download"),
]
