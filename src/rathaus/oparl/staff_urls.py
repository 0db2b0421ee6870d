from django.urls import path

from rathaus.oparl import staff_views

app_name = "oparl_staff"
urlpatterns = [
    path("", staff_views.system_list, name="list"),
    path("<int:pk>/", staff_views.system_detail, name="detail"),
]
