"""The newsletter: subscribers (double opt-in), issues made of news items, one delivery per mail.

A subscriber is one address (unique whatever its case) with the topics it follows.
`consent_text` and `consent_at` prove what the person agreed to and when (Art. 7 (1) DSGVO);
`confirmed_at` is the second step of the double opt-in. One random `token` is the
capability in every link of every mail (manage, unsubscribe); the confirmation link is that
token signed with a timestamp, so it expires.

An issue is sent once. When sending starts, one `Delivery` row per recipient is written in
one transaction (the snapshot); the sender then works through the rows. The state of a row
says what is known about its mail (see `rathaus.newsletter.sending`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TimeStampedModel


class Subscriber(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("unbestätigt")
        ACTIVE = "active", _("aktiv")
        UNSUBSCRIBED = "unsubscribed", _("abgemeldet")
        BOUNCED = "bounced", _("unzustellbar")

    # Stored in lower case (see services.normalize_email); the constraint guards it anyway.
    email = models.EmailField(_("E-Mail-Adresse"), max_length=254)
    topics = models.ManyToManyField(
        "news.Topic", verbose_name=_("Themen"), blank=True, related_name="newsletter_subscribers"
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    language = models.CharField(_("Sprache"), max_length=10, default="de")
    token = models.CharField(max_length=64, unique=True, editable=False)
    consent_text = models.TextField(_("Text der Einwilligung"))
    consent_at = models.DateTimeField(_("Einwilligung erteilt"))
    confirmation_sent_at = models.DateTimeField(
        _("Bestätigungsanfrage verschickt"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("bestätigt"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("abgemeldet am"), null=True, blank=True)
    # Bounces: a hard one ends delivery; soft ones are counted (see bounces.py).
    bounce_count = models.PositiveIntegerField(_("vorübergehende Fehler"), default=0)
    hard_bounce_count = models.PositiveIntegerField(_("dauerhafte Fehler"), default=0)
    last_bounce_at = models.DateTimeField(_("letzter Zustellfehler"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("als unzustellbar markiert"), null=True, blank=True)

    class Meta:
        verbose_name = _("Abonnent*in")
        verbose_name_plural = _("Abonnent*innen")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="newsletter_sub_status")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Bounce(models.Model):
    """One delivery status notification (RFC 3464) about a subscriber's address."""

    class Kind(models.TextChoices):
        HARD = "hard", _("dauerhaft")
        SOFT = "soft", _("vorübergehend")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="bounces")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("Statuscode"), max_length=20)  # "5.1.1"
    diagnostic = models.CharField(_("Meldung des Servers"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("eingegangen"), db_index=True)
    # The file in the bounce mailbox it came from, for an operator tracing a decision.
    source = models.CharField(_("Nachricht"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Zustellfehler")
        verbose_name_plural = _("Zustellfehler")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.subscriber_id}"


class Issue(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SENDING = "sending", _("wird versandt")
        SENT = "sent", _("versandt")

    subject = models.CharField(_("Betreff"), max_length=200)
    intro = models.TextField(_("Einleitung"), blank=True, max_length=4000)
    announcements: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "news.Announcement",
        through="IssueItem",
        verbose_name=_("Meldungen"),
        blank=True,
        related_name="newsletter_issues",
    )
    topics = models.ManyToManyField(
        "news.Topic", verbose_name=_("Themen"), blank=True, related_name="newsletter_issues"
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    send_requested_at = models.DateTimeField(_("Versand angestoßen"), null=True, blank=True)
    send_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Versand angestoßen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set in the transaction that writes the Delivery rows: the snapshot exists exactly once.
    snapshot_at = models.DateTimeField(_("Empfängerliste erstellt"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("Empfänger*innen"), default=0)
    sent_at = models.DateTimeField(_("versandt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ausgabe")
        verbose_name_plural = _("Ausgaben")
        ordering = ["-created"]
        permissions = [("send_issue", _("Newsletter-Ausgaben versenden"))]

    def __str__(self) -> str:
        return self.subject


class IssueItem(models.Model):
    """A news item in an issue, at its place."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="items")
    announcement = models.ForeignKey(
        "news.Announcement", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("Position"))

    class Meta:
        verbose_name = _("Meldung der Ausgabe")
        verbose_name_plural = _("Meldungen der Ausgabe")
        ordering = ["issue", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "announcement"], name="newsletter_issueitem_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}#{self.position}"


class Delivery(models.Model):
    """The mail of one issue to one subscriber.

    pending: not handed to the server yet. sending: claimed by a sender and possibly handed
    over, but its acceptance not recorded (after a crash: uncertain, never sent again
    automatically). sent: the server accepted it. failed: the server refused it, or it was
    tried too often. skipped: the subscriber left before their turn came.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("wartet")
        SENDING = "sending", _("wird zugestellt")
        SENT = "sent", _("zugestellt")
        FAILED = "failed", _("fehlgeschlagen")
        SKIPPED = "skipped", _("übersprungen")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("Zustand"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    claimed_at = models.DateTimeField(_("übernommen"), null=True, blank=True)
    sent_at = models.DateTimeField(_("zugestellt am"), null=True, blank=True)
    error = models.CharField(_("Fehler"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        ordering = ["issue", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")
        ]
        indexes = [
            # The sender's next batch: pending rows of one issue in id order.
            models.Index(
                fields=["issue", "id"],
                name="newsletter_delivery_pending",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["issue", "state"], name="newsletter_delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}→{self.subscriber_id} {self.state}"
