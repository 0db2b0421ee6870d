from django.urls import path

from rathaus.council import staff_views as v

app_name = "council_staff"
urlpatterns = [
    path("", v.index, name="index"),
    # bodies, persons, memberships
    path("gremien/", v.organization_list, name="organization_list"),
    path("gremien/neu/", v.organization_create, name="organization_create"),
    path("gremien/<int:pk>/", v.organization_edit, name="organization_edit"),
    path("personen/", v.person_list, name="person_list"),
    path("personen/neu/", v.person_create, name="person_create"),
    path("personen/<int:pk>/", v.person_edit, name="person_edit"),
    path("mitgliedschaften/neu/", v.membership_create, name="membership_create"),
    path("mitgliedschaften/<int:pk>/", v.membership_edit, name="membership_edit"),
    path("mitgliedschaften/<int:pk>/beenden/", v.membership_end, name="membership_end"),
    # meetings and agendas
    path("sitzungen/", v.meeting_list, name="meeting_list"),
    path("sitzungen/neu/", v.meeting_create, name="meeting_create"),
    path("sitzungen/ladungsfrist/", v.meetings_at_risk, name="meetings_at_risk"),
    path("sitzungen/<int:pk>/", v.meeting_edit, name="meeting_edit"),
    path("sitzungen/<int:pk>/einladung/", v.meeting_invite, name="meeting_invite"),
    path("sitzungen/<int:pk>/niederschrift/", v.meeting_minutes, name="meeting_minutes"),
    path("sitzungen/<int:pk>/video/", v.meeting_video, name="meeting_video"),
    path("sitzungen/<int:pk>/video/beenden/", v.meeting_video_end, name="meeting_video_end"),
    path("sitzungen/<int:pk>/video/beitreten/", v.meeting_video_join, name="meeting_video_join"),
    path(
        "sitzungen/<int:pk>/veroeffentlichen/",
        v.meeting_public,
        {"public": True},
        name="meeting_publish",
    ),
    path(
        "sitzungen/<int:pk>/nichtoeffentlich/",
        v.meeting_public,
        {"public": False},
        name="meeting_unpublish",
    ),
    path("sitzungen/<int:pk>/tagesordnung/neu/", v.agenda_item_create, name="agenda_item_create"),
    path("tagesordnung/<int:pk>/", v.agenda_item_edit, name="agenda_item_edit"),
    path("tagesordnung/<int:pk>/ergebnis/", v.agenda_item_result, name="agenda_item_result"),
    path("tagesordnung/<int:pk>/abstimmung/", v.agenda_item_votes, name="agenda_item_votes"),
    path(
        "tagesordnung/<int:pk>/veroeffentlichen/",
        v.agenda_item_public,
        {"public": True},
        name="agenda_item_publish",
    ),
    path(
        "tagesordnung/<int:pk>/nichtoeffentlich/",
        v.agenda_item_public,
        {"public": False},
        name="agenda_item_unpublish",
    ),
    # papers and files
    path("drucksachen/", v.paper_list, name="paper_list"),
    path("drucksachen/neu/", v.paper_create, name="paper_create"),
    path("drucksachen/<int:pk>/", v.paper_edit, name="paper_edit"),
    path("drucksachen/<int:pk>/dateien/", v.paper_file_upload, name="paper_file_upload"),
    path(
        "drucksachen/<int:pk>/dateien/<int:file_pk>/entfernen/",
        v.paper_file_remove,
        name="paper_file_remove",
    ),
    path(
        "drucksachen/<int:pk>/veroeffentlichen/",
        v.paper_public,
        {"public": True},
        name="paper_publish",
    ),
    path(
        "drucksachen/<int:pk>/nichtoeffentlich/",
        v.paper_public,
        {"public": False},
        name="paper_unpublish",
    ),
    path(
        "dateien/<int:pk>/veroeffentlichen/", v.file_public, {"public": True}, name="file_publish"
    ),
    path(
        "dateien/<int:pk>/nichtoeffentlich/",
        v.file_public,
        {"public": False},
        name="file_unpublish",
    ),
    # inquiries and motions
    path("anfragen/", v.inquiry_list, name="inquiry_list"),
    path("anfragen/ueberfaellig/", v.inquiry_overdue, name="inquiry_overdue"),
    path("drucksachen/<int:pk>/bearbeitungsstand/", v.inquiry_status, name="inquiry_status"),
    path("drucksachen/<int:pk>/antwort/", v.inquiry_answer, name="inquiry_answer"),
]
