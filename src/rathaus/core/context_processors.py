from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name and the address of the current page in every other language."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    # Each language is named in itself ("English", "Deutsch"), as readers look for it.
    alternates = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]
    return {
        "municipality": settings.RATHAUS_MUNICIPALITY,
        "language_alternates": alternates,
        "site_url": settings.SITE_URL,
    }
