from django.urls import path

from rathaus.monitor import staff_views

app_name = "monitor_staff"
urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("neu-berechnen/", staff_views.recompute, name="recompute"),
    path("barrierefreiheit/", staff_views.audit, name="audit"),
    path("barrierefreiheit/<int:run_id>/", staff_views.audit, name="audit_run"),
]
