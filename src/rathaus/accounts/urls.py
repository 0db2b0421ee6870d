from django.urls import path

from rathaus.accounts import views

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.SignInView.as_view(), name="login"),
    path("abmelden/", views.SignOutView.as_view(), name="logout"),
    path("zwei-faktor/", views.otp_verify, name="otp_verify"),
    path("zwei-faktor/einrichten/", views.otp_setup, name="otp_setup"),
    path("zwei-faktor/sicherungscodes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("", views.home, name="home"),
]
