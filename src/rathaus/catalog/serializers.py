"""Shapes of the read-only catalog API (`/api/v1/`), and of its query parameters.

The output serializers are also the source of the OpenAPI document (`docs/openapi.yaml`):
drf-spectacular reads the fields and their help texts, so what is documented is what is sent.
Help texts are plain English (not translated) so the committed document does not depend on
the language it was generated in. Optional text fields are "" when empty; objects that may be
missing (topic, online service, office) are null.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rathaus.accounts.models import Office
from rathaus.catalog import selectors
from rathaus.catalog.maturity import MaturityV1, MaturityV2, TrustLevel
from rathaus.catalog.models import CHANNELS, LifeSituation, Service, Topic

CHANNEL_CODES = [code for code, _label in CHANNELS]
TRUST_LEVEL_CODES = [value for value in TrustLevel.values if value]


def absolute_url(context: dict[str, Any], path: str) -> str:
    """The public address of a page: from the request when there is one, else SITE_URL."""
    request = context.get("request")
    if request is not None:
        return str(request.build_absolute_uri(path))
    return f"{settings.SITE_URL}{path}"


class NullableObjectField(serializers.SerializerMethodField):
    """A method field giving an object shaped by `serializer_class`, or null."""

    def __init__(self, serializer_class: type[serializers.Serializer[Any]], **kwargs: Any) -> None:
        self.serializer_class = serializer_class
        super().__init__(**kwargs)


class NullableObjectFieldExtension(OpenApiSerializerFieldExtension):
    """Documents a NullableObjectField as `oneOf: [object, null]`.

    In OpenAPI 3.0.3 `nullable: true` beside a `$ref` (what drf-spectacular writes for
    `allow_null` nested serializers) does not admit null: strict validators reject it.
    """

    target_class = NullableObjectField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        component = auto_schema.resolve_serializer(self.target.serializer_class, direction)
        return {"oneOf": [component.ref, {"enum": [None]}]}


# --- errors -------------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(
        allow_null=True, help_text="Line of an uploaded file; null for API parameters."
    )
    field = serializers.CharField(
        allow_null=True, help_text="The query parameter or path part that is wrong."
    )
    message = serializers.CharField(help_text="What is wrong with it.")


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error of the API has this shape (400, 404, 405, 500)."""

    code = serializers.CharField(
        help_text="Machine-readable error code, e.g. `invalid`, `not_found`, `method_not_allowed`."
    )
    message = serializers.CharField(help_text="Human-readable explanation.")
    problems = ProblemSerializer(
        many=True, required=False, help_text="One entry per wrong parameter (400 only)."
    )


# --- query parameters ---------------------------------------------------------------------

# A "+" in a query string decodes to a space; "2025-01-01T10:00:00 01:00" meant "+01:00".
_OFFSET_AS_SPACE = re.compile(r"(\d) (\d{2}(?::?\d{2})?)$")


class QueryDateTimeField(serializers.DateTimeField):
    """ISO 8601 date or datetime; naive values are read in Europe/Berlin."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _OFFSET_AS_SPACE.sub(r"\1+\2", value.strip())
        return super().to_internal_value(value)


class ServiceQuerySerializer(serializers.Serializer[Any]):
    """Query parameters of the service list; each wrong one is named in the 400 answer."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Full-text search (German stemming, prefixes, synonyms, typo tolerance). "
            "When given, results are ordered by relevance instead of by name."
        ),
    )
    life_situation = serializers.SlugField(
        required=False, help_text="Slug of a life situation (see `/api/v1/life-situations/`)."
    )
    office = serializers.SlugField(
        required=False, help_text="Slug of the responsible office (see `/api/v1/offices/`)."
    )
    topic = serializers.ChoiceField(
        choices=Topic.choices, required=False, help_text="Code of an OZG topic (Themenfeld)."
    )
    # No default: the view passes a plain dict, so a missing value stays missing (None).
    online = serializers.BooleanField(
        required=False,
        help_text=(
            "`true`: only services that can be applied for online (online channel with the "
            "address of an online service); `false`: only those that cannot."
        ),
    )
    maturity_level_min = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=4,
        help_text="Minimum maturity level in model 1.1 (0-4; the OZG obligation is met from 3).",
    )
    maturity_level_v2_min = serializers.IntegerField(
        required=False, min_value=0, max_value=7, help_text="Minimum maturity level in model 2.0."
    )
    modified_since = QueryDateTimeField(
        required=False,
        help_text=(
            "Only services changed at or after this ISO 8601 date or datetime, e.g. "
            "`2025-07-01T00:00:00+02:00` (encode `+` as `%2B`); without an offset the time "
            "is read in Europe/Berlin."
        ),
    )

    def validate_life_situation(self, value: str) -> str:
        if value and not selectors.life_situation_exists(value):
            raise serializers.ValidationError(
                _("Es gibt keine Lebenslage mit der Kennung „%(slug)s“.") % {"slug": value}
            )
        return value

    def validate_office(self, value: str) -> str:
        if value and not selectors.office_exists(value):
            raise serializers.ValidationError(
                _("Es gibt keine Dienststelle mit der Kennung „%(slug)s“.") % {"slug": value}
            )
        return value

    def to_filters(self) -> selectors.ApiServiceFilters:
        data = self.validated_data
        return selectors.ApiServiceFilters(
            text=data.get("q", ""),
            life_situation=data.get("life_situation", ""),
            office=data.get("office", ""),
            topic=data.get("topic", ""),
            online=data.get("online"),
            maturity_level_min=data.get("maturity_level_min"),
            maturity_level_v2_min=data.get("maturity_level_v2_min"),
            modified_since=data.get("modified_since"),
        )


# --- offices ------------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer[Office]):
    street = serializers.CharField(help_text="Street and house number.")
    postal_code = serializers.CharField()
    city = serializers.CharField()
    room = serializers.CharField(help_text="Room or floor, if known.")


class OfficeSerializer(serializers.Serializer[Office]):
    slug = serializers.SlugField(help_text="Stable identifier of the office.")
    name = serializers.CharField()
    short_name = serializers.CharField()
    address = AddressSerializer(source="*")
    opening_hours = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    accessibility = serializers.CharField(
        help_text="Accessibility of the building: entrance, lift, toilets, parking, hearing loop."
    )
    url = serializers.SerializerMethodField(help_text="Public page of the office.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, office: Office) -> str:
        return absolute_url(self.context, office.get_absolute_url())


class OfficeRefSerializer(serializers.Serializer[Office]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Public page of the office.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, office: Office) -> str:
        return absolute_url(self.context, office.get_absolute_url())


# --- life situations ----------------------------------------------------------------------


class LifeSituationRefSerializer(serializers.Serializer[LifeSituation]):
    slug = serializers.SlugField()
    name = serializers.SerializerMethodField(help_text="Name in the language of the response.")

    def get_name(self, life_situation: LifeSituation) -> str:
        return life_situation.display_name(translation.get_language() or "")


class LifeSituationSerializer(LifeSituationRefSerializer):
    description = serializers.CharField()
    service_count = serializers.IntegerField(help_text="Number of published services.")


# --- services -----------------------------------------------------------------------------


class TopicSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=Topic.choices, help_text="Code of the OZG topic.")
    # `label` is also an attribute of every DRF field; the stubs see the clash.
    label = serializers.CharField()  # type: ignore[assignment]


class MaturityV1Serializer(serializers.Serializer[Service]):
    level = serializers.ChoiceField(choices=MaturityV1.choices, source="maturity_level")
    label = serializers.CharField(source="get_maturity_level_display")  # type: ignore[assignment]
    obligation_met = serializers.BooleanField(
        source="meets_ozg_obligation", help_text="The OZG obligation counts as met from level 3."
    )


class MaturityV2Serializer(serializers.Serializer[Service]):
    level = serializers.ChoiceField(choices=MaturityV2.choices, source="maturity_level_v2")
    label = serializers.CharField(source="get_maturity_level_v2_display")  # type: ignore[assignment]


class MaturitySerializer(serializers.Serializer[Service]):
    model_1_1 = MaturityV1Serializer(
        source="*", help_text="Reifegradmodell 1.1 (levels 0-4), used until 2025."
    )
    model_2_0 = MaturityV2Serializer(
        source="*", help_text="Reifegradmodell 2.0 of July 2025 (levels 0-7)."
    )


class OnlineServiceSerializer(serializers.Serializer[Any]):
    url = serializers.URLField()
    name = serializers.CharField()
    own = serializers.BooleanField(
        help_text="Run by the town itself (else by state or federation)."
    )
    host = serializers.CharField(help_text="Host name of the online service.")
    trust_level = serializers.ChoiceField(
        choices=TRUST_LEVEL_CODES,
        allow_null=True,
        help_text="Vertrauensniveau of the sign-in (eIDAS); null when no sign-in is needed.",
    )


class ServiceTextsSerializer(serializers.Serializer[Service]):
    summary = serializers.CharField(help_text="Kurztext.")
    description = serializers.CharField(help_text="Volltext.")
    requirements = serializers.CharField()
    documents = serializers.CharField(help_text="Documents needed.")
    fees = serializers.CharField()
    deadlines = serializers.CharField()
    processing_time = serializers.CharField()
    legal_basis = serializers.CharField()


class ServiceSerializer(serializers.Serializer[Service]):
    leika_key = serializers.RegexField(
        r"^\d{14}$", help_text="Key of the federal service catalogue (LeiKa), 14 digits."
    )
    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField(help_text="Public page of the service.")
    ozg_id = serializers.CharField(help_text="Id of the OZG service this belongs to.")
    ozg_name = serializers.CharField()
    topic = NullableObjectField(TopicSerializer, help_text="OZG topic (Themenfeld).")
    life_situations = LifeSituationRefSerializer(many=True)
    maturity = MaturitySerializer(source="*")
    channels = serializers.SerializerMethodField(help_text="Channels the service is offered on.")
    online_service = NullableObjectField(
        OnlineServiceSerializer,
        help_text="The online service to apply with; null when there is none.",
    )
    texts = ServiceTextsSerializer(source="*")
    office = NullableObjectField(OfficeRefSerializer, help_text="Responsible office.")
    keywords = serializers.ListField(
        child=serializers.CharField(), source="keyword_list", help_text="Search terms, synonyms."
    )
    review_due = serializers.DateField(
        allow_null=True, help_text="When the texts are next due for review."
    )
    modified = serializers.DateTimeField(help_text="Last change.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, service: Service) -> str:
        return absolute_url(self.context, service.get_absolute_url())

    def get_topic(self, service: Service) -> dict[str, str] | None:
        if not service.topic:
            return None
        return {"code": service.topic, "label": str(service.get_topic_display())}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CHANNELS)))
    def get_channels(self, service: Service) -> list[str]:
        return [code for code, _label in service.channels]

    def get_online_service(self, service: Service) -> dict[str, Any] | None:
        if not service.online_service_url:
            return None
        return {
            "url": service.online_service_url,
            "name": service.online_service_name,
            "own": service.online_service_own,
            "host": service.online_service_host,
            "trust_level": service.trust_level or None,
        }

    def get_office(self, service: Service) -> dict[str, Any] | None:
        if service.office is None:
            return None
        return dict(OfficeRefSerializer(service.office, context=self.context).data)
