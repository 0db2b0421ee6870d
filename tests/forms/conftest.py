from __future__ import annotations

from typing import Any

import pytest

from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition
from tests.conftest import make_service
from tests.forms.factories import make_form


@pytest.fixture
def dog_service(office: Office) -> Service:
    return make_service(
        leika_key="99108001001000",
        name="Hundesteuer anmelden",
        slug="hundesteuer-anmelden",
        summary="Wer einen Hund hält, meldet ihn zur Hundesteuer an.",
        keywords="Hund, Hundemarke",
        office=office,
    )


@pytest.fixture
def dog_form(office: Office, dog_service: Service) -> FormDefinition:
    return make_form(office, service=dog_service)


def step_post(**values: Any) -> dict[str, Any]:
    return {"action": "next", **values}
