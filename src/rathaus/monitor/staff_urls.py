from django.urls import path

from rathaus.monitor import device_views, staff_views, statement_views, strategy_views

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
# The accessibility statement (Q3): rathaus.monitor.statement_views
urlpatterns += [
    path("barrierefreiheit/erklaerung/", statement_views.statement_list, name="statements"),
    path(
        "barrierefreiheit/erklaerung/neu/", statement_views.statement_draft, name="statement_draft"
    ),
    path(
        "barrierefreiheit/erklaerung/<int:statement_id>/",
        statement_views.statement_detail,
        name="statement",
    ),
    path(
        "barrierefreiheit/erklaerung/<int:statement_id>/kopieren/",
        statement_views.statement_copy,
        name="statement_copy",
    ),
]
# Strategy, goals, measures and progress notes (Q1): rathaus.monitor.strategy_views
urlpatterns += [
    path("strategie/", strategy_views.overview, name="strategy"),
    path("strategie/neu/", strategy_views.strategy_create, name="strategy_create"),
    path("strategie/<int:pk>/", strategy_views.strategy_edit, name="strategy_edit"),
    path("strategie/<int:pk>/loeschen/", strategy_views.strategy_delete, name="strategy_delete"),
    path("strategie/ziele/neu/", strategy_views.goal_create, name="strategy_goal_create"),
    path("strategie/ziele/<int:pk>/", strategy_views.goal_edit, name="strategy_goal_edit"),
    path(
        "strategie/ziele/<int:pk>/loeschen/",
        strategy_views.goal_delete,
        name="strategy_goal_delete",
    ),
    path(
        "strategie/massnahmen/neu/", strategy_views.measure_create, name="strategy_measure_create"
    ),
    path("strategie/massnahmen/<int:pk>/", strategy_views.measure_detail, name="strategy_measure"),
    path(
        "strategie/massnahmen/<int:pk>/bearbeiten/",
        strategy_views.measure_edit,
        name="strategy_measure_edit",
    ),
    path(
        "strategie/massnahmen/<int:pk>/loeschen/",
        strategy_views.measure_delete,
        name="strategy_measure_delete",
    ),
    path(
        "strategie/massnahmen/<int:pk>/vermerk/",
        strategy_views.note_add,
        name="strategy_note_add",
    ),
]
