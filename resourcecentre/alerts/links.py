"""The subscriber's signed links: confirm an alert, manage alerts, unsubscribe.

Tokens are `django.core.signing` (HMAC-SHA256 with SECRET_KEY), as the company response
links are (`responses/links.py`), over the subscriber's id and a random nonce kept on the
subscriber: replacing the nonce revokes every link sent before. The confirmation link is
timestamped and expires after `ALERTS_CONFIRM_DAYS`; the manage and unsubscribe links are
stable, so an old digest's unsubscribe link keeps working, and each has its own salt so the
unsubscribe link in a header cannot open the manage page.
"""

from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_urlconf, reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from resourcecentre.lib.tokens import LinkError

from .models import Alert, Subscriber

CONFIRM_SALT = "resourcecentre.alerts.confirm"
MANAGE_SALT = "resourcecentre.alerts.manage"
UNSUBSCRIBE_SALT = "resourcecentre.alerts.unsubscribe"


def confirm_token(alert: Alert) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object([alert.pk, alert.subscriber.nonce])


def manage_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign_object([subscriber.pk, subscriber.nonce])


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([subscriber.pk, subscriber.nonce])


def absolute(path: str) -> str:
    return settings.SITE_URL + path


PLACEHOLDER = "TOKEN"


@lru_cache(maxsize=64)
def _url_pattern(name: str, language: str | None, urlconf_id: int) -> str:
    return reverse(name, kwargs={"token": PLACEHOLDER})


def _url(name: str, token: str) -> str:
    """reverse() once per view and language: a digest run builds two links per message."""
    pattern = _url_pattern(name, translation.get_language(), id(get_urlconf()))
    return absolute(pattern.replace(PLACEHOLDER, token))


def confirm_url(alert: Alert) -> str:
    return _url("alerts:confirm", confirm_token(alert))


def manage_url(subscriber: Subscriber) -> str:
    return _url("alerts:manage", manage_token(subscriber))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return _url("alerts:unsubscribe", unsubscribe_token(subscriber))


def _invalid() -> LinkError:
    return LinkError(
        _("This link is not valid. Check that you copied the whole address from the e-mail."), 404
    )


def _replaced() -> LinkError:
    return LinkError(
        _("This link has been replaced. Use the link in the most recent e-mail from us, or follow again.")
    )


def _subscriber(pk, nonce) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=int(pk)).first()
    if subscriber is None or not constant_time_compare(subscriber.nonce, str(nonce)):
        raise _replaced()
    return subscriber


def alert_for_confirm_token(token: str) -> Alert:
    try:
        pk, nonce = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=settings.ALERTS_CONFIRM_DAYS * 86400
        )
    except signing.SignatureExpired:
        raise LinkError(
            _("This confirmation link has expired. Follow the page again to receive a new one.")
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise _invalid() from None
    alert = Alert.objects.select_related("subscriber").filter(pk=pk).first()
    if alert is None or not constant_time_compare(alert.subscriber.nonce, str(nonce)):
        raise _replaced()
    return alert


def subscriber_for_token(token: str, *, salt: str) -> Subscriber:
    try:
        pk, nonce = signing.Signer(salt=salt).unsign_object(token)
        return _subscriber(pk, nonce)
    except (signing.BadSignature, TypeError, ValueError):
        raise _invalid() from None
