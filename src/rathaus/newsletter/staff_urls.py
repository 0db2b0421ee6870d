from django.urls import path  # noqa: F401

app_name = "newsletter_staff"
urlpatterns: list = []
