"""Rich text is sanitised on the server: on save, and again when rendered."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.news import sanitize
from rathaus.news.models import Announcement

from .conftest import make_announcement

EVIL = (
    '<p onclick="steal()">Hallo <strong>Welt</strong></p>'
    "<script>alert('x')</script>"
    '<a href="javascript:alert(1)">Klick</a>'
    '<a href="JaVaScRiPt:alert(2)">Klack</a>'
    '<a href="https://www.buxtehude.de/" target="_blank" style="color:red">Stadt</a>'
    '<a href="mailto:presse@example.org">Presse</a>'
    '<img src="x" onerror="steal()">'
    '<iframe src="https://evil.example/"></iframe>'
    "<style>body{display:none}</style>"
    "<h2>Zwischentitel</h2><ul><li>eins</li></ul>"
    '<table><tr><th scope="col">A</th></tr><tr><td>1</td></tr></table>'
)


def test_clean_keeps_the_allowlist_and_drops_the_rest() -> None:
    html = sanitize.clean(EVIL)
    for gone in (
        "onclick",
        "<script",
        "alert",
        "javascript:",
        "JaVaScRiPt",
        "<img",
        "onerror",
        "<iframe",
        "<style",
        "style=",
        "target=",
    ):
        assert gone not in html, gone
    assert "<strong>Welt</strong>" in html
    assert (
        '<a href="https://www.buxtehude.de/" rel="noopener noreferrer nofollow">Stadt</a>' in html
    )
    assert 'href="mailto:presse@example.org"' in html
    assert "<h2>Zwischentitel</h2>" in html
    assert "<li>eins</li>" in html
    assert '<th scope="col">A</th>' in html


def test_other_url_schemes_are_dropped() -> None:
    html = sanitize.clean('<a href="data:text/html,x">a</a><a href="ftp://x/">b</a>')
    assert "data:" not in html
    assert "ftp:" not in html


@pytest.mark.django_db
def test_body_is_sanitised_on_save_and_rendered_clean(client: Client) -> None:
    item = make_announcement("Sicher", body=EVIL)
    stored = Announcement.objects.get(pk=item.pk).body
    assert "<script" not in stored
    assert "onclick" not in stored
    assert "javascript:" not in stored
    # A row written around the service layer is still rendered clean.
    Announcement.objects.filter(pk=item.pk).update(body=EVIL)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "steal()" not in page
    assert "javascript:" not in page
    assert "alert('x')" not in page
    assert "<strong>Welt</strong>" in page


def test_plain_text_for_index_and_feeds() -> None:
    assert sanitize.plain_text("<p>a &amp; b</p><p>c</p>") == "a & b c"
