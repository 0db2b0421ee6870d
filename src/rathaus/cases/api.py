"""The case API (`/api/v1/cases/`, `/api/v1/me/cases/`): personal data, so nothing is open.

Staff read the cases they may work (`cases.selectors.cases_visible_to`, the same rule as the
inbox) and move them through the state machine with optimistic locking; citizens read their
own cases. Two ways in:

- a browser session (the signed-in web user; POST needs the CSRF token). Staff sessions must
  be verified with the second factor, exactly as for `/verwaltung/`: a password-only session
  is refused here too, so the API is no way around the 2FA rule.
- a token (`Authorization: Token …`) for machine clients, issued by an administrator with
  `rathaus drf_create_token USERNAME` (see docs/api.md). Tokens belong to dedicated accounts
  whose roles limit what they see.

Unlike the catalog API there is no CORS header (no other site may read these answers), and
every answer is `Cache-Control: private, no-store`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.models import Office
from rathaus.cases import citizen_selectors, services
from rathaus.cases.models import Case, CaseDocument, CaseEvent
from rathaus.cases.selectors import cases_visible_to
from rathaus.cases.serializers import (
    CaseDetailSerializer,
    CaseQuerySerializer,
    CaseSerializer,
    MyCaseSerializer,
    TransitionSerializer,
)
from rathaus.catalog.api import ACCEPT_LANGUAGE
from rathaus.catalog.models import Service
from rathaus.catalog.serializers import ErrorSerializer
from rathaus.core.errors import Conflict, NotFound, Problem, ValidationFailed

REFERENCE_PARAMETER = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Aktenzeichen of the case, e.g. `BUX-2026-000123`.",
)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class SecondFactorForStaffSessions(BasePermission):
    """A staff member's browser session counts only once verified with the second factor.

    Tokens are issued to machine accounts by an administrator and are not affected.
    """

    message = _(
        "Diese Sitzung ist nicht mit dem zweiten Faktor bestätigt. Bitte bestätigen Sie die "
        "Anmeldung unter „Mein Konto“ oder verwenden Sie ein API-Token."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            return True
        user = request.user
        if not account_selectors.second_factor_required(user):
            return True
        return account_selectors.is_verified(user)


class WorksCases(BasePermission):
    """Clerks, office leads and administrators: whoever works cases (any office)."""

    message = _("Sie haben keine Berechtigung, Vorgänge zu bearbeiten.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.has_perm("cases.work_case") or user.has_perm("cases.work_all_cases"))
        )


class CaseApiView(APIView):
    """Common ground: authentication, language from Accept-Language, no caching."""

    # Token first: an anonymous call then answers 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes: Sequence[type[BasePermission]] = [
        IsAuthenticated,
        SecondFactorForStaffSessions,
        WorksCases,
    ]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        translation.activate(translation.get_language_from_request(request))
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language", "Authorization", "Cookie"])
        return response


def _detail_queryset(user: Any) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("service", "office", "assignee")
        .prefetch_related(
            Prefetch("documents", queryset=CaseDocument.objects.order_by("created", "pk")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk")),
        )
    )


def _case_for(user: Any, reference: str) -> Case:
    case = _detail_queryset(user).filter(reference=reference).first()
    if case is None:
        # Out of scope answers like unknown: whether a reference exists is not for everyone.
        raise NotFound(
            _("Es gibt keinen Vorgang mit dem Aktenzeichen %(reference)s.")
            % {"reference": reference}
        )
    return case


@extend_schema(tags=["cases"])
class CaseListView(CaseApiView, generics.ListAPIView[Case]):
    serializer_class = CaseSerializer

    def get_queryset(self) -> Any:
        params = CaseQuerySerializer(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        cases = cases_visible_to(self.request.user)
        if "state" in data:
            cases = cases.filter(state=data["state"])
        if "channel" in data:
            cases = cases.filter(channel=data["channel"])
        problems = []
        if "service" in data:
            if not Service.objects.filter(leika_key=data["service"]).exists():
                problems.append(
                    Problem(
                        _("Es gibt keine Leistung mit dem LeiKa-Schlüssel %(key)s.")
                        % {"key": data["service"]},
                        field="service",
                    )
                )
            cases = cases.filter(service__leika_key=data["service"])
        if "office" in data:
            if not Office.objects.filter(slug=data["office"]).exists():
                problems.append(
                    Problem(
                        _("Es gibt keine Dienststelle mit der Kennung „%(slug)s“.")
                        % {"slug": data["office"]},
                        field="office",
                    )
                )
            cases = cases.filter(office__slug=data["office"])
        if problems:
            raise ValidationFailed(_("Ungültige Anfrage."), problems=problems)
        if "received_after" in data:
            cases = cases.filter(received_at__gte=data["received_after"])
        if "received_before" in data:
            cases = cases.filter(received_at__lt=data["received_before"])
        return cases.select_related("service", "office", "assignee").order_by("-received_at", "-pk")

    @extend_schema(
        operation_id="cases_list",
        summary="List the cases you may work",
        description=(
            "Cases of your office (all offices for roles with `work_all_cases`), newest "
            "first. Needs a token or a browser session verified with the second factor."
        ),
        parameters=[CaseQuerySerializer, ACCEPT_LANGUAGE],
        responses={200: CaseSerializer(many=True), 400: ErrorSerializer, **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["cases"])
class CaseDetailView(CaseApiView, generics.RetrieveAPIView[Case]):
    serializer_class = CaseDetailSerializer

    def get_object(self) -> Case:
        return _case_for(self.request.user, self.kwargs["reference"])

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case",
        description=(
            "A case with its applicant, data, documents (metadata; the files are downloaded "
            "in the staff area) and audit trail. Cases outside your scope answer 404."
        ),
        parameters=[REFERENCE_PARAMETER, ACCEPT_LANGUAGE],
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["cases"])
class CaseTransitionView(CaseApiView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="cases_transition",
        summary="Move a case to another state",
        description=(
            "Moves the case if the state machine allows it and `version` is the case's "
            "current version. A stale version or a transition the state machine forbids "
            "answers 409 with the reason, and nothing is written; a malformed body answers "
            "400 naming the field."
        ),
        parameters=[REFERENCE_PARAMETER, ACCEPT_LANGUAGE],
        request=TransitionSerializer,
        responses={
            200: CaseDetailSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            **ERRORS,
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case_for(request.user, reference)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = payload.validated_data["state"]
        version = payload.validated_data["version"]
        try:
            services.transition(
                case,
                target,
                actor=request.user,  # type: ignore[arg-type]
                expected_version=version,
                reason="API",
            )
        except Conflict as exc:
            current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
            field = "version" if current != version else "state"
            raise Conflict(exc.message, problems=[Problem(exc.message, field=field)]) from None
        fresh = _case_for(request.user, reference)
        return Response(CaseDetailSerializer(fresh, context={"request": request}).data)


@extend_schema(tags=["my cases"])
class MyCaseListView(CaseApiView, generics.ListAPIView[Case]):
    """The signed-in applicant's own cases, like “Meine Anträge”."""

    serializer_class = MyCaseSerializer
    permission_classes = [IsAuthenticated, SecondFactorForStaffSessions]

    def get_queryset(self) -> Any:
        return citizen_selectors.case_list(self.request.user)

    @extend_schema(
        operation_id="my_cases_list",
        summary="Your own applications",
        description=(
            "The cases you applied for, newest first, with their status in plain words, "
            "unread messages and open requests for documents."
        ),
        parameters=[ACCEPT_LANGUAGE],
        responses={200: MyCaseSerializer(many=True), 401: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
