"""Staff download of a case as a record archive (`/verwaltung/akten/<reference>/`).

Needs `cases.export_case` (office leads, administrators) and the case in the user's scope
(`cases_visible_to`: the own office, or all offices with `work_all_cases`). The staff-area
middleware has already required the second factor. Every export is written to the audit
trail: the archive holds personal data, so who took a copy is part of the record.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rathaus.cases import services
from rathaus.cases.export import archive_name, export_case
from rathaus.cases.selectors import cases_visible_to


@login_required
@require_GET
def download(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.has_perm("cases.export_case"):
        raise PermissionDenied(_("Sie dürfen keine Akten exportieren."))
    case = cases_visible_to(request.user).filter(reference=reference).first()
    if case is None:
        raise Http404(_("Diesen Vorgang gibt es nicht."))
    content = export_case(case)
    services.record_event(
        case,
        actor=request.user,  # type: ignore[arg-type]
        action="exported",
        summary="Akte exportiert",
        after={"bytes": len(content)},
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(case)}"'
    response["Cache-Control"] = "private, no-store"
    return response
