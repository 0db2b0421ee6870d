"""Reads of the back office: which cases a user may see, the inbox, one case with its rows.

`cases_visible_to` is the one rule for who sees which case; the citizen side, the API and the
export reuse it. The inbox is built for 100,000 cases on PostgreSQL: every filter is an
equality or range on an indexed column, the free-text search is a prefix lookup on
`CaseTerm.term`, and pages are fetched with one row more than shown instead of a count.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rathaus.accounts.models import User
from rathaus.cases.models import (
    ONLINE_CHANNELS,
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseTerm,
    Channel,
    LetterTemplate,
    MediaBreak,
    State,
)
from rathaus.cases.workflow import allowed_next

OPEN_STATES = (State.RECEIVED, State.IN_REVIEW, State.WAITING)
PER_PAGE = 50
MAX_TERMS = 5
# Up to this many matching cases, a word search hands the database a list of ids.
MATCHES_AS_LIST = 2000
# Letters, digits and a few joiners; everything else separates words.
_WORD = re.compile(r"[\w]+(?:[-'][\w]+)*", re.UNICODE)


# --- who sees what ------------------------------------------------------------------------


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """All cases for `work_all_cases`, the own office's for `work_case`, else none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.has_perm("cases.work_all_cases"):
        return Case.objects.all()
    if user.has_perm("cases.work_case") and user.office_id is not None:
        return Case.objects.filter(office_id=user.office_id)
    return Case.objects.none()


def may_work(user: Any, case: Case) -> bool:
    """The same rule for one case already loaded (no query beyond the permission cache)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm("cases.work_all_cases"):
        return True
    return bool(
        user.has_perm("cases.work_case")
        and user.office_id is not None
        and user.office_id == case.office_id
    )


def possible_assignees(case_office_id: int | None) -> QuerySet[User]:
    """Staff who may work cases of the office: its clerks and leads (not all-offices admins)."""
    if case_office_id is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, office_id=case_office_id)
        .filter(
            Q(groups__permissions__codename="work_case") | Q(user_permissions__codename="work_case")
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- search words --------------------------------------------------------------------------


def normalise(word: str) -> str:
    """Lower case, umlauts kept (ß → ss so "Strasse" finds "Straße"), accents kept."""
    word = unicodedata.normalize("NFC", word).casefold()
    return word[:60]


def terms_of(*texts: str) -> set[str]:
    """The distinct search words of some texts (reference parts included, e.g. 000123)."""
    found: set[str] = set()
    for text in texts:
        for match in _WORD.finditer(text or ""):
            whole = normalise(match.group(0))
            found.add(whole)
            # "BUX-2026-000123" is found by "000123" and "123" as well as by the whole.
            for part in re.split(r"[-']", whole):
                if part:
                    found.add(part)
                    if part.isdigit():
                        found.add(part.lstrip("0") or "0")
    return {t for t in found if t}


def query_terms(text: str) -> list[str]:
    words = [normalise(m.group(0)) for m in _WORD.finditer(text or "")]
    unique: list[str] = []
    for w in words:
        if w not in unique:
            unique.append(w)
    return unique[:MAX_TERMS]


# A reference or the start of one: "BUX-2026-000123", "bux-2026-0001", "BUX-2026".
REFERENCE_RE = re.compile(r"^[A-Za-z]{2,6}-\d{4}(?:-\d{0,6})?$")


# --- the inbox -------------------------------------------------------------------------------


@dataclass
class InboxFilters:
    """The inbox's GET parameters after checking them (see `forms.InboxFilterForm`)."""

    state: str = "open"  # "open", "all" or one State
    channel: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    overdue: bool = False
    service_id: int | None = None
    office_id: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""
    sort: str = "-received"


SORTS = {
    "-received": ("-received_at", "-pk"),
    "received": ("received_at", "pk"),
    "due": ("due_date", "-received_at", "-pk"),
    "-due": ("-due_date", "-received_at", "-pk"),
}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def inbox(user: Any, filters: InboxFilters | None = None) -> QuerySet[Case]:
    """The cases `user` may see, filtered and sorted; slice it (see `inbox_page`)."""
    f = filters or InboxFilters()
    cases = cases_visible_to(user)
    if f.state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif f.state in State.values:
        cases = cases.filter(state=f.state)
    if f.channel in Channel.values:
        cases = cases.filter(channel=f.channel)
    if f.assignee == "me":
        cases = cases.filter(assignee_id=user.pk)
    elif f.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        cases = cases.filter(assignee_id=int(f.assignee))
    if f.overdue:
        cases = cases.filter(state__in=OPEN_STATES, due_date__lt=timezone.localdate())
    if f.service_id:
        cases = cases.filter(service_id=f.service_id)
    if f.office_id:
        cases = cases.filter(office_id=f.office_id)
    if f.received_from:
        cases = cases.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        cases = cases.filter(received_at__lt=_day_start(f.received_to + dt.timedelta(days=1)))
    text = f.q.strip()
    if text:
        if REFERENCE_RE.match(text):
            # A reference or its start: a prefix lookup on the unique index.
            cases = cases.filter(reference__startswith=text.upper())
        else:
            # Every word must start a word of the case: the intersection of the word
            # lookups, each answered from the covering index (term, case_id).
            matches: QuerySet[Any] | None = None
            words = query_terms(text)
            for term in words:
                found = CaseTerm.objects.filter(term__startswith=term).values("case_id")
                matches = found if matches is None else matches.intersection(found)
            if matches is not None and len(words) == 1:
                cases = cases.filter(pk__in=matches)
            elif matches is not None:
                # The planner cannot know how few cases match several words and would scan
                # the whole office; a short list of ids makes it look them up by key instead.
                ids = list(matches[: MATCHES_AS_LIST + 1])
                if len(ids) <= MATCHES_AS_LIST:
                    cases = cases.filter(pk__in=[row["case_id"] for row in ids])
                else:
                    cases = cases.filter(pk__in=matches)
    order = SORTS.get(f.sort, SORTS["-received"])
    return cases.select_related("service", "assignee", "office").order_by(*order)


@dataclass
class InboxPage:
    """One page of the inbox; no total count (it would cost a scan of all matches)."""

    number: int
    object_list: list[Case] = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PER_PAGE + len(self.object_list)


# What an inbox row shows: not the submitted data nor the wide service texts.
LIST_COLUMNS = (
    "id",
    "reference",
    "version",
    "subject",
    "applicant_name",
    "channel",
    "state",
    "received_at",
    "due_date",
    "office__name",
    "service__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def for_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Only the columns of an inbox row (the page reads ~2 KB per row less)."""
    return cases.only(*LIST_COLUMNS)


def inbox_page(cases: QuerySet[Case], page: Any = 1, per_page: int = PER_PAGE) -> InboxPage:
    try:
        number = max(1, min(int(page), 10_000))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(cases[start : start + per_page + 1])
    return InboxPage(number=number, object_list=rows[:per_page], has_next=len(rows) > per_page)


# --- one case ---------------------------------------------------------------------------------


def case_for(user: Any, reference: str) -> Case | None:
    """The case with all rows the detail page shows, in a fixed number of queries."""
    return (
        cases_visible_to(user)
        .select_related(
            "service",
            "office",
            "assignee",
            "applicant",
            "form_version",
            "form_version__definition",
        )
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=CaseDocument.objects.select_related("created_by").order_by(
                    "created", "pk"
                ),
            ),
            Prefetch(
                "notes", queryset=CaseNote.objects.select_related("author").order_by("created")
            ),
            Prefetch(
                "messages",
                queryset=CaseMessage.objects.select_related("author").order_by("created", "pk"),
            ),
            Prefetch(
                "media_breaks", queryset=MediaBreak.objects.select_related("by").order_by("at")
            ),
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk")),
        )
        .filter(reference=reference)
        .first()
    )


def visible_case(user: Any, reference: str) -> Case | None:
    """Just the case row (for actions), or None when the user may not see it."""
    return cases_visible_to(user).filter(reference=reference).first()


def document_for(user: Any, reference: str, pk: int) -> CaseDocument | None:
    return (
        CaseDocument.objects.filter(
            pk=pk, case__in=cases_visible_to(user).filter(reference=reference)
        )
        .select_related("case")
        .first()
    )


def next_states(case: Case) -> list[tuple[str, str]]:
    """The states the case may move to, as (value, label), in the order of `State`."""
    allowed = allowed_next(case.state)
    return [(value, str(label)) for value, label in State.choices if value in allowed]


def templates_for(office_id: int | None) -> QuerySet[LetterTemplate]:
    """Active letter templates usable for cases of an office: its own and the common ones."""
    return LetterTemplate.objects.filter(
        Q(office__isnull=True) | Q(office_id=office_id), is_active=True
    ).order_by("name")


def managed_templates(user: Any) -> QuerySet[LetterTemplate]:
    """Templates `user` may edit: all for all-offices roles, else those of the own office."""
    qs = LetterTemplate.objects.select_related("office").order_by("name")
    if user.has_perm("cases.work_all_cases"):
        return qs
    if user.office_id is None:
        return qs.none()
    return qs.filter(office_id=user.office_id)


@dataclass(frozen=True)
class DataRow:
    label: str
    value: str
    step: str = ""


def data_rows(case: Case) -> list[DataRow]:
    """The submitted data with the labels of the form version it was submitted with.

    Uses the form engine's `summary_rows` when there is a form version; cases registered by
    a clerk (or imported without a version) show their data as key and value.
    """
    if case.form_version is not None:
        from rathaus.forms.engine import summary_rows

        return [
            DataRow(label=str(label), value=str(value), step=str(step))
            for step, rows in summary_rows(case.form_version, case.data or {})
            for label, value in rows
        ]
    data = case.data or {}
    return [DataRow(label=str(key), value=_plain(value)) for key, value in data.items()]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if value is None:
        return "—"
    return str(value)


def due_soon(today: dt.date | None = None, days: int = 2) -> QuerySet[Case]:
    """Open cases whose deadline is within `days` days or past (the reminder's list)."""
    day = today or timezone.localdate()
    return Case.objects.filter(
        state__in=OPEN_STATES, due_date__isnull=False, due_date__lte=day + dt.timedelta(days=days)
    )


# --- figures for the monitor ---------------------------------------------------------------


@dataclass(frozen=True)
class ServiceMonth:
    """Cases of one service received in one calendar month, and how many came online."""

    service_id: int | None
    service: str
    month: str  # "2026-03"
    online: int
    total: int


def cases_by_service_and_month(start: dt.datetime, end: dt.datetime) -> list[ServiceMonth]:
    """Every channel counted per service and calendar month (town time) in [start, end).

    Months are cut in the current time zone, so a case received at 23:30 on 31 March in
    Buxtehude counts for March whatever the server's clock says.
    """
    counts: dict[tuple[int | None, str], list[int]] = {}
    names: dict[int | None, str] = {}
    rows = (
        Case.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("service_id", "service__name", "month", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for service_id, name, month, channel, n in rows:
        names[service_id] = name or ""
        key = (service_id, f"{month:%Y-%m}")
        online_total = counts.setdefault(key, [0, 0])
        online_total[1] += n
        if channel in ONLINE_CHANNELS:
            online_total[0] += n
    return [
        ServiceMonth(service_id, names[service_id], month, online, total)
        for (service_id, month), (online, total) in sorted(
            counts.items(), key=lambda item: (names[item[0][0]], item[0][1])
        )
    ]
