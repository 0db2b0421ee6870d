"""SAML 2.0 endpoints: our metadata, the sign-in start (AuthnRequest) and the ACS."""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
from typing import Any

from defusedxml import ElementTree
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from saml2 import BINDING_HTTP_POST
from saml2.response import (
    IncorrectlySigned,
    StatusError,
    UnsolicitedResponse,
    VerificationError,
)
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.sigver import SignatureError, SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from rathaus.accounts import external
from rathaus.accounts.models import ExternalIdentity, SamlRequest
from rathaus.accounts.views import safe_next
from rathaus.core.errors import RathausError
from rathaus.integrations.saml import sp

logger = logging.getLogger(__name__)

# A Response must come back within this time after its request (BundID: a few minutes).
REQUEST_LIFETIME = datetime.timedelta(minutes=15)
PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"

FIRST_NAME = ("givenName", "urn:oid:2.5.4.42", "given_name", "firstName")
LAST_NAME = ("sn", "surname", "urn:oid:2.5.4.4", "family_name", "lastName")
EMAIL = ("mail", "email", "urn:oid:0.9.2342.19200300.100.1.3", "emailAddress")


def _error(request: HttpRequest, reason: str, *, status: int = 400) -> HttpResponse:
    logger.warning("saml sign-in refused", extra={"reason": reason[:120]})
    return render(
        request,
        "accounts/external_error.html",
        {"provider": sp.label(), "reason": reason},
        status=status,
    )


def metadata(request: HttpRequest) -> HttpResponse:
    if not sp.enabled():
        raise Http404
    try:
        xml = sp.metadata_xml()
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider with a signed AuthnRequest (HTTP-Redirect binding)."""
    if not sp.enabled():
        raise Http404
    conf = sp.current()
    minimum = request.GET.get("niveau", "")
    try:
        request_id, idp, location = sp.authn_redirect(conf, relay_state="", minimum=minimum)
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    # Old requests that were never answered are of no use to anybody.
    SamlRequest.objects.filter(issued_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    SamlRequest.objects.create(
        request_id=request_id, idp_entity_id=idp, next_url=safe_next(request)
    )
    return HttpResponseRedirect(location)


def _envelope(encoded: str) -> tuple[str, str]:
    """InResponseTo and Destination of the Response, read before any check.

    The first finds our request; the second lets a Response meant for another address be
    named as such (pysaml2 only answers "invalid" for it).
    """
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError) as exc:
        raise ValueError("not a SAML response") from exc
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise ValueError("not a SAML response")
    return str(root.get("InResponseTo") or ""), str(root.get("Destination") or "")


def _reason_for(exc: Exception) -> str:
    """Name what was wrong with a refused Response, in words a person can pass on."""
    text = str(exc)
    if isinstance(exc, StatusError):
        return _("Der Anmeldedienst hat die Anmeldung nicht bestätigt (%(status)s).") % {
            "status": text[:200] or exc.__class__.__name__
        }
    if isinstance(exc, UnsolicitedResponse):
        return _("Die Antwort gehört zu keiner offenen Anmeldung dieser Website.")
    if isinstance(exc, (SignatureError, SigverError, IncorrectlySigned)):
        if "missing" in text.lower():
            return _("Die Zusicherung (Assertion) ist nicht signiert.")
        return _(
            "Die Signatur der Antwort ist ungültig: die Antwort wurde verändert oder nicht "
            "vom eingestellten Anmeldedienst signiert."
        )
    if isinstance(exc, (ToEarly, ResponseLifetimeExceed)):
        return _("Die Antwort ist abgelaufen oder noch nicht gültig (Zeitangaben prüfen).")
    if "AudienceRestriction" in text:
        return _("Die Antwort ist für einen anderen Dienst bestimmt (Audience passt nicht).")
    if isinstance(exc, VerificationError) and "recipient" in text.lower():
        return _("Die Antwort ist an eine andere Adresse gerichtet (Recipient passt nicht).")
    if "destination" in text.lower():
        return _("Die Antwort ist an eine andere Adresse gerichtet (Destination passt nicht).")
    if "signature" in text.lower() or "signed" in text.lower():
        return _("Die Zusicherung (Assertion) ist nicht gültig signiert.")
    return _("Die Antwort des Anmeldedienstes ist ungültig (%(error)s).") % {
        "error": exc.__class__.__name__
    }


def _first(ava: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        values = ava.get(name)
        if values:
            return str(values[0] if isinstance(values, list) else values)
    return ""


@csrf_exempt  # the provider's page posts here; the signed Response is the proof
@require_POST
@never_cache
def acs(request: HttpRequest) -> HttpResponse:
    if not sp.enabled():
        raise Http404
    encoded = request.POST.get("SAMLResponse", "")
    if not encoded:
        return _error(request, _("Es wurde keine SAML-Antwort übermittelt."))
    try:
        in_response_to, destination = _envelope(encoded)
    except ValueError:
        return _error(request, _("Die übermittelte Nachricht ist keine lesbare SAML-Antwort."))
    conf = sp.current()
    if destination and destination != conf.acs_url:
        return _error(
            request,
            _("Die Antwort ist an eine andere Adresse gerichtet (Destination %(url)s).")
            % {"url": destination[:200]},
        )
    pending = SamlRequest.objects.filter(
        request_id=in_response_to, issued_at__gte=timezone.now() - REQUEST_LIFETIME
    ).first()
    if pending is not None and pending.consumed_at is not None:
        return _error(
            request, _("Diese Antwort wurde bereits verwendet (Wiederholung abgewiesen).")
        )
    outstanding = {pending.request_id: pending.next_url} if pending else {}
    try:
        saml_client = sp.client(conf)
        response = saml_client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding=outstanding
        )
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    except Exception as exc:
        logger.info("saml response refused", extra={"error": exc.__class__.__name__})
        return _error(request, _reason_for(exc))
    if response is None or response.assertion is None or pending is None:
        return _error(request, _("Die Antwort des Anmeldedienstes ist ungültig."))
    issuer = str(response.issuer() or "")
    if issuer != pending.idp_entity_id:
        return _error(request, _("Die Antwort stammt von einem anderen Anmeldedienst."))
    name_id = response.name_id
    if name_id is None or not name_id.text:
        return _error(request, _("Die Antwort enthält keine Kennung der Person (NameID)."))
    if name_id.format == NAMEID_FORMAT_TRANSIENT:
        return _error(
            request,
            _("Der Anmeldedienst hat nur eine vorübergehende Kennung geschickt (transient)."),
        )
    class_refs = [str(info[0]) for info in response.authn_info() if info and info[0]]
    class_ref = class_refs[0] if class_refs else ""
    levels = dict(conf.context_levels)
    trust_level = external.level_for(class_ref, extra=levels)
    ava = response.get_identity() or {}
    asserted = external.Asserted(
        protocol=ExternalIdentity.Protocol.SAML,
        issuer=issuer,
        subject=str(name_id.text).strip(),
        trust_level=trust_level,
        authn_context=class_ref,
        first_name=_first(ava, FIRST_NAME),
        last_name=_first(ava, LAST_NAME),
        email=_first(ava, EMAIL),
    )
    with transaction.atomic():
        # Taken once: the same Response posted again finds its request consumed.
        taken = SamlRequest.objects.filter(pk=pending.pk, consumed_at__isnull=True).update(
            consumed_at=timezone.now()
        )
    if not taken:
        return _error(
            request, _("Diese Antwort wurde bereits verwendet (Wiederholung abgewiesen).")
        )
    try:
        external.sign_in(request, asserted)
    except RathausError as exc:
        return _error(request, exc.message, status=exc.http_status)
    return HttpResponseRedirect(pending.next_url or reverse("accounts:home"))
