"""Staff pages of the digitalization strategy: overview, forms, deletion, progress notes.

Thin: reads come from `strategy_selectors`, writes go through `monitor.strategy`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.staff_views import staff_view
from rathaus.monitor import strategy as writes
from rathaus.monitor import strategy_selectors as selectors
from rathaus.monitor.forms import (
    GoalForm,
    MeasureFilterForm,
    MeasureForm,
    ProgressNoteForm,
    StrategyForm,
)
from rathaus.monitor.models import Goal, Measure, Strategy

OVERVIEW = "monitor_staff:strategy"


@staff_view("monitor.view_measure")
def overview(request: HttpRequest) -> HttpResponse:
    form = MeasureFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    strategies = list(selectors.overview(filters, today=today))
    shown = [m for s in strategies for g in s.goals.all() for m in g.measures.all()]
    overdue = [m for m in shown if m.is_overdue]  # type: ignore[attr-defined]  # annotated
    return render(
        request,
        "monitor/staff/strategy_overview.html",
        {
            "form": form,
            "filters": filters,
            "strategies": strategies,
            "measure_count": len(shown),
            "overdue_count": len(overdue),
        },
    )


# --- create and edit ------------------------------------------------------------------------


def _edit(
    request: HttpRequest,
    *,
    form_class: type[Any],
    instance: Model,
    save: Callable[..., Model],
    template: str,
    initial: dict[str, Any] | None = None,
    done: Callable[[Any], str],
) -> HttpResponse:
    # A copy: validation writes the posted values into the form's instance, and the page
    # header must keep showing the stored title next to the errors.
    form = form_class(request.POST or None, instance=copy.copy(instance), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.save(commit=False), user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("„%(title)s“ ist gespeichert.") % {"title": saved})
            return redirect(done(saved))
    return render(request, template, {"form": form, "object": instance})


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@staff_view("monitor.add_strategy")
def strategy_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=StrategyForm,
        instance=Strategy(),
        save=writes.save_strategy,
        template="monitor/staff/strategy_form.html",
        done=lambda s: reverse(OVERVIEW) + f"#strategy-{s.pk}",
    )


@staff_view("monitor.change_strategy")
def strategy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        form_class=StrategyForm,
        instance=get_object_or_404(Strategy, pk=pk),
        save=writes.save_strategy,
        template="monitor/staff/strategy_form.html",
        done=lambda s: reverse(OVERVIEW) + f"#strategy-{s.pk}",
    )


@staff_view("monitor.add_goal")
def goal_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=GoalForm,
        instance=Goal(),
        save=writes.save_goal,
        template="monitor/staff/strategy_goal_form.html",
        initial={"strategy": _int_param(request, "strategie")},
        done=lambda g: reverse(OVERVIEW) + f"#goal-{g.pk}",
    )


@staff_view("monitor.change_goal")
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        form_class=GoalForm,
        instance=get_object_or_404(Goal, pk=pk),
        save=writes.save_goal,
        template="monitor/staff/strategy_goal_form.html",
        done=lambda g: reverse(OVERVIEW) + f"#goal-{g.pk}",
    )


@staff_view("monitor.add_measure")
def measure_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=MeasureForm,
        instance=Measure(),
        save=writes.save_measure,
        template="monitor/staff/strategy_measure_form.html",
        initial={"goal": _int_param(request, "ziel")},
        done=lambda m: reverse("monitor_staff:strategy_measure", args=[m.pk]),
    )


@staff_view("monitor.change_measure")
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        form_class=MeasureForm,
        instance=get_object_or_404(Measure, pk=pk),
        save=writes.save_measure,
        template="monitor/staff/strategy_measure_form.html",
        done=lambda m: reverse("monitor_staff:strategy_measure", args=[m.pk]),
    )


# --- a measure with its progress notes -------------------------------------------------------


def _measure_page(
    request: HttpRequest, pk: int, note_form: ProgressNoteForm | None = None
) -> HttpResponse:
    measure = get_object_or_404(selectors.measure_with_notes(pk, today=timezone.localdate()))
    if note_form is None:
        note_form = ProgressNoteForm(allow_done=_may_close(request))
    return render(
        request, "monitor/staff/strategy_measure.html", {"measure": measure, "note_form": note_form}
    )


def _may_close(request: HttpRequest) -> bool:
    return request.user.has_perm("monitor.change_measure")


@staff_view("monitor.view_measure")
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_page(request, pk)


@staff_view("monitor.add_progressnote")
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk)
    form = ProgressNoteForm(request.POST, allow_done=_may_close(request))
    if form.is_valid():
        data = form.cleaned_data
        mark_done = bool(data.get("mark_done"))
        try:
            writes.add_progress_note(
                measure,
                day=data["day"],
                text=data["text"],
                percent=data["percent"],
                user=request.user,
                mark_done=mark_done,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Der Fortschrittsvermerk ist gespeichert."))
            if mark_done:
                messages.success(request, _("Die Maßnahme ist als umgesetzt markiert."))
            return redirect(reverse("monitor_staff:strategy_measure", args=[pk]) + "#notes")
    return _measure_page(request, pk, form)


# --- deletion: a confirmation page, deleting on POST only ------------------------------------


def _delete(
    request: HttpRequest,
    *,
    instance: Model,
    delete: Callable[..., None],
    back: str,
    consequence: str,
) -> HttpResponse:
    if request.method == "POST":
        title = str(instance)
        delete(instance, user=request.user)
        messages.success(request, _("„%(title)s“ ist gelöscht.") % {"title": title})
        return redirect(OVERVIEW)
    return render(
        request,
        "monitor/staff/strategy_delete.html",
        {"object": instance, "back": back, "consequence": consequence},
    )


@staff_view("monitor.delete_strategy")
def strategy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = get_object_or_404(Strategy, pk=pk)
    goals = strategy.goals.count()
    measures = Measure.objects.filter(goal__strategy=strategy).count()
    return _delete(
        request,
        instance=strategy,
        delete=writes.delete_strategy,
        back=reverse(OVERVIEW) + f"#strategy-{pk}",
        consequence=_(
            "Mit der Strategie werden %(goals)d Ziel(e) und %(measures)d Maßnahme(n) samt "
            "Fortschrittsvermerken gelöscht."
        )
        % {"goals": goals, "measures": measures},
    )


@staff_view("monitor.delete_goal")
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk)
    return _delete(
        request,
        instance=goal,
        delete=writes.delete_goal,
        back=reverse(OVERVIEW) + f"#goal-{pk}",
        consequence=_(
            "Mit dem Ziel werden %(measures)d Maßnahme(n) samt Fortschrittsvermerken gelöscht."
        )
        % {"measures": goal.measures.count()},
    )


@staff_view("monitor.delete_measure")
def measure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk)
    return _delete(
        request,
        instance=measure,
        delete=writes.delete_measure,
        back=reverse("monitor_staff:strategy_measure", args=[pk]),
        consequence=_(
            "Mit der Maßnahme werden %(notes)d Fortschrittsvermerk(e) gelöscht; sie verschwindet "
            "auch von der öffentlichen Roadmap."
        )
        % {"notes": measure.notes.count()},
    )
