import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .health import readiness
from .metrics import exposition

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is touched, so a slow database does not restart it."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    failed = [name for name in settings.READYZ_REQUIRED if checks.get(name, "ok") != "ok"]
    if failed:
        logger.warning("Not ready: %s", ", ".join(f"{name}={checks[name]}" for name in failed))
    return JsonResponse({"ready": not failed, "checks": checks}, status=503 if failed else 200)


def _may_read_metrics(request: HttpRequest) -> bool:
    if settings.METRICS_TOKEN:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode())
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_read_metrics(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
