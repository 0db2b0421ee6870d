"""The council information system: the OParl 1.1 object model plus what OParl lacks.

Every object can be the town's own or mirrored from another system (`origin`, `origin_url`);
both are served alike. Non-public meetings, agenda items, papers and files are visible only
to the members of the organizations they belong to and to the council office (see
`selectors.py`); everybody else gets 404.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TimeStampedModel


class OParlObject(TimeStampedModel):
    """Fields every OParl object has, and the link to the system it was mirrored from."""

    origin = models.ForeignKey(
        "oparl.RemoteSystem",
        verbose_name=_("Herkunft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leer für eigene Daten; sonst das System, aus dem gespiegelt wurde."),
    )
    origin_url = models.URLField(_("OParl-ID im Herkunftssystem"), max_length=500, blank=True)
    keywords = models.JSONField(_("Schlagwörter"), default=list, blank=True)
    web = models.URLField(_("Webseite"), max_length=500, blank=True)
    license = models.URLField(_("Lizenz"), max_length=300, blank=True)
    deleted = models.BooleanField(_("gelöscht"), default=False, db_index=True)

    class Meta:
        abstract = True

    @classmethod
    def origin_constraint(cls, name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(
            fields=["origin", "origin_url"],
            condition=~models.Q(origin_url=""),
            name=name,
        )


class Body(OParlObject):
    """Körperschaft: the town (or a mirrored body of another system)."""

    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100, blank=True)
    website = models.URLField(_("Webseite"), max_length=500, blank=True)
    ags = models.CharField(_("Gemeindeschlüssel (AGS)"), max_length=8, blank=True)
    rgs = models.CharField(_("Regionalschlüssel (RGS)"), max_length=12, blank=True)
    classification = models.CharField(_("Art"), max_length=100, blank=True)
    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    contact_name = models.CharField(_("Kontakt"), max_length=200, blank=True)
    equivalent = models.JSONField(_("gleichwertige URLs"), default=list, blank=True)

    class Meta:
        verbose_name = _("Körperschaft")
        verbose_name_plural = _("Körperschaften")
        constraints = [OParlObject.origin_constraint("body_origin_unique")]

    def __str__(self) -> str:
        return self.name


class LegislativeTerm(OParlObject):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="legislative_terms")
    name = models.CharField(_("Name"), max_length=200)
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)

    class Meta:
        verbose_name = _("Wahlperiode")
        verbose_name_plural = _("Wahlperioden")
        ordering = ["-start_date"]
        constraints = [OParlObject.origin_constraint("legislativeterm_origin_unique")]

    def __str__(self) -> str:
        return self.name


class Location(OParlObject):
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    street_address = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    room = models.CharField(_("Raum"), max_length=100, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    locality = models.CharField(_("Ort"), max_length=100, blank=True)
    sub_locality = models.CharField(_("Ortsteil"), max_length=100, blank=True)
    # GeoJSON, always longitude first (RFC 7946); the importer repairs swapped coordinates.
    geojson = models.JSONField(_("Geodaten (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ort")
        verbose_name_plural = _("Orte")
        constraints = [OParlObject.origin_constraint("location_origin_unique")]

    def __str__(self) -> str:
        return self.description or ", ".join(p for p in (self.street_address, self.room) if p)


class Organization(OParlObject):
    """Gremium, Fraktion, Partei, Verwaltungsbereich …"""

    class Type(models.TextChoices):
        COMMITTEE = "Gremium", _("Gremium")
        FACTION = "Fraktion", _("Fraktion")
        PARTY = "Partei", _("Partei")
        ADMINISTRATION = "Verwaltungsbereich", _("Verwaltungsbereich")
        EXTERNAL = "externes Gremium", _("externes Gremium")
        INSTITUTION = "Institution", _("Institution")
        OTHER = "Sonstiges", _("Sonstiges")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100, blank=True)
    slug = models.SlugField(_("Kennung"), max_length=120)
    organization_type = models.CharField(
        _("Organisationstyp"), max_length=30, choices=Type.choices, default=Type.COMMITTEE
    )
    classification = models.CharField(
        _("Art"), max_length=100, blank=True, help_text=_("z. B. Rat, Ausschuss, Ortsrat")
    )
    post = models.JSONField(_("Positionen"), default=list, blank=True)
    sub_organization_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="sub_organizations"
    )
    start_date = models.DateField(_("Gründung"), null=True, blank=True)
    end_date = models.DateField(_("Auflösung"), null=True, blank=True)
    website = models.URLField(_("Webseite"), max_length=500, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_body = models.URLField(_("externe Körperschaft"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Gremium oder Gruppe")
        verbose_name_plural = _("Gremien und Gruppen")
        ordering = ["name"]
        constraints = [
            OParlObject.origin_constraint("organization_origin_unique"),
            models.UniqueConstraint(fields=["body", "slug"], name="organization_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("council:organization", kwargs={"pk": self.pk, "slug": self.slug})


class Person(OParlObject):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="persons")
    # A council member who signs in to the member area is linked to their user account.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benutzerkonto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_person",
    )
    name = models.CharField(_("Name"), max_length=200)
    family_name = models.CharField(_("Familienname"), max_length=100, blank=True)
    given_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    form_of_address = models.CharField(_("Anrede"), max_length=50, blank=True)
    affix = models.CharField(_("Namenszusatz"), max_length=50, blank=True)
    title = models.JSONField(_("Titel"), default=list, blank=True)
    gender = models.CharField(_("Geschlecht"), max_length=20, blank=True)
    phone = models.JSONField(_("Telefon"), default=list, blank=True)
    email = models.JSONField(_("E-Mail"), default=list, blank=True)
    status = models.JSONField(_("Status"), default=list, blank=True)
    life = models.TextField(_("Lebenslauf"), blank=True)
    life_source = models.CharField(_("Quelle des Lebenslaufs"), max_length=300, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["family_name", "given_name", "name"]
        constraints = [OParlObject.origin_constraint("person_origin_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("council:person", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: datetime.date) -> MembershipQuerySet:
        """Memberships not deleted that have begun by `on` and not ended before it."""
        return self.filter(deleted=False).filter(
            models.Q(start_date__isnull=True) | models.Q(start_date__lte=on),
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on),
        )


class Membership(OParlObject):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=100, blank=True)
    voting_right = models.BooleanField(_("stimmberechtigt"), default=True)
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        Organization,
        verbose_name=_("für (Fraktion)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegated_memberships",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["-start_date"]
        constraints = [OParlObject.origin_constraint("membership_origin_unique")]

    def __str__(self) -> str:
        return f"{self.person} – {self.organization}"


class File(OParlObject):
    """A document (invitation, minutes, paper, attachment); its text is extracted for search."""

    name = models.CharField(_("Name"), max_length=300, blank=True)
    file_name = models.CharField(_("Dateiname"), max_length=255, blank=True)
    mime_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    date = models.DateField(_("Datum"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"), null=True, blank=True)
    sha512 = models.CharField(_("SHA-512"), max_length=128, blank=True)
    content = models.FileField(_("Datei"), upload_to="council/files/%Y/%m/", blank=True)
    # A mirrored file may stay on the remote server; then these are its addresses there.
    remote_access_url = models.URLField(max_length=1000, blank=True)
    remote_download_url = models.URLField(max_length=1000, blank=True)
    external_service_url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(_("extrahierter Text"), blank=True)
    text_extracted_at = models.DateTimeField(null=True, blank=True)
    master_file = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derivative_files"
    )
    file_license = models.URLField(max_length=300, blank=True)
    is_public = models.BooleanField(_("öffentlich"), default=True, db_index=True)

    class Meta:
        verbose_name = _("Datei")
        verbose_name_plural = _("Dateien")
        constraints = [OParlObject.origin_constraint("file_origin_unique")]

    def __str__(self) -> str:
        return self.name or self.file_name


class Meeting(OParlObject):
    class State(models.TextChoices):
        SCHEDULED = "terminiert", _("terminiert")
        INVITED = "eingeladen", _("eingeladen")
        RUNNING = "durchgeführt", _("durchgeführt")

    class VideoProvider(models.TextChoices):
        NONE = "", _("keine Videokonferenz")
        JITSI = "jitsi", _("Jitsi Meet")
        BBB = "bbb", _("BigBlueButton")

    name = models.CharField(_("Name"), max_length=300)
    meeting_state = models.CharField(
        _("Status"), max_length=20, choices=State.choices, default=State.SCHEDULED
    )
    cancelled = models.BooleanField(_("abgesagt"), default=False)
    start = models.DateTimeField(_("Beginn"), null=True, blank=True, db_index=True)
    end = models.DateTimeField(_("Ende"), null=True, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("Gremien"), related_name="meetings", blank=True
    )
    participants = models.ManyToManyField(Person, related_name="meetings_attended", blank=True)
    invitation = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_protocol = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verbatim_protocol = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auxiliary_files = models.ManyToManyField(File, related_name="+", blank=True)
    is_public = models.BooleanField(_("öffentlich"), default=True, db_index=True)
    # When the invitation went out and the minutes came out: timeliness for the monitor.
    invitation_sent_at = models.DateTimeField(_("Einladung versandt"), null=True, blank=True)
    minutes_published_at = models.DateTimeField(
        _("Niederschrift veröffentlicht"), null=True, blank=True
    )
    video_provider = models.CharField(
        _("Videokonferenz"), max_length=10, choices=VideoProvider.choices, blank=True
    )
    video_room = models.CharField(_("Raumname"), max_length=200, blank=True)
    # Hybrid public meetings: the address the public may follow without taking part.
    video_public_url = models.URLField(_("öffentlicher Videolink"), max_length=500, blank=True)
    video_meeting_id = models.CharField(max_length=200, blank=True)  # BigBlueButton meetingID

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["-start"]
        constraints = [OParlObject.origin_constraint("meeting_origin_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("council:meeting", kwargs={"pk": self.pk})

    @property
    def has_video(self) -> bool:
        return bool(self.video_provider)


class Paper(OParlObject):
    """Drucksache: proposal, motion, inquiry, information …"""

    class InquiryStatus(models.TextChoices):
        RECEIVED = "received", _("eingegangen")
        IN_PROGRESS = "in_progress", _("in Bearbeitung")
        ANSWERED = "answered", _("beantwortet")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="papers")
    name = models.CharField(_("Titel"), max_length=500)
    reference = models.CharField(_("Drucksachennummer"), max_length=100, blank=True, db_index=True)
    date = models.DateField(_("Datum"), null=True, blank=True, db_index=True)
    paper_type = models.CharField(
        _("Art"), max_length=100, blank=True, help_text=_("z. B. Beschlussvorlage, Antrag, Anfrage")
    )
    related_papers = models.ManyToManyField("self", blank=True, symmetrical=True)
    superordinated_papers = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="subordinated_papers"
    )
    main_file = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auxiliary_files = models.ManyToManyField(File, related_name="+", blank=True)
    locations = models.ManyToManyField(Location, related_name="papers", blank=True)
    originator_persons = models.ManyToManyField(Person, related_name="papers", blank=True)
    under_direction_of = models.ManyToManyField(Organization, related_name="+", blank=True)
    originator_organizations = models.ManyToManyField(
        Organization, related_name="originated_papers", blank=True
    )
    is_public = models.BooleanField(_("öffentlich"), default=True, db_index=True)
    # Inquiries (Anfrage) and motions (Antrag): questions, due date, status and the answer.
    questions = models.JSONField(_("Fragen"), default=list, blank=True)
    due_date = models.DateField(_("Antwort fällig bis"), null=True, blank=True)
    inquiry_status = models.CharField(
        _("Bearbeitungsstand"), max_length=20, choices=InquiryStatus.choices, blank=True
    )
    answer_text = models.TextField(_("Antwort"), blank=True)
    answer_file = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Drucksache")
        verbose_name_plural = _("Drucksachen")
        ordering = ["-date", "-id"]
        constraints = [OParlObject.origin_constraint("paper_origin_unique")]
        # The OParl paper list counts and pages public papers per body: 13 -> 4.5 ms count
        # and 8 -> 2 ms offset at 100,000 papers (benchmarks/bench_oparl.py).
        indexes = [
            models.Index(
                fields=["body", "id"],
                condition=models.Q(deleted=False, is_public=True),
                name="paper_public_by_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("council:paper", kwargs={"pk": self.pk})


class AgendaItem(OParlObject):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    number = models.CharField(_("Nummer"), max_length=30, blank=True)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    name = models.CharField(_("Gegenstand"), max_length=500)
    public = models.BooleanField(_("öffentlich"), default=True, db_index=True)
    result = models.CharField(_("Ergebnis"), max_length=200, blank=True)
    resolution_text = models.TextField(_("Beschlusstext"), blank=True)
    resolution_file = models.ForeignKey(
        File, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auxiliary_files = models.ManyToManyField(File, related_name="+", blank=True)
    minutes_text = models.TextField(_("Protokoll"), blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["meeting", "order"]
        constraints = [OParlObject.origin_constraint("agendaitem_origin_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class Consultation(OParlObject):
    """Beratung: a paper on the agenda of one body's meeting; the paper's path through bodies."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, null=True, blank=True, related_name="consultations"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    organizations = models.ManyToManyField(Organization, related_name="consultations", blank=True)
    authoritative = models.BooleanField(_("beschließend"), default=False)
    role = models.CharField(_("Rolle"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungen")
        constraints = [OParlObject.origin_constraint("consultation_origin_unique")]

    def __str__(self) -> str:
        return f"{self.paper} @ {self.meeting}"


class Vote(models.Model):
    """A recorded vote on an agenda item: per faction (counts) or, where recorded, per person."""

    class Choice(models.TextChoices):
        YES = "yes", _("Ja")
        NO = "no", _("Nein")
        ABSTAIN = "abstain", _("Enthaltung")
        ABSENT = "absent", _("abwesend")

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    faction = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    choice = models.CharField(_("Stimme"), max_length=10, choices=Choice.choices, blank=True)
    yes = models.PositiveSmallIntegerField(_("Ja"), default=0)
    no = models.PositiveSmallIntegerField(_("Nein"), default=0)
    abstain = models.PositiveSmallIntegerField(_("Enthaltungen"), default=0)

    class Meta:
        verbose_name = _("Abstimmung")
        verbose_name_plural = _("Abstimmungen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(faction__isnull=False) | models.Q(person__isnull=False),
                name="vote_has_faction_or_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item}: {self.faction or self.person}"


# --- Alerts without an account ------------------------------------------------------------


class AlertSubscription(TimeStampedModel):
    """An e-mail alert without an account: one address, one target, double opt-in.

    The address is the only personal datum. `consent_text` and `consent_at` prove what the
    subscriber agreed to and when (Art. 7 (1) DSGVO); unconfirmed subscriptions are purged
    after a week. One random `token` authorises confirming and unsubscribing.
    """

    class Kind(models.TextChoices):
        SEARCH = "search", _("Suchbegriff")
        ORGANIZATION = "organization", _("Gremium")
        PAPER = "paper", _("Drucksache")
        PERSON = "person", _("Person")

    email = models.EmailField(_("E-Mail-Adresse"), db_index=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    query = models.CharField(_("Suchbegriff"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("Gremium"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    paper = models.ForeignKey(
        Paper,
        verbose_name=_("Drucksache"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    # "paper:12" or "search:radweg bahnhofstraße": one subscription per address and target,
    # whatever the database does with NULLs in unique constraints.
    target_key = models.CharField(max_length=250, editable=False)
    language = models.CharField(_("Sprache"), max_length=10, default="de")
    token = models.CharField(max_length=64, unique=True, editable=False)
    consent_text = models.TextField(_("Text der Einwilligung"))
    consent_at = models.DateTimeField(_("Einwilligung erteilt"))
    # The last subscribe request; an unconfirmed subscription is purged a week after it.
    requested_at = models.DateTimeField(_("angefordert"))
    confirmed_at = models.DateTimeField(_("bestätigt"), null=True, blank=True, db_index=True)
    last_sent_at = models.DateTimeField(_("zuletzt benachrichtigt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["email", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "target_key"], name="alertsubscription_one_per_target"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="search",
                        organization__isnull=True,
                        paper__isnull=True,
                        person__isnull=True,
                    )
                    & ~models.Q(query="")
                )
                | models.Q(
                    kind="organization",
                    organization__isnull=False,
                    paper__isnull=True,
                    person__isnull=True,
                )
                | models.Q(
                    kind="paper",
                    organization__isnull=True,
                    paper__isnull=False,
                    person__isnull=True,
                )
                | models.Q(
                    kind="person",
                    organization__isnull=True,
                    paper__isnull=True,
                    person__isnull=False,
                ),
                name="alertsubscription_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.target_key}"

    @property
    def target(self) -> Organization | Paper | Person | None:
        return self.organization or self.paper or self.person


class AlertDelivery(models.Model):
    """A mail about a subscription: a confirmation request or a digest, and what it held.

    Confirmation requests count towards the daily limit per address; digest rows record
    which objects were reported. Rows go with their subscription and after 90 days.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Bestätigungsanfrage")
        DIGEST = "digest", _("Zusammenfassung")

    subscription = models.ForeignKey(
        AlertSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    created = models.DateTimeField(_("angelegt"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("versandt"), null=True, blank=True)
    # "council.paper:12", … : the objects a digest reported for this subscription.
    items = models.JSONField(_("gemeldet"), default=list, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigungsversand")
        verbose_name_plural = _("Benachrichtigungsversand")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subscription_id} {self.created:%Y-%m-%d %H:%M}"
