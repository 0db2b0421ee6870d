"""Where files that must never be served directly live.

Applications, scans and letters contain personal data: they are stored under the data
directory, outside MEDIA_ROOT and the static files, and reach a browser only through a view
that checks who is asking.
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The storage for personal files; a callable so migrations do not freeze a path."""
    return storages["private"]
