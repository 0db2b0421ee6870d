"""Online forms: versioned definitions and the applications citizens fill in with them.

A definition names the service and the office; its versions hold the JSON Schema of the data
and the UI description (steps, order, help texts, conditions). A published version is frozen:
a citizen who started on version 3 finishes on version 3, even if version 4 appears meanwhile.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.maturity import TrustLevel
from rathaus.core.models import TimeStampedModel
from rathaus.core.storage import private_storage


class FormDefinition(TimeStampedModel):
    """One online form (e.g. "Hund anmelden"), the service it serves and who works its cases."""

    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("Leistung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forms",
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("bearbeitende Stelle"),
        on_delete=models.PROTECT,
        related_name="forms",
    )
    min_trust_level = models.CharField(
        _("Mindest-Vertrauensniveau"),
        max_length=20,
        choices=TrustLevel.choices,
        blank=True,
        help_text=_("Leer: ohne Anmeldung nutzbar."),
    )
    processing_days = models.PositiveSmallIntegerField(_("Bearbeitungsfrist in Tagen"), default=14)
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrungsfrist in Tagen"),
        default=365 * 6,
        help_text=_("Nach Abschluss des Vorgangs; danach wird er gelöscht oder anonymisiert."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Online-Formular")
        verbose_name_plural = _("Online-Formulare")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forms:start", kwargs={"slug": self.slug})

    @property
    def published_version(self) -> FormVersion | None:
        """The version new applications start on: the newest published one."""
        return self.versions.filter(status=FormVersion.Status.PUBLISHED).order_by("-number").first()


class FormVersion(models.Model):
    """A numbered, immutable-once-published revision of a form."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")
        RETIRED = "retired", _("zurückgezogen")

    definition = models.ForeignKey(
        FormDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("Version"))
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # JSON Schema (draft 2020-12) of the submitted data: one object, one property per field.
    schema = models.JSONField(_("Datenschema"), default=dict)
    # {"steps": [{"id", "title", "intro", "fields": [{"name", "widget", "help", "show_if"}]}]}
    ui = models.JSONField(_("Oberfläche"), default=dict)
    fee_cents = models.PositiveIntegerField(_("Gebühr in Cent"), default=0)
    fee_label = models.CharField(_("Gebühr, Erläuterung"), max_length=200, blank=True)
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Formularversion")
        verbose_name_plural = _("Formularversionen")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = FormVersion.objects.filter(pk=self.pk).values("status", "schema", "ui").first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = stored["schema"] != self.schema or stored["ui"] != self.ui
                if changed:
                    raise ValidationError(
                        _("Eine veröffentlichte Formularversion kann nicht geändert werden.")
                    )
        super().save(*args, **kwargs)


def _resume_token() -> str:
    return secrets.token_urlsafe(24)


class Draft(models.Model):
    """An application in progress: what the citizen has entered so far, step by step.

    Kept server-side so an expired session or a closed browser loses nothing; the citizen
    resumes with their account or the signed resume link.
    """

    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="drafts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="form_drafts",
    )
    resume_token = models.CharField(max_length=64, unique=True, default=_resume_token)
    email = models.EmailField(_("E-Mail-Adresse für den Fortsetzungslink"), blank=True)
    data = models.JSONField(default=dict)
    step = models.CharField(max_length=64, blank=True)
    trust_level = models.CharField(max_length=20, choices=TrustLevel.choices, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draft",
    )

    class Meta:
        verbose_name = _("Antragsentwurf")
        verbose_name_plural = _("Antragsentwürfe")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.version} ({self.pk})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def upload_path(instance: Upload, filename: str) -> str:
    # Never the citizen's file name on disk: it is kept as metadata only.
    return f"forms/{instance.draft_id}/{secrets.token_hex(16)}"


class Upload(models.Model):
    """A file attached to a draft, checked (size, sniffed type, virus scan) before it is kept."""

    class Scan(models.TextChoices):
        CLEAN = "clean", _("geprüft, ohne Befund")
        NOT_SCANNED = "not_scanned", _("nicht geprüft (kein Virenscanner eingerichtet)")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="uploads")
    field = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to=upload_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=12, choices=Scan.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Hochgeladene Datei")
        verbose_name_plural = _("Hochgeladene Dateien")

    def __str__(self) -> str:
        return self.original_name


class Payment(models.Model):
    """A fee payment through a payment provider (see `rathaus.integrations.payments`)."""

    class State(models.TextChoices):
        OPEN = "open", _("offen")
        PAID = "paid", _("bezahlt")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("abgebrochen")

    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, related_name="payments")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="payments"
    )
    provider = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, unique=True)
    amount_cents = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} {self.state}"
