from django.urls import path

from rathaus.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("a-z/", views.a_to_z, name="a_to_z"),
    path("dienststellen/", views.offices, name="offices"),
    path("dienststellen/<slug:slug>/", views.office, name="office"),
    path("reifegrade/", views.maturity_levels, name="maturity_levels"),
    path("<slug:slug>/", views.detail, name="detail"),
]
