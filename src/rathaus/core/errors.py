"""One error hierarchy for Rathaus: services raise these, views, the API and commands map them.

Every error names what is wrong and where, so a clerk, an API client or an operator
reading a log can act on it without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


@dataclass(frozen=True)
class Problem:
    """One finding: where (line, field) and what."""

    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"Zeile {self.line}")
        if self.field:
            where.append(f"Feld {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RathausError(Exception):
    """Base of all expected errors; `http_status` tells views and the API how to answer."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems:
            data["problems"] = [
                {"line": p.line, "field": p.field, "message": p.message} for p in self.problems
            ]
        return data

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


class ValidationFailed(RathausError):
    code = "invalid"


class NotFound(RathausError):
    http_status = 404
    code = "not_found"


class PermissionDenied(RathausError):
    http_status = 403
    code = "forbidden"


class Conflict(RathausError):
    http_status = 409
    code = "conflict"


class ImportRejected(ValidationFailed):
    """An import file was refused as a whole; nothing of it was written."""

    code = "import_rejected"


@dataclass
class Report:
    """Collects problems while validating many rows before anything is written."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(message=message, line=line, field=field))

    @property
    def ok(self) -> bool:
        return not self.problems


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render Rathaus errors and DRF errors alike as `{"code", "message", "problems"}`."""
    if isinstance(exc, RathausError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, drf_exceptions.APIException):
        detail = response.data
        problems = []
        if isinstance(detail, dict) and "detail" not in detail:
            problems = [
                {"line": None, "field": key, "message": " ".join(map(str, value))}
                for key, value in detail.items()
            ]
            message = str(_("Ungültige Anfrage."))
        else:
            message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
        response.data = {"code": exc.default_code, "message": message}
        if problems:
            response.data["problems"] = problems
    return response
