"""Save and resume: a signed link to an unfinished application, sent by mail.

Signed-in citizens find their drafts in their account (`selectors.open_drafts`). Anonymous
citizens have only the draft's address; on request they get a link by mail that is signed
(so it cannot be guessed or altered) and expires after 30 days, like the draft itself.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.core.errors import NotFound
from rathaus.core.links import site_url
from rathaus.forms.models import Draft

SALT = "rathaus.forms.resume"
MAX_AGE = datetime.timedelta(days=30)


class LinkExpired(NotFound):
    code = "expired"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def resume_path(draft: Draft) -> str:
    return reverse("forms:resume", kwargs={"signed": _signer().sign(draft.resume_token)})


def resume_link(draft: Draft) -> str:
    return site_url(resume_path(draft))


def token_from_link(signed: str) -> str:
    """The draft token of a signed link; NotFound if altered, LinkExpired if too old."""
    try:
        return _signer().unsign(signed, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired(_("Dieser Link ist abgelaufen.")) from None
    except signing.BadSignature:
        raise NotFound(_("Diesen Link kennen wir nicht.")) from None


def resume_message(draft: Draft, language: str) -> EmailMultiAlternatives:
    with translation.override(language):
        title = draft.version.definition.title
        subject = _("Ihr Antrag „%(title)s“: Link zum Fortsetzen") % {"title": title}
        context = {
            "subject": subject,
            "title": title,
            "link": resume_link(draft),
            "expires": formats.date_format(
                timezone.localtime(draft.expires_at), "SHORT_DATE_FORMAT"
            ),
            "municipality": settings.RATHAUS_MUNICIPALITY,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("forms/email/resume.txt", context),
            to=[draft.email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        )
        message.attach_alternative(
            render_to_string("forms/email/resume.html", context), "text/html"
        )
    return message


@task(queue_name="mail")
def send_resume_link(draft_id: int, language: str = "de") -> bool:
    """Mail the resume link of a draft to the address given for it; False if nothing to do."""
    draft = (
        Draft.objects.select_related("version__definition")
        .filter(pk=draft_id, submitted_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if draft is None or draft.is_expired:
        return False
    resume_message(draft, language).send()
    return True


@task(queue_name="default")
def purge_expired_drafts() -> int:
    """Daily: forget unfinished applications 30 days after their last change."""
    from rathaus.forms.services import purge_expired_drafts as purge

    return purge()
