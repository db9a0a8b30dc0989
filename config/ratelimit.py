"""Named limits from settings.RATE_LIMITS, counted in the shared cache (Redis in production).

Each limit is a list of (window in seconds, most events allowed in it). Fixed windows: cheap, shared by
every web process, and at worst twice as permissive across a window boundary.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the fullest window rolls over
    remaining: int | None = None  # events still allowed after this one (limit_hit only; None if unknown)


def _keys(name: str, subject: str, now: int) -> list[tuple[str, int, int]]:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]  # subjects (numbers, IPs) never sit in Redis
    return [
        (f"rl:{name}:{digest}:{window}:{now // window}", window, most) for window, most in settings.RATE_LIMITS[name]
    ]


def limit_hit(name: str, subject: str) -> Verdict:
    """Count one event for `subject` under the limit `name`; refused when any window is over its allowance.

    If the cache is unreachable the event is allowed and logged: an outage must not stop sign-ins.
    """
    now = int(time.time())
    retry_after, remaining = 0, None
    try:
        for key, window, most in _keys(name, subject, now):
            cache.add(key, 0, timeout=window + 1)
            count = cache.incr(key)
            remaining = most - count if remaining is None else min(remaining, most - count)
            if count > most:
                retry_after = max(retry_after, window - now % window)
    except Exception:
        logger.warning("rate limit %s: cache unavailable, allowing", name, exc_info=True)
        return Verdict(allowed=True)
    return Verdict(allowed=retry_after == 0, retry_after=retry_after, remaining=max(0, remaining or 0))


def limit_refund(name: str, subject: str) -> None:
    """Take back one event counted by `limit_hit` (it turned out not to count: a right code, say)."""
    now = int(time.time())
    try:
        for key, _window, _most in _keys(name, subject, now):
            if (cache.get(key) or 0) > 0:
                cache.decr(key)
    except Exception:
        logger.warning("rate limit %s: cache unavailable, not refunded", name, exc_info=True)


def limit_peek(name: str, subject: str) -> Verdict:
    """Whether the next event would be allowed, without counting it."""
    now = int(time.time())
    retry_after = 0
    try:
        for key, window, most in _keys(name, subject, now):
            if (cache.get(key) or 0) >= most:
                retry_after = max(retry_after, window - now % window)
    except Exception:
        logger.warning("rate limit %s: cache unavailable, allowing", name, exc_info=True)
        return Verdict(allowed=True)
    return Verdict(allowed=retry_after == 0, retry_after=retry_after)
