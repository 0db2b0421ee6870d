"""Sign-in through an OpenID Connect provider: start (redirect there) and callback (come back)."""

from __future__ import annotations

import logging

import jwt
import requests
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from rathaus.accounts import external
from rathaus.core.errors import RathausError
from rathaus.integrations.oidc import config as oidc_config
from rathaus.integrations.oidc.backend import Backend, Refused, RequestView

logger = logging.getLogger(__name__)

STATES_SESSION_KEY = "oidc_states"  # the library's name: its request view fills it
NEXT_SESSION_KEY = "oidc_login_next"


def _reasons() -> dict[str, str]:
    return {
        "STATE": _(
            "Die Antwort gehört zu keiner Anmeldung, die in diesem Browser begonnen wurde "
            "(der Parameter „state“ ist unbekannt oder wurde schon verwendet). Bitte starten "
            "Sie die Anmeldung neu."
        ),
        "CODE": _("Die Antwort enthält keinen Autorisierungscode."),
        "NONCE": _(
            "Das ID-Token gehört nicht zu dieser Anmeldung (die Einmalzahl „nonce“ passt nicht)."
        ),
        "ISSUER": _("Das ID-Token stammt von einem anderen Aussteller als dem eingestellten."),
        "AUDIENCE": _("Das ID-Token ist nicht für diese Website ausgestellt (Empfänger „aud“)."),
        "SUBJECT": _("Die Benutzerdaten gehören zu einer anderen Person als das ID-Token."),
        "ALGORITHM": _("Das ID-Token ist mit einem anderen Verfahren signiert als vereinbart."),
        "KEY": _("Zum Schlüssel des ID-Tokens fehlt der öffentliche Schlüssel des Anbieters."),
        "SIGNATURE": _("Die Signatur des ID-Tokens ist ungültig."),
        "EXPIRED": _("Das ID-Token ist abgelaufen oder noch nicht gültig."),
        "TOKEN": _(
            "Der Anmeldedienst hat den Autorisierungscode nicht angenommen (abgelaufen oder "
            "schon verwendet)."
        ),
        "UNREACHABLE": _("Der Anmeldedienst ist nicht erreichbar."),
        "ACCESS_DENIED": _("Die Anmeldung wurde beim Anmeldedienst abgebrochen."),
    }


def _error(
    request: HttpRequest, reason: str, *, status: int = 400, detail: str = ""
) -> HttpResponse:
    text = _reasons().get(reason, reason)
    if detail:
        text = f"{text} ({detail})"
    logger.warning("oidc sign-in refused", extra={"reason": reason.split(":", maxsplit=1)[0]})
    return render(
        request,
        "accounts/external_error.html",
        {"provider": oidc_config.label(), "reason": text},
        status=status,
    )


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    if not oidc_config.enabled():
        raise Http404
    config = oidc_config.current()
    try:
        endpoints = oidc_config.endpoints(config)
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    view = RequestView(config=config, endpoints=endpoints)
    # One redirect URI for every page language, so the provider needs only one registered.
    with translation.override("de"):
        response: HttpResponse = view.get(request)
    return response


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    if not oidc_config.enabled():
        raise Http404
    states = request.session.get(STATES_SESSION_KEY) or {}
    state = request.GET.get("state", "")
    entry = states.pop(state, None) if state else None
    # Each state is taken once: a replayed or forged answer finds nothing here.
    request.session[STATES_SESSION_KEY] = states
    if request.GET.get("error"):
        if request.GET["error"] == "access_denied":
            return _error(request, "ACCESS_DENIED")
        detail = request.GET.get("error_description") or request.GET["error"]
        return _error(request, _("Der Anmeldedienst meldet einen Fehler."), detail=detail[:200])
    if entry is None:
        return _error(request, "STATE")
    if not request.GET.get("code"):
        return _error(request, "CODE")
    config = oidc_config.current()
    try:
        endpoints = oidc_config.endpoints(config)
        backend = Backend(config, endpoints)
        with translation.override("de"):
            user = backend.authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
    except Refused as exc:
        reason, _sep, detail = str(exc).partition(": ")
        return _error(request, reason, detail=detail)
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
        return _error(request, "EXPIRED")
    except jwt.InvalidTokenError:
        return _error(request, "SIGNATURE")
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 502
        return _error(request, "TOKEN" if status < 500 else "UNREACHABLE", status=502)
    except requests.RequestException:
        return _error(request, "UNREACHABLE", status=502)
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    if user is None or backend.asserted is None:
        return _error(request, "SIGNATURE")
    # Read before signing in: a sign-in over another account's session starts a fresh one.
    next_url = request.session.pop(NEXT_SESSION_KEY, None) or reverse("accounts:home")
    external.establish(request, user, backend.asserted.trust_level)
    return HttpResponseRedirect(next_url)
