"""Background tasks on both backends: the database queue with `db_worker`, and RQ on Redis."""

from __future__ import annotations

import datetime
import os
import signal
from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from rathaus.accounts import roles
from rathaus.accounts.models import Office
from rathaus.catalog.models import Service
from rathaus.catalog.services import SEARCH_KIND
from rathaus.catalog.tasks import (
    notify_overdue_reviews,
    overdue_review_messages,
    rebuild_search_index,
    review_recipients,
)
from rathaus.core import search
from rathaus.core.models import SearchDocument
from rathaus.core.tasks import PONG, ping
from tests.conftest import make_service, make_user, use_smtp

QUEUES = ["default", "mail", "import"]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
# A Redis database of its own, so the tests never touch the queues of a running demo.
# A Redis database of its own; the SQLite and the PostgreSQL run of `make test` run at the
# same time and each empties its queues, so each gets its own number.
TEST_REDIS_DB = int(os.environ.get("RATHAUS_TEST_REDIS_DB", "15"))


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """Workers install their own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def database_tasks(settings: Any) -> None:
    # Whatever RATHAUS_TASKS_BACKEND says (the PostgreSQL run uses RQ), test the database one.
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_BACKEND = "database"


@pytest.fixture
def smtp_mail(settings: Any, smtp_server: Any) -> Any:
    controller, handler = smtp_server
    use_smtp(settings, controller)
    return handler


def subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def run_db_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def overdue_services(today: datetime.date) -> dict[str, Any]:
    """Offices with and without leads, and services overdue, due later and archived."""
    fb = Office.objects.create(name="Fachbereich 2", slug="fb2", email="fb2@example.org")
    buergerbuero = Office.objects.create(
        name="Bürgerbüro", slug="bb", parent=fb, email="bb@example.org"
    )
    standesamt = Office.objects.create(
        name="Standesamt", slug="standesamt", email="standesamt@example.org"
    )
    lead = make_user("lead-fb2", roles.OFFICE_LEAD, office=fb)
    make_user("clerk-bb", roles.CLERK, office=buergerbuero)  # a clerk is no recipient
    overdue = today - datetime.timedelta(days=10)
    # Drafts: overdue reviews concern them too, and they stay out of the search index.
    draft = Service.Status.DRAFT
    make_service(
        leika_key="99008001012000",
        name="Personalausweis beantragen",
        office=buergerbuero,
        review_due=overdue,
        status=draft,
    )
    make_service(
        leika_key="99115003012000",
        name="Meldebescheinigung beantragen",
        office=buergerbuero,
        review_due=today + datetime.timedelta(days=30),
        status=draft,
    )
    make_service(
        leika_key="99027002012000",
        name="Geburtsurkunde beantragen",
        office=standesamt,
        review_due=overdue,
        status=draft,
    )
    make_service(
        leika_key="99027006012000",
        name="Sterbeurkunde beantragen",
        office=standesamt,
        review_due=overdue,
        status=Service.Status.ARCHIVED,
    )
    return {"lead": lead, "buergerbuero": buergerbuero, "standesamt": standesamt}


# --- database backend --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "keep_signal_handlers")
def test_database_backend_stores_task_and_worker_runs_it() -> None:
    from django_tasks_db.models import DBTaskResult

    result = ping.enqueue()

    assert result.status == TaskResultStatus.READY
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == TaskResultStatus.READY
    assert stored.task_path == "rathaus.core.tasks.ping"

    run_db_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == PONG
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "keep_signal_handlers")
def test_database_worker_mails_overdue_reviews_per_office(smtp_mail: Any) -> None:
    overdue_services(timezone.localdate())

    result = notify_overdue_reviews.enqueue()
    assert result.status == TaskResultStatus.READY
    assert result.task.queue_name == "mail"
    assert not smtp_mail.messages  # nothing happens before a worker runs

    run_db_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    by_recipient = {m["X-Envelope-To"]: m for m in smtp_mail.messages}
    assert set(by_recipient) == {"lead-fb2@example.org", "standesamt@example.org"}

    to_lead = by_recipient["lead-fb2@example.org"]
    body = to_lead.get_payload(decode=True).decode()
    assert subject(to_lead) == "Prüfung überfällig: 1 Leistung (Bürgerbüro)"
    assert "Personalausweis beantragen" in body
    assert "99008001012000" in body
    assert "Meldebescheinigung" not in body  # due next month

    body = by_recipient["standesamt@example.org"].get_payload(decode=True).decode()
    assert "Geburtsurkunde beantragen" in body
    assert "Sterbeurkunde" not in body  # archived services need no review


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "keep_signal_handlers")
def test_database_worker_records_a_failing_task(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> int:
        raise RuntimeError("Suchindex nicht erreichbar")

    monkeypatch.setattr("rathaus.catalog.services.rebuild_search_index", broken)
    result = rebuild_search_index.enqueue()

    run_db_worker()

    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[-1].exception_class_path == "builtins.RuntimeError"
    assert "Suchindex nicht erreichbar" in result.errors[-1].traceback


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "keep_signal_handlers")
def test_run_worker_command_with_database_backend() -> None:
    result = ping.enqueue()

    call_command("run_worker", "--burst", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_run_worker_command_rejects_unknown_queue() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unbekannte Warteschlange nirgendwo"):
        call_command("run_worker", "--burst", "--queue", "nirgendwo")


# --- task logic --------------------------------------------------------------------------


@pytest.mark.django_db
def test_rebuild_search_index_task_reindexes_every_published_service(settings: Any) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    make_service(leika_key="99008001012000", name="Personalausweis beantragen")
    make_service(
        leika_key="99102013104000", name="Hundesteuer: Hund anmelden", keywords="Hundemarke"
    )
    SearchDocument.objects.filter(kind=SEARCH_KIND).delete()
    assert not search.search("Hundemarke")[0]

    result = rebuild_search_index.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    hits, _query = search.search("Hundemarke")
    assert [h.title for h in hits] == ["Hundesteuer: Hund anmelden"]


@pytest.mark.django_db
def test_review_recipients_prefer_leads_then_parent_leads_then_office_mail() -> None:
    offices = overdue_services(timezone.localdate())
    buergerbuero, standesamt = offices["buergerbuero"], offices["standesamt"]

    # No lead in the Bürgerbüro itself: the lead of its Fachbereich answers for it.
    assert review_recipients(buergerbuero) == ["lead-fb2@example.org"]
    assert review_recipients(standesamt) == ["standesamt@example.org"]

    own_lead = make_user("lead-bb", roles.OFFICE_LEAD, office=buergerbuero)
    make_user("lead-away", roles.OFFICE_LEAD, office=buergerbuero, is_active=False)
    assert review_recipients(buergerbuero) == [own_lead.email]

    make_user("digi", roles.DIGITAL_OFFICER)
    assert review_recipients(None) == ["digi@example.org"]


@pytest.mark.django_db
def test_overdue_reviews_without_any_recipient_send_nothing(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = IMMEDIATE_TASKS
    nobody = Office.objects.create(name="Stadtarchiv", slug="archiv")  # no lead, no address
    make_service(
        office=nobody,
        review_due=timezone.localdate() - datetime.timedelta(days=1),
        status=Service.Status.DRAFT,
    )
    assert overdue_review_messages() == []

    result = notify_overdue_reviews.enqueue()

    assert result.return_value == 0
    assert mail.outbox == []


# --- RQ backend on Redis -----------------------------------------------------------------


def _test_redis_url(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{TEST_REDIS_DB}", "", ""))


@pytest.fixture
def rq_tasks(settings: Any) -> Iterator[Any]:
    """The RQ backend on the real Redis, in a database of its own; its queues start empty."""
    import django_rq
    import redis

    url = _test_redis_url(settings.REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    settings.RQ_QUEUES = {name: {"URL": url, "DEFAULT_TIMEOUT": 60} for name in QUEUES}
    settings.TASKS = RQ_TASKS
    settings.TASKS_BACKEND = "rq"
    queues = [django_rq.get_queue(name) for name in QUEUES]
    for queue in queues:
        queue.empty()
    yield queues
    for queue in queues:
        queue.empty()


def run_rq_worker(*queue_names: str) -> None:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    # SimpleWorker runs the jobs in this process (no fork), inside the test's transaction.
    worker = django_rq.get_worker(*queue_names, job_class=Job, worker_class=SimpleWorker)
    worker.work(burst=True)


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_signal_handlers")
def test_rq_backend_queues_in_redis_and_worker_runs_it(rq_tasks: Any) -> None:
    default_queue = rq_tasks[0]

    result = ping.enqueue()

    assert result.status == TaskResultStatus.READY
    assert default_queue.count == 1
    assert ping.get_result(result.id).status == TaskResultStatus.READY

    run_rq_worker("default")

    assert default_queue.count == 0
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == PONG


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_signal_handlers")
def test_rq_worker_mails_overdue_reviews(rq_tasks: Any, smtp_mail: Any) -> None:
    overdue_services(timezone.localdate())
    mail_queue = rq_tasks[1]

    result = notify_overdue_reviews.enqueue()
    assert mail_queue.count == 1

    run_rq_worker("default", "mail")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    assert {m["X-Envelope-To"] for m in smtp_mail.messages} == {
        "lead-fb2@example.org",
        "standesamt@example.org",
    }


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_signal_handlers")
def test_run_worker_command_uses_the_configured_backend(rq_tasks: Any) -> None:
    import django_rq
    from rq import SimpleWorker

    result = ping.enqueue()
    original = django_rq.get_worker

    def in_process(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **{**kwargs, "worker_class": SimpleWorker})

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(django_rq, "get_worker", in_process)
        mp.setattr("django.db.connections.close_all", lambda: None)
        call_command("run_worker", "--burst", "--queue", "default")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
