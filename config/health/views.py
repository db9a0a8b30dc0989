from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health.checks import health_report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 naming what is down; never a 500 (each check catches its own errors)."""
    healthy, checks = health_report()
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)
