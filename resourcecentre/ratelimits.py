"""Rate limits on public endpoints, answered with 429 and Retry-After.

django-ratelimit counts requests per client in a fixed window in the shared cache (Redis in
production, the in-process cache on the embedded default). Rates come from
``settings.RATE_LIMITS`` by group name, read at request time so they can be set per deployment.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage


def retry_after(
    request: HttpRequest, *, group: str, key: str | Callable = "ip", rate: str | None = None
) -> int:
    """Count this request against ``group``; the seconds to wait if it is over the limit, else 0."""
    usage = get_usage(request, group=group, key=key, rate=rate or settings.RATE_LIMITS[group], increment=True)
    if usage is None or not usage["should_limit"]:
        return 0
    return max(1, usage["time_left"])


def too_many_requests(seconds: int) -> HttpResponse:
    response = HttpResponse(
        f"Too many requests. Please try again in {seconds} seconds.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(group: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Decorate a view so that more than ``settings.RATE_LIMITS[group]`` requests per client
    (with one of ``methods``) are refused with 429."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                seconds = retry_after(request, group=group)
                if seconds:
                    return too_many_requests(seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
