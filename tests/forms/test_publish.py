"""Publishing: frozen versions, drafts staying on their version, catalog link and maturity,
the search index."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rathaus.accounts import roles
from rathaus.accounts.models import Office
from rathaus.catalog.maturity import MaturityV1, MaturityV2, TrustLevel
from rathaus.catalog.models import Service
from rathaus.core import search
from rathaus.core.errors import Conflict, ValidationFailed
from rathaus.forms import indexing, services
from rathaus.forms.models import Draft, FormDefinition, FormVersion
from tests.conftest import make_service, make_user
from tests.forms.factories import make_form, schema, ui


@pytest.fixture
def lead(office: Office) -> Any:
    return make_user("fbl", roles.OFFICE_LEAD, office=office)


def draft_form(office: Office, service: Service | None = None, **fields: Any) -> FormDefinition:
    return make_form(office, publish=False, service=service, **fields)


def test_published_version_is_frozen(office: Office) -> None:
    version = make_form(office).versions.get()
    version.schema = {**version.schema, "title": "geändert"}
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(Conflict):
        services.save_version(
            version=FormVersion.objects.get(pk=version.pk),
            schema=schema(),
            ui=ui(),
            fee_cents=0,
            fee_label="",
        )


def test_running_draft_stays_on_its_version(client: Client, office: Office, lead: Any) -> None:
    definition = make_form(office)
    client.post("/antraege/hund-anmelden/")
    draft = Draft.objects.get()
    v1 = definition.versions.get()

    v2 = services.new_version(definition=definition, user=lead)
    changed_ui = copy.deepcopy(v2.ui)
    changed_ui["steps"][0]["title"] = "Wer meldet an?"
    services.save_version(
        version=v2, schema=v2.schema, ui=changed_ui, fee_cents=500, fee_label="", user=lead
    )
    services.publish_version(version=v2, user=lead)
    v1.refresh_from_db()
    assert v1.status == FormVersion.Status.RETIRED
    assert definition.published_version == v2

    html = client.get(f"/antraege/entwurf/{draft.resume_token}/halter/").content.decode()
    assert "Halterin oder Halter" in html  # still version 1
    draft.refresh_from_db()
    assert draft.version == v1
    client.post("/antraege/hund-anmelden/")
    newer = Draft.objects.latest("pk")
    assert newer.version == v2
    assert (
        "Wer meldet an?"
        in client.get(f"/antraege/entwurf/{newer.resume_token}/halter/").content.decode()
    )


def test_publish_refuses_an_incomplete_definition(office: Office, lead: Any) -> None:
    broken = ui()
    del broken["steps"][2]
    version = draft_form(office, ui=broken).versions.get()
    with pytest.raises(ValidationFailed) as caught:
        services.publish_version(version=version, user=lead)
    assert any("„bemerkung“" in p.message for p in caught.value.problems)
    version.refresh_from_db()
    assert version.status == FormVersion.Status.DRAFT


def test_catalog_link_and_maturity_follow_publish_and_retire(
    client: Client, office: Office, lead: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://rathaus.example.org"
    service = make_service(
        leika_key="99108001001000", name="Hundesteuer anmelden", office=office, maturity_level=1
    )
    definition = draft_form(office, service)
    html = client.get(service.get_absolute_url()).content.decode()
    assert "Online beantragen" not in html

    services.publish_version(version=definition.versions.get(), user=lead)
    service.refresh_from_db()
    assert service.channel_online
    assert service.online_service_url == "https://rathaus.example.org/antraege/hund-anmelden/"
    assert service.online_service_name == "Hund anmelden"
    assert service.online_service_own
    # No sign-in required: the decision cannot reach an account, so 1.1 level 3; no uploads: 2.0 3.
    assert service.maturity_level == MaturityV1.ONLINE
    assert service.maturity_level_v2 == MaturityV2.APPLICATION
    assert service.history.first().history_change_reason == "Online-Formular veröffentlicht"

    html = client.get(service.get_absolute_url()).content.decode()
    link = '<a class="button button-large" href="/antraege/hund-anmelden/">'
    assert f"{link}Online beantragen: Hund anmelden</a>" in html
    english = client.get(f"/en{service.get_absolute_url()}").content.decode()
    assert 'href="/en/antraege/hund-anmelden/"' in english

    services.retire_definition(definition=definition, user=lead)
    service.refresh_from_db()
    assert not service.channel_online
    assert service.online_service_url == ""
    assert service.maturity_level == MaturityV1.INFORMATION
    assert "Online beantragen" not in client.get(service.get_absolute_url()).content.decode()


def test_maturity_with_account_uploads_and_fee(office: Office, lead: Any, settings: Any) -> None:
    service = make_service(leika_key="99000000000010", name="Sondernutzung", office=office)
    with_file = schema()
    with_file["properties"]["nachweis"] = {
        "type": "array",
        "title": "Nachweis",
        "items": {"type": "integer"},
    }
    file_ui = ui()
    file_ui["steps"][2]["fields"].append(
        {"name": "nachweis", "widget": "file", "accept": ["application/pdf"], "max_mb": 5}
    )
    definition = make_form(
        office,
        publish=False,
        service=service,
        schema=with_file,
        ui=file_ui,
        fee_cents=2000,
        min_trust_level=TrustLevel.SUBSTANTIAL,
    )
    settings.RATHAUS_PAYMENT_PROVIDER = "test"
    services.publish_version(version=definition.versions.get(), user=lead)
    service.refresh_from_db()
    assert service.maturity_level == MaturityV1.TRANSACTION
    assert service.maturity_level_v2 == MaturityV2.END_TO_END
    assert service.trust_level == TrustLevel.SUBSTANTIAL


def test_maturity_never_lowers_a_level_set_by_hand(office: Office, lead: Any) -> None:
    service = make_service(
        leika_key="99000000000011", name="Proaktiv", office=office, maturity_level_v2=7
    )
    definition = draft_form(office, service)
    services.publish_version(version=definition.versions.get(), user=lead)
    service.refresh_from_db()
    assert service.maturity_level_v2 == 7
    assert service.maturity_level == MaturityV1.ONLINE


def test_fee_without_online_payment_stays_at_level_3(
    office: Office, lead: Any, settings: Any
) -> None:
    settings.RATHAUS_PAYMENT_PROVIDER = "none"
    service = make_service(leika_key="99000000000012", name="Mit Gebühr", office=office)
    definition = make_form(
        office, publish=False, service=service, fee_cents=1000, min_trust_level=TrustLevel.LOW
    )
    services.publish_version(version=definition.versions.get(), user=lead)
    service.refresh_from_db()
    assert service.maturity_level == MaturityV1.ONLINE


def test_search_index_follows_publish_retire_and_rebuild(
    office: Office, lead: Any, dog_service: Service
) -> None:
    definition = draft_form(office, dog_service)
    hits, _query = search.search("Hund anmelden", kinds=[indexing.SEARCH_KIND])
    assert hits == []
    services.publish_version(version=definition.versions.get(), user=lead)
    hits, _query = search.search("Hundemarke", kinds=[indexing.SEARCH_KIND])
    assert [(h.object_id, h.title, h.url) for h in hits] == [
        (definition.pk, "Hund anmelden", "/antraege/hund-anmelden/")
    ]
    # Full rebuild gives the same entry back after the index was emptied.
    search.remove_documents(indexing.SEARCH_KIND, [definition.pk])
    assert indexing.rebuild() == 1
    assert search.search("Hund", kinds=[indexing.SEARCH_KIND])[0]
    services.retire_definition(definition=definition, user=lead)
    assert search.search("Hund", kinds=[indexing.SEARCH_KIND])[0] == []


def test_deactivating_removes_link_and_search_entry(
    client: Client, office: Office, lead: Any, dog_form: FormDefinition
) -> None:
    services.publish_version(
        version=services.new_version(definition=dog_form, user=lead), user=lead
    )
    assert search.search("Hund", kinds=[indexing.SEARCH_KIND])[0]
    dog_form.is_active = False
    services.update_definition(definition=dog_form, user=lead)
    assert search.search("Hund", kinds=[indexing.SEARCH_KIND])[0] == []
    assert client.get("/antraege/hund-anmelden/").status_code == 404
    detail = client.get(dog_form.service.get_absolute_url()).content.decode()
    assert "Online beantragen" not in detail
