from django.urls import path

from rathaus.core import search_views, views
from rathaus.monitor import views as monitor_views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("suche/", search_views.search_page, name="search"),
    path("impressum/", views.page, {"template": "impressum"}, name="impressum"),
    path("datenschutz/", views.page, {"template": "datenschutz"}, name="privacy"),
    # The released statement of the monitor, else the static page (core/barrierefreiheit.html).
    path("barrierefreiheit/", monitor_views.accessibility_statement, name="accessibility"),
]
