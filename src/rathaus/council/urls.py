from django.urls import path

from rathaus.council import feeds, views

app_name = "council"
urlpatterns = [
    path("", views.index, name="index"),
    # calendar and meetings
    path("kalender/", views.calendar_current, name="calendar"),
    path("kalender/<int:year>/<int:month>/", views.calendar_month, name="calendar_month"),
    path("sitzungen/", views.meetings, name="meetings"),
    path("sitzungen/<int:pk>/", views.meeting, name="meeting"),
    path("sitzungen/<int:pk>/ical/", feeds.meeting_ical, name="meeting_ical"),
    path("tagesordnungspunkte/<int:pk>/", views.agenda_item, name="agenda_item"),
    # papers
    path("drucksachen/<int:pk>/", views.paper, name="paper"),
    path("drucksachen/<int:pk>/rss/", feeds.paper_rss, name="paper_rss"),
    path("drucksachen/<int:pk>/atom/", feeds.paper_atom, name="paper_atom"),
    # persons and organizations
    path("personen/", views.persons, name="persons"),
    path("personen/<int:pk>/", views.person, name="person"),
    path("gremien/", views.organizations, name="organizations"),
    path("gremien/<int:pk>-<slug:slug>/", views.organization, name="organization"),
    path(
        "gremien/<int:pk>-<slug:slug>/sitzungen.ics",
        feeds.organization_ical,
        name="organization_ical",
    ),
    path("gremien/<int:pk>-<slug:slug>/rss/", feeds.organization_rss, name="organization_rss"),
    path("gremien/<int:pk>-<slug:slug>/atom/", feeds.organization_atom, name="organization_atom"),
    # files
    path("dateien/<int:pk>/", views.file, name="file"),
    path("dateien/<int:pk>/download/", views.file, {"download": True}, name="file_download"),
    # search and feeds
    path("suche/", views.search, name="search"),
    path("suche/feed/", feeds.search_rss, name="search_rss"),
    path("suche/atom/", feeds.search_atom, name="search_atom"),
    path("sitzungen.ics", feeds.meetings_ical, name="meetings_ical"),
]
