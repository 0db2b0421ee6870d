"""The OZG maturity models, as shown to citizens and staff.

Model 1.1 (levels 0-4) is the one the OZG implementation was measured by until 2025; the
OZG obligation counts as met from level 3. Model 2.0 (July 2025, levels 0-7) refines the
upper end towards end-to-end digital processing and data re-use. The texts are our own
summaries of the published definitions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

OZG_OBLIGATION_LEVEL_V1 = 3


class MaturityV1(models.IntegerChoices):
    OFFLINE = 0, _("0 – Offline")
    INFORMATION = 1, _("1 – Information")
    FORM = 2, _("2 – Formular-Assistent")
    ONLINE = 3, _("3 – Online-Leistung")
    TRANSACTION = 4, _("4 – Online-Transaktion")


MATURITY_V1_DEFINITIONS = {
    0: _("Es gibt keine Informationen über die Leistung im Internet."),
    1: _("Informationen über die Leistung sind online auffindbar."),
    2: _(
        "Ein Formular kann online ausgefüllt werden; Antrag und Nachweise werden aber "
        "noch auf Papier oder persönlich eingereicht."
    ),
    3: _(
        "Antrag und Nachweise werden vollständig online eingereicht; der Bescheid kann "
        "noch auf Papier kommen. Ab dieser Stufe gilt die OZG-Pflicht als erfüllt."
    ),
    4: _(
        "Die Leistung läuft vollständig digital, einschließlich Bescheid; Nachweise holt "
        "die Verwaltung mit Einwilligung selbst ein (Once-Only)."
    ),
}


class MaturityV2(models.IntegerChoices):
    NONE = 0, _("0 – Nicht digital")
    INFORMATION = 1, _("1 – Information")
    CONTACT = 2, _("2 – Kontakt und Formulare")
    APPLICATION = 3, _("3 – Online-Antrag")
    EVIDENCE = 4, _("4 – Nachweise digital")
    NOTICE = 5, _("5 – Digitaler Bescheid")
    END_TO_END = 6, _("6 – Ende-zu-Ende digital")
    PROACTIVE = 7, _("7 – Once-Only und proaktiv")


MATURITY_V2_DEFINITIONS = {
    0: _("Die Leistung ist nur analog zugänglich."),
    1: _("Verständliche Informationen zur Leistung stehen online bereit."),
    2: _("Formulare lassen sich herunterladen oder online ausfüllen; Kontakt ist digital möglich."),
    3: _("Der Antrag wird online gestellt und elektronisch an die Behörde übermittelt."),
    4: _("Nachweise werden digital eingereicht oder aus Registern abgerufen."),
    5: _("Der Bescheid wird digital zugestellt, etwa ins Postfach des Nutzerkontos."),
    6: _(
        "Die Verwaltung bearbeitet den Fall medienbruchfrei, vom Antrag bis zur Ablage "
        "in der E-Akte, mit Statusmeldungen an die Antragstellenden."
    ),
    7: _(
        "Daten werden nach dem Once-Only-Prinzip nachgenutzt; die Leistung wird, wo "
        "möglich, antragslos oder proaktiv erbracht."
    ),
}


class TrustLevel(models.TextChoices):
    """Vertrauensniveau of the online service's sign-in (eIDAS / TR-03107)."""

    NONE = "", _("keine Anmeldung nötig")
    LOW = "niedrig", _("niedrig (Basisregistrierung)")
    SUBSTANTIAL = "substantiell", _("substantiell (z. B. ELSTER-Zertifikat)")
    HIGH = "hoch", _("hoch (Online-Ausweisfunktion)")
