"""Submission and what follows it: /antraege/… (app "forms")."""

from django.urls import URLPattern, path

from rathaus.forms import payment_views, submission_views
from rathaus.integrations.payments.testprovider import views as testprovider_views

urlpatterns: list[URLPattern] = [
    path("entwurf/<str:token>/absenden/", submission_views.submit_view, name="submit"),
    path("eingegangen/<str:reference>/", submission_views.done, name="done"),
    path(
        "eingegangen/<str:reference>/eingangsbestaetigung.pdf",
        submission_views.receipt,
        name="receipt",
    ),
    path("eingegangen/<str:reference>/zahlung/", payment_views.payment, name="payment"),
    path("zahlung/rueckkehr/", payment_views.payment_return, name="payment_return"),
    path(
        "zahlung/benachrichtigung/",
        payment_views.payment_notification,
        name="payment_notification",
    ),
    # The test payment platform's own page (RATHAUS_PAYMENT_PROVIDER=test).
    path("testzahlung/", testprovider_views.checkout, name="testpayment"),
]
