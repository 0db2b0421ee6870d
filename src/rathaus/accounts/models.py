from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rathaus.core.models import TimeStampedModel


class Office(TimeStampedModel):
    """An organisational unit (Fachbereich, Fachgruppe, Stabsstelle) and its public contacts."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    room = models.CharField(_("Raum"), max_length=100, blank=True)
    opening_hours = models.TextField(_("Öffnungszeiten"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Webseite"), blank=True)
    accessibility = models.TextField(
        _("Barrierefreiheit des Gebäudes"),
        blank=True,
        help_text=_("Zugang, Aufzug, Behinderten-WC, Parkplätze, Induktionsschleife …"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Dienststelle")
        verbose_name_plural = _("Dienststellen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:office", kwargs={"slug": self.slug})

    @property
    def address_lines(self) -> list[str]:
        lines = [self.street, f"{self.postal_code} {self.city}".strip(), self.room]
        return [line for line in lines if line]


class User(AbstractUser):
    """Staff, council members and citizens alike; roles are groups (see `roles.py`)."""

    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("Dienststelle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    preferred_language = models.CharField(
        _("bevorzugte Sprache"),
        max_length=5,
        default="de",
        choices=[("de", "Deutsch"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")

    @property
    def is_staff_member(self) -> bool:
        """Works inside the administration: needs the second factor for staff pages."""
        from rathaus.accounts.roles import STAFF_ROLES

        if self.is_staff or self.is_superuser:
            return True
        return self.groups.filter(name__in=STAFF_ROLES).exists()
