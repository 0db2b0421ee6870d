from django.urls import path

from rathaus.accounts import citizen_views, views
from rathaus.integrations.oidc import views as oidc_views
from rathaus.integrations.saml import views as saml_views

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.SignInView.as_view(), name="login"),
    path("abmelden/", views.SignOutView.as_view(), name="logout"),
    path("zwei-faktor/", views.otp_verify, name="otp_verify"),
    path("zwei-faktor/einrichten/", views.otp_setup, name="otp_setup"),
    path("zwei-faktor/sicherungscodes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("registrieren/", citizen_views.register, name="signup"),
    path("registrieren/gesendet/", citizen_views.done, name="signup_done"),
    path("registrieren/neuer-link/", citizen_views.resend, name="signup_resend"),
    path("registrieren/bestaetigen/<str:token>/", citizen_views.verify, name="signup_verify"),
    path("oidc/anmelden/", oidc_views.start, name="oidc_login"),
    path("oidc/rueckkehr/", oidc_views.callback, name="oidc_callback"),
    path("saml/metadaten/", saml_views.metadata, name="saml_metadata"),
    path("saml/anmelden/", saml_views.start, name="saml_login"),
    path("saml/acs/", saml_views.acs, name="saml_acs"),
    path("", views.home, name="home"),
]
