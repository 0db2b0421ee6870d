"""The council models in Django's admin: every list and form opens, saving keeps the search."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rathaus.core import search
from rathaus.council import services
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from tests.conftest import make_user
from tests.council.conftest import Council

MODELS = [Body, Organization, Person, Membership, Meeting, AgendaItem, Paper, Consultation, File]


@pytest.fixture
def admin_client(client: Client, council: Council, settings: Any) -> Client:
    settings.RATHAUS_STAFF_SECOND_FACTOR = False
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


def test_every_council_model_is_registered() -> None:
    for model in MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_lists_and_forms_open(admin_client: Client, model: Any) -> None:
    info = (model._meta.app_label, model._meta.model_name)
    listing = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert listing.status_code == 200
    obj = model.objects.order_by("pk").first()
    change = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    assert change.status_code == 200
    filtered = admin_client.get(
        reverse("admin:{}_{}_changelist".format(*info)), {"herkunft": "eigen"}
    )
    assert filtered.status_code == 200


def test_saving_a_paper_in_the_admin_updates_the_search(
    admin_client: Client, council: Council
) -> None:
    paper = council.mitteilung
    page = admin_client.get(reverse("admin:council_paper_change", args=[paper.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update(
        {
            "name": "Bericht über die Sanierung der Hallenbäder",
            "body": council.body.pk,
            "questions": "[]",
            "keywords": "[]",
            "is_public": "on",
        }
    )
    response = admin_client.post(reverse("admin:council_paper_change", args=[paper.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hits, _query = search.search("Hallenbäder", kinds=[services.PAPER_KIND], snippets=False)
    assert [hit.object_id for hit in hits] == [paper.pk]
