from django.urls import path

from rathaus.council import views

app_name = "council"
urlpatterns = [
    path("", views.index, name="index"),
    path("sitzungen/<int:pk>/", views.meeting, name="meeting"),
    path("drucksachen/<int:pk>/", views.paper, name="paper"),
    path("personen/<int:pk>/", views.person, name="person"),
    path("gremien/<int:pk>-<slug:slug>/", views.organization, name="organization"),
]
