"""Reads for the citizen's own cases ("Meine Anträge"): only ever the signed-in applicant's.

Everything here starts from `Case.objects.filter(applicant=user)`: a reference that belongs to
someone else is treated exactly like one that does not exist (404), so nobody can probe for
other people's cases. Internal documents, notes and the audit trail's details never leave
this module; the citizen gets a status history in plain words instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.cases.models import Case, CaseDocument, CaseEvent, CaseMessage, Outcome, State

# The status as the applicant should read it: what is happening, not the internal label.
PLAIN_STATE: dict[str, Promise] = {
    State.RECEIVED: _("Ihr Antrag ist eingegangen und wartet auf Bearbeitung."),
    State.IN_REVIEW: _("Ihr Antrag wird bearbeitet."),
    State.WAITING: _("Wir brauchen noch etwas von Ihnen. Bitte lesen Sie unsere Nachricht."),
    State.DECIDED: _("Über Ihren Antrag ist entschieden."),
    State.CLOSED: _("Der Vorgang ist abgeschlossen."),
}

PLAIN_OUTCOME: dict[str, Promise] = {
    Outcome.APPROVED: _("Ihr Antrag wurde bewilligt."),
    Outcome.PARTLY: _("Ihr Antrag wurde teilweise bewilligt."),
    Outcome.REJECTED: _("Ihr Antrag wurde abgelehnt."),
    Outcome.WITHDRAWN: _("Sie haben Ihren Antrag zurückgenommen."),
}

# Short form for lists and badges.
SHORT_STATE: dict[str, Promise] = {
    State.RECEIVED: _("eingegangen"),
    State.IN_REVIEW: _("in Bearbeitung"),
    State.WAITING: _("Ihre Antwort wird benötigt"),
    State.DECIDED: _("entschieden"),
    State.CLOSED: _("abgeschlossen"),
}


# A line of the status history: what happened then (the list shows what is the case now).
HISTORY_STATE: dict[str, Promise] = {
    State.RECEIVED: _("Antrag eingegangen"),
    State.IN_REVIEW: _("In Bearbeitung"),
    State.WAITING: _("Rückfrage an Sie"),
    State.DECIDED: _("Entschieden"),
    State.CLOSED: _("Abgeschlossen"),
}


def plain_state(state: str) -> str:
    return str(PLAIN_STATE.get(state, state))


def short_state(state: str) -> str:
    return str(SHORT_STATE.get(state, state))


def own_cases(user: Any) -> QuerySet[Case]:
    """The user's cases, newest first; empty for anonymous users. Anonymised cases are gone."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(applicant=user, anonymised_at__isnull=True)


def case_list(user: Any) -> QuerySet[Case]:
    """The list page: one query with the counts of unread messages and open requests."""
    return (
        own_cases(user)
        .select_related("service", "office")
        .annotate(
            unread_count=Count(
                "messages",
                filter=Q(
                    messages__direction=CaseMessage.Direction.TO_APPLICANT,
                    messages__read_at__isnull=True,
                ),
            ),
            open_request_count=Count(
                "messages",
                filter=Q(
                    messages__requests_documents=True,
                    messages__answered_at__isnull=True,
                ),
            ),
        )
        .order_by("-received_at", "-pk")
    )


def own_case(user: Any, reference: str) -> Case:
    """One of the user's cases by reference; Case.DoesNotExist for everything else."""
    return own_cases(user).select_related("service", "office").get(reference=reference)


def visible_documents(case: Case) -> QuerySet[CaseDocument]:
    return case.documents.filter(visible_to_applicant=True).order_by("created", "pk")


def own_document(user: Any, reference: str, document_id: int) -> CaseDocument:
    """A document the applicant may download; CaseDocument.DoesNotExist otherwise."""
    return CaseDocument.objects.select_related("case").get(
        pk=document_id,
        visible_to_applicant=True,
        case__reference=reference,
        case__applicant=user,
        case__anonymised_at__isnull=True,
    )


def messages_for(case: Case) -> QuerySet[CaseMessage]:
    return case.messages.order_by("created", "pk")


def open_request(case: Case) -> CaseMessage | None:
    """The oldest unanswered request for documents, if any."""
    return (
        case.messages.filter(
            requests_documents=True,
            answered_at__isnull=True,
            direction=CaseMessage.Direction.TO_APPLICANT,
        )
        .order_by("created", "pk")
        .first()
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    text: str


def status_history(case: Case) -> list[HistoryEntry]:
    """When the case entered each state, in plain words: not who did it, not internal notes."""
    entries: list[HistoryEntry] = []
    events = case.events.filter(action__in=["created", "state"]).only("at", "action", "after")
    for event in events:
        state = (event.after or {}).get("state", "")
        if event.action == "created":
            text = str(HISTORY_STATE[State.RECEIVED])
        elif state in HISTORY_STATE:
            text = str(HISTORY_STATE[state])
        else:
            continue
        entries.append(HistoryEntry(at=event.at, text=text))
    return entries


def first_event(case: Case) -> CaseEvent | None:
    return case.events.order_by("at", "pk").first()


@dataclass(frozen=True)
class DraftRow:
    title: str
    modified: dt.datetime
    expires_at: dt.datetime
    url: str


def _draft_url(draft: Any) -> str:
    """Back to the step the citizen was on (their own drafts open without the signed link)."""
    try:
        if draft.step:
            return reverse(
                "forms:step", kwargs={"token": draft.resume_token, "step_id": draft.step}
            )
        return reverse("forms:start", kwargs={"slug": draft.version.definition.slug})
    except NoReverseMatch:
        return ""


def open_drafts(user: Any) -> list[DraftRow]:
    """Unfinished applications (the forms app's rule), with where to continue them."""
    from rathaus.forms.selectors import open_drafts as forms_open_drafts

    drafts = list(forms_open_drafts(user))
    return [
        DraftRow(
            title=draft.version.definition.title,
            modified=draft.modified,
            expires_at=draft.expires_at,
            url=_draft_url(draft),
        )
        for draft in drafts
    ]


def case_page(user: Any, reference: str) -> dict[str, Any]:
    """Everything the citizen's case page shows, read in a fixed number of queries."""
    case = own_case(user, reference)
    messages = list(messages_for(case))
    return {
        "case": case,
        "plain_state": plain_state(case.state),
        "plain_outcome": str(PLAIN_OUTCOME[case.outcome]) if case.outcome in PLAIN_OUTCOME else "",
        "history": status_history(case),
        "case_messages": messages,
        "unread": [m for m in messages if m.direction == "out" and m.read_at is None],
        "documents": list(visible_documents(case)),
        "open_request": next(
            (
                m
                for m in messages
                if m.requests_documents and m.answered_at is None and m.direction == "out"
            ),
            None,
        ),
    }
