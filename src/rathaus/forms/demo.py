"""Demo online forms: one JSON file per form in `rathaus/fixtures/demo/forms/`.

Each file holds the definition (slug, title, service by LeiKa key or slug, office, trust level,
processing days), the two documents of a version (`schema`, `ui`) and the fee. Loading is
idempotent: an unchanged file writes nothing; a changed definition field is updated in place,
but a changed schema, UI or fee is published as a new version, because a published version is
frozen (drafts started on it finish on it).

Publishing goes through `rathaus.forms.services.publish_version`, so the previous version is
retired, the linked catalog service shows "Online beantragen" and its maturity follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from rathaus.accounts.models import Office, User
from rathaus.catalog.maturity import TrustLevel
from rathaus.catalog.models import Service
from rathaus.core.errors import Problem, ValidationFailed
from rathaus.forms.engine import check_definition
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.forms.services import publish_version

FORMS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "forms"

REQUIRED_KEYS = ("slug", "title", "service", "office", "schema", "ui")
DEFINITION_KEYS = ("title", "min_trust_level", "processing_days", "retention_days")
VERSION_KEYS = ("schema", "ui", "fee_cents", "fee_label")


@dataclass
class FormsDemoResult:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.new_versions) + len(self.unchanged)


def read_form_files(data_dir: Path = FORMS_DIR) -> list[dict[str, Any]]:
    """The form files in name order, each checked for its keys; errors name file and key."""
    specs = []
    for path in sorted(data_dir.glob("*.json")):
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationFailed(
                f"Demo-Formular {path.name}: Datei nicht lesbar ({exc})."
            ) from exc
        if not isinstance(spec, dict):
            raise ValidationFailed(f"Demo-Formular {path.name}: erwartet ein JSON-Objekt.")
        missing = [key for key in REQUIRED_KEYS if key not in spec]
        if missing:
            raise ValidationFailed(
                f"Demo-Formular {path.name}: es fehlt {', '.join(missing)}.",
                problems=[Problem("fehlt", field=key) for key in missing],
            )
        if spec["slug"] != path.stem:
            raise ValidationFailed(
                f"Demo-Formular {path.name}: die Kennung {spec['slug']!r} muss dem Dateinamen "
                "entsprechen."
            )
        spec["_file"] = path.name
        specs.append(spec)
    return specs


def find_service(key: str) -> Service | None:
    """A demo service by its 14-digit LeiKa key, or else by its slug."""
    if key.isdigit() and len(key) == 14:
        return Service.objects.filter(leika_key=key).first()
    return Service.objects.filter(slug=key).first()


def _check(spec: dict[str, Any]) -> None:
    """The engine's publishing checks, reported with the file name."""
    problems = check_definition(spec["schema"], spec["ui"])
    if problems:
        raise ValidationFailed(
            f"Demo-Formular {spec['_file']}: kann so nicht veröffentlicht werden.",
            problems=problems,
        )


def _same_version(version: FormVersion, spec: dict[str, Any]) -> bool:
    return (
        version.schema == spec["schema"]
        and version.ui == spec["ui"]
        and version.fee_cents == int(spec.get("fee_cents", 0))
        and version.fee_label == spec.get("fee_label", "")
    )


# What publishing a form writes into the catalog entry of its service (forms.services).
CATALOG_FIELDS = (
    "channel_online",
    "online_service_url",
    "online_service_name",
    "online_service_own",
    "trust_level",
    "maturity_level",
    "maturity_level_v2",
)


def keep_form_catalog_fields(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Demo service rows with the online fields of services whose own form is published.

    The demo catalog file describes the services before they had a form; once a demo form is
    published, its service links to it. Loading the file again must not undo that (and then
    publishing again), or every run would rewrite those services and their history.
    """
    with_form = {
        definition.service_id: definition
        for definition in FormDefinition.objects.filter(
            is_active=True, service__isnull=False, versions__status=FormVersion.Status.PUBLISHED
        ).select_related("service")
    }
    current = {d.service.leika_key: d.service for d in with_form.values() if d.service}
    kept = []
    for row in rows:
        service = current.get(str(row.get("leika_key", "")))
        online = {name: getattr(service, name) for name in CATALOG_FIELDS} if service else {}
        kept.append({**row, **online})
    return kept


@transaction.atomic
def load_forms_demo(
    *, data_dir: Path = FORMS_DIR, publisher: User | None = None
) -> FormsDemoResult:
    """Create or bring up to date every demo form and publish its current version."""
    result = FormsDemoResult()
    for spec in read_form_files(data_dir):
        _check(spec)
        name = spec["_file"]
        service = find_service(str(spec["service"]))
        if service is None:
            raise ValidationFailed(f"Demo-Formular {name}: Leistung {spec['service']!r} fehlt.")
        office = Office.objects.filter(slug=spec["office"]).first()
        if office is None:
            raise ValidationFailed(f"Demo-Formular {name}: Stelle {spec['office']!r} fehlt.")
        values: dict[str, Any] = {
            "title": spec["title"],
            "service": service,
            "office": office,
            "min_trust_level": TrustLevel(spec.get("min_trust_level", "")),
            "processing_days": int(spec.get("processing_days", 14)),
            "retention_days": int(spec.get("retention_days", 365 * 6)),
            "is_active": True,
        }
        definition = FormDefinition.objects.filter(slug=spec["slug"]).first()
        if definition is None:
            definition = FormDefinition(slug=spec["slug"], **values)
            definition.full_clean()
            definition.save()
            outcome = "created"
        else:
            changed = [key for key, value in values.items() if getattr(definition, key) != value]
            for key in changed:
                setattr(definition, key, values[key])
            if changed:
                definition.full_clean()
                definition.save()
            outcome = "updated" if changed else "unchanged"
        current = definition.published_version
        if current is not None and _same_version(current, spec):
            getattr(result, outcome).append(spec["slug"])
            continue
        latest = definition.versions.order_by("-number").first()
        version = FormVersion.objects.create(
            definition=definition,
            number=(latest.number + 1) if latest else 1,
            schema=spec["schema"],
            ui=spec["ui"],
            fee_cents=int(spec.get("fee_cents", 0)),
            fee_label=spec.get("fee_label", ""),
            created_by=publisher,
        )
        # The forms app's own publishing: retires the previous version and puts the service
        # online in the catalog (channel, address, maturity) with its history.
        publish_version(version=version, user=publisher)
        if outcome == "created":
            result.created.append(spec["slug"])
        else:
            result.new_versions.append(spec["slug"])
    return result
