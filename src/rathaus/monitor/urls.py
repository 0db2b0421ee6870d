from django.urls import path

from rathaus.monitor import views

app_name = "monitor"
urlpatterns = [
    path("", views.index, name="index"),
    path("frage/<str:code>/", views.question, name="question"),
    path("strategie/", views.roadmap, name="roadmap"),
    path("kennzahlen.csv", views.export_csv, name="export_csv"),
    path("kennzahlen.json", views.export_json, name="export_json"),
]
