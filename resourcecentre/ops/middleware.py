"""Request metrics and structured request logs; rate limits on search, feeds and login."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from resourcecentre.ratelimits import retry_after, too_many_requests

from .metrics import REQUEST_SECONDS

logger = logging.getLogger("resourcecentre.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_of(request: HttpRequest) -> str:
    """A name for what answered, from a short fixed list: paths would hold slugs and secrets."""
    route = getattr(request, "route_name", None)
    if route:
        return route
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        # The proxy's id ties this log line to its access log; anything odd is replaced.
        request.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(method, route, str(response.status_code)).observe(seconds)
        response["X-Request-ID"] = request.request_id
        logger.info(
            "%s %s %s %.1fms",
            method,
            route,
            response.status_code,
            seconds * 1000,
            extra={
                "request_id": request.request_id,
                "method": method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "cache": getattr(request, "page_cache", ""),
            },
        )
        return response


# Which URL names are counted against which group of settings.RATE_LIMITS, for which methods.
RATE_LIMITED_ROUTES: list[tuple[re.Pattern, str, tuple[str, ...]]] = [
    (re.compile(r"^search:(search|company_autocomplete)$"), "search", ("GET", "HEAD")),
    (re.compile(r"_feed$"), "feeds", ("GET", "HEAD")),
    (re.compile(r"^wagtailadmin_login$"), "login", ("POST",)),
]


class RateLimitMiddleware:
    """Rate limits for views that other apps own, chosen by URL name in one place.

    Page-cache hits are answered before this runs: they cost nothing to serve.
    """

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        name = request.resolver_match.view_name if request.resolver_match else ""
        for pattern, group, methods in RATE_LIMITED_ROUTES:
            if request.method in methods and pattern.search(name):
                seconds = retry_after(request, group=group)
                return too_many_requests(seconds) if seconds else None
        return None
