"""Issuing and revoking API keys."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from .models import KEY_PREFIX, ApiKey, key_digest

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_key_issue(*, name: str, owner: str = "", rate: str = "600/m", created_by=None) -> tuple[ApiKey, str]:
    """A new key and its secret, which the caller shows once: only its digest is kept."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        name=name, owner=owner, rate=rate, digest=key_digest(key), hint=key[:8], created_by=created_by
    )
    api_key.full_clean()
    api_key.save()
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Record that the key was used, at most once a minute, so a busy client costs no write per request."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
