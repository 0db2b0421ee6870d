"""The accessibility auditor: axe-core in headless Chromium, page by page.

It opens each page as a visitor would (JavaScript on, German locale), runs axe-core's WCAG 2.1
A/AA rules, checks reflow at 320 CSS pixels (WCAG 1.4.10: no horizontal scrolling on a
small screen, which is what 400 % zoom of a 1280-pixel window gives) by narrowing the same
page's viewport instead of loading it a second time, and, when crawling, follows links
within an allow-list of hosts, breadth first, so the depth of a page is the number of clicks
from the start page. robots.txt is respected and requests are spaced by a delay per host.

The browser work runs before anything touches the database: Playwright's synchronous API
keeps an event loop in its thread, in which Django refuses ORM calls.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.robotparser
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

USER_AGENT = "RathausAuditor/1.0 (+accessibility monitor of the town)"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MOBILE_VIEWPORT = ViewportSize(width=320, height=640)
DESKTOP_VIEWPORT = ViewportSize(width=1280, height=900)
REFLOW_RULE = "rathaus-reflow"
_WCAG_CRITERION = re.compile(r"^wcag(\d)(\d)(\d+)$")
_SKIPPED_SUFFIXES = (
    ".pdf",
    ".ics",
    ".zip",
    ".xml",
    ".json",
    ".csv",
    ".docx",
    ".png",
    ".jpg",
    ".yaml",
    ".yml",
)


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    criteria: tuple[str, ...]  # WCAG success criteria, e.g. ("1.1.1",)
    selector: str
    help: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "wcag": list(self.criteria),
            "impact": self.impact,
            "selector": self.selector,
            "help": self.help,
        }


@dataclass
class PageResult:
    url: str
    depth: int
    status: int | None = None
    title: str = ""
    findings: list[Finding] = field(default_factory=list)
    reflows: bool | None = None  # None: not checked
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "depth": self.depth,
            "status": self.status,
            "title": self.title,
            "reflows_at_320px": self.reflows,
            "error": self.error,
            "findings": [f.as_dict() for f in self.findings],
        }


def criteria_from_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """axe-core tags such as "wcag143" or "wcag1410" as success criteria "1.4.3", "1.4.10"."""
    found = []
    for tag in tags:
        match = _WCAG_CRITERION.match(tag)
        if match:
            found.append(".".join(match.groups()))
    return tuple(sorted(set(found)))


def chromium_path() -> str:
    return getattr(settings, "RATHAUS_CHROMIUM", "") or shutil.which("chromium") or "chromium"


@contextmanager
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            yield instance
        finally:
            instance.close()


def _axe(page: Page) -> list[Finding]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate("options => axe.run(document, options)", options)
    findings = []
    for violation in results["violations"]:
        criteria = criteria_from_tags(violation.get("tags", []))
        for node in violation["nodes"]:
            findings.append(
                Finding(
                    rule=violation["id"],
                    impact=node.get("impact") or violation.get("impact") or "",
                    criteria=criteria,
                    selector=" ".join(str(part) for part in node.get("target", [])),
                    help=violation.get("help", ""),
                )
            )
    return findings


def _reflows(page: Page) -> bool:
    """True when the page fits 320 CSS pixels without horizontal scrolling (WCAG 1.4.10)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= MOBILE_VIEWPORT["width"] + 1)


def _links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "anchors => anchors.map(a => a.href)")
    return hrefs


class Auditor:
    """Audits pages in one browser; reuse one instance for many pages."""

    def __init__(
        self,
        browser: Browser,
        *,
        check_reflow: bool = True,
        timeout_ms: int = 20_000,
        delay_seconds: float = 0.0,
    ) -> None:
        self.check_reflow = check_reflow
        self.timeout_ms = timeout_ms
        self.delay_seconds = delay_seconds
        self._last_request: dict[str, float] = {}
        self._context = browser.new_context(
            viewport=DESKTOP_VIEWPORT, locale="de-DE", user_agent=USER_AGENT
        )
        self._page = self._context.new_page()

    def close(self) -> None:
        self._context.close()

    def _check_reflow(self) -> bool:
        """Narrow the loaded page to 320 pixels, measure, and widen it again for the next."""
        self._page.set_viewport_size(MOBILE_VIEWPORT)
        try:
            return _reflows(self._page)
        finally:
            self._page.set_viewport_size(DESKTOP_VIEWPORT)

    def _wait_for_turn(self, url: str) -> None:
        """Space requests to one host by the configured delay (politeness)."""
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None and self.delay_seconds:
            wait = self.delay_seconds - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def audit(self, url: str, *, depth: int = 0) -> tuple[PageResult, list[str]]:
        """Findings of one page and the links on it."""
        result = PageResult(url=url, depth=depth)
        self._wait_for_turn(url)
        try:
            response = self._page.goto(url, wait_until="load", timeout=self.timeout_ms)
        except Exception as exc:  # a page that cannot be loaded is a result, not a crash
            result.error = str(exc).splitlines()[0][:300]
            return result, []
        result.status = response.status if response else None
        content_type = (response.headers.get("content-type", "") if response else "").lower()
        if "html" not in content_type:
            result.error = f"not an HTML page ({content_type or 'no content type'})"
            return result, []
        result.title = self._page.title()
        result.findings = _axe(self._page)
        links = _links(self._page)
        if self.check_reflow:
            try:
                result.reflows = self._check_reflow()
            except Exception as exc:  # reported with the page, the desktop audit stands
                result.error = f"mobile view: {str(exc).splitlines()[0][:250]}"
            if result.reflows is False:
                result.findings.append(
                    Finding(
                        rule=REFLOW_RULE,
                        impact="serious",
                        criteria=("1.4.10",),
                        selector="html",
                        help="Content needs horizontal scrolling at 320 CSS pixels",
                    )
                )
        return result, links


class Robots:
    """robots.txt per host, fetched once; a missing or unreadable file allows everything."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._parsers: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._timeout = timeout

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._parsers:
            self._parsers[origin] = self._fetch(origin)
        parser = self._parsers[origin]
        return parser is None or parser.can_fetch(USER_AGENT, url)

    def _fetch(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        try:
            response = httpx.get(
                f"{origin}/robots.txt",
                timeout=self._timeout,
                headers={"User-Agent": USER_AGENT},
                follow_redirects=True,
            )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(response.text.splitlines())
        return parser


def _normalise(url: str) -> str:
    return urldefrag(url)[0]


def crawl(
    auditor: Auditor,
    start_urls: list[str],
    *,
    allowed_hosts: set[str],
    max_pages: int = 200,
    max_depth: int = 6,
    robots: Robots | None = None,
) -> list[PageResult]:
    """Breadth first from the start pages, within the allowed hosts, up to `max_pages`."""
    robots = robots or Robots()
    queue: deque[tuple[str, int]] = deque((_normalise(u), 0) for u in start_urls)
    seen = {url for url, _depth in queue}
    results: list[PageResult] = []
    while queue and len(results) < max_pages:
        url, depth = queue.popleft()
        if not robots.allowed(url):
            continue
        result, links = auditor.audit(url, depth=depth)
        results.append(result)
        if depth >= max_depth:
            continue
        for link in links:
            target = _normalise(urljoin(url, link))
            parts = urlsplit(target)
            if (
                parts.scheme not in {"http", "https"}
                or parts.hostname not in allowed_hosts
                or target in seen
                or parts.path.lower().endswith(_SKIPPED_SUFFIXES)
            ):
                continue
            seen.add(target)
            queue.append((target, depth + 1))
    return results


def audit_urls(urls: list[str], *, check_reflow: bool = True) -> list[PageResult]:
    """Audit exactly these pages (no crawling): what `rathaus audit` prints."""
    with browser() as instance:
        auditor = Auditor(instance, check_reflow=check_reflow)
        try:
            return [auditor.audit(url)[0] for url in urls]
        finally:
            auditor.close()
