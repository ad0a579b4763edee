from django.core.cache import cache

from .models import SiteMessage

HIDDEN_COOKIE = "rc_hidden_message"
CACHE_KEY = "site_messages:active"
CACHE_SECONDS = 60


def active_messages() -> list[SiteMessage]:
    messages = cache.get(CACHE_KEY)
    if messages is None:
        messages = list(SiteMessage.objects.active())
        cache.set(CACHE_KEY, messages, CACHE_SECONDS)
    return messages


def visible_site_message(request) -> SiteMessage | None:
    """The newest active message meant for this visitor, unless they hid this version of it."""
    user = getattr(request, "user", None)
    hidden = request.COOKIES.get(HIDDEN_COOKIE)
    for message in active_messages():
        if user is not None and not message.is_for(user):
            continue
        return None if hidden == message.version else message
    return None
