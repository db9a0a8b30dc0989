"""The Celery broker lives in its own Redis database, beside the cache's, so clearing or evicting the cache never
drops a queued task."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import _next_redis_database


@pytest.mark.parametrize(
    ("cache", "broker"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
        ("rediss://:secret@cache.internal:6380/6", "rediss://:secret@cache.internal:6380/7"),
    ],
)
def test_the_broker_defaults_to_the_caches_next_database(cache, broker):
    assert _next_redis_database(cache) == broker


@pytest.mark.parametrize("cache", ["redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/?db=2"])
def test_without_a_next_database_the_broker_must_be_named(cache):
    with pytest.raises(ImproperlyConfigured, match="set CELERY_BROKER_URL"):
        _next_redis_database(cache)


def test_retries_waiting_for_their_countdown_are_never_handed_out_twice(settings):
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.MESSAGING_RETRY_MAX_SECONDS
