"""What the monitor keeps: one value per metric and day, so every figure has a history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
