from django.urls import path

from rathaus.monitor import staff_views

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
