"""What /health/ checks: PostgreSQL, the cache, the broker and the worker's heartbeat. Each check is cheap,
bounded by short timeouts, and answers "ok", "eager" or a short reason; none raises."""

import socket
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from config.celery import app
from config.health.models import Heartbeat

WORKER = "worker"


def heartbeat_record(name: str = WORKER) -> None:
    """Write the time of this beat (the database outlives a cache flush or a Redis restart)."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()[:255]}
    )


def _eager() -> bool:
    return bool(app.conf.task_always_eager)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_cache() -> str:
    # A read-write round trip: a Redis that accepts connections but cannot write (OOM, read-only) is down too.
    cache.set("health:probe", "ok", timeout=10)
    if cache.get("health:probe") != "ok":
        return "down: the cache did not keep a value"
    return "ok"


def check_broker() -> str:
    if _eager():
        return "eager"
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0, timeout=settings.HEALTH_CHECK_TIMEOUT_SECONDS)
        broker.default_channel  # noqa: B018 -- opens a channel: a round trip to the broker
    return "ok"


def check_worker() -> str:
    if _eager():
        return "eager"
    beat = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    if beat is None:
        return "stale: no heartbeat yet"
    age = (timezone.now() - beat) / timedelta(seconds=1)
    if age > settings.HEALTH_WORKER_STALE_SECONDS:
        return f"stale: last heartbeat {age:.0f} s ago"
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"down: {type(error).__name__}: {text}"[:200]


def health_report() -> tuple[bool, dict[str, str]]:
    """Run every check; (healthy, {name: "ok" | "eager" | reason})."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # a health check reports every failure; it never raises one
            results[name] = _reason(error)
    healthy = all(result in {"ok", "eager"} for result in results.values())
    return healthy, results
