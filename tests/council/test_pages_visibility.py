"""Non-public meetings, agenda items, papers and files, role by role, on the citizen pages.

Only members of the body the object belongs to and the council office see them; everybody
else gets a 404 (never a 403) and finds no trace of them on the public pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import verified_login
from tests.council.conftest import ROLES_SEEING_NON_PUBLIC, SECRET_TITLE, SECRET_WORD, Council

pytestmark = pytest.mark.django_db

ROLES = list(ROLES_SEEING_NON_PUBLIC)


def non_public_urls(council: Council) -> dict[str, str]:
    return {
        "meeting": council.va_past.get_absolute_url(),
        "meeting_ical": f"/rat/sitzungen/{council.va_past.pk}/ical/",
        "agenda_item": f"/rat/tagesordnungspunkte/{council.items['bau_secret'].pk}/",
        "paper": council.secret.get_absolute_url(),
        "file": f"/rat/dateien/{council.secret_pdf.pk}/",
        "file_download": f"/rat/dateien/{council.secret_pdf.pk}/download/",
    }


@pytest.mark.parametrize("role", ROLES)
def test_non_public_objects_are_404_unless_the_role_may_see_them(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    expected = (200, 302) if ROLES_SEEING_NON_PUBLIC[role] else (404,)
    for name, url in non_public_urls(council).items():
        status = client.get(url).status_code
        assert status in expected, f"{role} {name} {url}: HTTP {status}"


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_show_non_public_content_only_to_those_allowed(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    sees = ROLES_SEEING_NON_PUBLIC[role]
    pages = [
        council.bau_past.get_absolute_url(),  # the public meeting with a non-public item
        council.bau.get_absolute_url(),  # the body consulting the secret paper
        council.va.get_absolute_url(),  # the body meeting in private
        council.vorlage.get_absolute_url(),  # a public paper that went through the VA
        "/rat/",
        "/rat/sitzungen/?zeit=vergangen",
        f"/rat/sitzungen/?zeit=vergangen&gremium={council.va.pk}",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        if sees:
            continue
        assert SECRET_TITLE not in html, f"{role} sees the secret title on {url}"
        assert SECRET_WORD not in html, f"{role} sees the secret word on {url}"
        assert council.va_past.get_absolute_url() not in html, f"{role}: VA meeting on {url}"
        assert council.secret.get_absolute_url() not in html, f"{role}: secret paper on {url}"
        assert f"/rat/dateien/{council.secret_pdf.pk}/" not in html
    meeting = client.get(council.bau_past.get_absolute_url()).content.decode()
    assert (SECRET_TITLE in meeting) is sees
    assert ("Nicht öffentlicher Teil" in meeting) is not sees
    va_page = client.get(council.va.get_absolute_url()).content.decode()
    assert (council.va_past.get_absolute_url() in va_page) is sees


@pytest.mark.parametrize("role", ROLES)
def test_non_public_meeting_in_the_calendar(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    from django.utils import timezone

    login_as(role)
    start = timezone.localtime(council.va_past.start)
    html = client.get(f"/rat/kalender/{start.year}/{start.month}/").content.decode()
    assert (council.va_past.get_absolute_url() in html) is ROLES_SEEING_NON_PUBLIC[role]


def test_member_page_of_a_non_public_meeting_shows_it_as_such(
    client: Client, council: Council, council_member: Any
) -> None:
    verified_login(client, council_member)
    html = client.get(council.va_past.get_absolute_url()).content.decode()
    assert council.va_past.name in html
    assert "nicht öffentlich" in html
    assert SECRET_TITLE in html
    paper = client.get(council.secret.get_absolute_url()).content.decode()
    assert f"/rat/dateien/{council.secret_pdf.pk}/" in paper


@pytest.mark.parametrize("user_fixture", ["council_member", "council_office_user"])
def test_password_alone_opens_no_non_public_object(
    client: Client, council: Council, settings: Any, request: Any, user_fixture: str
) -> None:
    """Without a confirmed second factor a member or the council office reads like the public."""
    settings.RATHAUS_STAFF_SECOND_FACTOR = True
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(council.va_past.get_absolute_url()).status_code == 404
    assert client.get(council.secret.get_absolute_url()).status_code == 404
    assert client.get(f"/rat/dateien/{council.secret_pdf.pk}/").status_code == 404
    html = client.get(council.bau_past.get_absolute_url()).content.decode()
    assert SECRET_TITLE not in html

    settings.RATHAUS_STAFF_SECOND_FACTOR = False  # the demo's switch: password is enough
    assert client.get(council.va_past.get_absolute_url()).status_code == 200


def test_membership_that_ended_no_longer_opens_non_public_objects(
    client: Client, council: Council, council_member: Any
) -> None:
    import datetime

    from django.utils import timezone

    from rathaus.council.models import Membership

    Membership.objects.filter(
        person=council.anna, organization__in=[council.va, council.bau]
    ).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    verified_login(client, council_member)
    assert client.get(council.va_past.get_absolute_url()).status_code == 404
    assert client.get(council.secret.get_absolute_url()).status_code == 404


def test_public_file_attached_to_a_public_paper_is_open_to_all(
    client: Client, council: Council
) -> None:
    assert client.get(f"/rat/dateien/{council.vorlage_pdf.pk}/").status_code == 200
