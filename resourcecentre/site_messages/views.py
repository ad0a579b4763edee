from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .queries import HIDDEN_COOKIE

ONE_YEAR = 365 * 24 * 3600


@require_GET
def hide(request: HttpRequest) -> HttpResponseRedirect:
    """Remember in this browser that the visitor hid this version of the banner.

    A GET form: it changes nothing on the server, only the visitor's own cookie, so public
    pages need no CSRF cookie and stay cacheable. JavaScript does the same without a reload.
    """
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    version = request.GET.get("version", "")[:32]
    if version.isalnum():
        response.set_cookie(
            HIDDEN_COOKIE,
            version,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
