"""The accessibility auditor on fixture pages with known problems, served on loopback.

It must report exactly the planted problems: a missing alt text, an unlabelled input, too
little contrast and a page that does not reflow at 320 pixels; nothing on the clean page;
nothing from the part robots.txt forbids or from other hosts.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rathaus.monitor.auditor import Auditor, browser, crawl, criteria_from_tags

FIXTURES = Path(__file__).parent.parent / "fixtures" / "auditor"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled(site: str) -> dict[str, Any]:
    with browser() as instance:
        auditor = Auditor(instance)
        try:
            results = crawl(auditor, [f"{site}/index.html"], allowed_hosts={"127.0.0.1"})
        finally:
            auditor.close()
    return {r.url.removeprefix(site): r for r in results}


def test_wcag_tags_become_success_criteria() -> None:
    tags = ["cat.text-alternatives", "wcag2a", "wcag111", "wcag1410", "wcag412", "section508"]
    assert criteria_from_tags(tags) == ("1.1.1", "1.4.10", "4.1.2")


def test_the_crawl_follows_links_within_the_allowed_host_and_respects_robots(
    crawled: dict[str, Any],
) -> None:
    assert set(crawled) == {"/index.html", "/bild.html", "/formular.html", "/breit.html"}
    assert {url: r.depth for url, r in crawled.items()} == {
        "/index.html": 0,
        "/bild.html": 1,
        "/formular.html": 1,
        "/breit.html": 2,
    }
    assert all(r.status == 200 and not r.error for r in crawled.values())


def test_exactly_the_planted_problems_are_reported(crawled: dict[str, Any]) -> None:
    found = {
        (url, f.rule, f.criteria, f.impact, f.selector)
        for url, result in crawled.items()
        for f in result.findings
    }
    assert found == {
        ("/bild.html", "image-alt", ("1.1.1",), "critical", "#ohne-alt"),
        ("/formular.html", "label", ("4.1.2",), "critical", "#ohne-label"),
        ("/formular.html", "color-contrast", ("1.4.3",), "serious", "#blass"),
        ("/breit.html", "rathaus-reflow", ("1.4.10",), "serious", "html"),
    }
    assert crawled["/index.html"].reflows is True
    assert crawled["/breit.html"].reflows is False


def test_a_page_that_does_not_exist_is_reported_not_raised(site: str) -> None:
    with browser() as instance:
        auditor = Auditor(instance, check_reflow=False)
        try:
            result, links = auditor.audit(f"{site}/fehlt.html")
            unreachable, _ = auditor.audit("http://127.0.0.1:9/")
        finally:
            auditor.close()
    assert result.status == 404
    assert links == []
    assert unreachable.error
    assert unreachable.status is None


def test_audit_command_prints_findings_per_url_as_json(site: str) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "audit", f"{site}/formular.html", f"{site}/index.html", "--format", "json", stdout=out
    )
    pages = json.loads(out.getvalue())
    assert [p["url"] for p in pages] == [f"{site}/formular.html", f"{site}/index.html"]
    assert sorted(
        (f["rule"], tuple(f["wcag"]), f["impact"], f["selector"]) for f in pages[0]["findings"]
    ) == [
        ("color-contrast", ("1.4.3",), "serious", "#blass"),
        ("label", ("4.1.2",), "critical", "#ohne-label"),
    ]
    assert pages[1]["findings"] == []
    assert pages[1]["depth"] == 0  # no crawl: the linked pages are not audited


def test_audit_command_refuses_what_is_not_a_web_address() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an http"):
        call_command("audit", "file:///etc/passwd")


@pytest.mark.django_db
def test_a_site_audit_is_stored_with_pages_findings_and_a_summary(site: str) -> None:
    from rathaus.monitor.audits import AuditSettings, run_site_audit, summarize
    from rathaus.monitor.models import AuditFinding

    run = run_site_audit(
        [f"{site}/index.html"],
        hosts={"127.0.0.1"},
        options=AuditSettings(delay_seconds=0.0),
    )

    assert run.finished_at is not None
    assert run.error == ""
    assert run.pages.count() == 4
    assert set(AuditFinding.objects.values_list("rule", flat=True)) == {
        "image-alt",
        "label",
        "color-contrast",
        "rathaus-reflow",
    }
    summary = summarize(run)
    assert summary.pages == 4
    assert summary.pages_without_serious == 1  # only the start page is clean
    assert summary.reflowing == 3
    assert summary.by_impact == {"critical": 2, "serious": 2}
