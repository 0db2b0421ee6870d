"""Remote council systems Rathaus mirrors over OParl, and the record of each sync run."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TimeStampedModel


class RemoteSystem(TimeStampedModel):
    """Another council information system speaking OParl 1.0 or 1.1."""

    system_url = models.URLField(_("URL des System-Objekts"), max_length=500, unique=True)
    name = models.CharField(_("Name"), max_length=200, blank=True)
    oparl_version = models.CharField(_("OParl-Version"), max_length=60, blank=True)
    last_success_at = models.DateTimeField(
        _("letzter erfolgreicher Abgleich"), null=True, blank=True
    )
    # Start of the last complete run: the next incremental run asks for modified_since this.
    last_modified_since = models.DateTimeField(null=True, blank=True)
    stale_after_hours = models.PositiveIntegerField(
        _("als veraltet melden nach (Stunden)"), default=26
    )

    class Meta:
        verbose_name = _("entferntes Ratsinformationssystem")
        verbose_name_plural = _("entfernte Ratsinformationssysteme")

    def __str__(self) -> str:
        return self.name or self.system_url


class SyncRun(TimeStampedModel):
    """One import run; `cursor` lets an interrupted run resume where it stopped."""

    class Status(models.TextChoices):
        RUNNING = "running", _("läuft")
        SUCCEEDED = "succeeded", _("erfolgreich")
        SUCCEEDED_WITH_ERRORS = "partial", _("mit Fehlern abgeschlossen")
        FAILED = "failed", _("abgebrochen")

    system = models.ForeignKey(RemoteSystem, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    incremental = models.BooleanField(default=False)
    modified_since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    objects_seen = models.PositiveIntegerField(default=0)
    objects_written = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    cursor = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.system} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class SyncProblem(models.Model):
    """A fault of the remote system, logged with its URL; the import goes on."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="problems")
    url = models.URLField(max_length=1000)
    kind = models.CharField(max_length=60)
    message = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.url}"
