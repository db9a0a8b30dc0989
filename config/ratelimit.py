"""Every limit the site counts, by name, in one module: fixed windows and exponential back-off.

- Window limits (settings.RATE_LIMITS): a list of (window in seconds, most events allowed in it) per name.
  `limit_hit` checks every window and counts only when all of them allow, in one atomic step, so parallel
  requests cannot all slip under an allowance. A refused event is not counted.
- Back-off limits (settings.BACKOFF_LIMITS): after `after` events in a row, each further one must wait 1 s,
  2 s, 4 s ... at most `max_seconds`. `backoff_attempt` counts an attempt *before* the secret is checked (a
  right answer is forgotten with `backoff_forget`), so parallel guesses are counted too.

Counts live in the shared cache (Redis in production: one Lua script per check). When the cache errors, they
move to the database (`config.models.LimitCount`, under row locks) for a few seconds at a time: a limit never
lets a request through unchecked because Redis is down. Subjects (numbers, emails, IPs) are hashed into keys.
"""

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from config.models import LimitCount

logger = logging.getLogger(__name__)

# After a cache error, skip the cache for this long: each call would otherwise wait for its socket timeout.
CACHE_PAUSE_SECONDS = 5.0


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after: int = 0  # seconds until the fullest window rolls over, or the back-off ends
    remaining: int | None = None  # events still allowed after this one (limit_hit only)


# ----------------------------------------------------------------------------------------------- keys


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def _window_keys(name: str, subject: str, now: int) -> list[tuple[str, int, int]]:
    digest = _digest(subject)
    return [
        (f"rl:{name}:{digest}:{window}:{now // window}", window, most) for window, most in settings.RATE_LIMITS[name]
    ]


def _backoff_key(name: str, subject: str) -> str:
    settings.BACKOFF_LIMITS[name]  # an unknown name is a bug, not a limit that allows everything
    return f"bo:{name}:{_digest(subject)}"


def backoff_wait(name: str, failures: int) -> int:
    """The wait owed after `failures` counted attempts in a row under the back-off limit `name`."""
    rule = settings.BACKOFF_LIMITS[name]
    over = failures - rule["after"]
    return 0 if over < 0 else min(rule["max_seconds"], 2 ** min(over, 30))


# ------------------------------------------------------------------------------------------ public API


def limit_hit(name: str, subject: str) -> Allowance:
    """Count one event for `subject` under `name` when every window allows it; refused (and not counted) else."""
    return limits_hit((name, subject))


def limits_hit(*limits: tuple[str, str]) -> Allowance:
    """All or nothing: count one event under each (name, subject) only when every one of them allows it."""
    now = int(time.time())
    keys = [key for name, subject in limits for key in _window_keys(name, subject, now)]
    counts = _store().windows_hit(keys, now)
    refused = [(key, window, most) for (key, window, most), count in zip(keys, counts, strict=True) if count >= most]
    if refused:
        return Allowance(False, retry_after=max(window - now % window for _key, window, _most in refused))
    return Allowance(
        True, remaining=min(most - count - 1 for (_key, _window, most), count in zip(keys, counts, strict=True))
    )


def limit_peek(name: str, subject: str) -> Allowance:
    """Whether the next event would be allowed, without counting it."""
    now = int(time.time())
    keys = _window_keys(name, subject, now)
    counts = _store().windows_read(keys)
    waits = [window - now % window for (_key, window, most), count in zip(keys, counts, strict=True) if count >= most]
    return Allowance(not waits, retry_after=max(waits, default=0))


def limit_refund(name: str, subject: str) -> None:
    """Take back one event counted by `limit_hit` (it turned out not to count: a right code, say)."""
    _store().windows_refund(_window_keys(name, subject, int(time.time())))


def backoff_attempt(name: str, *subjects: str) -> Allowance:
    """Count one attempt for every subject unless one of them still owes a wait; then refuse and count nothing."""
    now = time.time()
    keys = [_backoff_key(name, subject) for subject in subjects]
    states = _store().backoff_attempt(keys, now, name)
    waits = [math.ceil(last + backoff_wait(name, failures) - now) for failures, last in states]
    wait = max(waits, default=0)
    return Allowance(wait <= 0, retry_after=max(0, wait))


def backoff_peek(name: str, *subjects: str) -> Allowance:
    now = time.time()
    states = _store().backoff_read([_backoff_key(name, subject) for subject in subjects])
    wait = max((math.ceil(last + backoff_wait(name, failures) - now) for failures, last in states), default=0)
    return Allowance(wait <= 0, retry_after=max(0, wait))


def backoff_forget(name: str, *subjects: str) -> None:
    """The attempt was right: these subjects start again from nothing."""
    _store().delete([_backoff_key(name, subject) for subject in subjects])


def backoff_refund(name: str, *subjects: str) -> None:
    """The attempt was right, but the subject (a network) keeps its other attempts: take this one back."""
    _store().backoff_refund([_backoff_key(name, subject) for subject in subjects])


def backoff_settle(name: str, *, forget: list[str], refund: list[str]) -> None:
    """`backoff_forget` of some subjects and `backoff_refund` of others, in one step (one round trip to Redis)."""
    _store().backoff_settle(
        [_backoff_key(name, subject) for subject in forget], [_backoff_key(name, subject) for subject in refund]
    )


# -------------------------------------------------------------------------------------------- storage


_WINDOWS_HIT = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i]) then
    local counts = {}
    for j, other in ipairs(KEYS) do counts[j] = tonumber(redis.call('GET', other) or '0') end
    return counts
  end
end
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key) - 1
  if counts[i] == 0 then redis.call('EXPIRE', key, tonumber(ARGV[2 * i - 1]) + 1) end
end
return counts
"""

_WINDOWS_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""

# ARGV: now, then (after, max_seconds, forget_after) per key. Returns failures and last per key, as strings
# (Redis truncates Lua numbers to integers), *before* this attempt when refused.
_BACKOFF_ATTEMPT = """
local now = tonumber(ARGV[1])
local states = {}
local owed = false
for i, key in ipairs(KEYS) do
  local failures = tonumber(redis.call('HGET', key, 'n') or '0')
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  local after, most = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local wait = 0
  if failures >= after then wait = math.min(most, 2 ^ math.min(failures - after, 30)) end
  if now < last + wait then owed = true end
  states[i] = {failures, last}
end
if not owed then
  for i, key in ipairs(KEYS) do
    redis.call('HSET', key, 'n', states[i][1] + 1, 'last', ARGV[1])
    redis.call('EXPIRE', key, tonumber(ARGV[3 * i + 1]))
    states[i][1] = states[i][1] + 1
    states[i][2] = now
  end
end
local flat = {}
for i, state in ipairs(states) do
  flat[2 * i - 1] = tostring(state[1])
  flat[2 * i] = owed and tostring(state[2]) or '0'
end
return flat
"""

_BACKOFF_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('HGET', key, 'n') or '0') > 0 then redis.call('HINCRBY', key, 'n', -1) end
end
return 0
"""

# KEYS: the keys to forget, then the keys to refund; ARGV[1]: how many are forgotten.
_BACKOFF_SETTLE = """
local forgotten = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if i <= forgotten then
    redis.call('DEL', key)
  elseif tonumber(redis.call('HGET', key, 'n') or '0') > 0 then
    redis.call('HINCRBY', key, 'n', -1)
  end
end
return 0
"""


class _RedisStore:
    """The shared cache when it is Redis: each operation is one Lua script, atomic across every process."""

    def _run(self, script: str, keys: list[str], args: list) -> list:
        client = cache._cache.get_client(None, write=True)
        return client.eval(script, len(keys), *[cache.make_and_validate_key(key) for key in keys], *args)

    def windows_hit(self, keys, now) -> list[int]:
        args = [value for _key, window, most in keys for value in (window, most)]
        return [int(count) for count in self._run(_WINDOWS_HIT, [key for key, _w, _m in keys], args)]

    def windows_read(self, keys) -> list[int]:
        values = cache.get_many([key for key, _w, _m in keys])
        return [int(values.get(key) or 0) for key, _w, _m in keys]

    def windows_refund(self, keys) -> None:
        self._run(_WINDOWS_REFUND, [key for key, _w, _m in keys], [])

    def backoff_attempt(self, keys, now, name) -> list[tuple[int, float]]:
        rule = settings.BACKOFF_LIMITS[name]
        args = [repr(now)] + [v for _key in keys for v in (rule["after"], rule["max_seconds"], rule["forget_after"])]
        flat = self._run(_BACKOFF_ATTEMPT, keys, args)
        return [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    def backoff_read(self, keys) -> list[tuple[int, float]]:
        client = cache._cache.get_client(None)
        states = []
        for key in keys:
            failures, last = client.hmget(cache.make_and_validate_key(key), ["n", "last"])
            states.append((int(failures or 0), float(last or 0)))
        return states

    def backoff_refund(self, keys) -> None:
        self._run(_BACKOFF_REFUND, keys, [])

    def backoff_settle(self, forget, refund) -> None:
        self._run(_BACKOFF_SETTLE, [*forget, *refund], [len(forget)])

    def delete(self, keys) -> None:
        cache.delete_many(keys)


class _LocalStore:
    """A per-process cache (local memory, the embedded default): one lock makes each operation atomic."""

    lock = threading.Lock()

    def windows_hit(self, keys, now) -> list[int]:
        with self.lock:
            counts = self.windows_read(keys)
            if all(count < most for (_key, _w, most), count in zip(keys, counts, strict=True)):
                for (key, window, _most), count in zip(keys, counts, strict=True):
                    cache.set(key, count + 1, timeout=window + 1)
            return counts

    def windows_read(self, keys) -> list[int]:
        return [int(cache.get(key) or 0) for key, _w, _m in keys]

    def windows_refund(self, keys) -> None:
        with self.lock:
            for key, window, _most in keys:
                if count := int(cache.get(key) or 0):
                    cache.set(key, count - 1, timeout=window + 1)

    def backoff_attempt(self, keys, now, name) -> list[tuple[int, float]]:
        with self.lock:
            states = self.backoff_read(keys)
            if any(now < last + backoff_wait(name, failures) for failures, last in states):
                return states
            for key, (failures, _last) in zip(keys, states, strict=True):
                cache.set(key, (failures + 1, now), timeout=settings.BACKOFF_LIMITS[name]["forget_after"])
            return [(failures + 1, 0.0) for failures, _last in states]

    def backoff_read(self, keys) -> list[tuple[int, float]]:
        return [tuple(cache.get(key) or (0, 0.0)) for key in keys]

    def backoff_refund(self, keys) -> None:
        with self.lock:
            for key in keys:
                failures, last = cache.get(key) or (0, 0.0)
                if failures:
                    cache.set(key, (failures - 1, last), timeout=86400)

    def backoff_settle(self, forget, refund) -> None:
        self.delete(forget)
        self.backoff_refund(refund)

    def delete(self, keys) -> None:
        cache.delete_many(keys)


class _DatabaseStore:
    """The fallback when the cache errors: the same counts in `config.models.LimitCount`, under row locks."""

    def _rows(self, keys: list[str], expires: list[float]):
        now = datetime.now(UTC)
        for key, seconds in zip(keys, expires, strict=True):
            try:
                with transaction.atomic():
                    LimitCount.objects.get_or_create(key=key, defaults={"expires_at": now + timedelta(seconds=seconds)})
            except IntegrityError:
                pass  # made by a parallel request: it exists now, which is all we need
        rows = {row.key: row for row in LimitCount.objects.select_for_update().filter(key__in=keys)}
        for row in rows.values():
            if row.expires_at <= now:  # a window that rolled over, or a back-off that was forgotten
                row.count, row.last_at = 0, 0.0
                row.expires_at = now + timedelta(seconds=expires[keys.index(row.key)])
        return [rows[key] for key in keys]

    def windows_hit(self, keys, now) -> list[int]:
        with transaction.atomic():
            rows = self._rows([key for key, _w, _m in keys], [window + 1 for _key, window, _m in keys])
            counts = [row.count for row in rows]
            allowed = all(count < most for (_key, _w, most), count in zip(keys, counts, strict=True))
            for row in rows:
                row.count += int(allowed)
                row.save(update_fields=["count", "last_at", "expires_at"])
            return counts

    def windows_read(self, keys) -> list[int]:
        live = LimitCount.objects.filter(key__in=[key for key, _w, _m in keys], expires_at__gt=datetime.now(UTC))
        counts = dict(live.values_list("key", "count"))
        return [counts.get(key, 0) for key, _w, _m in keys]

    def windows_refund(self, keys) -> None:
        LimitCount.objects.filter(key__in=[key for key, _w, _m in keys], count__gt=0).update(count=F("count") - 1)

    def backoff_attempt(self, keys, now, name) -> list[tuple[int, float]]:
        forget = settings.BACKOFF_LIMITS[name]["forget_after"]
        with transaction.atomic():
            rows = self._rows(keys, [forget] * len(keys))
            states = [(row.count, row.last_at) for row in rows]
            if any(now < last + backoff_wait(name, failures) for failures, last in states):
                return states
            for row in rows:
                row.count, row.last_at = row.count + 1, now
                row.expires_at = datetime.now(UTC) + timedelta(seconds=forget)
                row.save(update_fields=["count", "last_at", "expires_at"])
            return [(row.count, 0.0) for row in rows]

    def backoff_read(self, keys) -> list[tuple[int, float]]:
        live = LimitCount.objects.filter(key__in=keys, expires_at__gt=datetime.now(UTC))
        states = {row.key: (row.count, row.last_at) for row in live}
        return [states.get(key, (0, 0.0)) for key in keys]

    def backoff_refund(self, keys) -> None:
        LimitCount.objects.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)

    def backoff_settle(self, forget, refund) -> None:
        self.delete(forget)
        self.backoff_refund(refund)

    def delete(self, keys) -> None:
        # Expired is forgotten (every read and count starts again from an expired row), and one UPDATE needs no
        # transaction around it, where a DELETE through the ORM takes three round trips. Written out: it runs on
        # every right password (nothing to forget, mostly), and building it costs more than running it.
        if not keys:
            return
        now = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
        table, marks = connection.ops.quote_name(LimitCount._meta.db_table), ", ".join(["%s"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET count = 0, last_at = 0, expires_at = %s "  # noqa: S608 -- placeholders only
                f"WHERE key IN ({marks}) AND expires_at > %s",
                [now, *keys, now],
            )


FORGETTING = {"delete", "backoff_settle"}  # operations whose first argument is the keys to forget


class _Failover:
    """The cache's store, falling back to the database while the cache errors (and for a few seconds after)."""

    def __init__(self):
        self.paused_until = 0.0

    def __getattr__(self, operation: str):
        def run(*args):
            if operation in FORGETTING:  # forget in both places, so nothing counted during an outage comes back
                _DatabaseStore().delete(args[0])
            if time.monotonic() >= self.paused_until:
                try:
                    return getattr(_cache_store(), operation)(*args)
                except Exception as error:  # redis-py raises several types for a server that is down or slow
                    self.paused_until = time.monotonic() + CACHE_PAUSE_SECONDS
                    logger.warning("limits: cache unavailable (%s), counting in the database", type(error).__name__)
            if operation == "delete":
                return None
            if operation == "backoff_settle":
                return _DatabaseStore().backoff_refund(args[1])  # the forgotten keys are forgotten above
            return getattr(_DatabaseStore(), operation)(*args)

        return run


def _cache_store():
    return _RedisStore() if settings.CACHES["default"]["BACKEND"].endswith("RedisCache") else _LocalStore()


_failover = _Failover()


def _store() -> _Failover:
    return _failover
