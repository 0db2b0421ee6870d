from django.urls import path

from rathaus.newsletter import views

app_name = "newsletter"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("angefordert/", views.requested, name="requested"),
    path("bestaetigen/<str:code>/", views.confirm, name="confirm"),
    path("einstellungen/<str:token>/", views.manage, name="manage"),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
