from django.urls import path

from rathaus.catalog import staff_views

app_name = "catalog_staff"
urlpatterns = [
    path("", staff_views.service_list, name="list"),
]
