"""What the monitor keeps: one value per metric and day, so every figure has a history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TimeStampedModel


class MetricSnapshot(models.Model):
    metric_id = models.CharField(_("Kennzahl"), max_length=60)
    day = models.DateField(_("Stichtag"))
    # None: nothing to measure yet (e.g. no cases in the window), not zero.
    value = models.FloatField(_("Wert"), null=True, blank=True)
    detail = models.JSONField(_("Einzelwerte"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("berechnet am"), auto_now=True)

    class Meta:
        verbose_name = _("Kennzahlwert")
        verbose_name_plural = _("Kennzahlwerte")
        ordering = ["metric_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["metric_id", "day"], name="metric_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.day}: {self.value}"


# --- Question 1: strategy, goals and measures ----------------------------------------------


class Strategy(TimeStampedModel):
    """A digitalization strategy adopted by the council or the mayor."""

    title = models.CharField(_("Titel"), max_length=200)
    summary = models.TextField(_("Zusammenfassung"), blank=True)
    adopted_on = models.DateField(_("beschlossen am"), null=True, blank=True)
    document_url = models.URLField(_("Beschluss oder Dokument"), blank=True)

    class Meta:
        verbose_name = _("Strategie")
        verbose_name_plural = _("Strategien")
        ordering = ["-adopted_on", "title"]

    def __str__(self) -> str:
        return self.title


class Goal(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("Ziel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")
        ordering = ["strategy", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class MeasureQuerySet(models.QuerySet["Measure"]):
    def overdue(self, on: dt.date) -> MeasureQuerySet:
        return self.filter(
            due_date__lt=on, status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS]
        )


class Measure(TimeStampedModel):
    """One measure of the strategy: who owns it, what it costs, when it is due, how far it is."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        IN_PROGRESS = "in_progress", _("in Umsetzung")
        DONE = "done", _("umgesetzt")
        PAUSED = "paused", _("zurückgestellt")
        CANCELLED = "cancelled", _("aufgegeben")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("Maßnahme"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    owner = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("verantwortliche Stelle"),
        on_delete=models.PROTECT,
        related_name="measures",
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    budget_eur = models.DecimalField(
        _("Budget in Euro"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    due_date = models.DateField(_("fällig am"), null=True, blank=True)
    ozg = models.BooleanField(_("OZG-Umsetzung"), default=False)
    sdg_9c = models.BooleanField(
        _("SDG 9.c (Zugang zu Informations- und Kommunikationstechnologie)"), default=False
    )
    public = models.BooleanField(_("auf der öffentlichen Roadmap"), default=True)
    # The officer is told once per overdue measure, not every day.
    overdue_alert_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["due_date", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        """Percent done according to the latest progress note (100 when done)."""
        if self.status == self.Status.DONE:
            return 100
        latest = max(self.notes.all(), key=lambda note: (note.day, note.pk), default=None)
        return latest.percent if latest else 0


class ProgressNote(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="notes")
    day = models.DateField(_("Datum"))
    text = models.TextField(_("Stand"))
    percent = models.PositiveSmallIntegerField(_("Fortschritt in Prozent"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Fortschrittsvermerk")
        verbose_name_plural = _("Fortschrittsvermerke")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="progress_percent")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.percent} %"


# --- B1: devices for mobile work -----------------------------------------------------------


class Device(TimeStampedModel):
    """An IT device of the administration, from the town's inventory (CSV or Snipe-IT)."""

    class Kind(models.TextChoices):
        LAPTOP = "laptop", _("Notebook")
        DESKTOP = "desktop", _("Arbeitsplatzrechner")
        THIN_CLIENT = "thin_client", _("Thin Client")
        TABLET = "tablet", _("Tablet")
        PHONE = "phone", _("Smartphone")
        HEADSET = "headset", _("Headset")
        WEBCAM = "webcam", _("Webcam")
        OTHER = "other", _("sonstiges Gerät")

    class Source(models.TextChoices):
        MANUAL = "manual", _("von Hand")
        CSV = "csv", _("CSV-Import")
        SNIPE_IT = "snipeit", _("Snipe-IT")

    inventory_number = models.CharField(_("Inventarnummer"), max_length=60, unique=True)
    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    model_name = models.CharField(_("Modell"), max_length=120, blank=True)
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("Dienststelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
    )
    # A pseudonymous staff number, not a name: the monitor counts people, it does not list them.
    holder = models.CharField(_("Personalnummer der nutzenden Person"), max_length=40, blank=True)
    home_office_capable = models.BooleanField(_("für mobiles Arbeiten geeignet"), default=False)
    purchased_on = models.DateField(_("angeschafft am"), null=True, blank=True)
    warranty_until = models.DateField(_("Garantie bis"), null=True, blank=True)
    retired_on = models.DateField(_("ausgemustert am"), null=True, blank=True)
    source = models.CharField(
        _("Herkunft"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        verbose_name = _("Gerät")
        verbose_name_plural = _("Geräte")
        ordering = ["inventory_number"]
        indexes = [models.Index(fields=["kind", "retired_on"])]

    def __str__(self) -> str:
        return f"{self.inventory_number} {self.get_kind_display()}"


class Headcount(models.Model):
    """How many people work in an office on a day (from HR): the base of readiness shares."""

    office = models.ForeignKey(
        "accounts.Office", on_delete=models.CASCADE, related_name="headcounts"
    )
    as_of = models.DateField(_("Stichtag"))
    staff = models.PositiveIntegerField(_("Beschäftigte"))

    class Meta:
        verbose_name = _("Personalstand")
        verbose_name_plural = _("Personalstände")
        ordering = ["office", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["office", "as_of"], name="headcount_unique")]

    def __str__(self) -> str:
        return f"{self.office} {self.as_of}: {self.staff}"


# --- Question 3: accessibility audits ------------------------------------------------------


class AuditRun(models.Model):
    """One crawl of the auditor over the town's pages and the catalog's online services."""

    started_at = models.DateTimeField(_("begonnen"))
    finished_at = models.DateTimeField(_("beendet"), null=True, blank=True)
    start_urls = models.JSONField(_("Startseiten"), default=list)
    allowed_hosts = models.JSONField(_("erlaubte Hosts"), default=list)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        verbose_name = _("Prüflauf Barrierefreiheit")
        verbose_name_plural = _("Prüfläufe Barrierefreiheit")
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class AuditPage(models.Model):
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(_("Adresse"), max_length=500)
    title = models.CharField(_("Titel"), max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(_("HTTP-Status"), null=True, blank=True)
    depth = models.PositiveSmallIntegerField(_("Klicks von der Startseite"))
    reflows = models.BooleanField(_("passt auf 320 Pixel"), null=True, blank=True)
    error = models.CharField(_("Fehler"), max_length=300, blank=True)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("Leistung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_pages",
    )

    class Meta:
        verbose_name = _("geprüfte Seite")
        verbose_name_plural = _("geprüfte Seiten")
        ordering = ["run", "depth", "url"]
        constraints = [models.UniqueConstraint(fields=["run", "url"], name="audit_page_unique")]

    def __str__(self) -> str:
        return self.url


class AuditFinding(models.Model):
    class Impact(models.TextChoices):
        CRITICAL = "critical", _("kritisch")
        SERIOUS = "serious", _("schwer")
        MODERATE = "moderate", _("mittel")
        MINOR = "minor", _("gering")

    page = models.ForeignKey(AuditPage, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(_("Regel"), max_length=80)
    criteria = models.JSONField(_("WCAG-Erfolgskriterien"), default=list)
    impact = models.CharField(_("Schwere"), max_length=10, choices=Impact.choices, blank=True)
    selector = models.CharField(_("Element"), max_length=500)
    help = models.CharField(_("Beschreibung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Befund")
        verbose_name_plural = _("Befunde")
        ordering = ["page", "rule"]
        indexes = [models.Index(fields=["rule"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.selector}"


# --- Question 5: usage, counted without personal data -------------------------------------


class UsageCount(models.Model):
    """Page views and distinct visitors of a day, per service (or of the whole site).

    Visitors are told apart only within a day, by a hash with a salt that exists in memory
    for that day alone; neither addresses nor hashes are stored.
    """

    class Event(models.TextChoices):
        VIEW = "view", _("Seitenaufruf")
        VISITOR = "visitor", _("Besucher*in (je Tag)")

    class Source(models.TextChoices):
        RATHAUS = "rathaus", _("Rathaus (eigene Zählung)")
        MATOMO = "matomo", _("Matomo")

    day = models.DateField(_("Tag"))
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("Leistung"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="usage_counts",
    )
    event = models.CharField(_("Ereignis"), max_length=10, choices=Event.choices)
    source = models.CharField(
        _("Quelle"), max_length=10, choices=Source.choices, default=Source.RATHAUS
    )
    count = models.PositiveIntegerField(_("Anzahl"), default=0)

    class Meta:
        verbose_name = _("Nutzungszahl")
        verbose_name_plural = _("Nutzungszahlen")
        ordering = ["-day"]
        constraints = [
            # Rows of the whole site (no service) may repeat after a race: figures are sums.
            models.UniqueConstraint(
                fields=["day", "service", "event", "source"], name="usage_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id} {self.event}: {self.count}"


# --- Question 8: the council information system -------------------------------------------


class OParlCheck(models.Model):
    """A conformance check of an OParl endpoint: a sample of every object type validated."""

    checked_at = models.DateTimeField(_("geprüft am"))
    endpoint = models.URLField(_("OParl-Einstieg (System)"), max_length=500)
    # {type: {"checked": n, "valid": n, "errors": [first messages]}}
    results = models.JSONField(_("Ergebnisse je Objekttyp"), default=dict)
    checked = models.PositiveIntegerField(_("geprüfte Objekte"), default=0)
    valid = models.PositiveIntegerField(_("gültige Objekte"), default=0)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        verbose_name = _("OParl-Prüfung")
        verbose_name_plural = _("OParl-Prüfungen")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.checked_at:%Y-%m-%d}"


# --- Question 7: state and federal portals ------------------------------------------------


class Portal(models.TextChoices):
    PVOG = "pvog", _("Portalverbund (PVOG, über XZuFi)")
    STATE = "land", _("Landesportal Niedersachsen")
    FEDERAL = "bund", _("Bundesportal")


class PortalStatus(models.Model):
    """How one service is connected to one portal: exported, and linked back to our service."""

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="portal_statuses"
    )
    portal = models.CharField(_("Portal"), max_length=10, choices=Portal.choices)
    exported_at = models.DateTimeField(_("zuletzt exportiert"), null=True, blank=True)
    portal_url = models.URLField(_("Seite der Leistung im Portal"), max_length=500, blank=True)
    linked = models.BooleanField(_("verlinkt auf den Online-Dienst"), null=True, blank=True)
    link_checked_at = models.DateTimeField(_("Verlinkung geprüft am"), null=True, blank=True)
    link_error = models.CharField(_("Fehler der Prüfung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Portalanbindung")
        verbose_name_plural = _("Portalanbindungen")
        ordering = ["service", "portal"]
        constraints = [
            models.UniqueConstraint(fields=["service", "portal"], name="portal_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.portal}"


# --- The answer to an inquiry ----------------------------------------------------------------


class InquiryAnswer(TimeStampedModel):
    """ "Antwort der Verwaltung": composed from the figures of one day, edited, released.

    `snapshot` keeps every figure the answer was written from (values, details and the
    series behind its charts), so the answer renders the same years later.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        RELEASED = "released", _("freigegeben")

    paper = models.ForeignKey(
        "council.Paper",
        verbose_name=_("Anfrage"),
        on_delete=models.CASCADE,
        related_name="monitor_answers",
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    measured_on = models.DateField(_("Stand der Zahlen"))
    snapshot = models.JSONField(_("Zahlenstand"), default=dict)
    # [{"number", "question", "code", "text", "tables": [...], "charts": [...], "sources": [...]}]
    sections = models.JSONField(_("Abschnitte"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Antwort der Verwaltung")
        verbose_name_plural = _("Antworten der Verwaltung")
        ordering = ["-created"]
        permissions = [("release_inquiryanswer", _("Antworten auf Anfragen freigeben"))]

    def __str__(self) -> str:
        return f"{self.paper} ({self.measured_on})"


# --- The accessibility statement (Barrierefreiheitserklärung) -------------------------------


class AccessibilityStatement(TimeStampedModel):
    """The statement of § 9b NBGG, drafted from an audit run, edited and released.

    The newest released statement is the one the public page shows; a released statement is
    final, a change means a new draft.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        RELEASED = "released", _("freigegeben")

    class Compliance(models.TextChoices):
        FULL = "full", _("vollständig vereinbar")
        PARTIAL = "partial", _("teilweise vereinbar")
        NONE = "none", _("nicht vereinbar")

    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    run = models.ForeignKey(
        AuditRun,
        verbose_name=_("Prüflauf"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
    )
    # Kept beside the run: runs are pruned, the statement must still name its audit date.
    audited_on = models.DateField(_("geprüft am"), null=True, blank=True)
    compliance = models.CharField(
        _("Stand der Vereinbarkeit"),
        max_length=10,
        choices=Compliance.choices,
        default=Compliance.PARTIAL,
    )
    intro = models.TextField(_("Einleitung und Geltungsbereich"))
    method = models.TextField(_("Methode der Bewertung"))
    # [{"kind", "title", "text", "criteria": ["1.4.3"], "pages": [titles], "page_count": n}]
    entries = models.JSONField(_("nicht barrierefreie Inhalte"), default=list, blank=True)
    feedback = models.TextField(_("Feedback-Mechanismus"))
    enforcement = models.TextField(_("Schlichtungsverfahren"))
    prepared_on = models.DateField(_("erstellt am"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Erklärung zur Barrierefreiheit")
        verbose_name_plural = _("Erklärungen zur Barrierefreiheit")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prepared_on} ({self.get_status_display()})"
