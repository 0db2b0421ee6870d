"""Alerts without an account: subscribe by e-mail, confirm (double opt-in), digests, unsubscribe.

Everything here writes, in transactions; views and tasks stay thin. What a subscriber learns
is read through `council.visibility` with the anonymous viewer: an alert never reports a
non-public object, whoever subscribed. The address is the only personal datum; unconfirmed
subscriptions are purged after a week (`purge_unconfirmed`).

Digests: one mail per address and run. The run claims each subscription by moving its
`last_sent_at` in the transaction that records the delivery, and hands the mail to the
server as the last step before that transaction commits. A failure before then undoes the
claim, so the next run sends it; after the commit, the next run finds nothing new. Only a
crash between the server's acceptance and the commit could repeat a mail, never lose one.
A concurrent run that lost the claim sends nothing.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rathaus.core import errors, search
from rathaus.core.links import site_url
from rathaus.core.models import SearchDocument
from rathaus.council import visibility
from rathaus.council.models import (
    AgendaItem,
    AlertDelivery,
    AlertSubscription,
    Consultation,
    File,
    Meeting,
    Organization,
    Paper,
    Person,
)

logger = logging.getLogger(__name__)

Kind = AlertSubscription.Kind
# Confirmation mails per address and day: enough for a few topics and a lost mail, too few
# to use the form for flooding somebody's mailbox.
MAX_CONFIRMATIONS_PER_DAY = 5
UNCONFIRMED_RETENTION = datetime.timedelta(days=7)
DELIVERY_RETENTION = datetime.timedelta(days=90)
MAX_QUERY_LENGTH = 200
SEARCH_KINDS = ("council.paper", "council.agendaitem", "council.file")
# A daily digest looks at every hit, not only the first page of the search.
SEARCH_LIMIT = 5000
MAX_ITEMS_PER_SECTION = 30
UNSUBSCRIBE_SALT = "rathaus.council.alerts.unsubscribe"


def normalize_email(email: str) -> str:
    # Addresses differing only in case reach the same mailbox in practice.
    return (email or "").strip().lower()


def normalize_query(query: str) -> str:
    return " ".join((query or "").split())


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a subscription follows, as the subscriber sees it (in the active language)."""

    kind: str
    key: str
    label: str
    path: str
    obj: Organization | Paper | Person | None = None
    query: str = ""

    @property
    def heading(self) -> str:
        return f"{Kind(self.kind).label}: {self.label}"


def search_path(query: str) -> str:
    from urllib.parse import urlencode

    try:
        return reverse("council:search") + "?" + urlencode({"q": query})
    except NoReverseMatch:
        return reverse("council:index")


def _object_target(kind: str, obj: Organization | Paper | Person) -> Target:
    return Target(
        kind=kind,
        key=f"{kind}:{obj.pk}",
        label=str(obj),
        path=obj.get_absolute_url(),
        obj=obj,
    )


def _unknown(kind: str, target_id: object) -> errors.NotFound:
    # The same words whether the object does not exist or is not public: its existence
    # would otherwise leak through this form.
    messages = {
        Kind.ORGANIZATION: _("Ein Gremium mit der Kennung „%(id)s“ gibt es nicht."),
        Kind.PAPER: _("Eine Drucksache mit der Kennung „%(id)s“ gibt es nicht."),
        Kind.PERSON: _("Eine Person mit der Kennung „%(id)s“ gibt es nicht."),
    }
    message = messages[Kind(kind)] % {"id": str(target_id)[:40]}
    return errors.NotFound(message, problems=[errors.Problem(message, field="id")])


def resolve_target(*, kind: str, target_id: object = None, query: str = "") -> Target:
    """The public thing `kind`/`target_id` (or the search `query`) names; NotFound otherwise."""
    if kind not in Kind.values:
        message = _("Unbekannte Art der Benachrichtigung „%(kind)s“; möglich sind: %(kinds)s.") % {
            "kind": str(kind)[:40],
            "kinds": ", ".join(Kind.values),
        }
        raise errors.NotFound(message, problems=[errors.Problem(message, field="art")])
    if kind == Kind.SEARCH:
        text = normalize_query(query)
        if len(text) > MAX_QUERY_LENGTH:
            message = _("Der Suchbegriff ist zu lang: höchstens %(max)d Zeichen.") % {
                "max": MAX_QUERY_LENGTH
            }
            raise errors.ValidationFailed(message, problems=[errors.Problem(message, field="q")])
        if search.parse_query(text).empty:
            message = _("Bitte geben Sie einen Suchbegriff mit mindestens zwei Buchstaben ein.")
            raise errors.ValidationFailed(message, problems=[errors.Problem(message, field="q")])
        return Target(
            kind=kind,
            key=f"search:{text.lower()}"[:250],
            label=_("„%(query)s“") % {"query": text},
            path=search_path(text),
            query=text,
        )
    try:
        pk = int(str(target_id))
    except (TypeError, ValueError):
        raise _unknown(kind, target_id) from None
    if pk <= 0:
        raise _unknown(kind, target_id)
    obj: Organization | Paper | Person | None
    if kind == Kind.PAPER:
        obj = visibility.papers(visibility.PUBLIC).filter(pk=pk).first()
    elif kind == Kind.ORGANIZATION:
        obj = Organization.objects.filter(pk=pk, deleted=False).first()
    else:
        obj = Person.objects.filter(pk=pk, deleted=False).first()
    if obj is None:
        raise _unknown(kind, target_id)
    return _object_target(kind, obj)


def target_of(subscription: AlertSubscription) -> Target:
    """The subscription's target as stored (no visibility check: for headings and links)."""
    obj = subscription.target
    if obj is None:
        return Target(
            kind=subscription.kind,
            key=subscription.target_key,
            label=_("„%(query)s“") % {"query": subscription.query},
            path=search_path(subscription.query),
            query=subscription.query,
        )
    return _object_target(subscription.kind, obj)


def consent_text(target: Target) -> str:
    """The consent the subscribe form asks for; stored word for word with the subscription."""
    if target.kind == Kind.SEARCH:
        # The term is typed into the same form; the stored query completes the record.
        return _(
            "Ich willige ein, dass die %(municipality)s meine E-Mail-Adresse speichert, um mir "
            "Benachrichtigungen zu dem oben angegebenen Suchbegriff zu schicken. Ich kann die "
            "Einwilligung jederzeit über den Abbestell-Link in jeder E-Mail widerrufen."
        ) % {"municipality": settings.RATHAUS_MUNICIPALITY}
    return _(
        "Ich willige ein, dass die %(municipality)s meine E-Mail-Adresse speichert, um mir "
        "Benachrichtigungen zu „%(target)s“ zu schicken. Ich kann die Einwilligung jederzeit "
        "über den Abbestell-Link in jeder E-Mail widerrufen."
    ) % {"municipality": settings.RATHAUS_MUNICIPALITY, "target": target.heading}


# --- subscribe, confirm, unsubscribe ------------------------------------------------------------


def _invalid(message: str, field_name: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, problems=[errors.Problem(message, field=field_name)])


@transaction.atomic
def subscribe(
    *,
    email: str,
    kind: str,
    target_id: object = None,
    query: str = "",
    language: str,
    consent: str,
    now: datetime.datetime | None = None,
) -> AlertSubscription:
    """Record a subscription request and queue its confirmation mail (double opt-in).

    A second request for the same address and target creates nothing new: the confirmation
    goes out again (or, if already confirmed, a note saying so with the unsubscribe link).
    """
    now = now or timezone.now()
    address = normalize_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise _invalid(
            _("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@example.org."),
            "email",
        ) from None
    if not consent.strip():
        raise _invalid(_("Ohne Ihre Einwilligung können wir keine E-Mails schicken."), "consent")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = resolve_target(kind=kind, target_id=target_id, query=query)

    recent = AlertDelivery.objects.filter(
        kind=AlertDelivery.Kind.CONFIRMATION,
        subscription__email=address,
        created__gt=now - datetime.timedelta(days=1),
    ).count()
    if recent >= MAX_CONFIRMATIONS_PER_DAY:
        raise _invalid(
            _(
                "An diese Adresse haben wir heute schon %(count)d Bestätigungsanfragen "
                "geschickt. Bitte bestätigen Sie eine davon (auch im Spam-Ordner nachsehen) "
                "oder versuchen Sie es morgen wieder."
            )
            % {"count": recent},
            "email",
        )

    subscription, created = AlertSubscription.objects.get_or_create(
        email=address,
        target_key=target.key,
        defaults={
            "kind": target.kind,
            "query": target.query,
            "organization": target.obj if target.kind == Kind.ORGANIZATION else None,
            "paper": target.obj if target.kind == Kind.PAPER else None,
            "person": target.obj if target.kind == Kind.PERSON else None,
            "language": language,
            "token": secrets.token_urlsafe(32),
            "consent_text": consent,
            "consent_at": now,
            "requested_at": now,
        },
    )
    if not created and subscription.confirmed_at is None:
        # The latest request is what the subscriber will confirm.
        subscription.language = language
        subscription.consent_text = consent
        subscription.consent_at = now
        subscription.requested_at = now
        subscription.save(
            update_fields=["language", "consent_text", "consent_at", "requested_at", "modified"]
        )
    AlertDelivery.objects.create(subscription=subscription, kind=AlertDelivery.Kind.CONFIRMATION)

    from rathaus.council import tasks

    pk = subscription.pk
    # After the commit: a worker on another process must find the row.
    transaction.on_commit(lambda: tasks.send_confirmation.enqueue(pk))
    return subscription


def _by_token(token: str) -> AlertSubscription:
    subscription = (
        AlertSubscription.objects.select_related("organization", "paper", "person")
        .filter(token=token)
        .first()
        if token
        else None
    )
    if subscription is None:
        raise errors.NotFound(_("Diesen Link kennen wir nicht (mehr)."))
    return subscription


def get_subscription(*, token: str) -> AlertSubscription:
    """The subscription a link from a mail names; NotFound for anything else."""
    return _by_token(token)


@transaction.atomic
def confirm(*, token: str, now: datetime.datetime | None = None) -> AlertSubscription:
    """Second step of the double opt-in; confirming twice changes nothing."""
    now = now or timezone.now()
    subscription = _by_token(token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        # The first digest reports what is new from now on, not the whole archive.
        subscription.last_sent_at = now
        subscription.save(update_fields=["confirmed_at", "last_sent_at", "modified"])
        logger.info("alert confirmed", extra={"kind": subscription.kind})
    return subscription


@transaction.atomic
def unsubscribe(*, token: str) -> AlertSubscription:
    """Delete the subscription (and its delivery records); NotFound if the link is unknown."""
    subscription = _by_token(token)
    subscription.delete()
    logger.info("alert unsubscribed", extra={"kind": subscription.kind})
    return subscription


def batch_token(subscriptions: Iterable[AlertSubscription]) -> str:
    """A signed list of subscriptions: the one-click unsubscribe address of a digest mail."""
    return signing.dumps(sorted(s.pk for s in subscriptions), salt=UNSUBSCRIBE_SALT, compress=True)


def subscriptions_of_batch(*, signed: str) -> list[AlertSubscription]:
    """The still existing subscriptions a digest's unsubscribe address names."""
    try:
        ids = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise errors.NotFound(_("Diesen Link kennen wir nicht (mehr).")) from None
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise errors.NotFound(_("Diesen Link kennen wir nicht (mehr)."))
    return list(
        AlertSubscription.objects.filter(pk__in=ids).select_related(
            "organization", "paper", "person"
        )
    )


@transaction.atomic
def unsubscribe_batch(*, signed: str) -> list[AlertSubscription]:
    """RFC 8058 one-click unsubscribe of every subscription a digest was sent for."""
    subscriptions = subscriptions_of_batch(signed=signed)
    AlertSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
    if subscriptions:
        logger.info("alerts unsubscribed", extra={"count": len(subscriptions)})
    return subscriptions


@transaction.atomic
def purge_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Delete subscriptions never confirmed within a week, and old delivery records."""
    now = now or timezone.now()
    deleted, _by_model = AlertSubscription.objects.filter(
        confirmed_at__isnull=True, requested_at__lt=now - UNCONFIRMED_RETENTION
    ).delete()
    AlertDelivery.objects.filter(created__lt=now - DELIVERY_RETENTION).delete()
    count = _by_model.get(AlertSubscription._meta.label, 0)
    if deleted:
        logger.info("unconfirmed alerts purged", extra={"count": count})
    return count


# --- mails ---------------------------------------------------------------------------------


def _links(subscription: AlertSubscription) -> dict[str, str]:
    return {
        "confirm_url": site_url(reverse("council_alerts:confirm", args=[subscription.token])),
        "unsubscribe_url": site_url(
            reverse("council_alerts:unsubscribe", args=[subscription.token])
        ),
    }


def _message(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    language: str,
    headers: dict[str, str] | None = None,
    connection: Any = None,
) -> EmailMultiAlternatives:
    context = {
        "municipality": settings.RATHAUS_MUNICIPALITY,
        "site_url": settings.SITE_URL,
        "language": language,
        "subject": subject,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"council/alerts/email/{template}.txt", context),
        to=[to],
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            **(headers or {}),
        },
        connection=connection,
    )
    message.attach_alternative(
        render_to_string(f"council/alerts/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_message(
    subscription: AlertSubscription, *, connection: Any = None
) -> EmailMultiAlternatives:
    with translation.override(subscription.language):
        target = target_of(subscription)
        already = subscription.confirmed_at is not None
        subject = (
            _("Ihre Benachrichtigung ist bereits eingerichtet")
            if already
            else _("Bitte bestätigen Sie Ihre Benachrichtigung")
        )
        return _message(
            to=subscription.email,
            subject=subject,
            template="confirmation",
            context={
                "target": target,
                "target_url": site_url(target.path),
                "already_confirmed": already,
                "retention_days": UNCONFIRMED_RETENTION.days,
                **_links(subscription),
            },
            language=subscription.language,
            connection=connection,
        )


def send_confirmation(*, subscription_id: int) -> bool:
    """Send the confirmation requested for this subscription, once; False if none is due."""
    subscription = AlertSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return False  # unsubscribed or purged before the worker came to it
    pending = AlertDelivery.objects.filter(
        subscription=subscription, kind=AlertDelivery.Kind.CONFIRMATION, sent_at__isnull=True
    )
    if not pending.exists():
        return False
    # Connected before the transaction, so a slow mail server does not hold the database.
    with get_connection() as connection, transaction.atomic():
        # Several requests in a row are answered by one mail; a retried task sends nothing.
        if not pending.update(sent_at=timezone.now()):
            return False
        confirmation_message(subscription, connection=connection).send()
    return True


# --- digests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    ref: str
    kind: str
    title: str
    url: str
    when: str = ""
    note: str = ""


@dataclass
class DigestSection:
    subscription: AlertSubscription
    target: Target
    target_url: str
    unsubscribe_url: str
    items: list[DigestItem] = field(default_factory=list)
    more: int = 0


def _note(obj: Any, since: datetime.datetime) -> str:
    return _("neu") if obj.created > since else _("geändert")


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "SHORT_DATE_FORMAT")


def _paper_item(paper: Paper, since: datetime.datetime) -> DigestItem:
    return DigestItem(
        ref=f"council.paper:{paper.pk}",
        kind=_("Drucksache"),
        title=str(paper),
        url=site_url(paper.get_absolute_url()),
        when=_day(paper.date),
        note=_note(paper, since),
    )


def _meeting_item(meeting: Meeting, since: datetime.datetime) -> DigestItem:
    return DigestItem(
        ref=f"council.meeting:{meeting.pk}",
        kind=_("Sitzung"),
        title=meeting.name,
        url=site_url(meeting.get_absolute_url()),
        when=_day(meeting.start),
        note=_("abgesagt") if meeting.cancelled else _note(meeting, since),
    )


def _page(name: str, pk: int, fallback: str) -> str:
    """The page of an object the citizen pages may or may not have (yet)."""
    try:
        return site_url(reverse(name, kwargs={"pk": pk}))
    except NoReverseMatch:
        return fallback


def _changed(qs: QuerySet[Any], since: datetime.datetime, until: datetime.datetime) -> Any:
    return qs.filter(modified__gt=since, modified__lte=until)


class _SearchHits:
    """Search hits per term, computed once per digest run for all who follow the term."""

    def __init__(self) -> None:
        self._cache: dict[str, list[search.Hit]] = {}

    def __call__(self, query: str) -> list[search.Hit]:
        key = query.lower()
        if key not in self._cache:
            hits, _parsed = search.search(
                query, kinds=SEARCH_KINDS, limit=SEARCH_LIMIT, snippets=False
            )
            self._cache[key] = hits
        return self._cache[key]


def _search_items(
    query: str, since: datetime.datetime, until: datetime.datetime, hits_for: _SearchHits
) -> list[DigestItem]:
    hits = hits_for(query)
    ids: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        ids[hit.kind].append(hit.object_id)
    public: dict[str, QuerySet[Any]] = {
        "council.paper": visibility.papers(visibility.PUBLIC),
        "council.agendaitem": visibility.agenda_items(visibility.PUBLIC),
        "council.file": visibility.files(visibility.PUBLIC),
    }
    fresh: dict[tuple[str, int], Any] = {}
    for kind, object_ids in ids.items():
        for obj in _changed(public[kind].filter(pk__in=object_ids), since, until):
            fresh[(kind, obj.pk)] = obj
    if not fresh:
        return []
    docs = {
        (d.kind, d.object_id): d
        for d in SearchDocument.objects.filter(
            kind__in=list(ids), object_id__in=[pk for _kind, pk in fresh]
        )
    }
    labels = {
        "council.paper": _("Drucksache"),
        "council.agendaitem": _("Tagesordnungspunkt"),
        "council.file": _("Datei"),
    }
    language = translation.get_language() or settings.LANGUAGE_CODE
    items = []
    for hit in hits:  # in rank order
        key = (hit.kind, hit.object_id)
        obj, doc = fresh.get(key), docs.get(key)
        if obj is None or doc is None:
            continue
        when = getattr(obj, "date", None) or getattr(obj, "start", None)
        if isinstance(obj, AgendaItem):
            when = obj.meeting.start
        items.append(
            DigestItem(
                ref=f"{hit.kind}:{hit.object_id}",
                kind=labels[hit.kind],
                title=doc.title,
                url=site_url(translate_url(doc.url, language)),
                when=_day(when),
                note=_note(obj, since),
            )
        )
    return items


def _organization_items(
    org: Organization, since: datetime.datetime, until: datetime.datetime
) -> list[DigestItem]:
    if org.deleted:
        return []
    meetings = _changed(
        visibility.meetings(visibility.PUBLIC).filter(organizations=org), since, until
    ).order_by("start", "pk")
    papers = (
        _changed(visibility.papers(visibility.PUBLIC), since, until)
        .filter(
            Q(consultations__organizations=org)
            | Q(under_direction_of=org)
            | Q(originator_organizations=org)
        )
        .distinct()
    )
    return [_meeting_item(m, since) for m in meetings] + [_paper_item(p, since) for p in papers]


def _paper_items(
    paper: Paper, since: datetime.datetime, until: datetime.datetime
) -> list[DigestItem]:
    if not visibility.papers(visibility.PUBLIC).filter(pk=paper.pk).exists():
        return []  # withdrawn from the public since the subscription
    public_meetings = visibility.meetings(visibility.PUBLIC)
    public_items = visibility.agenda_items(visibility.PUBLIC)
    paper_url = site_url(paper.get_absolute_url())
    items: list[DigestItem] = []
    consultations = (
        _changed(Consultation.objects.filter(paper=paper, deleted=False), since, until)
        .filter(Q(meeting__isnull=True) | Q(meeting__in=public_meetings))
        .filter(Q(agenda_item__isnull=True) | Q(agenda_item__in=public_items))
        .select_related("meeting")
        .prefetch_related("organizations")
        .order_by("meeting__start", "pk")
    )
    for consultation in consultations:
        bodies = ", ".join(o.name for o in consultation.organizations.all())
        meeting = consultation.meeting
        items.append(
            DigestItem(
                ref=f"council.consultation:{consultation.pk}",
                kind=_("Beratung"),
                title=" – ".join(p for p in (bodies, meeting.name if meeting else "") if p)
                or str(paper),
                url=site_url(meeting.get_absolute_url()) if meeting else paper_url,
                when=_day(meeting.start if meeting else None),
                note=_note(consultation, since),
            )
        )
    results = (
        _changed(public_items.filter(consultations__paper=paper), since, until)
        .exclude(result="", resolution_text="")
        .select_related("meeting")
        .distinct()
        .order_by("meeting__start", "order")
    )
    for item in results:
        items.append(
            DigestItem(
                ref=f"council.agendaitem:{item.pk}",
                kind=_("Ergebnis"),
                title=str(item),
                url=_page(
                    "council:agenda_item", item.pk, site_url(item.meeting.get_absolute_url())
                ),
                when=_day(item.meeting.start),
                note=item.result or _("Beschluss"),
            )
        )
    file_ids = [pk for pk in (paper.main_file_id, paper.answer_file_id) if pk]
    file_ids += list(paper.auxiliary_files.values_list("pk", flat=True))
    files: QuerySet[File] = _changed(
        visibility.files(visibility.PUBLIC).filter(pk__in=file_ids), since, until
    ).order_by("pk")
    for file in files:
        items.append(
            DigestItem(
                ref=f"council.file:{file.pk}",
                kind=_("Datei"),
                title=str(file) or _("Datei"),
                url=_page("council:file", file.pk, paper_url),
                when=_day(file.date),
                note=_note(file, since),
            )
        )
    if paper.answered_at and since < paper.answered_at <= until:
        items.append(
            DigestItem(
                ref=f"council.paper:{paper.pk}:answer",
                kind=_("Antwort"),
                title=str(paper),
                url=paper_url,
                when=_day(paper.answered_at),
                note=_("beantwortet"),
            )
        )
    return items


def _person_items(
    person: Person, since: datetime.datetime, until: datetime.datetime
) -> list[DigestItem]:
    if person.deleted:
        return []
    papers = _changed(
        visibility.papers(visibility.PUBLIC).filter(originator_persons=person), since, until
    ).distinct()
    # Attendance is recorded after a meeting; its date having passed counts as news too.
    meetings = (
        visibility.meetings(visibility.PUBLIC)
        .filter(participants=person)
        .filter(Q(modified__gt=since, modified__lte=until) | Q(start__gt=since, start__lte=until))
        .distinct()
        .order_by("start", "pk")
    )
    return [_paper_item(p, since) for p in papers] + [_meeting_item(m, since) for m in meetings]


def build_digest(
    *,
    subscription: AlertSubscription,
    until: datetime.datetime,
    hits_for: _SearchHits | None = None,
) -> list[DigestItem]:
    """What is new for one subscription since its last digest, public objects only."""
    since = subscription.last_sent_at or subscription.confirmed_at or subscription.created
    if subscription.kind == Kind.SEARCH:
        return _search_items(subscription.query, since, until, hits_for or _SearchHits())
    if subscription.organization is not None:
        return _organization_items(subscription.organization, since, until)
    if subscription.paper is not None:
        return _paper_items(subscription.paper, since, until)
    if subscription.person is not None:
        return _person_items(subscription.person, since, until)
    return []


def digest_message(
    *,
    address: str,
    sections: Sequence[DigestSection],
    all_subscriptions: Sequence[AlertSubscription],
    language: str,
    connection: Any = None,
) -> EmailMultiAlternatives:
    count = sum(len(s.items) + s.more for s in sections)
    unsubscribe_all = site_url(
        reverse("council_alerts:unsubscribe_all", args=[batch_token(all_subscriptions)])
    )
    subject = ngettext(
        "Neues aus dem Rat: %(count)d Meldung", "Neues aus dem Rat: %(count)d Meldungen", count
    ) % {"count": count}
    return _message(
        to=address,
        subject=subject,
        template="digest",
        context={"sections": sections, "count": count, "unsubscribe_all_url": unsubscribe_all},
        language=language,
        # RFC 2369 and RFC 8058: mail programs offer a one-click unsubscribe button.
        headers={
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )


def _send(connection: Any, message: EmailMultiAlternatives) -> None:
    """The one place a digest leaves the house (tests interrupt it here)."""
    connection.send_messages([message])


class _AlreadyClaimed(Exception):
    """Another run sent this digest between our reading and our claim."""


def _send_digest_to(
    address: str, until: datetime.datetime, connection: Any, hits_for: _SearchHits
) -> bool:
    subscriptions = list(
        AlertSubscription.objects.filter(email=address, confirmed_at__isnull=False)
        .select_related("organization", "paper", "person")
        .order_by("created", "pk")
    )
    if not subscriptions:
        return False
    # One mail, one language: the one chosen most recently.
    language = max(subscriptions, key=lambda s: (s.requested_at, s.pk)).language
    sections = []
    with translation.override(language):
        for subscription in subscriptions:
            items = build_digest(subscription=subscription, until=until, hits_for=hits_for)
            if not items:
                continue
            target = target_of(subscription)
            sections.append(
                DigestSection(
                    subscription=subscription,
                    target=target,
                    target_url=site_url(target.path),
                    unsubscribe_url=_links(subscription)["unsubscribe_url"],
                    items=items[:MAX_ITEMS_PER_SECTION],
                    more=max(0, len(items) - MAX_ITEMS_PER_SECTION),
                )
            )
        if not sections:
            return False
        message = digest_message(
            address=address,
            sections=sections,
            all_subscriptions=subscriptions,
            language=language,
            connection=connection,
        )
    # Connected before the transaction, so a slow mail server does not hold the database.
    connection.open()
    try:
        with transaction.atomic():
            for section in sections:
                claimed = AlertSubscription.objects.filter(
                    pk=section.subscription.pk, last_sent_at=section.subscription.last_sent_at
                ).update(last_sent_at=until)
                if not claimed:
                    raise _AlreadyClaimed
            AlertDelivery.objects.bulk_create(
                AlertDelivery(
                    subscription=section.subscription,
                    kind=AlertDelivery.Kind.DIGEST,
                    sent_at=until,
                    items=[item.ref for item in section.items],
                )
                for section in sections
            )
            # Last in the transaction: if sending fails, the claim is undone.
            _send(connection, message)
    except _AlreadyClaimed:
        return False
    return True


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """One digest mail per address with news for any of its confirmed subscriptions."""
    until = now or timezone.now()
    addresses = list(
        AlertSubscription.objects.filter(confirmed_at__isnull=False)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    if not addresses:
        return 0
    hits_for = _SearchHits()
    sent = 0
    # One connection for the whole run, opened when the first digest is due.
    connection = get_connection()
    try:
        for address in addresses:
            try:
                if _send_digest_to(address, until, connection, hits_for):
                    sent += 1
            except smtplib.SMTPRecipientsRefused:
                # One bad address must not hold up everybody else; it is tried again next run.
                logger.warning("alert digest refused by the mail server")
    finally:
        connection.close()
    logger.info("alert digests sent", extra={"mails": sent, "addresses": len(addresses)})
    return sent
