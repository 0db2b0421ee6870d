"""Addresses of the OParl 1.1 server below `/oparl/v1.1/` (not language-prefixed).

The paths are part of every object's id, so they must never change.
"""

from django.urls import path

from rathaus.oparl import views
from rathaus.oparl.selectors import BODY_LISTS, MODELS, ORGANIZATION_LISTS

app_name = "oparl"
urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="body-list"),
    path("file/<int:pk>/access", views.file_access, name="file-access"),
    path("file/<int:pk>/download", views.file_download, name="file-download"),
]
urlpatterns += [
    path(f"body/<int:pk>/{kind}", views.body_sublist, {"kind": kind}, name=f"body-{kind}")
    for kind in BODY_LISTS
]
urlpatterns += [
    path(
        f"organization/<int:pk>/{kind}",
        views.organization_sublist,
        {"kind": kind},
        name=f"organization-{kind}",
    )
    for kind in ORGANIZATION_LISTS
]
urlpatterns += [
    path(f"{kind}/<int:pk>", views.detail, {"kind": kind}, name=kind) for kind in MODELS
]
# Last: anything else below the entry point is an OParl error object, not the HTML 404 page.
urlpatterns.append(path("<path:rest>", views.not_found, name="not-found"))
