from django.urls import path

from rathaus.monitor import device_views, staff_views

app_name = "monitor_staff"
urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("neu-berechnen/", staff_views.recompute, name="recompute"),
    path("barrierefreiheit/", staff_views.audit, name="audit"),
    path("barrierefreiheit/<int:run_id>/", staff_views.audit, name="audit_run"),
]
urlpatterns += [
    path("antworten/", staff_views.answer_list, name="answers"),
    path("antworten/neu/<int:paper_id>/", staff_views.answer_generate, name="answer_generate"),
    path("antworten/<int:answer_id>/", staff_views.answer_detail, name="answer"),
    path(
        "antworten/<int:answer_id>/download.<str:fmt>",
        staff_views.answer_download,
        name="answer_download",
    ),
]
# Device inventory and headcounts (gap B1): rathaus.monitor.device_views
urlpatterns += [
    path("geraete/", device_views.device_list, name="devices"),
    path("geraete/neu/", device_views.device_create, name="device_create"),
    path("geraete/<int:pk>/", device_views.device_edit, name="device_edit"),
    path("geraete/<int:pk>/ausmustern/", device_views.device_retire, name="device_retire"),
    path("geraete/<int:pk>/loeschen/", device_views.device_delete, name="device_delete"),
    path("geraete/import/", device_views.device_import, name="device_import"),
    path("geraete/vorlage.csv", device_views.device_template, name="device_template"),
    path("geraete/personalstand/", device_views.headcounts, name="headcounts"),
]
