"""Shapes of the case API (`/api/v1/cases/`, `/api/v1/me/cases/`) and of its parameters.

As in the catalog API, the serializers are the source of the OpenAPI document, help texts
are plain English, optional texts are "" and missing objects null. Staff see the case with
its applicant, data, documents (metadata only) and audit trail; the applicant's own view
(`MyCaseSerializer`) leaves out everything internal.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rathaus.cases import citizen_selectors
from rathaus.cases.models import Case, CaseDocument, CaseEvent, Channel, Outcome, State
from rathaus.catalog.serializers import NullableObjectField, QueryDateTimeField, absolute_url

LEIKA_RE = r"^\d{14}$"


# --- query parameters and payloads ----------------------------------------------------------


class CaseQuerySerializer(serializers.Serializer[Any]):
    """Filters of the case list; each wrong one is named in the 400 answer."""

    state = serializers.ChoiceField(
        choices=State.choices, required=False, help_text="Only cases in this state."
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Only cases received on this channel."
    )
    service = serializers.RegexField(
        LEIKA_RE,
        required=False,
        help_text="Only cases of the service with this LeiKa key (14 digits).",
        error_messages={"invalid": _("Der LeiKa-Schlüssel besteht aus genau 14 Ziffern.")},
    )
    office = serializers.SlugField(required=False, help_text="Only cases of this office (slug).")
    received_after = QueryDateTimeField(
        required=False,
        help_text=(
            "Only cases received at or after this ISO 8601 date or datetime (Europe/Berlin "
            "when no offset is given; encode `+` as `%2B`)."
        ),
    )
    received_before = QueryDateTimeField(
        required=False, help_text="Only cases received before this ISO 8601 date or datetime."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("received_after"), attrs.get("received_before")
        if after and before and after >= before:
            raise serializers.ValidationError(
                {"received_before": _("Muss nach „received_after“ liegen.")}
            )
        return attrs


class TransitionSerializer(serializers.Serializer[Any]):
    """The body of `POST /api/v1/cases/{reference}/transition/`."""

    state = serializers.ChoiceField(choices=State.choices, help_text="The state to move to.")
    version = serializers.IntegerField(
        min_value=1,
        help_text=(
            "The case's `version` as last read. If the case changed since, nothing is written "
            "and the answer is 409."
        ),
    )


# --- output ---------------------------------------------------------------------------------


class CaseServiceSerializer(serializers.Serializer[Any]):
    leika_key = serializers.CharField(help_text="LeiKa key (14 digits).")
    name = serializers.CharField()


class CaseOfficeSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CaseSerializer(serializers.Serializer[Case]):
    """A case in lists: what the inbox shows, no applicant data."""

    reference = serializers.CharField(help_text="Aktenzeichen, e.g. BUX-2026-000123.")
    subject = serializers.CharField()
    service = NullableObjectField(CaseServiceSerializer, help_text="The service applied for.")
    office = CaseOfficeSerializer(help_text="The office working the case.")
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="How it came in.")
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, help_text='Outcome of the decision; "" while open.'
    )
    assignee = serializers.SerializerMethodField(help_text="User name of the clerk, or null.")
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Optimistic lock: send it back with a transition.")
    url = serializers.SerializerMethodField(help_text="The API address of the case.")

    def get_service(self, case: Case) -> dict[str, str] | None:
        if case.service is None:
            return None
        return {"leika_key": case.service.leika_key, "name": case.service.name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, case: Case) -> str | None:
        return case.assignee.get_username() if case.assignee else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case: Case) -> str:
        from django.urls import reverse

        path = reverse("cases_api:case-detail", kwargs={"reference": case.reference})
        return absolute_url(self.context, path)


class DocumentSerializer(serializers.Serializer[CaseDocument]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseDocument.Kind.choices)
    title = serializers.CharField()
    file_name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex.")
    visible_to_applicant = serializers.BooleanField()
    created = serializers.DateTimeField()


class EventSerializer(serializers.Serializer[CaseEvent]):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name", help_text="Name of who did it.")
    action = serializers.CharField(help_text="e.g. `created`, `state`.")
    summary = serializers.CharField()
    before = serializers.DictField(help_text="Changed values before.")
    after = serializers.DictField(help_text="Changed values after.")


class CaseDetailSerializer(CaseSerializer):
    """One case for staff: with applicant, data, documents and the audit trail."""

    applicant_name = serializers.CharField()
    applicant_email = serializers.CharField()
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="The submitted data, as the form's schema defines it."
    )
    fee_cents = serializers.IntegerField()
    payment_state = serializers.CharField()
    trust_level = serializers.CharField(help_text='Vertrauensniveau of the sign-in; "" if none.')
    documents = DocumentSerializer(many=True)
    events = EventSerializer(many=True, help_text="The audit trail, oldest first.")
    allowed_states = serializers.SerializerMethodField(help_text="States the case may move to now.")

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=State.choices))
    )
    def get_allowed_states(self, case: Case) -> list[str]:
        from rathaus.cases.workflow import allowed_next

        return [value for value in State.values if value in allowed_next(case.state)]


class MyCaseSerializer(serializers.Serializer[Case]):
    """A case as its applicant sees it: status in plain words, nothing internal."""

    reference = serializers.CharField()
    subject = serializers.CharField()
    service = NullableObjectField(CaseServiceSerializer)
    office = CaseOfficeSerializer()
    state = serializers.ChoiceField(choices=State.choices)
    status = serializers.SerializerMethodField(help_text="The state in plain words.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    received_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    unread_messages = serializers.IntegerField(source="unread_count")
    open_requests = serializers.IntegerField(
        source="open_request_count", help_text="Requests for documents not yet answered."
    )
    url = serializers.SerializerMethodField(help_text="The case's page in the citizen's account.")

    def get_service(self, case: Case) -> dict[str, str] | None:
        if case.service is None:
            return None
        return {"leika_key": case.service.leika_key, "name": case.service.name}

    def get_status(self, case: Case) -> str:
        return citizen_selectors.plain_state(case.state)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case: Case) -> str:
        from django.urls import reverse

        path = reverse("my_cases:detail", kwargs={"reference": case.reference})
        return absolute_url(self.context, path)
