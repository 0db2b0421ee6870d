"""The OParl 1.1 server: thin views over `selectors` (what to show) and `serializers` (JSON).

Every answer is JSON in UTF-8 with `Access-Control-Allow-Origin: *`; nothing reads the
session or the user, so no cookie is ever set and a response is the same for everybody.
Only GET, HEAD and OPTIONS exist; errors are OParl error objects
(`{"type": "https://schema.oparl.org/1.1/Error", "message": …, "debug": …}`).
"""

from __future__ import annotations

import datetime
import json
import mimetypes
import re
from collections.abc import Callable
from functools import wraps
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from rathaus.oparl import selectors, serializers
from rathaus.oparl.selectors import ListFilters, Page

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ERROR_TYPE = serializers.SCHEMA + "Error"
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
FILTER_PARAMS = ("created_since", "created_until", "modified_since", "modified_until")
# A date-time with an offset whose "+" arrived as a space (an unencoded "+" in a query).
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


class OParlError(Exception):
    """An answer other than 200, as an OParl error object."""

    def __init__(self, status: int, message: str, **debug: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.debug = debug


def _json(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)


def _error(status: int, message: str, debug: dict[str, Any] | None = None) -> HttpResponse:
    data: dict[str, Any] = {"type": ERROR_TYPE, "message": message}
    if debug:
        data["debug"] = debug
    return _json(data, status=status)


def oparl_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Methods, errors, language and CORS the same for every OParl address."""

    @csrf_exempt  # a POST must reach us to be answered 405, not be stopped by CSRF with 403
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase
        # The data is German, and so are the messages: one URL, one answer for everybody.
        with translation.override("de"):
            if request.method not in ALLOWED_METHODS:
                response = _error(
                    405,
                    f"Die Methode {request.method} ist hier nicht erlaubt; "
                    f"die OParl-Schnittstelle kann nur gelesen werden (GET).",
                    {"allowed": list(ALLOWED_METHODS)},
                )
            elif request.method == "OPTIONS":
                response = HttpResponse(status=200, content_type=JSON_CONTENT_TYPE)
                response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
                response["Access-Control-Allow-Headers"] = "Accept, If-Modified-Since"
                response["Access-Control-Max-Age"] = "86400"
            else:
                try:
                    response = view(request, *args, **kwargs)
                except OParlError as exc:
                    response = _error(exc.status, exc.message, exc.debug)
        response["Allow"] = ", ".join(ALLOWED_METHODS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


# --- Parameters -------------------------------------------------------------------------


def _parse_date_time(name: str, raw: str) -> datetime.datetime:
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    example = "2014-01-01T00:00:00+01:00"
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise OParlError(
            400,
            f"Der Parameter {name} ist kein Zeitpunkt nach ISO 8601: „{raw}“. "
            f"Erwartet wird Datum, Uhrzeit und Zeitzone, z. B. {example} "
            f"(das Pluszeichen in der URL als %2B).",
            parameter=name,
            value=raw,
        ) from None
    if value.tzinfo is None:
        raise OParlError(
            400,
            f"Dem Parameter {name} fehlt die Zeitzone: „{raw}“. "
            f"Erwartet wird z. B. {example} (das Pluszeichen in der URL als %2B).",
            parameter=name,
            value=raw,
        )
    return value


def _parse_positive_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise OParlError(
            400,
            f"Der Parameter {name} muss eine ganze Zahl ab 1 sein, nicht „{raw}“.",
            parameter=name,
            value=raw,
        )
    return value


def _parse_cursor(name: str, raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    return _parse_positive_int(name, raw, 0)


def _parse_bool(name: str, raw: str | None) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise OParlError(
        400,
        f"Der Parameter {name} kennt nur true oder false, nicht „{raw}“.",
        parameter=name,
        value=raw,
    )


class ListParams:
    """The query of a list page, parsed once; also writes the canonical query for links."""

    def __init__(self, query: QueryDict) -> None:
        dates = {
            name: _parse_date_time(name, str(value))
            for name in FILTER_PARAMS
            if (value := query.get(name))
        }
        self.filters = ListFilters(**dates)
        self.omit_internal = _parse_bool("omit_internal", query.get("omit_internal"))
        limit = _parse_positive_int("limit", query.get("limit"), selectors.DEFAULT_LIMIT)
        self.limit_given = "limit" in query
        # A client may not expect the server to follow its limit (OParl 1.1, Filter).
        self.limit = min(limit, selectors.MAX_LIMIT)
        self.page = _parse_positive_int("page", query.get("page"), 1)
        # Cursors of our own next/prev links: the id the page starts after or ends before.
        self.after = _parse_cursor("after", query.get("after"))
        self.before = _parse_cursor("before", query.get("before"))
        if self.after is not None and self.before is not None:
            raise OParlError(
                400,
                "Die Parameter after und before schließen einander aus.",
                parameter="before",
                value=query.get("before"),
            )

    def query(self, page: int, *, after: int | None = None, before: int | None = None) -> str:
        """Filters, options, page and cursor in a fixed order: one URL per list page."""
        params: list[tuple[str, str]] = []
        for name in FILTER_PARAMS:
            value = getattr(self.filters, name)
            if value is not None:
                params.append((name, value.isoformat()))
        if self.omit_internal:
            params.append(("omit_internal", "true"))
        if self.limit_given:
            params.append(("limit", str(self.limit)))
        if page > 1:
            params.append(("page", str(page)))
        if after is not None:
            params.append(("after", str(after)))
        if before is not None:
            params.append(("before", str(before)))
        return urlencode(params)


def _context(*, omit_internal: bool = False) -> serializers.Context:
    return serializers.Context(base=serializers.api_base(), omit_internal=omit_internal)


def _list_response(
    kind: str,
    request: HttpRequest,
    list_url: str,
    *,
    body_id: int | None = None,
    organization_id: int | None = None,
) -> HttpResponse:
    params = ListParams(request.GET)
    qs = selectors.list_queryset(
        kind, params.filters, body_id=body_id, organization_id=organization_id
    )
    try:
        page = selectors.page_of(
            kind,
            qs,
            number=params.page,
            limit=params.limit,
            after=params.after,
            before=params.before,
        )
    except selectors.PageOutOfRange as exc:
        raise OParlError(
            404,
            f"Die Seite {exc.number} gibt es nicht; die Liste hat {exc.pages} Seite(n).",
            page=exc.number,
            totalPages=exc.pages,
        ) from None
    ctx = _context(omit_internal=params.omit_internal)
    data = [serializers.serialize(kind, obj, ctx) for obj in page.objects]
    return _json(
        {"data": data, "pagination": _pagination(page), "links": _links(page, params, list_url)}
    )


def _pagination(page: Page) -> dict[str, int]:
    return {
        "totalElements": page.total,
        "elementsPerPage": page.limit,
        "currentPage": page.number,
        "totalPages": page.pages,
    }


def _links(page: Page, params: ListParams, list_url: str) -> dict[str, str]:
    def link(number: int, *, after: int | None = None, before: int | None = None) -> str:
        query = params.query(number, after=after, before=before)
        return f"{list_url}?{query}" if query else list_url

    # prev and next name the neighbouring page by number and by the id it borders on, so
    # walking the list reads by id (fast, and stable while objects come and go).
    first_id = page.objects[0].pk if page.objects else None
    last_id = page.objects[-1].pk if page.objects else None
    links = {"first": link(1)}
    if page.number > 1:
        links["prev"] = link(page.number - 1, before=first_id)
    links["self"] = link(page.number)  # canonical: by number, whichever way it was reached
    if page.has_next and last_id is not None:
        links["next"] = link(page.number + 1, after=last_id)
    links["last"] = link(page.pages)
    return links


# --- Views ------------------------------------------------------------------------------


@oparl_view
def system(request: HttpRequest) -> HttpResponse:
    return _json(serializers.system(_context()))


@oparl_view
def body_list(request: HttpRequest) -> HttpResponse:
    return _list_response("body", request, f"{serializers.api_base()}body/")


def _not_found(kind: str, pk: int) -> OParlError:
    type_name = serializers.TYPE_NAMES[kind]
    message = f"Es gibt kein Objekt vom Typ {type_name} mit der Nummer {pk}."
    return OParlError(404, message, type=serializers.type_url(kind), id=pk)


def _require(exists: bool, kind: str, pk: int) -> None:
    if not exists:
        raise _not_found(kind, pk)


@oparl_view
def body_sublist(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _require(selectors.body_exists(pk), "body", pk)
    ctx = _context()
    return _list_response(kind, request, ctx.list_url("body", pk, kind), body_id=pk)


@oparl_view
def organization_sublist(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _require(selectors.organization_exists(pk), "organization", pk)
    ctx = _context()
    return _list_response(kind, request, ctx.list_url("organization", pk, kind), organization_id=pk)


@oparl_view
def detail(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    obj = selectors.get_object(kind, pk)
    _require(obj is not None, kind, pk)
    ctx = _context()
    return _json(serializers.serialize(kind, obj, ctx))


def _file_or_error(pk: int) -> Any:
    obj = selectors.get_object("file", pk)
    if obj is None:
        raise _not_found("file", pk)
    if obj.deleted:
        raise OParlError(410, f"Die Datei {pk} wurde gelöscht.", id=pk)
    return obj


def _serve_file(pk: int, *, download: bool) -> HttpResponseBase:
    obj = _file_or_error(pk)
    if obj.content:
        name = obj.file_name or PurePosixPath(obj.content.name).name
        content_type = obj.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        # accessUrl: inline (OParl forbids "attachment" there); downloadUrl: attachment.
        try:
            handle = obj.content.open("rb")
        except OSError:
            raise OParlError(
                404, f"Der Inhalt der Datei {pk} ist zurzeit nicht auffindbar.", id=pk
            ) from None
        response = FileResponse(
            handle, as_attachment=download, filename=name, content_type=content_type
        )
        response["Last-Modified"] = http_date(obj.modified.timestamp())
        return response
    # A mirrored file may stay on the system it came from: send the client there.
    remote = (obj.remote_download_url if download else "") or obj.remote_access_url
    if remote:
        return HttpResponseRedirect(remote)
    raise OParlError(404, f"Zur Datei {pk} ist kein Inhalt gespeichert.", id=pk)


@oparl_view
def file_access(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve_file(pk, download=False)


@oparl_view
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve_file(pk, download=True)


@oparl_view
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address below the entry point: an OParl error, not the HTML 404 page.

    The same address with or without its trailing slash is answered with a permanent
    redirect to the canonical one (OParl: non-canonical URLs answer 301).
    """
    other = request.path[:-1] if request.path.endswith("/") else request.path + "/"
    try:
        match = resolve(other)
    except Resolver404:
        match = None
    if match is not None and match.func is not not_found:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{other}?{query}" if query else other)
    raise OParlError(404, f"Unter dieser Adresse gibt es kein OParl-Objekt: {request.path}")
