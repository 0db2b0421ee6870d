from django.urls import path

from rathaus.catalog import staff_views

app_name = "catalog_staff"
urlpatterns = [
    path("", staff_views.service_list, name="list"),
    path("neu/", staff_views.service_create, name="create"),
    path("pruefung-ueberfaellig/", staff_views.overdue, name="overdue"),
    path("<int:pk>/", staff_views.service_edit, name="edit"),
    path("<int:pk>/verlauf/", staff_views.service_history, name="history"),
    path(
        "<int:pk>/veroeffentlichen/",
        staff_views.service_action,
        {"action": "publish"},
        name="publish",
    ),
    path(
        "<int:pk>/zurueckziehen/",
        staff_views.service_action,
        {"action": "withdraw"},
        name="withdraw",
    ),
    path(
        "<int:pk>/archivieren/", staff_views.service_action, {"action": "archive"}, name="archive"
    ),
    path("<int:pk>/geprueft/", staff_views.service_action, {"action": "reviewed"}, name="reviewed"),
]
