from django.urls import path

from rathaus.council import member_views

app_name = "council_member"
urlpatterns = [
    path("", member_views.index, name="index"),
    path("sitzungen/<int:pk>/", member_views.meeting, name="meeting"),
    path("sitzungen/<int:pk>/video/", member_views.video_join, name="video_join"),
]
