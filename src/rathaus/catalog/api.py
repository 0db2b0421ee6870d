"""The read-only REST API of the service catalog (`/api/v1/`): open data, thin views.

Every view reads through `catalog.selectors` and answers GET, HEAD and OPTIONS only. The
data is public: any origin may read it (CORS `*`), no cookie is set, and labels come in the
language the client asks for with `Accept-Language` (German by default), hence `Vary`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rathaus.accounts.models import Office
from rathaus.catalog import selectors
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.serializers import (
    ErrorSerializer,
    LifeSituationSerializer,
    OfficeSerializer,
    ServiceQuerySerializer,
    ServiceSerializer,
)
from rathaus.core.errors import NotFound, Problem, ValidationFailed

LEIKA_KEY_RE = re.compile(r"^\d{14}$")
OPENAPI_CONTENT_TYPE = "application/vnd.oai.openapi; charset=utf-8"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=[code for code, _name in settings.LANGUAGES],
    description="Language of labels, names and error messages (German when not given).",
)
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class OpenDataView(APIView):
    """Public read-only data: CORS for everyone, no cookies, language from Accept-Language."""

    http_method_names: Sequence[str] = ["get", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # The site's language lives in the URL; the API has one URL per resource, so it
        # negotiates instead. Activated before anything else so error messages follow it.
        translation.activate(translation.get_language_from_request(request))
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "Content-Language, ETag"
        if request.method == "OPTIONS":
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
            response["Access-Control-Max-Age"] = "86400"
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        return response


@extend_schema(tags=["services"])
class ServiceListView(OpenDataView, generics.ListAPIView[Service]):
    serializer_class = ServiceSerializer

    def get_queryset(self) -> Any:
        # A plain dict: DRF would read a missing boolean in a QueryDict as "false".
        params = ServiceQuerySerializer(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return selectors.api_services(params.to_filters())

    @extend_schema(
        operation_id="services_list",
        summary="List published services",
        description=(
            "Published services of the catalog, by name, or by relevance when `q` is given. "
            "Drafts and archived services are never listed."
        ),
        parameters=[ServiceQuerySerializer, ACCEPT_LANGUAGE],
        responses={200: ServiceSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["services"])
class ServiceDetailView(OpenDataView, generics.RetrieveAPIView[Service]):
    serializer_class = ServiceSerializer

    def get_object(self) -> Service:
        key = self.kwargs["leika_key"]
        if not LEIKA_KEY_RE.fullmatch(key):
            message = _("Der LeiKa-Schlüssel besteht aus genau 14 Ziffern.")
            raise ValidationFailed(message, problems=[Problem(message, field="leika_key")])
        try:
            return selectors.api_service(key)
        except Service.DoesNotExist:
            # Drafts answer like unknown keys: their existence is not public.
            raise NotFound(
                _("Es gibt keine veröffentlichte Leistung mit dem LeiKa-Schlüssel %(key)s.")
                % {"key": key}
            ) from None

    @extend_schema(
        operation_id="services_retrieve",
        summary="One published service",
        description="A published service by its LeiKa key; drafts answer 404 like unknown keys.",
        parameters=[
            OpenApiParameter(
                "leika_key",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=r"^\d{14}$",
                description="LeiKa key of the service (14 digits); anything else answers 400.",
            ),
            ACCEPT_LANGUAGE,
        ],
        responses={200: ServiceSerializer, **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["offices"])
class OfficeListView(OpenDataView, generics.ListAPIView[Office]):
    serializer_class = OfficeSerializer

    def get_queryset(self) -> Any:
        return selectors.api_offices()

    @extend_schema(
        operation_id="offices_list",
        summary="List offices",
        description="All offices (Fachbereiche, Fachgruppen) with their public contact data.",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: OfficeSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["offices"])
class OfficeDetailView(OpenDataView, generics.RetrieveAPIView[Office]):
    serializer_class = OfficeSerializer

    def get_object(self) -> Office:
        slug = self.kwargs["slug"]
        try:
            return selectors.api_office(slug)
        except Office.DoesNotExist:
            raise NotFound(
                _("Es gibt keine Dienststelle mit der Kennung „%(slug)s“.") % {"slug": slug}
            ) from None

    @extend_schema(
        operation_id="offices_retrieve",
        summary="One office",
        description="An office with its address, opening hours and contact data.",
        parameters=[
            OpenApiParameter(
                "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Slug of the office."
            ),
            ACCEPT_LANGUAGE,
        ],
        responses={200: OfficeSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["life situations"])
class LifeSituationListView(OpenDataView, generics.ListAPIView[LifeSituation]):
    serializer_class = LifeSituationSerializer

    def get_queryset(self) -> Any:
        return selectors.api_life_situations()

    @extend_schema(
        operation_id="life_situations_list",
        summary="List life situations",
        description="Life situations (Lebenslagen) with the number of published services in each.",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: LifeSituationSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@lru_cache(maxsize=1)
def published_schema() -> bytes:
    """The committed OpenAPI document, read once; the test suite checks it against the code.

    An installation without the repository's docs folder falls back to generating the same
    document from the code.
    """
    committed = settings.PACKAGE_DIR.parents[1] / "docs" / "openapi.yaml"
    if committed.is_file():
        return committed.read_bytes()
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    with translation.override(settings.LANGUAGE_CODE):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return bytes(OpenApiYamlRenderer().render(schema, renderer_context={}))


@extend_schema(exclude=True)
class SchemaView(OpenDataView):
    """`/api/v1/schema.yaml`: exactly the checked document, not one generated per request."""

    def get(self, request: Request) -> HttpResponse:
        content = published_schema()
        etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(content, content_type=OPENAPI_CONTENT_TYPE)
        response["ETag"] = etag
        return response


@extend_schema(exclude=True)
class NotFoundView(OpenDataView):
    """Any other address under `/api/v1/`: a JSON 404 instead of the HTML error page."""

    http_method_names = ["get", "head", "options", "post", "put", "patch", "delete"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound(
            _("Diese Adresse gibt es in der API nicht: %(path)s") % {"path": request.path}
        )
