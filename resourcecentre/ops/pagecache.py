"""Whole public pages from the cache for anonymous readers, invalidated by tag on publish.

A page is stored with the versions of its tags (``story:<slug>``, ``company:<slug>``,
``news`` …, see ``page_tags``) as they were *before* it was rendered; invalidating a tag
deletes its version, so every page that carries it stops matching at once. A publish that
lands while a page renders therefore leaves no stale copy behind. Pages are keyed by scheme,
host, path, query string and the banner cookie; requests with a session, CSRF or messages
cookie never touch the cache, and only 200 answers without cookies are stored.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from resourcecentre.site_messages.queries import HIDDEN_COOKIE

from .metrics import PAGE_CACHE

logger = logging.getLogger(__name__)

TAG_PREFIX = "pagetag:"
PAGE_PREFIX = "page:"
# Cookies that mean this reader may see something personal: no cached page for them.
PRIVATE_COOKIES = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}
# Answers that depend on more than the URL, or are private: search results follow the index,
# which lags the database by a task; a company's response page and a subscriber's alert
# pages are behind secret links.
NEVER_CACHED = (
    "search:",
    "responses:respond",
    "alerts:follow",
    "alerts:confirm",
    "alerts:manage",
    "alerts:export",
    "alerts:unsubscribe",
    "wagtail",
    "ops:",
)
EVERY_PAGE = "all"
# The API and the open data files answer per key and carry their own caching headers.
NEVER_CACHED_PATHS = ("/api/", "/data/", "/admin/", "/documents/", "/django-admin/")


def page_tags(match: ResolverMatch) -> list[str] | None:
    """What a page shows, as tags; None for a page that is never cached."""
    name, kwargs = match.view_name, match.kwargs
    if name.startswith(NEVER_CACHED) or not name:
        return None
    slug = kwargs.get("slug", "")
    if name in ("news:story", "news:story_feed"):
        tag = f"story:{slug}"
    elif name == "news:component":
        tag = f"component:{slug}"
    elif name in ("companies:company", "companies:company_feed"):
        tag = f"company:{slug}"
    elif name.startswith("taxonomy:"):
        tag = f"{kwargs['kind']}:{slug}"
    elif name in ("home", "news:latest_news", "news:latest_news_feed"):
        tag = "news"
    elif name == "companies:index":
        tag = "companies"
    else:
        # Pages not described here (response rates, sitemaps, about) go with any change.
        tag = "site"
    return [EVERY_PAGE, tag]


def invalidate(tags: Iterable[str]) -> None:
    """Every cached page that carries one of these tags is out of date from now on."""
    keys = [TAG_PREFIX + tag for tag in set(tags)]
    if keys:
        try:
            cache.delete_many(keys)
        except Exception:
            logger.exception("Could not invalidate %d page tags", len(keys))


def _tag_versions(tags: list[str]) -> dict[str, str]:
    keys = [TAG_PREFIX + tag for tag in tags]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), timeout=None)
            found[key] = cache.get(key)
    return found


def _match(request: HttpRequest) -> ResolverMatch | None:
    """Resolve before the view runs: the language prefix is only known once activated."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            return resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None


def _key(request: HttpRequest) -> str:
    parts = (
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.COOKIES.get(HIDDEN_COOKIE, ""),
    )
    return PAGE_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


class PageCacheMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
            return self.get_response(request)
        if PRIVATE_COOKIES & request.COOKIES.keys():
            request.page_cache = "bypass"
            PAGE_CACHE.labels("bypass").inc()
            response = self.get_response(request)
            if "Cache-Control" not in response:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        if request.path_info.startswith(NEVER_CACHED_PATHS):
            return self.get_response(request)
        match = _match(request)
        tags = page_tags(match) if match else None
        if tags is None:
            return self.get_response(request)
        try:
            key = _key(request)
        except DisallowedHost:
            return self.get_response(request)
        try:
            entry = cache.get(key)
            versions = _tag_versions(tags)
        except Exception:
            # The cache is down: serve the page uncached rather than fail.
            logger.warning("Page cache unavailable", exc_info=True)
            PAGE_CACHE.labels("error").inc()
            return self.get_response(request)
        if entry is not None and entry[0] == versions:
            request.page_cache = "hit"
            request.route_name = match.view_name
            PAGE_CACHE.labels("hit").inc()
            response = entry[1]
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        request.page_cache = "miss"
        PAGE_CACHE.labels("miss").inc()
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            if "Cache-Control" not in response:
                patch_cache_control(
                    response,
                    public=True,
                    max_age=settings.PAGE_BROWSER_CACHE_SECONDS,
                    s_maxage=settings.PAGE_CDN_CACHE_SECONDS,
                )
            try:
                cache.set(key, (versions, response), settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("Could not store a page in the cache", exc_info=True)
        return response
