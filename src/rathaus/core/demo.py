"""The Buxtehude demo: offices, life situations, synonyms, services and one account per role,
then the council (bodies, members, meetings, papers with PDFs; see `rathaus.council.demo`).

The data lives in `rathaus/fixtures/demo/*.json` (services in the JSON format of the catalog
import). Loading is idempotent: a row that already matches the file is not written again, so
running it twice creates no duplicates and leaves timestamps and change history untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases.demo import CasesDemoResult, load_cases_demo
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.services import SEARCH_KIND, rebuild_search_index
from rathaus.core.errors import ValidationFailed
from rathaus.core.models import SearchDocument, Synonym
from rathaus.council.demo import COUNCIL_DIR, CouncilDemoResult, load_council_demo
from rathaus.forms.demo import (
    FORMS_DIR,
    FormsDemoResult,
    keep_form_catalog_fields,
    load_forms_demo,
)

DEMO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
# Extra keys of the demo services file that the catalog import does not know.
DEMO_ONLY_SERVICE_KEYS = ("leika_key_verified",)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    # Public on purpose: the demo prints them. Never reuse them in a real installation.
    password: str
    office: str = ""  # slug
    superuser: bool = False
    staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin",
        roles.ADMINISTRATOR,
        "Demo-Admin-2026!",
        office="digitalisierung-it",
        superuser=True,
        staff=True,
    ),
    DemoAccount(
        "digitalisierung",
        roles.DIGITAL_OFFICER,
        "Demo-Digital-2026!",
        office="digitalisierung-it",
        staff=True,
    ),
    DemoAccount("sachbearbeitung", roles.CLERK, "Demo-Buergerbuero-2026!", office="buergerbuero"),
    DemoAccount(
        "fachbereichsleitung", roles.OFFICE_LEAD, "Demo-Leitung-2026!", office="buergerbuero"
    ),
    DemoAccount("ratsbuero", roles.COUNCIL_OFFICE, "Demo-Ratsbuero-2026!", office="ratsbuero"),
    DemoAccount("ratsmitglied", roles.COUNCIL_MEMBER, "Demo-Ratsmitglied-2026!"),
    DemoAccount(
        "redaktion", roles.NEWS_EDITOR, "Demo-Redaktion-2026!", office="fb1-zentrale-steuerung"
    ),
    DemoAccount("buerger", roles.CITIZEN, "Demo-Buerger-2026!"),
)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class DemoResult:
    offices: Tally = field(default_factory=Tally)
    life_situations: Tally = field(default_factory=Tally)
    synonyms: Tally = field(default_factory=Tally)
    services: Tally = field(default_factory=Tally)
    accounts: Tally = field(default_factory=Tally)
    account_list: list[DemoAccount] = field(default_factory=list)
    search_rebuilt: bool = False
    warnings: list[str] = field(default_factory=list)
    council: CouncilDemoResult | None = None
    news: Any = None  # rathaus.news.demo.NewsDemoResult
    newsletter: Any = None  # rathaus.newsletter.demo.NewsletterDemoResult
    monitor: Any = None  # rathaus.monitor.demo.MonitorDemoResult
    forms: FormsDemoResult | None = None
    cases: CasesDemoResult | None = None


def _read(name: str, key: str, data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"Demo-Daten {name}: Datei nicht lesbar ({exc}).") from exc
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ValidationFailed(f'Demo-Daten {name}: erwartet ein Objekt mit der Liste "{key}".')
    return items


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> str:
    """Create the row, or change only the fields that differ; returns what happened."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save()
    return "updated"


def _load_offices(rows: list[dict[str, Any]], tally: Tally) -> None:
    by_slug = {row["slug"]: row for row in rows}
    done: set[str] = set()

    def load(slug: str, trail: tuple[str, ...] = ()) -> None:
        if slug in done:
            return
        if slug in trail:
            raise ValidationFailed(
                f"Demo-Daten offices.json: Kreis in den Oberstellen bei {slug!r}."
            )
        values = dict(by_slug[slug])
        values.pop("slug")
        parent_slug = values.pop("parent", "") or ""
        if parent_slug:
            if parent_slug not in by_slug:
                raise ValidationFailed(
                    f"Demo-Daten offices.json: Oberstelle {parent_slug!r} von {slug!r} fehlt."
                )
            load(parent_slug, (*trail, slug))  # parents first
            values["parent"] = Office.objects.get(slug=parent_slug)
        else:
            values["parent"] = None
        tally.add(_upsert(Office, {"slug": slug}, values))
        done.add(slug)

    for slug in by_slug:
        load(slug)


def _load_life_situations(rows: list[dict[str, Any]], tally: Tally) -> None:
    for row in rows:
        values = dict(row)
        slug = values.pop("slug")
        tally.add(_upsert(LifeSituation, {"slug": slug}, values))


def _load_synonyms(rows: list[dict[str, Any]], tally: Tally) -> None:
    for row in rows:
        term = str(row["term"]).strip().lower()
        tally.add(_upsert(Synonym, {"term": term}, {"alternatives": row["alternatives"]}))


def _load_services(rows: list[dict[str, Any]], tally: Tally, warnings: list[str]) -> None:
    """Hand the services to the catalog import: same validation, upsert by LeiKa key."""
    from rathaus.catalog.io.importer import import_services

    clean = [{k: v for k, v in row.items() if k not in DEMO_ONLY_SERVICE_KEYS} for row in rows]
    # Services with a published demo form keep the online fields publishing gave them.
    clean = keep_form_catalog_fields(clean)
    data = json.dumps({"services": clean}, ensure_ascii=False, indent=1).encode()
    result = import_services(data=data, filename="demo/services.json", fmt="json")
    tally.created += len(result.created)
    tally.updated += len(result.updated)
    tally.unchanged += len(result.unchanged)
    warnings.extend(p.message for p in result.warnings.problems)


def _load_accounts(accounts: Iterable[DemoAccount], tally: Tally) -> list[DemoAccount]:
    roles.ensure_roles()
    loaded = []
    for account in accounts:
        office = Office.objects.get(slug=account.office) if account.office else None
        user = User.objects.filter(username=account.username).first()
        outcome = "unchanged"
        if user is None:
            user = User.objects.create_user(
                username=account.username, email=account.email, password=account.password
            )
            outcome = "created"
        wanted = {
            "email": account.email,
            "office": office,
            "is_staff": account.staff,
            "is_superuser": account.superuser,
            "is_active": True,
        }
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        # Reset a changed password so the printed table stays true; an unchanged one is not
        # re-hashed (a new salt would count as a change).
        if outcome == "unchanged" and not user.check_password(account.password):
            user.set_password(account.password)
            changed.append("password")
        if changed:
            user.save()
            outcome = "updated" if outcome == "unchanged" else outcome
        group = Group.objects.get(name=account.role)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            outcome = "updated" if outcome == "unchanged" else outcome
        tally.add(outcome)
        loaded.append(account)
    return loaded


def _search_index_complete() -> bool:
    published = set(Service.objects.published().values_list("pk", flat=True))
    indexed = set(
        SearchDocument.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True)
    )
    return published == indexed


def load_demo(
    *,
    accounts: bool = True,
    data_dir: Path = DEMO_DIR,
    council_scale: float | None = None,
    cases: int | None = None,
) -> DemoResult:
    """Load (or bring up to date) the whole demo in one transaction.

    `council_scale` sizes the council demo (1 = about 1,000 papers, 0 = none); by default
    the setting RATHAUS_DEMO_COUNCIL_SCALE, else 1. `cases` is the number of historic cases
    (generated once, only with the demo accounts); by default RATHAUS_DEMO_CASES, else 2,000.
    """
    if council_scale is None:
        council_scale = settings.RATHAUS_DEMO_COUNCIL_SCALE
    if cases is None:
        cases = settings.RATHAUS_DEMO_CASES
    result = DemoResult()
    with transaction.atomic():
        _load_offices(_read("offices.json", "offices", data_dir), result.offices)
        _load_life_situations(
            _read("life_situations.json", "life_situations", data_dir), result.life_situations
        )
        _load_synonyms(_read("synonyms.json", "synonyms", data_dir), result.synonyms)
        _load_services(
            _read("services.json", "services", data_dir), result.services, result.warnings
        )
        if accounts:
            result.account_list = _load_accounts(DEMO_ACCOUNTS, result.accounts)
        # Online forms need the services and offices; the historic cases need the forms and
        # the clerks' accounts.
        forms_dir = data_dir / "forms"
        result.forms = load_forms_demo(data_dir=forms_dir if forms_dir.is_dir() else FORMS_DIR)
        if accounts and cases > 0:
            result.cases = load_cases_demo(count=cases)
        # The import indexes what it writes; this only repairs an index that was emptied or
        # restored separately, so a second run stays a no-op.
        if not _search_index_complete():
            rebuild_search_index()
            result.search_rebuilt = True
        # The council comes last: it links the demo council member to the account above.
        if council_scale > 0:
            council_dir = data_dir / "council"
            result.council = load_council_demo(
                scale=council_scale,
                data_dir=council_dir if council_dir.is_dir() else COUNCIL_DIR,
            )
        # News, official notices and events (texts and dates in `rathaus.news.demo`).
        from rathaus.news.demo import load_news_demo

        result.news = load_news_demo()
        # Newsletter subscribers and a sent issue (needs the news topics and items).
        from rathaus.newsletter.demo import load_newsletter_demo

        result.newsletter = load_newsletter_demo()
        # Last: the monitor measures everything above (a year of figures, every 14 days).
        from rathaus.monitor.demo import load_monitor_demo

        result.monitor = load_monitor_demo(history=settings.RATHAUS_DEMO_MONITOR_HISTORY)
    return result
