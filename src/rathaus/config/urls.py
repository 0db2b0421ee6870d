from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from rathaus.core import views as core_views

# German lives at /, English at /en/: the language is part of the address, so switching
# it needs no cookie and every page can be linked in either language.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Cases first: the catalog's URLs end with a catch-all JSON 404 for unknown addresses.
    path("api/v1/", include("rathaus.cases.api_urls")),
    path("api/v1/", include("rathaus.monitor.api_urls")),
    path("api/v1/", include("rathaus.catalog.api_urls")),
    path("oparl/v1.1/", include("rathaus.oparl.urls")),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("rathaus.core.urls")),
    path("konto/", include("rathaus.accounts.urls")),
    path("leistungen/", include("rathaus.catalog.urls")),
    path("verwaltung/leistungen/", include("rathaus.catalog.staff_urls")),
    path("verwaltung/rat/", include("rathaus.council.staff_urls")),
    path("verwaltung/oparl/", include("rathaus.oparl.staff_urls")),
    path("rat/benachrichtigungen/", include("rathaus.council.alert_urls")),
    path("rat/mitglieder/", include("rathaus.council.member_urls")),
    path("rat/", include("rathaus.council.urls")),
    path("antraege/", include("rathaus.forms.urls")),
    path("konto/antraege/", include("rathaus.cases.citizen_urls")),
    path("verwaltung/formulare/", include("rathaus.forms.staff_urls")),
    path("verwaltung/vorgaenge/", include("rathaus.cases.urls")),
    path("verwaltung/akten/", include("rathaus.cases.export_urls")),
    path("aktuelles/", include("rathaus.news.urls")),
    path("verwaltung/aktuelles/", include("rathaus.news.staff_urls")),
    path("newsletter/", include("rathaus.newsletter.urls")),
    path("verwaltung/newsletter/", include("rathaus.newsletter.staff_urls")),
    path("digitalisierung/", include("rathaus.monitor.urls")),
    path("verwaltung/digitalisierung/", include("rathaus.monitor.staff_urls")),
    prefix_default_language=False,
)
handler404 = "rathaus.core.views.not_found"
handler500 = "rathaus.core.views.server_error"
