from django.urls import path

from rathaus.news import staff_views

app_name = "news_staff"
urlpatterns = [
    path("", staff_views.item_list, name="list"),
    path("<str:kind>/neu/", staff_views.create, name="create"),
    path("<str:kind>/<int:pk>/", staff_views.edit, name="edit"),
    path("<str:kind>/<int:pk>/loeschen/", staff_views.delete, name="delete"),
    path("<str:kind>/<int:pk>/bild/", staff_views.image, name="image"),
    path("<str:kind>/<int:pk>/<str:action>/", staff_views.action, name="action"),
]
