"""Background tasks of the news (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from rathaus.news import services


@task()
def sync_due_items() -> dict[str, int]:
    """Hourly: scheduled items whose time has come enter the search index, expired ones
    leave it. (Pages, feeds and the site search check the clock themselves.)"""
    return services.sync_due_items()


@task()
def rebuild_search_index() -> int:
    return services.rebuild_search_index()
