"""Alerts without an account, under /rat/benachrichtigungen/ (namespace `council_alerts`).

Other pages link to the subscribe form with the target in the query string:
`abonnieren/?art=paper&id=<pk>`, `?art=organization&id=<pk>`, `?art=person&id=<pk>` and
`?art=search&q=<term>`.
"""

from django.urls import path

from rathaus.council import alert_views

app_name = "council_alerts"
urlpatterns = [
    path("abonnieren/", alert_views.subscribe, name="subscribe"),
    path("angefordert/", alert_views.requested, name="requested"),
    path("bestaetigen/<slug:token>/", alert_views.confirm, name="confirm"),
    path("abbestellen/alle/<str:signed>/", alert_views.unsubscribe_all, name="unsubscribe_all"),
    path("abbestellen/<slug:token>/", alert_views.unsubscribe, name="unsubscribe"),
]
