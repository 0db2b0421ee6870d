"""Shared fixtures. Tests run against whatever DATABASE_URL names (SQLite by default)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone, translation

from rathaus.accounts import roles
from rathaus.accounts.models import Office, User
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import LifeSituation, Service

PASSWORD = "Test-Passwort-2026!"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in the main thread for the rest of
    # the session once a browser test has started it, and Django then refuses ORM calls of
    # later tests. Browser tests therefore run last (after pytest-django's own ordering).
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/"))


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _small_council_demo(settings: Any) -> None:
    # `load_demo` builds the whole council demo (about 20 s, 1,600 PDFs); a small one is
    # enough for tests. Tests of its full size pass `council_scale` or call the council loader.
    settings.RATHAUS_DEMO_COUNCIL_SCALE = 0.03
    settings.RATHAUS_DEMO_MONITOR_HISTORY = False
    settings.RATHAUS_DEMO_AUDIT = False  # tests/monitor/test_demo.py runs it once
    # Likewise a few historic cases instead of a year's 2,000 (tests/cases/test_demo_cases.py
    # generates the full year).
    settings.RATHAUS_DEMO_CASES = 120


@pytest.fixture(autouse=True)
def _no_usage_counting(settings: Any) -> None:
    # Counting page views writes now and then; query-count assertions must not see it.
    # tests/monitor/test_usage.py switches it on.
    settings.RATHAUS_USAGE_COUNTING = False


@pytest.fixture(autouse=True)
def _german_by_default() -> Iterator[None]:
    # A request to an /en/ page leaves English active in the thread, and reverse() in the
    # next test would follow it; every test starts in German, the site's default.
    with translation.override("de"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The local-memory cache outlives a test; cached facets must not leak into the next one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def office(db: None) -> Office:
    return Office.objects.create(
        name="Fachgruppe Bürgerservice",
        slug="buergerservice",
        street="Bahnhofstraße 7",
        postal_code="21614",
        city="Buxtehude",
        opening_hours="Mo–Fr 8–12 Uhr, Do 14–18 Uhr",
        phone="04161 501-0",
        email="buergerbuero@example.org",
        accessibility="Stufenloser Zugang, Aufzug, Behinderten-WC im Erdgeschoss.",
    )


@pytest.fixture
def life_situation(db: None) -> LifeSituation:
    return LifeSituation.objects.create(name="Umzug", name_en="Moving house", slug="umzug")


def make_service(**fields: Any) -> Service:
    """A published service with sensible defaults; any field can be overridden."""
    life_situations = fields.pop("life_situations", [])
    defaults: dict[str, Any] = {
        "leika_key": "99010004001000",
        "name": "Personalausweis beantragen",
        "summary": "Einen neuen Personalausweis beantragen Sie persönlich im Bürgerbüro.",
        "status": Service.Status.PUBLISHED,
        "published_at": timezone.now(),
        "review_due": timezone.localdate() + datetime.timedelta(days=200),
        "maturity_level": 1,
    }
    defaults.update(fields)
    service = catalog_services.save_service(service=Service(**defaults))
    if life_situations:
        service.life_situations.set(life_situations)
    return service


@pytest.fixture
def service_factory(db: None) -> Any:
    return make_service


def make_user(username: str, *role_names: str, office: Office | None = None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        office=office,
        **extra,
    )
    for role in role_names:
        user.groups.add(Group.objects.get(name=role))
    return user


def verified_login(client: Any, user: User) -> None:
    """Sign the test client in as `user` with a confirmed second factor in the session.

    What a user gets after password and TOTP code; `force_login` alone is a password-only
    session, which staff pages and non-public council papers refuse.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test-App", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def user_factory(db: None) -> Any:
    return make_user


@pytest.fixture
def citizen(db: None) -> User:
    return make_user("buerger", roles.CITIZEN)


@pytest.fixture
def clerk(db: None, office: Office) -> User:
    return make_user("clerk", roles.CLERK, office=office)


@pytest.fixture
def digital_officer(db: None, office: Office) -> User:
    return make_user("digi", roles.DIGITAL_OFFICER, office=office)


def use_smtp(settings: Any, controller: Any) -> None:
    """Point Django's SMTP backend at the test's own server (plain, no login)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on loopback; `.messages` holds what it received."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            msg = message_from_bytes(envelope.content)
            msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(msg)
            return "250 OK"

    class FreePortController(Controller):
        # With port 0 the OS picks a free port; aiosmtpd's readiness probe would still dial
        # port 0, so learn the real port from the bound socket first.
        def _trigger_server(self) -> None:
            if self.server is not None and self.server.sockets:
                self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    handler = Handler()
    controller = FreePortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()
