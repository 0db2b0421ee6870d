from django.urls import path

from rathaus.forms import staff_views

app_name = "forms_staff"
urlpatterns = [
    path("", staff_views.definition_list, name="list"),
    path("neu/", staff_views.definition_create, name="create"),
    path("<int:pk>/", staff_views.definition_detail, name="detail"),
    path("<int:pk>/neue-version/", staff_views.version_new, name="new_version"),
    path("<int:pk>/zurueckziehen/", staff_views.definition_retire, name="retire"),
    path("<int:pk>/version/<int:number>/", staff_views.version_edit, name="version"),
    path(
        "<int:pk>/version/<int:number>/veroeffentlichen/",
        staff_views.version_publish,
        name="publish",
    ),
]
