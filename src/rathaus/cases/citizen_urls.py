"""`/konto/antraege/`: “Meine Anträge”, the applicant's own cases (namespace `my_cases`)."""

from django.urls import path

from rathaus.cases import citizen_views as views

app_name = "my_cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/gelesen/", views.mark_read, name="mark_read"),
    path("<str:reference>/antworten/", views.answer, name="answer"),
    path("<str:reference>/dokumente/<int:pk>/", views.document, name="document"),
]
