"""The Buxtehude demo: its data files, `load_demo`, and that loading it twice changes nothing."""

from __future__ import annotations

import datetime
import io
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.catalog import selectors
from rathaus.catalog.models import LifeSituation, Service, Topic
from rathaus.catalog.services import SEARCH_KIND
from rathaus.core.demo import DEMO_ACCOUNTS, DEMO_DIR, load_demo
from rathaus.core.models import SearchDocument, Synonym

LEIKA_KEY = re.compile(r"^99\d{12}$")
OWN_HOST = "service.buxtehude.example"


def demo_file(name: str, key: str) -> list[dict[str, Any]]:
    document = json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
    assert "Demo" in document["note"]
    return list(document[key])


# --- the data files ----------------------------------------------------------------------


def test_demo_services_are_keyed_and_linked_consistently() -> None:
    services = demo_file("services.json", "services")
    offices = {o["slug"] for o in demo_file("offices.json", "offices")}
    life_situations = {s["slug"] for s in demo_file("life_situations.json", "life_situations")}

    assert len(services) >= 150
    keys = [s["leika_key"] for s in services]
    assert all(LEIKA_KEY.match(k) for k in keys), [k for k in keys if not LEIKA_KEY.match(k)]
    assert len(set(keys)) == len(keys)
    assert len({s["name"] for s in services}) == len(services)
    for s in services:
        assert s["office"] in offices, s["name"]
        assert set(s["life_situations"]) <= life_situations, s["name"]
        assert s["topic"] in Topic.values, s["name"]
        assert isinstance(s["leika_key_verified"], bool)
        assert s["summary"], s["name"]
        assert s["description"], s["name"]
        if s["channel_online"]:
            assert s["online_service_url"].startswith("https://"), s["name"]
        if s["maturity_level"] >= 3:
            assert s["channel_online"], f"{s['name']}: level 3 and up means applying online"
    # Every life situation has services; every office but the Fachbereiche has some.
    assert {ls for s in services for ls in s["life_situations"]} == life_situations


def test_demo_services_show_a_realistic_mix() -> None:
    services = demo_file("services.json", "services")

    assert set(Counter(s["maturity_level"] for s in services)) == {0, 1, 2, 3, 4}
    assert {s["status"] for s in services} == {"published", "draft"}
    assert sum(s["status"] == "draft" for s in services) < len(services) // 5
    hosts = {urlsplit(s["online_service_url"]).hostname for s in services if s["channel_online"]}
    assert OWN_HOST in hosts
    assert len(hosts - {OWN_HOST}) >= 5  # external portals: state, EfA, federal, vendors
    # Demo links point to reserved names only, never to a real town's servers.
    assert all(h.endswith(".example") for h in hosts), hosts
    today = datetime.date(2026, 11, 27)  # when the demo data was written
    overdue = [s for s in services if datetime.date.fromisoformat(s["review_due"]) < today]
    assert 5 <= len(overdue) < len(services) // 4
    verified = [s for s in services if s["leika_key_verified"]]
    assert len(verified) >= 15
    assert all(s["annual_cases"] >= 0 for s in services)


def test_demo_offices_and_contacts_are_placeholders() -> None:
    offices = demo_file("offices.json", "offices")

    assert len(offices) >= 25
    for office in offices:
        assert office["email"].endswith("@example.org"), office["slug"]
        assert re.fullmatch(r"04161 501-\d{4}", office["phone"]), office["phone"]
        assert office["postal_code"] == "21614"
        assert office["city"] == "Buxtehude"
        assert office["accessibility"], office["slug"]
        assert office["opening_hours"], office["slug"]


# --- loading -----------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Office, LifeSituation, Synonym, Service, User, SearchDocument)
        },
        "service_modified": dict(Service.objects.values_list("leika_key", "modified")),
        "office_modified": dict(Office.objects.values_list("slug", "modified")),
        "service_history": Service.history.count(),
        "office_history": Office.history.count(),
        "passwords": dict(User.objects.values_list("username", "password")),
        "links": Service.life_situations.through.objects.count(),
    }


@pytest.mark.django_db
def test_load_demo_fills_an_empty_database_and_a_second_run_changes_nothing() -> None:
    assert not Service.objects.exists()

    first = load_demo()

    assert Office.objects.count() >= 25
    assert Service.objects.count() >= 150
    assert first.services.created == Service.objects.count()
    keys = list(Service.objects.values_list("leika_key", flat=True))
    assert all(LEIKA_KEY.match(k) for k in keys)
    assert len(set(keys)) == len(keys)
    assert not Service.objects.filter(office__isnull=True).exists()
    assert LifeSituation.objects.count() == 15
    assert Synonym.objects.filter(term="perso").exists()
    # Published services are in the search index, drafts are not.
    published = Service.objects.published()
    assert set(
        SearchDocument.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True)
    ) == set(published.values_list("pk", flat=True))
    assert not published.filter(published_at__isnull=True).exists()
    assert Service.objects.review_overdue().exists()
    bb = Office.objects.get(slug="buergerbuero")
    assert bb.parent is not None
    assert bb.parent.slug == "fb2-buergerservice-ordnung-soziales"

    before = snapshot()
    second = load_demo()

    assert snapshot() == before
    assert second.services.created == second.services.updated == 0
    assert second.offices.created == second.offices.updated == 0
    assert second.accounts.created == second.accounts.updated == 0
    assert not second.search_rebuilt


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Personalausweis", "Perso", "perso"])
def test_demo_search_finds_the_identity_card(query: str) -> None:
    load_demo(accounts=False)

    result = selectors.find_services(query)

    assert result.services, query
    assert result.services[0].name == "Personalausweis beantragen"
    assert result.services[0].leika_key == "99008001012000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ausweis", "Personalausweis beantragen"),
        ("Knöllchen", "Verwarnungsgeld bezahlen oder Einspruch einlegen"),
        ("Hochzeit", "Eheschließung anmelden"),
        ("Ummeldung", "Wohnsitz anmelden"),
        ("Anwohnerparkausweis", "Bewohnerparkausweis beantragen"),
    ],
)
def test_demo_synonyms_lead_to_the_service(query: str, expected: str) -> None:
    load_demo(accounts=False)

    names = [s.name for s in selectors.find_services(query).services[:3]]

    assert expected in names, names


@pytest.mark.django_db
def test_load_demo_repairs_changed_data_and_an_emptied_index() -> None:
    load_demo(accounts=False)
    service = Service.objects.get(leika_key="99102013104000")
    service.fees = "kostenlos"
    service.save()
    SearchDocument.objects.filter(kind=SEARCH_KIND).delete()

    result = load_demo(accounts=False)

    assert result.services.updated == 1
    service.refresh_from_db()
    assert service.fees.startswith("Steuer pro Jahr")
    assert result.search_rebuilt
    assert selectors.find_services("Hundemarke").services[0].pk == service.pk


@pytest.mark.django_db
def test_demo_accounts_exist_for_every_role_and_can_sign_in() -> None:
    load_demo()

    assert {a.role for a in DEMO_ACCOUNTS} == set(roles.ROLE_PERMISSIONS)
    for account in DEMO_ACCOUNTS:
        user = authenticate(username=account.username, password=account.password)
        assert user is not None, account.username
        assert list(user.groups.values_list("name", flat=True)) == [account.role]
        assert user.email == f"{account.username}@example.org"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    clerk = User.objects.get(username="sachbearbeitung")
    assert clerk.office is not None
    assert clerk.office.slug == "buergerbuero"
    assert not clerk.is_superuser
    assert User.objects.get(username="buerger").office is None


@pytest.mark.django_db
def test_load_demo_resets_a_changed_demo_password() -> None:
    load_demo()
    user = User.objects.get(username="buerger")
    user.set_password("ein-anderes-Passwort-1")
    user.save()

    result = load_demo()

    assert result.accounts.updated == 1
    assert authenticate(username="buerger", password="Demo-Buerger-2026!") is not None


@pytest.mark.django_db
def test_load_demo_command_prints_accounts_with_a_warning() -> None:
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    text = out.getvalue()
    assert re.search(r"Leistungen\s+1\d\d\s+\(neu 1\d\d, geändert 0", text)
    for account in DEMO_ACCOUNTS:
        assert re.search(rf"^{account.username}\s+.+\s+{re.escape(account.password)}$", text, re.M)
    assert "WARNUNG" in text
    assert "öffentlich" in text


@pytest.mark.django_db
def test_load_demo_command_without_accounts() -> None:
    out = io.StringIO()

    call_command("load_demo", "--no-accounts", stdout=out)

    assert not User.objects.exists()
    assert Service.objects.count() >= 150
    assert "Passwort" not in out.getvalue()
