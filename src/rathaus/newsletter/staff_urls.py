from django.urls import path

from rathaus.newsletter import staff_views as v

app_name = "newsletter_staff"
urlpatterns = [
    path("", v.index, name="index"),
    path("abonnements/", v.subscriber_list, name="subscribers"),
    path("ausgaben/neu/", v.issue_create, name="issue_create"),
    path("ausgaben/<int:pk>/", v.issue_detail, name="issue_detail"),
    path("ausgaben/<int:pk>/bearbeiten/", v.issue_edit, name="issue_edit"),
    path("ausgaben/<int:pk>/vorschau.html", v.issue_preview_html, name="issue_preview_html"),
    path("ausgaben/<int:pk>/test/", v.issue_test, name="issue_test"),
    path("ausgaben/<int:pk>/senden/", v.issue_send, name="issue_send"),
    path("ausgaben/<int:pk>/freigeben/", v.issue_release, name="issue_release"),
]
