"""News, press releases, official notices and events: regular information for citizens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TimeStampedModel


class Category(models.Model):
    """A section of the news (Rathaus, Kultur, Bauen, Verkehr ...); one per item."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("Rubrik")
        verbose_name_plural = _("Rubriken")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A subject citizens follow (feeds, newsletter); several per item."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublishedQuerySet(models.QuerySet):
    def published(self, at: object = None) -> PublishedQuerySet:
        """Items citizens may see now: published, past their publish time, not expired."""
        now = at or timezone.now()
        return self.filter(status="published", publish_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class Publishable(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("freigegeben")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=120, unique=True)
    summary = models.TextField(_("Kurztext"), max_length=600, blank=True)
    # Sanitised HTML (see `rathaus.news.sanitize`); never rendered unsanitised.
    body = models.TextField(_("Text"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("Rubrik"), on_delete=models.PROTECT, null=True, blank=True
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True)
    image = models.ImageField(_("Bild"), upload_to="news/%Y/", blank=True)
    image_alt = models.CharField(
        _("Alternativtext des Bildes"),
        max_length=300,
        blank=True,
        help_text=_("Pflicht, wenn ein Bild gesetzt ist: beschreibt, was es zeigt."),
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("veröffentlichen ab"), default=timezone.now)
    expires_at = models.DateTimeField(_("sichtbar bis"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("Dienststelle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


class Announcement(Publishable):
    """A news item, a press release or an official notice (Bekanntmachung)."""

    class Kind(models.TextChoices):
        NEWS = "news", _("Nachricht")
        PRESS = "press", _("Pressemitteilung")
        NOTICE = "notice", _("Amtliche Bekanntmachung")

    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    # Official notices take legal effect on a given day (e.g. a Satzung).
    legal_effect_date = models.DateField(_("rechtswirksam ab"), null=True, blank=True)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-publish_at"]
        indexes = [models.Index(fields=["status", "-publish_at"], name="announcement_public")]

    def get_absolute_url(self) -> str:
        return reverse("news:detail", kwargs={"slug": self.slug})


class Event(Publishable):
    """A public event: date, place, and what a visitor with a disability needs to know."""

    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"), null=True, blank=True)
    all_day = models.BooleanField(_("ganztägig"), default=False)
    place = models.CharField(_("Ort"), max_length=200)
    address = models.CharField(_("Adresse"), max_length=300, blank=True)
    accessibility = models.TextField(
        _("Barrierefreiheit"),
        blank=True,
        help_text=_("Stufenloser Zugang, Behinderten-WC, Gebärdensprache, Induktionsschleife …"),
    )
    organiser = models.CharField(_("Veranstalter"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_public")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("news:event", kwargs={"slug": self.slug})
