"""The company's private link: signed, unguessable, for one invitation, expiring.

The token is `django.core.signing` (a Signer: HMAC-SHA256 with SECRET_KEY) over the
invitation's id and a random 256-bit nonce kept on the invitation. Replacing the nonce
(withdrawal, re-opening) kills every link sent before; the link also stops working
`RESPONSE_GRACE_DAYS` after the deadline.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from resourcecentre.lib.tokens import LinkError

from .models import Invitation, Status

LINK_SALT = "resourcecentre.responses.link"


def link_token(invitation: Invitation) -> str:
    """The signed part of the company's private link: this invitation, this nonce. Without a
    timestamp, so every e-mail of one round carries the same link; dates are checked here."""
    return signing.Signer(salt=LINK_SALT).sign_object([invitation.pk, invitation.nonce])


def link_expires_at(invitation: Invitation) -> datetime.datetime:
    return invitation.deadline + datetime.timedelta(days=settings.RESPONSE_GRACE_DAYS)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link opens, or LinkError saying why it does not open."""
    try:
        pk, nonce = signing.Signer(salt=LINK_SALT).unsign_object(token)
        pk, nonce = int(pk), str(nonce)
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkError(
            _("This link is not valid. Check that you copied the whole address from the e-mail."), 404
        ) from None
    invitation = Invitation.objects.select_related("company", "request__story").filter(pk=pk).first()
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        raise LinkError(
            _("This link has been replaced or withdrawn. Use the link in the most recent e-mail from us.")
        )
    if invitation.status == Status.WITHDRAWN:
        raise LinkError(_("This request for a response has been withdrawn. You do not need to respond."))
    expires = link_expires_at(invitation)
    if timezone.now() > expires:
        raise LinkError(
            _("This link expired on %(date)s (UTC). Write to us if you still wish to respond.")
            % {"date": date_format(expires, "DATETIME_FORMAT")}
        )
    return invitation
