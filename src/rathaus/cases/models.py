"""Cases (Vorgänge): every application, whatever channel it came in on, worked paper-free.

The state machine lives in `rathaus.cases.workflow`; every change goes through
`rathaus.cases.services`, which writes a `CaseEvent` (the audit trail) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.maturity import TrustLevel
from rathaus.core.errors import Conflict
from rathaus.core.models import TimeStampedModel
from rathaus.core.storage import private_storage


class Channel(models.TextChoices):
    """How the application reached the administration."""

    ONLINE = "online", _("online (Rathaus)")
    PORTAL = "portal", _("online über Landes- oder Bundesportal")
    POST = "post", _("Papier per Post")
    EMAIL = "email", _("E-Mail")
    IN_PERSON = "in_person", _("persönlich")
    PHONE = "phone", _("Telefon")


ONLINE_CHANNELS = (Channel.ONLINE, Channel.PORTAL)


class State(models.TextChoices):
    RECEIVED = "received", _("eingegangen")
    IN_REVIEW = "in_review", _("in Bearbeitung")
    WAITING = "waiting", _("wartet auf Antragsteller*in")
    DECIDED = "decided", _("entschieden")
    CLOSED = "closed", _("abgeschlossen")


class Outcome(models.TextChoices):
    NONE = "", _("offen")
    APPROVED = "approved", _("bewilligt")
    PARTLY = "partly", _("teilweise bewilligt")
    REJECTED = "rejected", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgenommen")


class PaymentState(models.TextChoices):
    NOT_REQUIRED = "", _("gebührenfrei")
    OPEN = "open", _("offen")
    PAID = "paid", _("bezahlt")
    FAILED = "failed", _("fehlgeschlagen")


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(state__in=[State.DECIDED, State.CLOSED])

    def for_office(self, office_id: int) -> CaseQuerySet:
        return self.filter(office_id=office_id)

    def online(self) -> CaseQuerySet:
        return self.filter(channel__in=ONLINE_CHANNELS)


class Case(TimeStampedModel):
    """One application and everything done with it."""

    reference = models.CharField(_("Aktenzeichen"), max_length=32, unique=True)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("Leistung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    form_version = models.ForeignKey(
        "forms.FormVersion",
        verbose_name=_("Formularversion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("Stelle"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("Eingangskanal"), max_length=12, choices=Channel.choices)
    state = models.CharField(
        _("Status"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    outcome = models.CharField(
        _("Ergebnis"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bearbeitet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto der Antragsteller*in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    applicant_name = models.CharField(_("Antragsteller*in"), max_length=200, blank=True)
    applicant_email = models.EmailField(_("E-Mail der Antragsteller*in"), blank=True)
    # Postal address for letters (cases registered from paper, or given in the form).
    applicant_address = models.TextField(_("Anschrift der Antragsteller*in"), blank=True)
    subject = models.CharField(_("Betreff"), max_length=300)
    data = models.JSONField(_("Antragsdaten"), default=dict, blank=True)
    trust_level = models.CharField(
        _("Vertrauensniveau der Anmeldung"), max_length=20, choices=TrustLevel.choices, blank=True
    )
    received_at = models.DateTimeField(_("eingegangen am"), db_index=True)
    due_date = models.DateField(_("Frist"), null=True, blank=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    fee_cents = models.PositiveIntegerField(_("Gebühr in Cent"), default=0)
    payment_state = models.CharField(
        _("Zahlung"), max_length=10, choices=PaymentState.choices, blank=True, default=""
    )
    # Delete or anonymise after this day (set when the case is closed).
    retention_until = models.DateField(_("aufzubewahren bis"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)
    # Optimistic locking: every write checks and bumps it, so two clerks cannot overwrite
    # each other's change unnoticed.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")
        ordering = ["-received_at"]
        permissions = [
            ("work_case", _("Vorgänge der eigenen Stelle bearbeiten")),
            ("work_all_cases", _("Vorgänge aller Stellen bearbeiten")),
            ("export_case", _("Vorgänge als Akte exportieren")),
        ]
        indexes = [
            models.Index(fields=["office", "state", "-received_at"], name="case_inbox"),
            models.Index(fields=["assignee", "state"], name="case_assignee"),
            models.Index(fields=["applicant", "-received_at"], name="case_applicant"),
            models.Index(fields=["retention_until"], name="case_retention"),
            models.Index(fields=["state", "due_date"], name="case_due"),
            models.Index(fields=["office", "due_date"], name="case_office_due"),
            # The inbox's default order within an office and for "mine", whatever the states.
            models.Index(fields=["office", "-received_at"], name="case_office_received"),
            models.Index(fields=["assignee", "-received_at"], name="case_assignee_received"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", kwargs={"reference": self.reference})

    @property
    def is_online(self) -> bool:
        return self.channel in ONLINE_CHANNELS


class CaseEvent(models.Model):
    """One line of the audit trail: who did what when, with the values before and after.

    Rows are written once and never changed; `save` refuses updates and `delete` refuses
    single deletions (only the retention task removes a whole case with its trail).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("durch (Name)"), max_length=200, blank=True)
    action = models.CharField(_("Aktion"), max_length=40)
    summary = models.CharField(_("Beschreibung"), max_length=500)
    before = models.JSONField(_("vorher"), default=dict, blank=True)
    after = models.JSONField(_("nachher"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Conflict(str(_("Protokolleinträge können nicht geändert werden.")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(str(_("Protokolleinträge können nicht gelöscht werden.")))


class CaseNote(models.Model):
    """An internal note; never shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("Notiz"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Notiz")
        verbose_name_plural = _("Notizen")
        ordering = ["created"]

    def __str__(self) -> str:
        return self.text[:60]


def document_path(instance: CaseDocument, filename: str) -> str:
    import secrets

    return f"cases/{instance.case_id}/{secrets.token_hex(16)}"


class CaseDocument(models.Model):
    """A file in the case: the applicant's uploads, scans of paper, letters, the receipt."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Antragsunterlage")
        RECEIPT = "receipt", _("Eingangsbestätigung")
        SCAN = "scan", _("Scan eines Papierdokuments")
        LETTER = "letter", _("Schreiben der Verwaltung")
        CITIZEN = "citizen", _("nachgereicht")
        INTERNAL = "internal", _("internes Dokument")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    visible_to_applicant = models.BooleanField(_("für Antragsteller*in sichtbar"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.title


class CaseMessage(models.Model):
    """A message between the office and the applicant, shown in the applicant's account."""

    class Direction(models.TextChoices):
        TO_APPLICANT = "out", _("an Antragsteller*in")
        FROM_APPLICANT = "in", _("von Antragsteller*in")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Nachricht"))
    # A request for documents: the applicant answers with files; the case waits meanwhile.
    requests_documents = models.BooleanField(_("fordert Unterlagen an"), default=False)
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)
    read_at = models.DateTimeField(_("gelesen am"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.subject


class MediaBreak(models.Model):
    """A point where the case left the digital path: printed, scanned, sent by post."""

    class Kind(models.TextChoices):
        PRINTED = "printed", _("ausgedruckt")
        SCANNED = "scanned", _("eingescannt")
        POSTED = "posted", _("per Post versandt")
        PAPER_RECEIVED = "paper_in", _("auf Papier eingegangen")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="media_breaks")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("Zeitpunkt"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Medienbruch")
        verbose_name_plural = _("Medienbrüche")
        ordering = ["at"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ReferenceCounter(models.Model):
    """Per-year counter for case references (BUX-2026-000123), incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseTerm(models.Model):
    """The words of a case's reference, applicant name and subject, for the inbox search.

    One row per distinct lower-cased word: a prefix lookup on this indexed column stays fast
    on 100,000 cases on both databases (PostgreSQL gets a `varchar_pattern_ops` index for
    `LIKE 'word%'`), where a substring search over the cases would scan them all. Kept apart
    from `core.search` on purpose: that index feeds public suggestions ("Meinten Sie"), and
    applicants' names must never appear there.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("Suchwort")
        verbose_name_plural = _("Suchwörter")
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="case_term_unique")]
        indexes = [
            # `term LIKE 'word%'` answered from the index alone, case ids included. The
            # operator class makes LIKE use it under any collation; SQLite ignores it.
            models.Index(
                fields=["term", "case"],
                name="case_term_prefix",
                opclasses=["varchar_pattern_ops", ""],
            )
        ]

    def __str__(self) -> str:
        return self.term


class LetterTemplate(TimeStampedModel):
    """A letter the office sends again and again; rendered to PDF with the case's data.

    The body is plain text with placeholders such as `{{ applicant_name }}`; only the names in
    `rathaus.cases.letters.PLACEHOLDERS` are filled in, and every value is escaped, so a
    template can neither run code nor inject markup.
    """

    name = models.CharField(_("Name"), max_length=200)
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("Stelle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letter_templates",
        help_text=_("Leer: für alle Stellen."),
    )
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text"))
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Briefvorlage")
        verbose_name_plural = _("Briefvorlagen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
