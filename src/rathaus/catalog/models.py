from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rathaus.accounts.models import Office
from rathaus.catalog.maturity import OZG_OBLIGATION_LEVEL_V1, MaturityV1, MaturityV2, TrustLevel
from rathaus.core.models import TimeStampedModel

leika_key_validator = RegexValidator(
    r"^\d{14}$", _("Der LeiKa-Schlüssel besteht aus genau 14 Ziffern.")
)


class Topic(models.TextChoices):
    """The 14 OZG Themenfelder."""

    WORK = "arbeit-ruhestand", _("Arbeit & Ruhestand")
    BUILDING = "bauen-wohnen", _("Bauen & Wohnen")
    EDUCATION = "bildung", _("Bildung")
    MIGRATION = "ein-auswanderung", _("Ein- & Auswanderung")
    LEISURE = "engagement-hobby", _("Engagement & Hobby")
    FAMILY = "familie-kind", _("Familie & Kind")
    RESEARCH = "forschung-foerderung", _("Forschung & Förderung")
    HEALTH = "gesundheit", _("Gesundheit")
    MOBILITY = "mobilitaet-reisen", _("Mobilität & Reisen")
    CROSS = "querschnitt", _("Querschnitt")
    LAW = "recht-ordnung", _("Recht & Ordnung")
    TAXES = "steuern-zoll", _("Steuern & Zoll")
    ENVIRONMENT = "umwelt", _("Umwelt")
    BUSINESS = "unternehmen", _("Unternehmensführung & -entwicklung")


CHANNELS = [
    ("online", _("online")),
    ("in_person", _("persönlich")),
    ("post", _("per Post")),
    ("email", _("per E-Mail")),
    ("phone", _("per Telefon")),
]


class LifeSituation(models.Model):
    """Lebenslage: how citizens think of their concern ("Umzug", "Geburt eines Kindes")."""

    name = models.CharField(_("Name"), max_length=120, unique=True)
    name_en = models.CharField(_("Name (englisch)"), max_length=120, blank=True)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class ServiceQuerySet(models.QuerySet["Service"]):
    def published(self) -> ServiceQuerySet:
        return self.filter(status=Service.Status.PUBLISHED)

    def online(self) -> ServiceQuerySet:
        return self.filter(channel_online=True).exclude(online_service_url="")

    def review_overdue(self, today: datetime.date | None = None) -> ServiceQuerySet:
        return self.exclude(status=Service.Status.ARCHIVED).filter(
            review_due__lt=today or timezone.localdate()
        )


class Service(TimeStampedModel):
    """Leistung: one service of the administration, keyed by the federal LeiKa catalogue."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")
        ARCHIVED = "archived", _("archiviert")

    leika_key = models.CharField(
        _("LeiKa-Schlüssel"), max_length=14, unique=True, validators=[leika_key_validator]
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=120, unique=True)
    ozg_id = models.CharField(_("OZG-ID"), max_length=20, blank=True)
    ozg_name = models.CharField(_("OZG-Leistung"), max_length=200, blank=True)
    topic = models.CharField(_("Themenfeld"), max_length=40, choices=Topic.choices, blank=True)
    life_situations = models.ManyToManyField(
        LifeSituation, verbose_name=_("Lebenslagen"), blank=True, related_name="services"
    )

    maturity_level = models.PositiveSmallIntegerField(
        _("Reifegrad (Modell 1.1)"), choices=MaturityV1.choices, default=MaturityV1.INFORMATION
    )
    maturity_level_v2 = models.PositiveSmallIntegerField(
        _("Reifegrad (Modell 2.0)"), choices=MaturityV2.choices, default=MaturityV2.INFORMATION
    )

    channel_online = models.BooleanField(_("online"), default=False)
    channel_in_person = models.BooleanField(_("persönlich"), default=True)
    channel_post = models.BooleanField(_("per Post"), default=False)
    channel_email = models.BooleanField(_("per E-Mail"), default=False)
    channel_phone = models.BooleanField(_("per Telefon"), default=False)

    online_service_url = models.URLField(_("Adresse des Online-Dienstes"), blank=True)
    online_service_name = models.CharField(
        _("Name des Online-Dienstes"), max_length=200, blank=True
    )
    online_service_own = models.BooleanField(
        _("eigener Online-Dienst"),
        default=False,
        help_text=_("Von der Stadt selbst betrieben (sonst von Land, Bund oder Dienstleister)."),
    )
    trust_level = models.CharField(
        _("Vertrauensniveau"), max_length=20, choices=TrustLevel.choices, blank=True
    )

    summary = models.TextField(_("Kurztext"), blank=True)
    description = models.TextField(_("Volltext"), blank=True)
    requirements = models.TextField(_("Voraussetzungen"), blank=True)
    documents = models.TextField(_("Erforderliche Unterlagen"), blank=True)
    fees = models.TextField(_("Kosten"), blank=True)
    deadlines = models.TextField(_("Fristen"), blank=True)
    processing_time = models.CharField(_("Bearbeitungsdauer"), max_length=200, blank=True)
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("zuständige Stelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    keywords = models.CharField(
        _("Suchbegriffe und Synonyme"),
        max_length=500,
        blank=True,
        help_text=_("Durch Komma getrennt; Wörter, unter denen Bürger*innen suchen."),
    )
    annual_cases = models.PositiveIntegerField(
        _("Fälle pro Jahr"),
        default=0,
        help_text=_("Geschätzte Nachfrage; ordnet die fehlenden Online-Dienste."),
    )

    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    review_due = models.DateField(_("nächste Prüfung fällig"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["modified"])
    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["name"]
        permissions = [
            ("publish_service", _("Leistungen veröffentlichen")),
            ("import_services", _("Leistungen importieren")),
        ]
        indexes = [models.Index(fields=["status", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(maturity_level__lte=4), name="service_maturity_v1_range"
            ),
            models.CheckConstraint(
                condition=models.Q(maturity_level_v2__lte=7), name="service_maturity_v2_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:detail", kwargs={"slug": self.slug})

    @property
    def is_online(self) -> bool:
        return self.channel_online and bool(self.online_service_url)

    @property
    def meets_ozg_obligation(self) -> bool:
        return self.maturity_level >= OZG_OBLIGATION_LEVEL_V1

    @property
    def online_service_host(self) -> str:
        return urlsplit(self.online_service_url).hostname or ""

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def channels(self) -> list[tuple[str, str]]:
        """(code, label) of every channel this service is offered on."""
        return [(code, str(label)) for code, label in CHANNELS if getattr(self, f"channel_{code}")]

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < timezone.localdate()
