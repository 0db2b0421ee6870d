"""Back office, mounted at /verwaltung/vorgaenge/ (staff: second factor required)."""

from django.urls import path

from rathaus.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sammelaktion/", views.bulk, name="bulk"),
    path("erfassen/", views.register, name="register"),
    path("vorlagen/", views.template_list, name="template_list"),
    path("vorlagen/neu/", views.template_create, name="template_create"),
    path("vorlagen/<int:pk>/", views.template_edit, name="template_edit"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/uebernehmen/", views.take, name="take"),
    path("<str:reference>/freigeben/", views.unassign, name="unassign"),
    path("<str:reference>/zuweisen/", views.assign, name="assign"),
    path("<str:reference>/status/", views.change_state, name="state"),
    path("<str:reference>/frist/", views.deadline, name="deadline"),
    path("<str:reference>/notiz/", views.note, name="note"),
    path("<str:reference>/dokument/", views.document, name="document"),
    path("<str:reference>/schreiben/", views.letter, name="letter"),
    path("<str:reference>/nachricht/", views.message, name="message"),
    path("<str:reference>/unterlagen-anfordern/", views.request_documents, name="request"),
    path("<str:reference>/entscheiden/", views.decide, name="decide"),
    path("<str:reference>/abschliessen/", views.close, name="close"),
    path("<str:reference>/medienbruch/", views.media_break, name="media"),
    path("<str:reference>/dokumente/<int:pk>/", views.document_download, name="document_download"),
]
