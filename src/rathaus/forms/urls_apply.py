"""Filling in a form: start page, steps, summary, save and resume (all under /antraege/)."""

from django.urls import URLPattern, path

from rathaus.forms import views

urlpatterns: list[URLPattern] = [
    path("fortsetzen/<str:signed>/", views.resume_link, name="resume"),
    path("entwurf/<str:token>/zusammenfassung/", views.summary, name="summary"),
    path("entwurf/<str:token>/gespeichert/", views.saved, name="saved"),
    path("entwurf/<str:token>/<slug:step_id>/", views.step, name="step"),
    path("<slug:slug>/", views.start, name="start"),
]
