from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rathaus.catalog.maturity import TrustLevel
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


class LocalSignup(models.Model):
    """A citizen account made through the sign-up form, waiting for (or past) its email check.

    Only accounts with a pending row here may be activated by a link: an account an
    administrator locked stays locked whatever mail its owner still has.
    """

    user = models.OneToOneField(
        User, verbose_name=_("Benutzer"), on_delete=models.CASCADE, related_name="local_signup"
    )
    created_at = models.DateTimeField(_("registriert am"), auto_now_add=True)
    privacy_consent_at = models.DateTimeField(_("Datenschutzhinweis bestätigt am"))
    verified_at = models.DateTimeField(_("E-Mail bestätigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Registrierung")
        verbose_name_plural = _("Registrierungen")

    def __str__(self) -> str:
        return str(self.user)


class ExternalIdentity(TimeStampedModel):
    """A sign-in at an identity provider (OpenID Connect or SAML) linked to one account.

    Matched by (issuer, subject) only: an email address asserted by a provider never links
    an existing account, or any provider could take over any account.
    """

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    user = models.ForeignKey(
        User,
        verbose_name=_("Benutzer"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    protocol = models.CharField(_("Protokoll"), max_length=4, choices=Protocol.choices)
    issuer = models.CharField(_("Aussteller"), max_length=500)
    subject = models.CharField(_("Kennung beim Aussteller"), max_length=500)
    last_trust_level = models.CharField(
        _("letztes Vertrauensniveau"), max_length=20, choices=TrustLevel.choices, blank=True
    )
    last_authn_context = models.CharField(
        _("letzter Authentisierungskontext"), max_length=500, blank=True
    )
    last_sign_in_at = models.DateTimeField(_("letzte Anmeldung"), null=True, blank=True)

    class Meta:
        verbose_name = _("externe Identität")
        verbose_name_plural = _("externe Identitäten")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()}: {self.issuer} / {self.subject}"


class SamlRequest(models.Model):
    """An AuthnRequest sent to a SAML identity provider, so its Response is taken once only.

    Kept in the database, not the session: the provider POSTs the Response from its own
    site, and a SameSite=Lax session cookie does not come along with such a request.
    """

    request_id = models.CharField(_("Anfrage-ID"), max_length=100, unique=True)
    idp_entity_id = models.CharField(_("Identitätsanbieter"), max_length=500)
    next_url = models.CharField(_("Ziel nach der Anmeldung"), max_length=1000, blank=True)
    issued_at = models.DateTimeField(_("gesendet am"), auto_now_add=True, db_index=True)
    consumed_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("SAML-Anfrage")
        verbose_name_plural = _("SAML-Anfragen")

    def __str__(self) -> str:
        return self.request_id
