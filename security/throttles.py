"""Password throttles: exponential waits per account and per IP, in the shared cache.

Keyed by the email as typed (normalised), not by whether an account exists, so waits never reveal that.
Capped (SECURITY_PASSWORD_BACKOFF_MAX_SECONDS): a stranger can slow an owner down, not lock them out.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
WINDOW = 24 * 3600


def _keys(email: str, ip: str | None) -> list[str]:
    keys = ["pw:acct:" + hashlib.sha256(email.encode()).hexdigest()[:32]]
    if ip:
        keys.append("pw:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32])
    return keys


def _wait_for(failures: int) -> int:
    over = failures - settings.SECURITY_PASSWORD_BACKOFF_AFTER
    return 0 if over < 0 else min(settings.SECURITY_PASSWORD_BACKOFF_MAX_SECONDS, 2 ** min(over, 20))


def password_wait(*, email: str, ip: str | None) -> int:
    """Seconds until another password may be tried for this email from this IP (0: now)."""
    now, wait = time.time(), 0
    try:
        for key in _keys(email, ip):
            failures, last = cache.get(key) or (0, 0)
            wait = max(wait, int(last + _wait_for(failures) - now + 0.999))
    except Exception:
        logger.warning("password throttle: cache unavailable, allowing", exc_info=True)
        return 0
    return max(0, wait)


def password_failed(*, email: str, ip: str | None) -> None:
    now = time.time()
    try:
        for key in _keys(email, ip):
            failures, _last = cache.get(key) or (0, 0)
            cache.set(key, (failures + 1, now), timeout=WINDOW)
    except Exception:
        logger.warning("password throttle: cache unavailable", exc_info=True)


def password_succeeded(*, email: str) -> None:
    try:
        cache.delete(_keys(email, None)[0])
    except Exception:
        logger.warning("password throttle: cache unavailable", exc_info=True)
