"""The accessibility statement (§ 9b NBGG), drafted from the findings of an audit run.

`draft_from_audit` composes a German draft from one run of the auditor; the officer edits it
(`save_texts`) and releases it (`release`). The newest released statement is the one the
public page `/barrierefreiheit/` shows. A released statement is final: a change means a new
draft (from the next run, or `copy_as_draft`).

Compliance state, from the pages of the run that were checked without error:

* **vollständig vereinbar**: no finding on any page, and every page was checked in the
  320-pixel view and fits it (a page whose reflow was not checked does not count as fitting);
* **nicht vereinbar**: more than half of the pages have a finding of impact "serious" or
  "critical" (a page that does not fit 320 pixels has such a finding, see the auditor);
* **teilweise vereinbar**: everything in between.

The rule reads only the automated findings; the officer sets another state on the edit page
when the manual checks say otherwise.

The statement is public content of the town, written in German whatever the language of the
page that drafts it (like the answers to inquiries); only the error messages are translated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from rathaus.core.errors import Conflict, Problem, ValidationFailed
from rathaus.monitor.auditor import REFLOW_RULE
from rathaus.monitor.models import AccessibilityStatement, AuditFinding, AuditPage, AuditRun

EXAMPLES = 5
SERIOUS = (AuditFinding.Impact.SERIOUS, AuditFinding.Impact.CRITICAL)
_CRITERION = re.compile(r"^[1-4]\.\d{1,2}\.\d{1,2}$")

# The success criteria of WCAG 2.1, levels A and AA, with their German short names (the
# names of the authorized German translation, shortened where it is long).
WCAG_NAMES: dict[str, str] = {
    "1.1.1": "Nicht-Text-Inhalte",
    "1.2.1": "Reine Audio- und Videoinhalte (aufgezeichnet)",
    "1.2.2": "Untertitel (aufgezeichnet)",
    "1.2.3": "Audiodeskription oder Medienalternative (aufgezeichnet)",
    "1.2.4": "Untertitel (live)",
    "1.2.5": "Audiodeskription (aufgezeichnet)",
    "1.3.1": "Informationen und Beziehungen",
    "1.3.2": "Bedeutungstragende Reihenfolge",
    "1.3.3": "Sensorische Eigenschaften",
    "1.3.4": "Ausrichtung",
    "1.3.5": "Eingabezweck bestimmen",
    "1.4.1": "Benutzung von Farbe",
    "1.4.2": "Audio-Steuerelement",
    "1.4.3": "Kontrast (Minimum)",
    "1.4.4": "Textgröße ändern",
    "1.4.5": "Bilder eines Textes",
    "1.4.10": "Umbruch (Reflow)",
    "1.4.11": "Nicht-Text-Kontrast",
    "1.4.12": "Textabstand",
    "1.4.13": "Inhalte bei Hover oder Fokus",
    "2.1.1": "Tastatur",
    "2.1.2": "Keine Tastaturfalle",
    "2.1.4": "Tastaturkurzbefehle",
    "2.2.1": "Zeiteinteilung anpassbar",
    "2.2.2": "Pausieren, beenden, ausblenden",
    "2.3.1": "Grenzwert von dreimaligem Blitzen oder darunter",
    "2.4.1": "Blöcke umgehen",
    "2.4.2": "Seite mit Titel",
    "2.4.3": "Fokus-Reihenfolge",
    "2.4.4": "Linkzweck (im Kontext)",
    "2.4.5": "Verschiedene Methoden",
    "2.4.6": "Überschriften und Beschriftungen",
    "2.4.7": "Fokus sichtbar",
    "2.5.1": "Zeigergesten",
    "2.5.2": "Zeigerabbruch",
    "2.5.3": "Beschriftung im Namen",
    "2.5.4": "Betätigung durch Bewegung",
    "3.1.1": "Sprache der Seite",
    "3.1.2": "Sprache von Teilen",
    "3.2.1": "Bei Fokus",
    "3.2.2": "Bei Eingabe",
    "3.2.3": "Konsistente Navigation",
    "3.2.4": "Konsistente Erkennung",
    "3.3.1": "Fehlererkennung",
    "3.3.2": "Beschriftungen oder Anweisungen",
    "3.3.3": "Fehlerempfehlung",
    "3.3.4": "Fehlervermeidung (rechtlich, finanziell, Daten)",
    "4.1.1": "Syntaxanalyse",
    "4.1.2": "Name, Rolle, Wert",
    "4.1.3": "Statusmeldungen",
}

# What the most frequent axe-core rules find, in plain German; other rules are described by
# axe's own (English) help text, which the officer should rephrase before releasing.
RULE_TEXTS: dict[str, str] = {
    "color-contrast": "Texte heben sich nicht stark genug vom Hintergrund ab.",
    "image-alt": "Bildern fehlt ein Alternativtext.",
    "input-image-alt": "Grafischen Schaltflächen fehlt ein Alternativtext.",
    "role-img-alt": "Grafiken fehlt ein Alternativtext.",
    "svg-img-alt": "SVG-Grafiken fehlt ein Alternativtext.",
    "area-alt": "Bereichen von Imagemaps fehlt ein Alternativtext.",
    "label": "Formularfeldern fehlt eine Beschriftung.",
    "select-name": "Auswahllisten fehlt eine Beschriftung.",
    "link-name": "Links haben keinen erkennbaren Namen.",
    "button-name": "Schaltflächen haben keinen erkennbaren Namen.",
    "document-title": "Seiten haben keinen Titel.",
    "html-has-lang": "Die Sprache der Seite ist nicht angegeben.",
    "html-lang-valid": "Die angegebene Sprache der Seite ist ungültig.",
    "valid-lang": "Die Sprache von Textteilen ist ungültig angegeben.",
    "list": "Listen sind technisch nicht korrekt aufgebaut.",
    "listitem": "Listeneinträge stehen nicht in einer Liste.",
    "definition-list": "Definitionslisten sind technisch nicht korrekt aufgebaut.",
    "th-has-data-cells": "Tabellenüberschriften sind keinen Datenzellen zugeordnet.",
    "td-headers-attr": "Tabellenzellen verweisen auf falsche Überschriften.",
    "duplicate-id-aria": "Elemente, auf die sich Beschriftungen beziehen, haben doppelte IDs.",
    "aria-allowed-attr": "ARIA-Attribute werden an Elementen verwendet, die sie nicht erlauben.",
    "aria-required-attr": "Elementen mit einer ARIA-Rolle fehlen vorgeschriebene Attribute.",
    "aria-required-children": "Elementen mit einer ARIA-Rolle fehlen vorgeschriebene Kinder.",
    "aria-required-parent": "Elemente mit einer ARIA-Rolle stehen nicht im vorgeschriebenen "
    "Elternelement.",
    "aria-valid-attr-value": "ARIA-Attribute haben ungültige Werte.",
    "aria-hidden-focus": "Versteckte Bereiche enthalten Elemente, die den Fokus erhalten können.",
    "bypass": "Es gibt keinen Sprunglink oder keine Überschrift, um Navigationsblöcke zu "
    "überspringen.",
    "frame-title": "Eingebetteten Rahmen (iframes) fehlt ein Titel.",
    "link-in-text-block": "Links im Fließtext sind nur durch ihre Farbe erkennbar.",
    "meta-viewport": "Die Seite verhindert das Vergrößern auf mobilen Geräten.",
    "autocomplete-valid": "Der Eingabezweck von Formularfeldern ist falsch angegeben.",
    "nested-interactive": "Bedienelemente sind ineinander verschachtelt.",
    "video-caption": "Videos fehlen Untertitel.",
}

FIXED_ENTRIES: list[dict[str, Any]] = [
    {
        "kind": "fixed",
        "title": "Leichte Sprache und Gebärdensprache",
        "text": (
            "Es gibt noch keine Erläuterungen der wichtigsten Inhalte in Leichter Sprache und "
            "in Deutscher Gebärdensprache. Bis dahin erklären Ihnen die Dienststellen jede "
            "Leistung gern persönlich oder am Telefon."
        ),
        "criteria": [],
        "pages": [],
        "page_count": None,
    },
    {
        "kind": "fixed",
        "title": "Englische Fassung",
        "text": (
            "Die Bedienoberfläche ist übersetzt, die Inhalte nicht: Leistungsbeschreibungen, "
            "Dienststellen und die Unterlagen des Rates liegen nur auf Deutsch vor und sind auf "
            "den englischen Seiten als deutschsprachig ausgezeichnet."
        ),
        "criteria": [],
        "pages": [],
        "page_count": None,
    },
    {
        "kind": "fixed",
        "title": "Online-Dienste anderer Betreiber",
        "text": (
            "Manche Anträge stellen Sie über Online-Dienste des Landes, des Bundes oder eines "
            "Dienstleisters. Für deren Barrierefreiheit sind die Betreiber verantwortlich; sie "
            "sind nicht Teil dieser Erklärung. Jeden Antrag können Sie auch persönlich, "
            "schriftlich oder mit Unterstützung der zuständigen Dienststelle stellen."
        ),
        "criteria": [],
        "pages": [],
        "page_count": None,
    },
]

FEEDBACK = (
    "Ist Ihnen eine Barriere aufgefallen, oder brauchen Sie einen Inhalt in einer für Sie "
    "zugänglichen Form? Schreiben Sie uns. Nennen Sie bitte die Adresse der Seite und "
    "beschreiben Sie das Problem. Wir beantworten jede Meldung."
)
ENFORCEMENT = (
    "Wenn Sie auf Ihre Meldung keine oder keine zufriedenstellende Antwort erhalten haben, "
    "können Sie die Schlichtungsstelle nach § 9d NBGG anrufen. Sie ist bei der oder dem "
    "Landesbeauftragten für Menschen mit Behinderungen in Niedersachsen eingerichtet. Das "
    "Verfahren ist kostenlos; Sie brauchen dafür keinen Rechtsbeistand. Ziel ist eine "
    "außergerichtliche Einigung mit uns."
)


def _intro() -> str:
    town = settings.RATHAUS_MUNICIPALITY
    return (
        f"Die {town} möchte, dass alle Menschen ihr Rathaus online nutzen können, auch mit "
        "Screenreader, Tastatur, Vergrößerung oder Spracheingabe.\n\n"
        f"Diese Erklärung gilt für die Seiten des Rathaus online der {town}: Startseite, "
        "Leistungssuche, Leistungen von A bis Z, Leistungsbeschreibungen, Dienststellen, "
        "Ratsinformationssystem, Digitalisierungsmonitor und die rechtlichen Hinweise. "
        "Rechtsgrundlage sind die §§ 9 bis 9d des Niedersächsischen "
        "Behindertengleichstellungsgesetzes (NBGG); geprüft wird nach den Anforderungen der "
        "BITV 2.0 und der harmonisierten Norm EN 301 549, also nach WCAG 2.1 auf Stufe AA."
    )


def _method(day: dt.date, pages: int) -> str:
    return (
        f"Grundlage ist eine Selbstbewertung. Am {_day(day)} wurden {pages} Seiten und "
        "Online-Dienste automatisch in einem echten Browser mit dem Prüfwerkzeug axe-core auf "
        "die Regeln der WCAG 2.1 (Stufen A und AA) geprüft, außerdem in einer "
        "Smartphone-Ansicht von 320 Pixeln Breite. Von Hand prüfen wir Tastaturbedienung, "
        "Fokusreihenfolge und die Darstellung auf kleinen Bildschirmen. Ein vollständiger "
        "BITV-Test durch eine unabhängige Prüfstelle steht noch aus."
    )


def _day(day: dt.date) -> str:
    with override("de"):
        return date_format(day, "j. F Y")


def criterion_title(criterion: str) -> str:
    name = WCAG_NAMES.get(criterion)
    return f"{criterion} {name}" if name else f"WCAG-Erfolgskriterium {criterion}"


def _criterion_key(criterion: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion.split(".") if part.isdigit())


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"„{t}“" for t in titles)


def _page_label(page: AuditPage) -> str:
    return page.title.strip() or page.url


@dataclass
class _Group:
    """The pages and rules of one criterion's findings."""

    pages: dict[int, AuditPage] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)  # rule → axe help


def _problem_text(rules: dict[str, str]) -> str:
    parts = []
    for rule, help_text in sorted(rules.items()):
        german = RULE_TEXTS.get(rule)
        parts.append(german or f"Prüfregel „{rule}“: {help_text or 'ohne Beschreibung'}.")
    return " ".join(parts)


def _affected(pages: list[AuditPage], total: int) -> tuple[str, list[str]]:
    ordered = sorted(pages, key=lambda p: (p.depth, p.url))
    examples = [_page_label(p) for p in ordered[:EXAMPLES]]
    if len(pages) == 1:
        sentence = f"Betroffen ist 1 von {total} geprüften Seiten: {_quoted(examples)}."
    else:
        lead = "zum Beispiel" if len(pages) > EXAMPLES else "nämlich"
        sentence = (
            f"Betroffen sind {len(pages)} von {total} geprüften Seiten, {lead} {_quoted(examples)}."
        )
    return sentence, examples


REASON = (
    "Die Barriere wurde bei der automatischen Prüfung gefunden und wird bei der laufenden "
    "Pflege der Seiten behoben."
)


def compliance_for(pages: list[AuditPage], findings: list[AuditFinding]) -> str:
    """The state of compliance from the automated findings (the rule of the module docstring)."""
    if not findings and pages and all(p.reflows is True for p in pages):
        return AccessibilityStatement.Compliance.FULL
    serious_pages = {f.page_id for f in findings if f.impact in SERIOUS}
    if len(serious_pages) * 2 > len(pages):
        return AccessibilityStatement.Compliance.NONE
    return AccessibilityStatement.Compliance.PARTIAL


def audit_entries(pages: list[AuditPage], findings: list[AuditFinding]) -> list[dict[str, Any]]:
    """One entry per WCAG criterion with findings, then pages not fitting 320 pixels."""
    by_page = {p.pk: p for p in pages}
    groups: dict[str, _Group] = defaultdict(_Group)
    for finding in findings:
        if finding.rule == REFLOW_RULE:
            continue  # the reflow entry below covers it, with the pages' own flag
        for criterion in finding.criteria or [""]:
            group = groups[criterion]
            group.pages[finding.page_id] = by_page[finding.page_id]
            group.rules.setdefault(finding.rule, finding.help)
    total = len(pages)
    entries = []
    for criterion in sorted((c for c in groups if c), key=_criterion_key):
        group = groups[criterion]
        sentence, examples = _affected(list(group.pages.values()), total)
        entries.append(
            {
                "kind": "criterion",
                "title": criterion_title(criterion),
                "text": f"{_problem_text(group.rules)} {sentence} {REASON}",
                "criteria": [criterion],
                "pages": examples,
                "page_count": len(group.pages),
            }
        )
    if "" in groups:  # findings axe could not map to a success criterion
        group = groups[""]
        sentence, examples = _affected(list(group.pages.values()), total)
        entries.append(
            {
                "kind": "other",
                "title": "Weitere Befunde",
                "text": f"{_problem_text(group.rules)} {sentence} {REASON}",
                "criteria": [],
                "pages": examples,
                "page_count": len(group.pages),
            }
        )
    narrow = [p for p in pages if p.reflows is False]
    if narrow:
        sentence, examples = _affected(narrow, total)
        entries.append(
            {
                "kind": "reflow",
                "title": "Darstellung auf kleinen Bildschirmen (1.4.10 Umbruch)",
                "text": (
                    "Einige Seiten lassen sich bei einer Breite von 320 Pixeln nur mit "
                    f"seitlichem Scrollen lesen. {sentence} {REASON}"
                ),
                "criteria": ["1.4.10"],
                "pages": examples,
                "page_count": len(narrow),
            }
        )
    return entries


def _readability_entry(day: dt.date) -> dict[str, Any]:
    """The understandability of the service texts, with the monitor's readability figures."""
    from rathaus.monitor.metrics import READABLE_FLESCH, service_texts_readable

    text = (
        "Einige Leistungsbeschreibungen enthalten Fachbegriffe aus den zugrunde liegenden "
        "Gesetzen. Wir überarbeiten die Texte nach und nach."
    )
    measured = service_texts_readable(day)
    detail = measured.detail or {}
    if detail.get("texts") and measured.value is not None:
        share = f"{measured.value:.0f}".replace(".", ",")
        text += (
            f" Von {detail['texts']} Leistungsbeschreibungen sind derzeit {share} % gut "
            f"verständlich (Flesch-Wert nach Amstad von mindestens {READABLE_FLESCH:.0f})."
        )
        hardest = [h["name"] for h in detail.get("hardest", [])[:3]]
        if hardest:
            text += f" Schwer zu lesen sind zum Beispiel {_quoted(hardest)}."
    return {
        "kind": "fixed",
        "title": "Verständlichkeit der Leistungstexte",
        "text": text,
        "criteria": [],
        "pages": [],
        "page_count": None,
    }


def _fixed_entries(day: dt.date) -> list[dict[str, Any]]:
    first, *rest = FIXED_ENTRIES
    return [dict(first), _readability_entry(day), *(dict(e) for e in rest)]


@transaction.atomic
def draft_from_audit(run: AuditRun | None, user: Any = None) -> AccessibilityStatement:
    """A new draft statement from the findings of `run` (a finished run with checked pages)."""
    if run is None:
        raise ValidationFailed(
            str(_("Es gibt noch keinen abgeschlossenen Prüflauf für einen Entwurf."))
        )
    if run.finished_at is None:
        raise ValidationFailed(
            str(_("Der Prüflauf vom %(day)s ist nicht abgeschlossen.") % {"day": run})
        )
    pages = list(run.pages.filter(error="").order_by("depth", "url"))
    if not pages:
        raise ValidationFailed(
            str(_("Der Prüflauf vom %(day)s hat keine Seite fehlerfrei geprüft.") % {"day": run})
        )
    findings = list(AuditFinding.objects.filter(page__in=pages).order_by("page_id", "rule"))
    audited_on = timezone.localtime(run.started_at).date()
    today = timezone.localdate()
    return AccessibilityStatement.objects.create(
        run=run,
        audited_on=audited_on,
        compliance=compliance_for(pages, findings),
        intro=_intro(),
        method=_method(audited_on, len(pages)),
        entries=[*audit_entries(pages, findings), *_fixed_entries(today)],
        feedback=FEEDBACK,
        enforcement=ENFORCEMENT,
        prepared_on=today,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def copy_as_draft(statement: AccessibilityStatement, user: Any = None) -> AccessibilityStatement:
    """A new draft with the texts of `statement`, e.g. to correct a released one."""
    return AccessibilityStatement.objects.create(
        run=statement.run,
        audited_on=statement.audited_on,
        compliance=statement.compliance,
        intro=statement.intro,
        method=statement.method,
        entries=[dict(e) for e in statement.entries],
        feedback=statement.feedback,
        enforcement=statement.enforcement,
        prepared_on=timezone.localdate(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


# --- editing and releasing ------------------------------------------------------------------


def version(statement: AccessibilityStatement) -> str:
    """The token the edit form sends back: a save in between makes it stale."""
    return statement.modified.isoformat()


@dataclass(frozen=True)
class EntryInput:
    """One entry as edited: `source` is its index in the stored list, None for a new one.

    `key` names the entry's form fields in errors (`<key>-title`), by default `entry-<n>`
    with n its position in the list given.
    """

    title: str
    text: str
    criteria: str = ""
    source: int | None = None
    key: str = ""


@dataclass(frozen=True)
class StatementInput:
    compliance: str
    intro: str
    method: str
    feedback: str
    enforcement: str
    prepared_on: str
    entries: list[EntryInput]


def _locked(statement: AccessibilityStatement, expected: str | None) -> AccessibilityStatement:
    locked = AccessibilityStatement.objects.select_for_update().get(pk=statement.pk)
    if locked.status == AccessibilityStatement.Status.RELEASED:
        raise Conflict(
            str(
                _(
                    "Eine freigegebene Erklärung kann nicht mehr geändert werden; "
                    "erstellen Sie einen neuen Entwurf."
                )
            )
        )
    if expected is not None and expected != version(locked):
        raise Conflict(
            str(
                _(
                    "Die Erklärung wurde inzwischen von jemand anderem geändert. Bitte laden "
                    "Sie die Seite neu und übernehmen Sie Ihre Änderungen erneut."
                )
            )
        )
    return locked


def _parse_criteria(raw: str, key: str, problems: list[Problem]) -> list[str]:
    found = []
    for part in re.split(r"[,;\s]+", raw.strip()):
        if not part:
            continue
        if not _CRITERION.match(part):
            problems.append(
                Problem(
                    str(
                        _("„%(value)s“ ist keine Nummer eines WCAG-Erfolgskriteriums wie 1.4.3.")
                        % {"value": part}
                    ),
                    field=f"{key}-criteria",
                )
            )
        elif part not in found:
            found.append(part)
    return sorted(found, key=_criterion_key)


@transaction.atomic
def save_texts(
    statement: AccessibilityStatement, data: StatementInput, *, expected: str | None = None
) -> AccessibilityStatement:
    """Replace the texts and entries of a draft; nothing is written when anything is invalid.

    `expected` is the `version` the editor started from (None: do not check).
    """
    locked = _locked(statement, expected)
    problems: list[Problem] = []
    if data.compliance not in AccessibilityStatement.Compliance.values:
        problems.append(
            Problem(str(_("Bitte wählen Sie einen Stand der Vereinbarkeit.")), field="compliance")
        )
    for name, label in (
        ("intro", _("Einleitung")),
        ("method", _("Methode")),
        ("feedback", _("Barrieren melden")),
        ("enforcement", _("Schlichtungsverfahren")),
    ):
        if not getattr(data, name).strip():
            problems.append(
                Problem(str(_("%(label)s darf nicht leer sein.") % {"label": label}), field=name)
            )
    prepared_on = timezone.localdate()
    try:
        prepared_on = dt.date.fromisoformat(data.prepared_on.strip())
    except ValueError:
        problems.append(
            Problem(
                str(_("Bitte geben Sie das Datum der Erstellung an, z. B. 2026-11-27.")),
                field="prepared_on",
            )
        )
    if prepared_on > timezone.localdate():
        problems.append(
            Problem(str(_("Das Datum der Erstellung liegt in der Zukunft.")), field="prepared_on")
        )
    entries: list[dict[str, Any]] = []
    for index, entry in enumerate(data.entries):
        key = entry.key or f"entry-{index}"
        if entry.source is not None and not 0 <= entry.source < len(locked.entries):
            raise ValidationFailed(
                str(_("Eintrag %(n)s gibt es nicht.") % {"n": entry.source + 1}),
                problems=[Problem(str(_("unbekannter Eintrag")), field=f"{key}-title")],
            )
        title, text = entry.title.strip(), entry.text.strip()
        if not title:
            problems.append(
                Problem(str(_("Der Eintrag braucht eine Überschrift.")), field=f"{key}-title")
            )
        if not text:
            problems.append(Problem(str(_("Der Eintrag braucht einen Text.")), field=f"{key}-text"))
        criteria = _parse_criteria(entry.criteria, key, problems)
        base = dict(locked.entries[entry.source]) if entry.source is not None else {}
        entries.append(
            {
                "kind": "manual",
                "pages": [],
                "page_count": None,
                **base,
                "title": title,
                "text": text,
                "criteria": criteria,
            }
        )
    if problems:
        raise ValidationFailed(str(_("Die Erklärung wurde nicht gespeichert.")), problems=problems)
    locked.compliance = data.compliance
    locked.intro = data.intro.strip()
    locked.method = data.method.strip()
    locked.feedback = data.feedback.strip()
    locked.enforcement = data.enforcement.strip()
    locked.prepared_on = prepared_on
    locked.entries = entries
    locked.save()
    return locked


@transaction.atomic
def release(
    statement: AccessibilityStatement, *, user: Any, expected: str | None = None
) -> AccessibilityStatement:
    """Release the draft: from now on the public page shows it, until a newer one is released."""
    locked = _locked(statement, expected)
    if locked.compliance != AccessibilityStatement.Compliance.FULL and not locked.entries:
        raise ValidationFailed(
            str(_("Die Erklärung wurde nicht freigegeben.")),
            problems=[
                Problem(
                    str(
                        _(
                            "Bei teilweiser oder fehlender Vereinbarkeit müssen die nicht "
                            "barrierefreien Inhalte genannt werden."
                        )
                    ),
                    field="compliance",
                )
            ],
        )
    locked.status = AccessibilityStatement.Status.RELEASED
    locked.released_at = timezone.now()
    locked.released_by = user if getattr(user, "is_authenticated", False) else None
    locked.save(update_fields=["status", "released_at", "released_by", "modified"])
    return locked


# --- reading ----------------------------------------------------------------------------------


def current_statement() -> AccessibilityStatement | None:
    """The statement the public page shows: the newest released one."""
    return (
        AccessibilityStatement.objects.filter(status=AccessibilityStatement.Status.RELEASED)
        .select_related("run")
        .order_by("-released_at", "-pk")
        .first()
    )


def statements() -> list[AccessibilityStatement]:
    """All statements, newest first, each marked whether it is the current one."""
    current = current_statement()
    rows = list(AccessibilityStatement.objects.select_related("run").order_by("-created", "-pk"))
    for row in rows:
        row.is_current = current is not None and row.pk == current.pk  # type: ignore[attr-defined]
    return rows
