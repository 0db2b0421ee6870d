"""Forms of the strategy pages: strategy, goal, measure, progress note and the overview filter.

The rules across fields live in `monitor.strategy` and are only called from here, so the
form shows at the field what the write would refuse anyway.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Office
from rathaus.monitor import strategy as writes
from rathaus.monitor.models import Goal, Measure, ProgressNote, Strategy
from rathaus.monitor.strategy_selectors import MeasureFilters

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 70})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StrategyForm(forms.ModelForm):
    document_url = forms.URLField(
        label=_("Beschluss oder Dokument"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Adresse des Beschlusses oder des Strategiepapiers mit https://."),
    )

    class Meta:
        model = Strategy
        fields = ["title", "summary", "adopted_on", "document_url"]
        widgets = {"summary": TEXTAREA, "adopted_on": _date_input()}
        help_texts = {
            "adopted_on": _("Datum des Rats- oder Verwaltungsbeschlusses."),
        }


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["strategy", "title", "description", "position"]
        widgets = {"description": TEXTAREA}
        labels = {"strategy": _("Strategie")}  # the model field has no German name
        help_texts = {"position": _("Kleinere Zahlen stehen weiter oben.")}


# Legend and fields of each group in the measure form.
MEASURE_FIELDSETS: list[tuple[str | Promise, list[str]]] = [
    (_("Einordnung und Verantwortung"), ["goal", "title", "description", "owner", "status"]),
    (_("Budget und Termine"), ["budget_eur", "start_date", "due_date"]),
    (_("Zuordnung und Sichtbarkeit"), ["ozg", "sdg_9c", "public"]),
]


class MeasureForm(forms.ModelForm):
    budget_eur = forms.DecimalField(
        label=_("Budget in Euro"),
        required=False,
        max_digits=12,
        decimal_places=2,
        # German decimal comma in and out; a text field, as number inputs refuse the comma.
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Leer lassen, wenn kein eigenes Budget vorgesehen ist."),
        error_messages={
            "invalid": _("„Budget in Euro“ muss eine Zahl sein, z. B. 12500,00."),
            "max_digits": _("„Budget in Euro“ hat zu viele Stellen."),
            "max_decimal_places": _("„Budget in Euro“ hat höchstens zwei Nachkommastellen."),
        },
    )

    class Meta:
        model = Measure
        fields = [name for _legend, names in MEASURE_FIELDSETS for name in names]
        widgets = {
            "description": TEXTAREA,
            "start_date": _date_input(),
            "due_date": _date_input(),
        }
        labels = {"goal": _("Ziel")}  # the model field has no German name
        help_texts = {
            "due_date": _(
                "Nach diesem Tag gilt eine geplante oder laufende Maßnahme als überfällig."
            ),
            "public": _("Nur öffentliche Maßnahmen erscheinen auf der Roadmap der Website."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Goals are listed with their strategy: two strategies may share a goal's title.
        self.fields["goal"].queryset = Goal.objects.select_related("strategy")  # type: ignore[attr-defined]
        self.fields["goal"].label_from_instance = (  # type: ignore[attr-defined]
            lambda goal: f"{goal.strategy.title} – {goal.title}"
        )

    @property
    def fieldsets(self) -> list[tuple[str | Promise, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in MEASURE_FIELDSETS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = writes.measure_errors(
            start_date=data.get("start_date"),
            due_date=data.get("due_date"),
            budget_eur=data.get("budget_eur"),
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data


class ProgressNoteForm(forms.ModelForm):
    percent = forms.IntegerField(
        label=_("Fortschritt in Prozent"),
        min_value=0,
        max_value=writes.MAX_PERCENT,
        initial=0,
        help_text=_("Eine ganze Zahl von 0 bis 100."),
        error_messages={
            "required": _("Bitte „Fortschritt in Prozent“ angeben."),
            "invalid": _("„Fortschritt in Prozent“ muss eine ganze Zahl sein."),
            "max_value": _("„Fortschritt in Prozent“ darf höchstens 100 sein."),
            "min_value": _("„Fortschritt in Prozent“ darf nicht negativ sein."),
        },
    )
    mark_done = forms.BooleanField(
        label=_("Maßnahme als „umgesetzt“ markieren"),
        required=False,
        help_text=_("Nur zusammen mit 100 Prozent."),
    )

    class Meta:
        model = ProgressNote
        fields = ["day", "percent", "text"]
        widgets = {"day": _date_input(), "text": TEXTAREA}
        help_texts = {"text": _("Was erreicht ist und was als Nächstes ansteht.")}

    def __init__(self, *args: Any, allow_done: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate
        if not allow_done:  # only who may change the measure may close it
            del self.fields["mark_done"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mark_done") and data.get("percent") not in (None, writes.MAX_PERCENT):
            self.add_error(
                "mark_done",
                _("Als umgesetzt markieren geht nur mit „Fortschritt in Prozent“ 100."),
            )
        return data


class MeasureFilterForm(forms.Form):
    """The filters above the overview (GET, so a filtered view can be bookmarked)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("alle")), *Measure.Status.choices]
    )
    office = forms.ModelChoiceField(
        label=_("verantwortliche Stelle"),
        required=False,
        queryset=Office.objects.all(),
        to_field_name="slug",
        empty_label=_("alle"),
    )

    def filters(self) -> MeasureFilters:
        if not self.is_bound:
            return MeasureFilters()
        self.is_valid()  # an invalid filter is dropped and named; the valid ones still apply
        data = self.cleaned_data
        return MeasureFilters(status=data.get("status") or "", office=data.get("office"))
