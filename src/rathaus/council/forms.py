"""Forms of the council office's staff UI. They validate input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.council.models import (
    AgendaItem,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Vote,
)

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 70})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]

# Suggestions for the paper type field (a datalist: other types may be typed in).
PAPER_TYPES = [
    "Beschlussvorlage",
    "Mitteilungsvorlage",
    "Antrag",
    "Anfrage",
    "Stellungnahme",
    "Bericht",
]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class LinesField(forms.CharField):
    """A textarea whose lines become a list (questions, e-mail addresses, titles)."""

    widget = TEXTAREA

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return _lines(super().to_python(value) or "")


def _active_organizations() -> QuerySet[Organization]:
    today = timezone.localdate()
    return Organization.objects.filter(deleted=False).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def factions() -> QuerySet[Organization]:
    return _active_organizations().filter(organization_type=Organization.Type.FACTION)


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Webseite"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "organization_type",
            "classification",
            "sub_organization_of",
            "start_date",
            "end_date",
            "website",
            "slug",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}
        help_texts = {
            "slug": _("Teil der Internetadresse. Leer lassen, um ihn aus dem Namen zu bilden."),
            "end_date": _("Nur für aufgelöste Gremien und Fraktionen."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        parent = self.fields["sub_organization_of"]
        others = Organization.objects.filter(deleted=False)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        parent.queryset = others  # type: ignore[attr-defined]


class PersonForm(forms.ModelForm):
    title = LinesField(label=_("Titel"), widget=forms.TextInput, help_text=_("z. B. Dr."))
    email = LinesField(
        label=_("E-Mail-Adressen"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        help_text=_("Eine Adresse pro Zeile; an sie gehen die Einladungen."),
    )
    phone = LinesField(
        label=_("Telefonnummern"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        help_text=_("Eine Nummer pro Zeile."),
    )
    account = forms.CharField(
        label=_("Benutzerkonto (Benutzername)"),
        required=False,
        max_length=150,
        help_text=_(
            "Mit einem Benutzerkonto kann sich das Ratsmitglied im Mitgliederbereich anmelden "
            "und sieht die nichtöffentlichen Unterlagen seiner Gremien. Leer lassen: kein Zugang."
        ),
    )

    class Meta:
        model = Person
        fields = [
            "form_of_address",
            "title",
            "given_name",
            "family_name",
            "affix",
            "name",
            "gender",
            "email",
            "phone",
            "life",
        ]
        widgets = {"life": TEXTAREA}
        help_texts = {"name": _("Leer lassen, um ihn aus Vor- und Familienname zu bilden.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        if self.instance.pk and self.instance.user_id and not self.is_bound:
            self.initial["account"] = self.instance.user.get_username()

    def clean_email(self) -> list[str]:
        addresses: list[str] = self.cleaned_data.get("email") or []
        validator = forms.EmailField()
        for address in addresses:
            try:
                validator.clean(address)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("„%(address)s“ ist keine gültige E-Mail-Adresse."),
                    params={"address": address},
                ) from exc
        return addresses

    def clean_account(self) -> Any:
        username = (self.cleaned_data.get("account") or "").strip()
        if not username:
            return False
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Es gibt kein aktives Benutzerkonto „%(name)s“."), params={"name": username}
            )
        return user


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "person",
            "organization",
            "role",
            "on_behalf_of",
            "voting_right",
            "start_date",
            "end_date",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}
        help_texts = {
            "role": _("z. B. Mitglied, Vorsitzende, stellvertretender Vorsitzender"),
            "on_behalf_of": _("Die Fraktion, für die der Sitz in diesem Gremium gehalten wird."),
            "end_date": _("Leer, solange die Mitgliedschaft besteht."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(deleted=False)  # type: ignore[attr-defined]
        self.fields["organization"].queryset = Organization.objects.filter(deleted=False)  # type: ignore[attr-defined]
        self.fields["on_behalf_of"].queryset = factions()  # type: ignore[attr-defined]


class MeetingForm(forms.ModelForm):
    video_public_url = forms.URLField(
        label=_("öffentlicher Videolink"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Für öffentliche Hybridsitzungen: die Adresse, unter der die Öffentlichkeit "
            "zusehen kann (z. B. ein Livestream)."
        ),
    )
    start = forms.DateTimeField(label=_("Beginn"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    end = forms.DateTimeField(
        label=_("Ende"), widget=DATETIME, input_formats=DATETIME_FORMATS, required=False
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Gremien"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Das Gremium oder die Gremien, die tagen (bei gemeinsamen Sitzungen mehrere)."),
    )

    class Meta:
        model = Meeting
        fields = [
            "name",
            "organizations",
            "start",
            "end",
            "location",
            "is_public",
            "cancelled",
            "video_public_url",
        ]
        help_texts = {
            "is_public": _(
                "Nichtöffentliche Sitzungen sehen nur die Mitglieder ihrer Gremien und das "
                "Ratsbüro."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = self.fields["organizations"]
        organizations.queryset = _active_organizations().exclude(  # type: ignore[attr-defined]
            organization_type__in=[Organization.Type.FACTION, Organization.Type.PARTY]
        )
        if self.instance.pk and not self.is_bound:
            self.initial["organizations"] = list(self.instance.organizations.all())
        self.fields["location"].queryset = Location.objects.filter(deleted=False)  # type: ignore[attr-defined]


class AgendaItemForm(forms.ModelForm):
    paper_reference = forms.CharField(
        label=_("Drucksache (Nummer)"),
        required=False,
        max_length=100,
        help_text=_("Die Drucksachennummer, die unter diesem Punkt beraten wird, z. B. 2026/041."),
    )
    consultation_role = forms.CharField(
        label=_("Art der Beratung"),
        required=False,
        max_length=100,
        help_text=_("z. B. Vorberatung, Beschluss, Kenntnisnahme"),
    )
    authoritative = forms.BooleanField(label=_("beschließend"), required=False)

    class Meta:
        model = AgendaItem
        fields = ["number", "order", "name", "public"]
        help_texts = {
            "order": _("Leer oder 0: ans Ende der Tagesordnung."),
            "number": _("Leer: die Reihenfolge."),
            "public": _("Nichtöffentliche Punkte sehen nur die Mitglieder und das Ratsbüro."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["name"].required = False
        consultation = (
            self.instance.consultations.select_related("paper").first()
            if self.instance.pk
            else None
        )
        if consultation is not None and not self.is_bound:
            if consultation.paper is not None:
                self.initial["paper_reference"] = consultation.paper.reference
            self.initial["consultation_role"] = consultation.role
            self.initial["authoritative"] = consultation.authoritative

    def clean_order(self) -> int:
        return self.cleaned_data.get("order") or 0

    def clean_paper_reference(self) -> Paper | None:
        reference = (self.cleaned_data.get("paper_reference") or "").strip()
        if not reference:
            return None
        paper = (
            Paper.objects.filter(reference=reference, deleted=False)
            .order_by("origin_id", "-pk")
            .first()
        )
        if paper is None:
            raise forms.ValidationError(
                _("Es gibt keine Drucksache mit der Nummer %(ref)s."), params={"ref": reference}
            )
        return paper

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and not data.get("paper_reference"):
            self.add_error(
                "name", _("Bitte geben Sie den Gegenstand an oder nennen Sie eine Drucksache.")
            )
        return data


class ResultForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["result", "resolution_text", "minutes_text"]
        widgets = {"resolution_text": TEXTAREA, "minutes_text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"result": _("z. B. beschlossen, abgelehnt, vertagt, zur Kenntnis genommen")}


class VoteForm(forms.Form):
    """Counts per faction, and optionally each member's vote (leave empty: not recorded)."""

    def __init__(
        self,
        *args: Any,
        faction_list: list[Organization],
        person_list: list[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.faction_list = faction_list
        self.person_list = person_list
        counts = [("yes", _("Ja")), ("no", _("Nein")), ("abstain", _("Enthaltungen"))]
        for faction in faction_list:
            for key, label in counts:
                self.fields[f"faction_{faction.pk}_{key}"] = forms.IntegerField(
                    label=f"{faction.short_name or faction.name}: {label}",
                    min_value=0,
                    max_value=999,
                    required=False,
                    widget=forms.NumberInput(attrs={"size": 4}),
                )
        choices = [("", _("nicht erfasst")), *Vote.Choice.choices]
        for person in person_list:
            self.fields[f"person_{person.pk}"] = forms.ChoiceField(
                label=person.name, choices=choices, required=False
            )

    def faction_rows(self) -> list[tuple[Organization, list[forms.BoundField]]]:
        return [
            (f, [self[f"faction_{f.pk}_{key}"] for key in ("yes", "no", "abstain")])
            for f in self.faction_list
        ]

    def person_fields(self) -> list[forms.BoundField]:
        return [self[f"person_{p.pk}"] for p in self.person_list]


class PaperForm(forms.ModelForm):
    questions = LinesField(
        label=_("Fragen"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text=_("Nur für Anfragen und Anträge: eine Frage pro Zeile."),
    )

    class Meta:
        model = Paper
        fields = [
            "reference",
            "name",
            "paper_type",
            "date",
            "is_public",
            "under_direction_of",
            "originator_organizations",
            "originator_persons",
            "questions",
            "due_date",
        ]
        widgets = {
            "date": DATE,
            "due_date": DATE,
            "paper_type": forms.TextInput(attrs={"list": "paper-types"}),
            "under_direction_of": forms.SelectMultiple(attrs={"size": 6}),
            "originator_organizations": forms.SelectMultiple(attrs={"size": 6}),
            "originator_persons": forms.SelectMultiple(attrs={"size": 6}),
        }
        labels = {
            "under_direction_of": _("federführend"),
            "originator_organizations": _("eingereicht von (Gremium, Fraktion)"),
            "originator_persons": _("eingereicht von (Personen)"),
        }
        help_texts = {
            "due_date": _("Nur für Anfragen und Anträge: bis wann die Antwort vorliegen muss."),
            "is_public": _(
                "Nichtöffentliche Drucksachen sehen nur die Mitglieder der beratenden Gremien und "
                "das Ratsbüro."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.filter(deleted=False)
        self.fields["under_direction_of"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["originator_organizations"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["originator_persons"].queryset = Person.objects.filter(deleted=False)  # type: ignore[attr-defined]
        self.fields["name"].widget = forms.TextInput(attrs={"size": 70})


class UploadField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Datei"))
        kwargs.setdefault(
            "help_text", _("PDF bevorzugt; der Text von PDF-Dateien wird für die Suche gelesen.")
        )
        super().__init__(*args, **kwargs)


class PaperFileForm(forms.Form):
    ROLE_CHOICES = [
        ("attachment", _("Anlage")),
        ("main", _("Hauptdokument (ersetzt das bisherige)")),
    ]

    upload = UploadField()
    name = forms.CharField(
        label=_("Bezeichnung"), required=False, max_length=300, help_text=_("Leer: der Dateiname.")
    )
    role = forms.ChoiceField(
        label=_("Art"), choices=ROLE_CHOICES, initial="attachment", widget=forms.RadioSelect
    )
    is_public = forms.BooleanField(
        label=_("öffentlich"),
        required=False,
        help_text=_("Nur möglich, wenn auch die Drucksache öffentlich ist."),
    )


class InvitationForm(forms.Form):
    upload = UploadField(label=_("Einladung (Datei)"), required=False)
    notify = forms.BooleanField(
        label=_("Mitglieder per E-Mail benachrichtigen"), required=False, initial=True
    )


class MinutesForm(forms.Form):
    upload = UploadField(label=_("Niederschrift (Datei)"))


class VideoForm(forms.Form):
    provider = forms.ChoiceField(label=_("Videokonferenz"), required=False)
    public_url = forms.URLField(
        label=_("öffentlicher Videolink"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=_("Nur für öffentliche Hybridsitzungen, z. B. ein Livestream."),
    )

    def __init__(self, *args: Any, providers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Meeting.VideoProvider.choices)
        choices = [("", labels[""])] + [(p, labels[p]) for p in providers]
        self.fields["provider"].choices = choices  # type: ignore[attr-defined]


class InquiryStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Neuer Bearbeitungsstand"), choices=Paper.InquiryStatus.choices
    )


class AnswerForm(forms.Form):
    answer_text = forms.CharField(
        label=_("Antwort"), required=False, widget=forms.Textarea(attrs={"rows": 10, "cols": 70})
    )
    upload = UploadField(label=_("Antwort (Datei)"), required=False)
    finish = forms.BooleanField(
        label=_("Anfrage damit als beantwortet abschließen"),
        required=False,
        help_text=_("Nur möglich, wenn die Anfrage in Bearbeitung ist."),
    )


class MeetingFilterForm(forms.Form):
    WHEN = [("upcoming", _("anstehend")), ("past", _("vergangen")), ("all", _("alle"))]

    organization = forms.ModelChoiceField(
        label=_("Gremium"), queryset=Organization.objects.none(), required=False
    )
    when = forms.ChoiceField(label=_("Zeitraum"), choices=WHEN, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            deleted=False
        ).exclude(organization_type__in=[Organization.Type.FACTION, Organization.Type.PARTY])


class PaperFilterForm(forms.Form):
    q = forms.CharField(label=_("Nummer oder Titel"), required=False, max_length=200)
    paper_type = forms.CharField(
        label=_("Art"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "paper-types"}),
    )
    inquiry_status = forms.ChoiceField(
        label=_("Bearbeitungsstand"),
        required=False,
        choices=[("", _("alle")), *Paper.InquiryStatus.choices],
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
