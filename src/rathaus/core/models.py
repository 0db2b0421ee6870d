from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("angelegt"), auto_now_add=True, db_index=True)
    modified = models.DateTimeField(_("geändert"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class SearchDocument(models.Model):
    """One searchable thing (a service, later news, papers...) in the site-wide index.

    The full-text structure lives beside this table and differs per database: an FTS5 table
    on SQLite, a tsvector column with a GIN index on PostgreSQL (see `rathaus.core.search`).
    """

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchTerm(models.Model):
    """Words seen in indexed documents: the vocabulary that typo correction chooses from."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.word


class Synonym(models.Model):
    """A word citizens use and the words the catalog uses for it ("Perso" -> "Personalausweis")."""

    term = models.CharField(_("Begriff"), max_length=64, unique=True)
    alternatives = models.CharField(
        _("gleichbedeutend"), max_length=300, help_text=_("Durch Komma getrennt.")
    )

    class Meta:
        verbose_name = _("Synonym")
        verbose_name_plural = _("Synonyme")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.alternatives}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.term = self.term.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
