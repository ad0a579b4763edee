"""What every API answer shares: API keys, rate limits, CORS, ETags and caching.

`public_api` wraps each of the API's URL views (the endpoints, the schema and the docs), so no
endpoint can forget a step. `known_parameters_only` wraps each operation, where the parameters
it declares are known.
"""

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from resourcecentre.ratelimits import retry_after

from .models import ApiKey
from .queries import active_key
from .services import api_key_mark_used

CACHE_SECONDS = 60
READ_METHODS = ("GET",)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After, Link",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, X-API-Key, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


def error_response(status: int, error: str, message: str, parameter: str | None = None) -> HttpResponse:
    body = {"error": error, "message": message, "parameter": parameter}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def presented_key(request: HttpRequest) -> str | None:
    """The key in X-API-Key or `Authorization: Bearer …`; None when the client sent none."""
    key = request.headers.get("X-API-Key")
    if key is None:
        scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            key = credentials
    return None if key is None else key.strip()


def _limit(request: HttpRequest, api_key: ApiKey | None) -> int:
    if api_key is None:
        return retry_after(request, group="api")
    return retry_after(
        request, group="api-key", key=lambda _group, _request: str(api_key.pk), rate=api_key.rate
    )


def public_api(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            for header, value in PREFLIGHT_HEADERS.items():
                response[header] = value
            return response
        api_key = None
        key = presented_key(request)
        if key is not None:
            api_key = active_key(key) if key else None
            if api_key is None:
                # Not served anonymously instead: a client whose key was revoked must find out.
                response = error_response(
                    401, "invalid_api_key", _("This API key is not valid or was revoked.")
                )
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return _cors(request, response)
            api_key_mark_used(api_key=api_key)
        seconds = _limit(request, api_key)
        if seconds:
            response = error_response(
                429,
                "too_many_requests",
                _("Too many requests. Please try again in %d seconds.") % seconds,
            )
            response["Retry-After"] = str(seconds)
            return _cors(request, response)
        head = request.method == "HEAD"
        if head:  # answered as the GET it asks about; the server (gunicorn, runserver) drops the body
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if request.method in READ_METHODS and response.status_code == 200 and not response.streaming:
            response = _conditional(request, response, keyed=api_key is not None)
        response = _cors(request, response)
        if head:
            request.method = "HEAD"
        return response

    return wrapped


def _conditional(request: HttpRequest, response: HttpResponse, *, keyed: bool) -> HttpResponse:
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag, response=response)
    if not_modified is not response:
        response = not_modified
    response["ETag"] = etag
    if keyed:
        patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    else:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["X-API-Key", "Authorization"])
    return response


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.method in READ_METHODS:
        for header, value in CORS_HEADERS.items():
            response[header] = value
    return response


def declared_parameters(operation) -> set[str]:
    """The query parameter names an operation declares (and so its OpenAPI schema lists)."""
    names = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            names |= set(model.__ninja_flatten_map__)
    return names


def known_parameters_only(run: Callable) -> Callable:
    """Refuse a query parameter the operation does not take, naming it: a misspelt filter must
    not silently return the unfiltered list."""
    allowed = declared_parameters(run.__self__)

    @wraps(run)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            message = _("Unknown query parameter “%(name)s”. This endpoint takes: %(allowed)s.") % {
                "name": unknown[0][:100],
                "allowed": ", ".join(sorted(allowed)) or _("no parameters"),
            }
            return _cors(request, error_response(400, "unknown_parameter", message, unknown[0][:100]))
        return run(request, *args, **kwargs)

    return wrapped
