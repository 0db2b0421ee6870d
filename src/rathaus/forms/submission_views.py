"""Submitting a draft, the "received" page and the receipt download.

Who may see a received application's page and receipt: the applicant's account, or the
browser session that submitted it (anonymous applications). The reference alone is not
enough: references are sequential and easy to guess.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts import trust
from rathaus.cases.models import Case
from rathaus.core.errors import Conflict, PermissionDenied, ValidationFailed
from rathaus.forms import payments, receipts
from rathaus.forms.models import Draft
from rathaus.forms.submission import submit

SESSION_KEY = "rathaus_submitted_cases"
SESSION_LIMIT = 20
DECLARATION_VALUES = {"1", "on", "yes", "true", "ja"}


def remember_submission(request: HttpRequest, case: Case) -> None:
    """Let this browser session see the case's pages (for applicants without an account)."""
    seen = [ref for ref in request.session.get(SESSION_KEY, []) if ref != case.reference]
    request.session[SESSION_KEY] = [*seen, case.reference][-SESSION_LIMIT:]


def may_see(request: HttpRequest, case: Case) -> bool:
    if request.user.is_authenticated and case.applicant_id == request.user.pk:
        return True
    return case.reference in request.session.get(SESSION_KEY, [])


def case_for(request: HttpRequest, reference: str) -> Case:
    """The case if this request may see it; 404 otherwise (also for someone else's)."""
    case = (
        Case.objects.select_related("office", "service", "form_version__definition")
        .filter(reference=reference, form_version__isnull=False)
        .first()
    )
    if case is None or not may_see(request, case):
        raise Http404(
            _("Diesen Antrag gibt es nicht, oder er wurde in einem anderen Browser abgeschickt.")
        )
    return case


def after_submission_url(case: Case) -> str:
    """Pay first if a fee is due and can be paid online; else the "received" page."""
    if payments.payment_due(case) and payments.online_payment_available():
        return reverse("forms:payment", kwargs={"reference": case.reference})
    return reverse("forms:done", kwargs={"reference": case.reference})


def _summary_url(token: str) -> str:
    return reverse("forms:summary", kwargs={"token": token})


@require_POST
def submit_view(request: HttpRequest, token: str) -> HttpResponse:
    draft = Draft.objects.filter(resume_token=token).first()
    if draft is None:
        raise Http404(_("Diesen Antrag gibt es nicht."))
    user = request.user if request.user.is_authenticated else None
    if draft.owner_id is not None and (user is None or user.pk != draft.owner_id):
        if user is None:
            return HttpResponseRedirect(f"{reverse('accounts:login')}?next={_summary_url(token)}")
        raise Http404(_("Diesen Antrag gibt es nicht."))
    declaration = request.POST.get("declaration", "").strip().lower() in DECLARATION_VALUES
    try:
        case = submit(
            draft,
            user=user,
            declaration=declaration,
            language=get_language(),
            trust_level=trust.trust_level(request),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        for problem in exc.problems:
            if problem.message != exc.message:
                messages.error(request, problem.message)
        anchor = "#declaration" if any(p.field == "declaration" for p in exc.problems) else ""
        return HttpResponseRedirect(_summary_url(token) + anchor)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_summary_url(token))
    remember_submission(request, case)
    return HttpResponseRedirect(after_submission_url(case))


@require_GET
def done(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    try:
        my_cases_url = reverse("my_cases:index") if case.applicant_id else ""
    except NoReverseMatch:
        my_cases_url = ""
    context = {
        "case": case,
        "definition": case.form_version.definition if case.form_version else None,
        "fee": payments.format_amount(case.fee_cents) if case.fee_cents else "",
        "payment_due": payments.payment_due(case),
        "payment_online": payments.online_payment_available(),
        "receipt_url": reverse("forms:receipt", kwargs={"reference": case.reference}),
        "my_cases_url": my_cases_url,
        "email_sent_to": case.applicant_email,
    }
    return render(request, "forms/done.html", context)


@require_GET
def receipt(request: HttpRequest, reference: str) -> FileResponse:
    case = case_for(request, reference)
    # Normally made by the worker seconds after submission; if it is not there yet (queue
    # down), it is made now, so the download always works.
    document = receipts.ensure_receipt(case.pk)
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=document.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response
