"""Deployment checks of our own, run by `manage.py check --deploy` (and so `make prod-check`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register("security", deploy=True)
def editors_need_two_factors(app_configs, **kwargs) -> list[Warning]:
    if settings.EDITOR_2FA_REQUIRED:
        return []
    return [
        Warning(
            "Editors can log in with a password alone.",
            hint="Set EDITOR_2FA_REQUIRED=true so that every editor confirms a TOTP code.",
            id="ops.W001",
        )
    ]


@register("caches", deploy=True)
def processes_share_a_cache(app_configs, **kwargs) -> list[Warning]:
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "The cache is in-process: each web process keeps its own page cache, counts its own "
            "rate limits and login failures, and misses other processes' invalidations.",
            hint="Set REDIS_URL, e.g. redis://127.0.0.1:6379/0.",
            id="ops.W002",
        )
    ]
