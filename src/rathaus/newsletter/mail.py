"""The newsletter's mails: confirmation requests and issues (plain text and HTML).

An issue is rendered once per language with placeholders where each subscriber's own links
go; a mail is then that text with the links put in. The staff preview uses the same code
with a sample subscriber, so it shows exactly what is sent; 10,000 mails do not render the
templates 10,000 times.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rathaus.core.links import site_url
from rathaus.news.models import Announcement
from rathaus.newsletter.models import Issue, Subscriber

# Token characters are [A-Za-z0-9_-]: nothing in a URL or in HTML changes them.
TOKEN_PLACEHOLDER = "NEWSLETTERTOKENPLACEHOLDER"  # noqa: S105 (not a secret)
TEST_TOKEN = "test-ohne-abonnement"  # noqa: S105 (test mails link nowhere)


def sender() -> str:
    """The From header readers see."""
    return settings.RATHAUS_NEWSLETTER_FROM


def bounce_address() -> str:
    """Envelope sender (Return-Path): bounces and mailto: unsubscribe requests arrive here."""
    return settings.RATHAUS_BOUNCE_ADDRESS or parseaddr(sender())[1]


def mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _lang_path(name: str, args: list[str], language: str) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def manage_url(token: str, language: str) -> str:
    return site_url(_lang_path("newsletter:manage", [token], language))


def unsubscribe_url(token: str, language: str) -> str:
    return site_url(_lang_path("newsletter:unsubscribe", [token], language))


def mailto_unsubscribe(token: str) -> str:
    return f"mailto:{bounce_address()}?subject={quote('unsubscribe ' + token)}"


def _headers(language: str) -> dict[str, str]:
    return {
        "From": sender(),
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
    }


def _message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    headers: dict[str, str],
    connection: Any = None,
) -> EmailMultiAlternatives:
    # from_email is the envelope sender (bounces); the From header is set separately.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=bounce_address(),
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


# --- confirmation -------------------------------------------------------------------------


def confirmation_message(
    subscriber: Subscriber, *, connection: Any = None
) -> EmailMultiAlternatives:
    from rathaus.newsletter.services import CONFIRMATION_MAX_AGE, confirmation_code

    language = subscriber.language
    with translation.override(language):
        already = subscriber.status == Subscriber.Status.ACTIVE
        subject = (
            _("Sie erhalten unseren Newsletter bereits")
            if already
            else _("Bitte bestätigen Sie Ihre Anmeldung zum Newsletter")
        )
        context = {
            "municipality": settings.RATHAUS_MUNICIPALITY,
            "language": language,
            "subject": subject,
            "already_active": already,
            "topics": [t.name for t in subscriber.topics.all()],
            "confirm_url": site_url(
                _lang_path("newsletter:confirm", [confirmation_code(subscriber)], language)
            ),
            "manage_url": manage_url(subscriber.token, language),
            "unsubscribe_url": unsubscribe_url(subscriber.token, language),
            "valid_days": CONFIRMATION_MAX_AGE.days,
        }
        text = render_to_string("newsletter/email/confirmation.txt", context)
        html = render_to_string("newsletter/email/confirmation.html", context)
    return _message(
        to=subscriber.email,
        subject=subject,
        text=text,
        html=html,
        headers=_headers(language),
        connection=connection,
    )


# --- issues ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueEntry:
    kind: str
    title: str
    summary: str
    url: str
    date: str


@dataclass(frozen=True)
class RenderedIssue:
    """An issue in one language, with TOKEN_PLACEHOLDER where each reader's links go."""

    issue_id: int
    language: str
    subject: str
    text: str
    html: str
    # Per-mail values computed once per issue and language (thousands of mails use them).
    unsubscribe_template: str = ""
    envelope_sender: str = ""
    domain: str = ""

    def for_token(self, token: str) -> tuple[str, str]:
        return (
            self.text.replace(TOKEN_PLACEHOLDER, token),
            self.html.replace(TOKEN_PLACEHOLDER, token),
        )


def _announcement_url(announcement: Announcement) -> str:
    try:
        return site_url(announcement.get_absolute_url())
    except NoReverseMatch:  # the news pages are not installed: the home page at least works
        return site_url(reverse("core:home"))


def issue_entries(issue: Issue) -> list[IssueEntry]:
    items = issue.items.select_related("announcement").order_by("position", "id")
    return [
        IssueEntry(
            kind=str(item.announcement.get_kind_display()),
            title=item.announcement.title,
            summary=item.announcement.summary,
            url=_announcement_url(item.announcement),
            date=date_format(timezone.localtime(item.announcement.publish_at), "SHORT_DATE_FORMAT"),
        )
        for item in items
    ]


def render_issue(issue: Issue, language: str) -> RenderedIssue:
    with translation.override(language):
        context = {
            "municipality": settings.RATHAUS_MUNICIPALITY,
            "language": language,
            "subject": issue.subject,
            "issue": issue,
            "intro_paragraphs": [p.strip() for p in issue.intro.split("\n\n") if p.strip()],
            "entries": issue_entries(issue),
            "topics": [t.name for t in issue.topics.all()],
            "manage_url": manage_url(TOKEN_PLACEHOLDER, language),
            "unsubscribe_url": unsubscribe_url(TOKEN_PLACEHOLDER, language),
            "news_url": _news_index_url(),
        }
        text = render_to_string("newsletter/email/issue.txt", context)
        html = render_to_string("newsletter/email/issue.html", context)
    return RenderedIssue(
        issue_id=issue.pk,
        language=language,
        subject=issue.subject,
        text=text,
        html=html,
        unsubscribe_template=unsubscribe_url(TOKEN_PLACEHOLDER, language),
        envelope_sender=bounce_address(),
        domain=mail_domain(),
    )


def _news_index_url() -> str:
    try:
        return site_url(reverse("news:index"))
    except NoReverseMatch:
        return site_url(reverse("core:home"))


def message_id(issue_id: int, delivery_id: int | None, domain: str = "") -> str:
    # One fixed id per delivery: a mail sent twice by mistake is recognisably the same mail.
    part = f"{delivery_id}" if delivery_id is not None else "test-" + _random()
    return f"<newsletter.{issue_id}.{part}@{domain or mail_domain()}>"


def _random() -> str:
    import secrets

    return secrets.token_hex(8)


def issue_message(
    rendered: RenderedIssue,
    *,
    to: str,
    token: str,
    delivery_id: int | None,
    connection: Any = None,
    subject_prefix: str = "",
) -> EmailMultiAlternatives:
    """The mail of one issue to one reader, with their own links and RFC 8058 headers."""
    text, html = rendered.for_token(token)
    envelope = rendered.envelope_sender or bounce_address()
    domain = rendered.domain or mail_domain()
    unsubscribe = (
        rendered.unsubscribe_template.replace(TOKEN_PLACEHOLDER, token)
        if rendered.unsubscribe_template
        else unsubscribe_url(token, rendered.language)
    )
    mailto = f"mailto:{envelope}?subject={quote('unsubscribe ' + token)}"
    headers = {
        **_headers(rendered.language),
        "Message-ID": message_id(rendered.issue_id, delivery_id, domain),
        "List-Id": f"Newsletter <newsletter.{domain}>",
        "Precedence": "bulk",
        # RFC 2369 and RFC 8058: mail programs show an unsubscribe button that POSTs here.
        "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = EmailMultiAlternatives(
        subject=subject_prefix + rendered.subject,
        body=text,
        from_email=envelope,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
