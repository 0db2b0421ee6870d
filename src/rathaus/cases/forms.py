"""Forms of the back office. Every action form carries the case version the clerk saw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Office, User
from rathaus.cases import letters, selectors
from rathaus.cases.models import CaseDocument, Channel, LetterTemplate, MediaBreak, Outcome, State
from rathaus.cases.services import OFFLINE_CHANNELS, SCAN_ACCEPT, Registration
from rathaus.catalog.models import Service
from rathaus.core.errors import ValidationFailed


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _person(user: User) -> str:
    return user.get_full_name() or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person(obj)


# --- inbox ----------------------------------------------------------------------------------

STATE_FILTERS = [
    ("open", _("offen (eingegangen, in Bearbeitung, wartend)")),
    ("all", _("alle")),
    *State.choices,
]
SORT_CHOICES = [
    ("-received", _("Eingang, neueste zuerst")),
    ("received", _("Eingang, älteste zuerst")),
    ("due", _("Frist, früheste zuerst")),
    ("-due", _("Frist, späteste zuerst")),
]


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Suche"),
        required=False,
        max_length=100,
        help_text=_("Aktenzeichen (auch der Anfang), Name oder Wörter aus dem Betreff."),
    )
    state = forms.ChoiceField(label=_("Status"), choices=STATE_FILTERS, required=False)
    channel = forms.ChoiceField(
        label=_("Eingangskanal"), choices=[("", _("alle")), *Channel.choices], required=False
    )
    assignee = forms.ChoiceField(label=_("Bearbeitung"), required=False)
    overdue = forms.BooleanField(label=_("nur überfällige"), required=False)
    service = forms.ModelChoiceField(
        label=_("Leistung"), queryset=Service.objects.none(), required=False, empty_label=_("alle")
    )
    received_from = forms.DateField(label=_("eingegangen ab"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("eingegangen bis"), required=False, widget=DateInput())
    sort = forms.ChoiceField(label=_("Sortierung"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = Service.objects.order_by("name").only("pk", "name")
        if not user.has_perm("cases.work_all_cases"):
            services = services.filter(office_id=user.office_id)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        people = selectors.possible_assignees(user.office_id).only(
            "pk", "username", "first_name", "last_name"
        )
        if user.has_perm("cases.work_all_cases"):
            # Who acts for every office chooses the office whose inbox to see.
            self.fields["office"] = forms.ModelChoiceField(
                label=_("Stelle"),
                queryset=Office.objects.order_by("name").only("pk", "name"),
                required=False,
                empty_label=_("alle"),
            )
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("alle")),
            ("me", _("mir zugewiesen")),
            ("none", _("niemandem zugewiesen")),
            *[(str(p.pk), _person(p)) for p in people],
        ]

    def filters(self) -> selectors.InboxFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.InboxFilters()
        data = self.cleaned_data
        return selectors.InboxFilters(
            state=data["state"] or "open",
            channel=data["channel"],
            assignee=data["assignee"],
            overdue=data["overdue"],
            service_id=data["service"].pk if data["service"] else None,
            office_id=data["office"].pk if data.get("office") else None,
            received_from=data["received_from"],
            received_to=data["received_to"],
            q=data["q"],
            sort=data["sort"] or "-received",
        )


BULK_ACTIONS = [
    ("take", _("mir zuweisen")),
    ("assign", _("zuweisen an …")),
    ("unassign", _("Zuweisung aufheben")),
    ("transition", _("Status ändern in …")),
]


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Aktion"), choices=BULK_ACTIONS)
    assignee = PersonChoiceField(
        label=_("zuweisen an"), queryset=User.objects.none(), required=False
    )
    target = forms.ChoiceField(
        label=_("neuer Status"),
        choices=[("", "—"), *[(v, label) for v, label in State.choices if v != State.DECIDED]],
        required=False,
    )
    case = forms.MultipleChoiceField(label=_("Vorgänge"), choices=[])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.possible_assignees(  # type: ignore[attr-defined]
            user.office_id
        )
        # Values are "id:version"; the choices are whatever was posted, checked in clean_case.
        posted = self.data.getlist("case") if hasattr(self.data, "getlist") else []
        self.fields["case"].choices = [(v, v) for v in posted]  # type: ignore[attr-defined]

    def clean_case(self) -> list[tuple[int, int]]:
        items = []
        for value in self.cleaned_data["case"]:
            pk, _sep, version = value.partition(":")
            if not pk.isdigit() or not version.isdigit():
                raise forms.ValidationError(_("Ungültige Auswahl."))
            items.append((int(pk), int(version)))
        return items


# --- actions on one case ------------------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssignForm(VersionForm):
    assignee = PersonChoiceField(label=_("zuweisen an"), queryset=User.objects.none())

    def __init__(self, *args: Any, office_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.possible_assignees(office_id)  # type: ignore[attr-defined]


class StateForm(VersionForm):
    target = forms.ChoiceField(label=_("neuer Status"))
    reason = forms.CharField(label=_("Anmerkung"), required=False, max_length=200)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class DeadlineForm(VersionForm):
    due_date = forms.DateField(
        label=_("Frist"),
        required=False,
        widget=DateInput(),
        help_text=_("Leer lassen, um die Frist zu entfernen."),
    )


class NoteForm(VersionForm):
    text = forms.CharField(
        label=_("Notiz"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur intern sichtbar, nie für die Antragsteller*in."),
    )


class DocumentForm(VersionForm):
    kind = forms.ChoiceField(
        label=_("Art"),
        choices=[
            (CaseDocument.Kind.INTERNAL, CaseDocument.Kind.INTERNAL.label),
            (CaseDocument.Kind.SCAN, CaseDocument.Kind.SCAN.label),
        ],
    )
    title = forms.CharField(label=_("Titel"), required=False, max_length=200)
    file = forms.FileField(label=_("Datei"), help_text=_("PDF, Bild, Text oder Word; bis 25 MB."))
    visible_to_applicant = forms.BooleanField(
        label=_("für die Antragsteller*in sichtbar"), required=False
    )


class LetterForm(VersionForm):
    template = forms.ModelChoiceField(label=_("Vorlage"), queryset=LetterTemplate.objects.none())
    send_to_applicant = forms.BooleanField(
        label=_("an die Antragsteller*in senden (Nachricht im Konto)"), required=False
    )

    def __init__(self, *args: Any, office_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.templates_for(office_id)  # type: ignore[attr-defined]


class MessageForm(VersionForm):
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    body = forms.CharField(label=_("Nachricht"), widget=forms.Textarea(attrs={"rows": 5}))


class DecideForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Ergebnis"), choices=[(v, label) for v, label in Outcome.choices if v]
    )
    template = forms.ModelChoiceField(
        label=_("Bescheid aus Vorlage"),
        queryset=LetterTemplate.objects.none(),
        required=False,
        empty_label=_("ohne Bescheid"),
    )
    send_to_applicant = forms.BooleanField(
        label=_("Bescheid an die Antragsteller*in senden"), required=False, initial=True
    )
    reason = forms.CharField(label=_("Anmerkung"), required=False, max_length=200)

    def __init__(self, *args: Any, office_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.templates_for(office_id)  # type: ignore[attr-defined]


class MediaBreakForm(VersionForm):
    kind = forms.ChoiceField(label=_("Art"), choices=MediaBreak.Kind.choices)
    note = forms.CharField(label=_("Anmerkung"), required=False, max_length=300)


# --- registering a case that did not come online -------------------------------------------------


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Eingangsweg"),
        choices=[(c.value, c.label) for c in OFFLINE_CHANNELS],
        widget=forms.RadioSelect,
    )
    service = forms.ModelChoiceField(
        label=_("Leistung"), queryset=Service.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Betreff"), max_length=300)
    applicant_name = forms.CharField(label=_("Name der Antragsteller*in"), max_length=200)
    applicant_email = forms.EmailField(label=_("E-Mail"), required=False)
    applicant_address = forms.CharField(
        label=_("Anschrift"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Für Briefe: Straße und Hausnummer, Postleitzahl und Ort."),
    )
    received_on = forms.DateField(label=_("eingegangen am"), widget=DateInput())
    due_date = forms.DateField(
        label=_("Frist"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Leer: die Bearbeitungsfrist des Online-Formulars der Leistung, falls es eines gibt."
        ),
    )
    scan = forms.FileField(
        label=_("Scan oder Anhang"),
        required=False,
        help_text=_("Papier: Scan als PDF, JPEG, PNG oder TIFF. E-Mail: der Anhang."),
    )
    scan_title = forms.CharField(label=_("Titel des Dokuments"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Notiz"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = Service.objects.order_by("name")
        if not user.has_perm("cases.work_all_cases"):
            services = services.filter(office_id=user.office_id)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["scan"].widget.attrs["accept"] = ",".join((*SCAN_ACCEPT, ".pdf"))

    def registration(self) -> Registration:
        data = self.cleaned_data
        return Registration(
            channel=data["channel"],
            subject=data["subject"],
            applicant_name=data["applicant_name"],
            applicant_email=data["applicant_email"],
            applicant_address=data["applicant_address"],
            received_on=data["received_on"],
            service_id=data["service"].pk if data["service"] else None,
            due_date=data["due_date"],
            scan=data["scan"],
            scan_title=data["scan_title"],
            note=data["note"],
        )


# --- letter templates -------------------------------------------------------------------------


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "office", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholders = ", ".join(f"{{{{ {name} }}}}" for name in letters.PLACEHOLDERS)
        self.fields["body"].help_text = _("Platzhalter: %(names)s") % {"names": placeholders}
        if not user.has_perm("cases.work_all_cases"):
            # Office leads write templates for their own office only.
            self.fields["office"].queryset = self.fields["office"].queryset.filter(  # type: ignore[attr-defined]
                pk=user.office_id
            )
            self.fields["office"].required = True
            self.fields["office"].empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            letters.validate_template(subject=data.get("subject", ""), body=data.get("body", ""))
        except ValidationFailed as exc:
            for problem in exc.problems:
                self.add_error(problem.field, problem.message)
        return data
