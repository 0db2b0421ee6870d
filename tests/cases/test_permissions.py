"""Who may open which case address: every role against every case URL, directly.

The matrix lists every URL name of the case pillar: the back office (`cases`), the citizen's
pages (`my_cases`), the record export (`case_export`) and the API (`cases_api`). A new URL
that is not listed here fails `test_every_case_url_is_in_the_matrix`, so nobody can add a
case address without saying who may use it.

Refusals are 403 or 404 (404 where even the existence of a case is not to be revealed), a
redirect to the sign-in page for anonymous visitors, or 401 from the API. Everything else
(a page, a redirect after an action, a form with errors) counts as "let in".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.cases import api_urls, citizen_urls, export_urls
from rathaus.cases import urls as staff_urls
from rathaus.cases.models import Case, CaseDocument, LetterTemplate, State
from tests.cases.citizen_helpers import (
    add_document,
    make_case,
    private_dir_fixture,  # noqa: F401 (the private_dir fixture)
    request_documents,
)
from tests.conftest import make_user, verified_login

pytestmark = pytest.mark.usefixtures("private_dir")

APPLICANT = "applicant"
OTHER_CITIZEN = "other_citizen"
CLERK = "clerk"
CLERK_OTHER_OFFICE = "clerk_other_office"
OFFICE_LEAD = "office_lead"
COUNCIL_MEMBER = "council_member"
COUNCIL_OFFICE = "council_office"
DIGITAL_OFFICER = "digital_officer"
ADMINISTRATOR = "administrator"
ANONYMOUS = "anonymous"
ROLES = (
    APPLICANT,
    OTHER_CITIZEN,
    CLERK,
    CLERK_OTHER_OFFICE,
    OFFICE_LEAD,
    COUNCIL_MEMBER,
    COUNCIL_OFFICE,
    DIGITAL_OFFICER,
    ADMINISTRATOR,
    ANONYMOUS,
)

# Who is let in, by kind of address.
WORKS_THIS_CASE = frozenset({CLERK, OFFICE_LEAD, ADMINISTRATOR})
WORKS_CASES = frozenset({CLERK, CLERK_OTHER_OFFICE, OFFICE_LEAD, ADMINISTRATOR})
EDITS_TEMPLATES = frozenset({OFFICE_LEAD, ADMINISTRATOR})
EXPORTS = frozenset({OFFICE_LEAD, ADMINISTRATOR})
SIGNED_IN = frozenset(set(ROLES) - {ANONYMOUS})
OWNER = frozenset({APPLICANT})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    method: str = "get"
    pk: str = ""  # which object a `pk` in the address is: "document" or "template"


MATRIX: dict[str, Rule] = {
    # back office, /verwaltung/vorgaenge/
    "cases:inbox": Rule(WORKS_CASES),
    "cases:bulk": Rule(WORKS_CASES, "post"),
    "cases:register": Rule(WORKS_CASES),
    "cases:template_list": Rule(EDITS_TEMPLATES),
    "cases:template_create": Rule(EDITS_TEMPLATES),
    "cases:template_edit": Rule(EDITS_TEMPLATES, pk="template"),
    "cases:detail": Rule(WORKS_THIS_CASE),
    "cases:take": Rule(WORKS_THIS_CASE, "post"),
    "cases:unassign": Rule(WORKS_THIS_CASE, "post"),
    "cases:assign": Rule(WORKS_THIS_CASE, "post"),
    "cases:state": Rule(WORKS_THIS_CASE, "post"),
    "cases:deadline": Rule(WORKS_THIS_CASE, "post"),
    "cases:note": Rule(WORKS_THIS_CASE, "post"),
    "cases:document": Rule(WORKS_THIS_CASE, "post"),
    "cases:letter": Rule(WORKS_THIS_CASE, "post"),
    "cases:message": Rule(WORKS_THIS_CASE, "post"),
    "cases:request": Rule(WORKS_THIS_CASE, "post"),
    "cases:decide": Rule(WORKS_THIS_CASE, "post"),
    "cases:close": Rule(WORKS_THIS_CASE, "post"),
    "cases:media": Rule(WORKS_THIS_CASE, "post"),
    "cases:document_download": Rule(WORKS_THIS_CASE, pk="document"),
    # record export, /verwaltung/akten/
    "case_export:download": Rule(EXPORTS),
    # the applicant's pages, /konto/antraege/
    "my_cases:index": Rule(SIGNED_IN),
    "my_cases:detail": Rule(OWNER),
    "my_cases:mark_read": Rule(OWNER, "post"),
    "my_cases:answer": Rule(OWNER),
    "my_cases:document": Rule(OWNER, pk="document"),
    # the API, /api/v1/
    "cases_api:case-list": Rule(WORKS_CASES),
    "cases_api:case-detail": Rule(WORKS_THIS_CASE),
    "cases_api:case-transition": Rule(WORKS_THIS_CASE, "post"),
    "cases_api:my-case-list": Rule(SIGNED_IN),
}


def url_names() -> set[str]:
    found = set()
    for module in (staff_urls, citizen_urls, export_urls, api_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), pattern
            found.add(f"{module.app_name}:{pattern.name}")
    return found


def test_every_case_url_is_in_the_matrix() -> None:
    names = url_names()
    assert not names - set(MATRIX), f"add these to MATRIX: {sorted(names - set(MATRIX))}"
    assert not set(MATRIX) - names, f"no longer exist: {sorted(set(MATRIX) - names)}"


@pytest.fixture
def world(office: Office) -> dict[str, Any]:
    """Two offices, one user per role, a case of the first office with documents."""
    other = Office.objects.create(name="Fachgruppe Ordnung", slug="ordnung")
    users: dict[str, User | None] = {
        APPLICANT: make_user("antragstellerin", roles.CITIZEN),
        OTHER_CITIZEN: make_user("nachbar", roles.CITIZEN),
        CLERK: make_user("sachbearbeitung", roles.CLERK, office=office),
        CLERK_OTHER_OFFICE: make_user("ordnungsamt", roles.CLERK, office=other),
        OFFICE_LEAD: make_user("leitung", roles.OFFICE_LEAD, office=office),
        COUNCIL_MEMBER: make_user("ratsmitglied", roles.COUNCIL_MEMBER),
        COUNCIL_OFFICE: make_user("ratsbuero", roles.COUNCIL_OFFICE, office=office),
        DIGITAL_OFFICER: make_user("digital", roles.DIGITAL_OFFICER, office=office),
        ADMINISTRATOR: make_user("administration", roles.ADMINISTRATOR, office=office),
        ANONYMOUS: None,
    }
    case = make_case(office, applicant=users[APPLICANT], state=State.IN_REVIEW)
    request_documents(case)
    document = add_document(case)
    template = LetterTemplate.objects.create(
        name="Bescheid", office=office, subject="Bescheid", body="Sehr geehrte …"
    )
    return {"users": users, "case": case, "document": document, "template": template}


def address(name: str, rule: Rule, world: dict[str, Any]) -> str:
    module = {"cases": staff_urls, "my_cases": citizen_urls, "case_export": export_urls}.get(
        name.split(":", maxsplit=1)[0], api_urls
    )
    pattern = next(p for p in module.urlpatterns if f"{module.app_name}:{p.name}" == name)
    kwargs: dict[str, Any] = {}
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    if "reference" in converters:
        kwargs["reference"] = world["case"].reference
    if "pk" in converters:
        kwargs["pk"] = world[rule.pk].pk
    return reverse(name, kwargs=kwargs)


def let_in(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code == 302 and reverse("accounts:login") in response["Location"]:
        return False
    assert response.status_code < 500
    return True


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        verified_login(client, user)  # every role with its second factor: this is about roles
    return client


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(name: str, world: dict[str, Any]) -> None:
    rule = MATRIX[name]
    url = address(name, rule, world)
    outcome = {}
    for role in ROLES:
        client = client_for(world["users"][role])
        response = getattr(client, rule.method)(url)
        outcome[role] = let_in(response)
        if not outcome[role] and role == ANONYMOUS and name.startswith("cases_api:"):
            assert response.status_code == 401
    expected = {role: role in rule.allowed for role in ROLES}
    assert outcome == expected, name


def test_other_office_gets_404_not_403(world: dict[str, Any]) -> None:
    """A clerk of another office learns nothing, not even that the reference exists."""
    client = client_for(world["users"][CLERK_OTHER_OFFICE])
    case: Case = world["case"]
    for name in ("cases:detail", "cases_api:case-detail"):
        assert client.get(reverse(name, kwargs={"reference": case.reference})).status_code == 404
    document: CaseDocument = world["document"]
    download = reverse(
        "cases:document_download", kwargs={"reference": case.reference, "pk": document.pk}
    )
    assert client.get(download).status_code == 404


def test_staff_without_second_factor(world: dict[str, Any]) -> None:
    """Password-only staff sessions: staff pages ask for the code, the API refuses."""
    client = Client()
    client.force_login(world["users"][CLERK])
    case: Case = world["case"]
    staff = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))
    assert staff.status_code == 302
    assert "zwei-faktor" in staff["Location"]
    export = client.get(reverse("case_export:download", kwargs={"reference": case.reference}))
    assert export.status_code == 302
    api = client.get(reverse("cases_api:case-detail", kwargs={"reference": case.reference}))
    assert api.status_code == 403
    assert client.get(reverse("my_cases:index")).status_code == 200
