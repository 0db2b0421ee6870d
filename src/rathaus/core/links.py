"""Absolute addresses for places without a request: mails, feeds, exports."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str) -> str:
    """`path` on this installation's public address (RATHAUS_SITE_URL)."""
    return settings.SITE_URL + path
