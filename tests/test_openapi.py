"""The committed OpenAPI document (docs/openapi.yaml) is the one the code generates, is valid,
and describes what the API really answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from rathaus.accounts.models import Office
from rathaus.catalog.models import LifeSituation
from tests.conftest import make_service

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"
REGENERATE = (
    "docs/openapi.yaml is out of date with the code. Regenerate it with `make openapi` "
    "(or `rathaus spectacular --file docs/openapi.yaml --validate`), review the diff and "
    "commit it."
)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def generated() -> dict[str, Any]:
    # The same steps as the `spectacular` command, in the language it runs in.
    with translation.override(settings.LANGUAGE_CODE):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        rendered = OpenApiYamlRenderer().render(schema, renderer_context={})
    return yaml.safe_load(rendered)


def test_committed_document_matches_the_code(committed: dict[str, Any]) -> None:
    fresh = generated()
    # Compare part by part first, so a failure points at the path or component that drifted.
    parts = {
        "paths": (fresh["paths"], committed.get("paths", {})),
        "components/schemas": (
            fresh["components"]["schemas"],
            committed.get("components", {}).get("schemas", {}),
        ),
    }
    for where, (new, old) in parts.items():
        for key in sorted(set(new) | set(old)):
            assert new.get(key) == old.get(key), f"{where}/{key}: {REGENERATE}"
    assert fresh == committed, REGENERATE


def test_committed_document_is_valid_openapi(committed: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(committed)
    assert committed["openapi"].startswith("3.")


def test_every_parameter_and_error_is_documented(committed: dict[str, Any]) -> None:
    services = committed["paths"]["/api/v1/services/"]["get"]
    names = {p["name"] for p in services["parameters"]}
    assert names >= {
        "q",
        "life_situation",
        "office",
        "topic",
        "online",
        "maturity_level_min",
        "modified_since",
        "page",
        "page_size",
        "Accept-Language",
    }
    assert all(p.get("description") for p in services["parameters"])
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, item in committed["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            # Whatever can be missing (a path value, a page beyond the last) documents its 404.
            names = {p["name"] for p in operation.get("parameters", [])}
            if "{" in path or "page" in names:
                assert responses["404"]["content"]["application/json"]["schema"] == error_ref, path
            if operation.get("security") != [{}]:  # the case API: personal data, sign-in
                assert responses["401"]["content"]["application/json"]["schema"] == error_ref
    for path in ("/api/v1/services/", "/api/v1/services/{leika_key}/"):
        responses = committed["paths"][path]["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"] == error_ref
    assert set(committed["components"]["schemas"]["Error"]["properties"]) == {
        "code",
        "message",
        "problems",
    }


# --- the document against the running API -------------------------------------------------


@pytest.fixture
def sample(db: None, office: Office, life_situation: LifeSituation) -> dict[str, str]:
    """One object of each kind, with every optional part filled, and the path values to use.

    The case API needs a sign-in: `token` belongs to an administrator who is also the
    applicant of the sample case, so both the staff and the citizen endpoints have data.
    """
    service = make_service(
        office=office,
        topic="recht-ordnung",
        channel_online=True,
        online_service_url="https://service.example.org/ausweis",
        online_service_name="Ausweis online",
        trust_level="substantiell",
        keywords="Perso, Ausweis",
        life_situations=[life_situation],
    )
    make_service(leika_key="99123001000000", name="Geburtsurkunde", summary="Standesamt.")
    from rest_framework.authtoken.models import Token

    from rathaus.accounts import roles
    from rathaus.cases import services as case_services
    from tests.conftest import make_user

    admin = make_user("api-admin", roles.ADMINISTRATOR, office=office)
    case = case_services.create_case(
        office=office,
        channel="online",
        subject="Personalausweis",
        service_id=service.pk,
        applicant=admin,
        applicant_name="Erika Mustermann",
        data={"name": "Erika Mustermann"},
    )
    token = Token.objects.create(user=admin)
    from rathaus.monitor.registry import METRICS
    from rathaus.monitor.services import compute_all

    compute_all()  # every metric with a latest value

    return {
        "leika_key": service.leika_key,
        "slug": office.slug,
        "reference": case.reference,
        "token": token.key,
        "metric_id": next(iter(METRICS)),
    }


def response_validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for one response schema, resolving `$ref`s inside the document."""
    validators = pytest.importorskip("openapi_schema_validator")
    root = {**schema, "components": document["components"]}
    return validators.OAS30Validator(root, format_checker=validators.OAS30Validator.FORMAT_CHECKER)


def body_schema(
    document: dict[str, Any], path: str, status: str, method: str = "get"
) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path][method]["responses"][status]["content"][
        "application/json"
    ]["schema"]
    return schema


def auth_headers(document: dict[str, Any], path: str, method: str, sample: dict[str, str]) -> Any:
    """The token header for operations that need a sign-in (the case API), else none."""
    if document["paths"][path][method].get("security") == [{}]:
        return {}
    return {"Authorization": f"Token {sample['token']}"}


def test_every_documented_path_answers_as_documented(
    client: Any, committed: dict[str, Any], sample: dict[str, str]
) -> None:
    assert committed["paths"], "the document lists no paths"
    for template, item in committed["paths"].items():
        if "get" not in item:
            continue  # the one write (a case transition) is checked below
        url = re.sub(r"\{(\w+)\}", lambda m: sample[m.group(1)], template)
        response = client.get(url, headers=auth_headers(committed, template, "get", sample))
        assert response.status_code == 200, (template, response.content[:300])
        body = response.json()
        if "results" in body:
            assert body["results"], f"{url} returned no items to check against the schema"
        response_validator(committed, body_schema(committed, template, "200")).validate(body)


def test_case_transition_answers_as_documented(
    client: Any, committed: dict[str, Any], sample: dict[str, str]
) -> None:
    template = "/api/v1/cases/{reference}/transition/"
    url = template.replace("{reference}", sample["reference"])
    headers = auth_headers(committed, template, "post", sample)
    for payload, status in (
        ({"state": "in_review", "version": 1}, "200"),
        ({"state": "waiting", "version": 1}, "409"),
        ({"state": "waiting"}, "400"),
    ):
        response = client.post(url, payload, content_type="application/json", headers=headers)
        assert str(response.status_code) == status, response.content[:300]
        response_validator(committed, body_schema(committed, template, status, "post")).validate(
            response.json()
        )
    for url, template, status in (
        ("/api/v1/cases/?state=offen", "/api/v1/cases/", "400"),
        ("/api/v1/cases/BUX-1999-000001/", "/api/v1/cases/{reference}/", "404"),
    ):
        response = client.get(url, headers=headers)
        assert str(response.status_code) == status
        response_validator(committed, body_schema(committed, template, status)).validate(
            response.json()
        )


@pytest.mark.parametrize(
    ("url", "template", "status"),
    [
        ("/api/v1/cases/", "/api/v1/cases/", "401"),
        ("/api/v1/me/cases/", "/api/v1/me/cases/", "401"),
        ("/api/v1/cases/BUX-1999-000001/", "/api/v1/cases/{reference}/", "401"),
        ("/api/v1/services/?modified_since=bald", "/api/v1/services/", "400"),
        ("/api/v1/services/?page=42", "/api/v1/services/", "404"),
        ("/api/v1/services/123/", "/api/v1/services/{leika_key}/", "400"),
        ("/api/v1/services/99999999999999/", "/api/v1/services/{leika_key}/", "404"),
        ("/api/v1/offices/keine/", "/api/v1/offices/{slug}/", "404"),
    ],
)
@pytest.mark.usefixtures("sample")
def test_errors_answer_as_documented(
    client: Any,
    committed: dict[str, Any],
    url: str,
    template: str,
    status: str,
) -> None:
    response = client.get(url)
    assert str(response.status_code) == status
    response_validator(committed, body_schema(committed, template, status)).validate(
        response.json()
    )


def test_schema_endpoint_serves_the_committed_document(client: Any, db: None) -> None:
    response = client.get("/api/v1/schema.yaml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content == COMMITTED.read_bytes()
    assert response["Access-Control-Allow-Origin"] == "*"

    etag = response["ETag"]
    cached = client.get("/api/v1/schema.yaml", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
