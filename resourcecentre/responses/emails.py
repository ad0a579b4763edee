"""The e-mails of the response mechanism, written in the company's language where it has one."""

import gettext
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from resourcecentre.lib.html import plain_text

from .links import link_expires_at, link_token
from .models import Invitation, Response
from .services import contact_emails

SUBJECTS = {
    "invitation": lambda c: _("Invitation to respond: %(story)s") % c,
    "reminder": lambda c: _("Reminder: invitation to respond by %(deadline)s") % c,
    "acknowledgement": lambda c: _("We have received your response: %(story)s") % c,
}


LOCALE_DIR = Path(__file__).parent / "locale"


def email_language(invitation: Invitation) -> str:
    """The company's language when the e-mails are translated into it, else the site's."""
    language = invitation.company.language
    translated = language and gettext.find("django", LOCALE_DIR, [translation.to_locale(language)])
    return language if translated else settings.LANGUAGE_CODE


def link_language(invitation: Invitation) -> str:
    """The company's language when the site's pages are in it, else the site's."""
    language = invitation.company.language
    return language if language in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def response_link(invitation: Invitation) -> str:
    """The company's private link, in its language where the site has it."""
    with translation.override(link_language(invitation)):
        return settings.SITE_URL + reverse("responses:respond", kwargs={"token": link_token(invitation)})


def send_invitation_email(invitation: Invitation, response: Response, kind: str) -> list[str]:
    """Send the `kind` e-mail (invitation, reminder, acknowledgement) to the company's
    contacts; returns the addresses it went to."""
    recipients = contact_emails(invitation.company)
    if not recipients:
        return []
    language = email_language(invitation)
    with translation.override(language):
        story = invitation.request.story
        context = {
            "invitation": invitation,
            "company": invitation.company,
            "request": invitation.request,
            "story": story,
            "story_url": settings.SITE_URL + story.get_absolute_url(),
            "rejoinder": response.rejoinder and plain_text(response.rejoinder.excerpt),
            "response": response,
            "link": response_link(invitation),
            "expires": link_expires_at(invitation),
            "site_name": settings.SITE_NAME,
        }
        subject = SUBJECTS[kind]({"story": story.headline, "deadline": _date(invitation.deadline)})
        body = render_to_string(f"responses/email/{kind}.txt", context)
    opener = invitation.request.opened_by
    message = EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=body,
        to=recipients,
        reply_to=[opener.email] if opener and opener.email else None,
        headers={"Content-Language": language},
    )
    message.send()
    return recipients


def _date(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")
