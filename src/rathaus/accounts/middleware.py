"""Staff pages need a second factor: unverified staff are sent to enter (or set up) a code."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from rathaus.accounts import selectors

# Path prefixes of staff areas, without the language prefix. Everything the administration
# works with lives below these, so new staff pages are covered without touching this list.
STAFF_PATH_PREFIXES = ("/verwaltung/", "/admin/")


def is_staff_path(path: str) -> bool:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            path = path[len(prefix) - 1 :]
            break
    return path.startswith(STAFF_PATH_PREFIXES)


class StaffSecondFactorMiddleware:
    """Runs after django-otp's OTPMiddleware, which tells whether this session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_verify(request):
            target = selectors.second_factor_url(request.user, next_url=request.get_full_path())
            return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _must_verify(request: HttpRequest) -> bool:
        # Cheap checks first: most requests are public pages of anonymous readers.
        if not settings.RATHAUS_STAFF_SECOND_FACTOR or not is_staff_path(request.path_info):
            return False
        user = request.user
        if not user.is_authenticated or selectors.is_verified(user):
            return False
        return selectors.second_factor_required(user)
