from django.urls import path

from rathaus.core import search_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("suche/", search_views.search_page, name="search"),
    path("impressum/", views.page, {"template": "impressum"}, name="impressum"),
    path("datenschutz/", views.page, {"template": "datenschutz"}, name="privacy"),
    path(
        "barrierefreiheit/",
        views.page,
        {"template": "barrierefreiheit"},
        name="accessibility",
    ),
]
