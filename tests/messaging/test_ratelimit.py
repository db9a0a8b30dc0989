import pytest
from django.core.cache import cache

from config.ratelimit import limit_hit, limit_peek


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {"demo": [(60, 2), (3600, 3)]}


def test_each_window_allows_its_number_then_refuses_with_a_wait(limits):
    assert limit_hit("demo", "a").allowed
    assert limit_hit("demo", "a").allowed
    refused = limit_hit("demo", "a")

    assert not refused.allowed
    assert 0 < refused.retry_after <= 60
    assert limit_hit("demo", "b").allowed  # subjects are counted apart


def test_peek_does_not_count(limits):
    for _ in range(5):
        assert limit_peek("demo", "a").allowed
    assert limit_hit("demo", "a").allowed


def test_subjects_are_not_stored_in_the_clear(limits, settings):
    limit_hit("demo", "+447911123456")

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client()
        keys = [key.decode() for key in client.keys(f"{settings.CACHES['default']['KEY_PREFIX']}*")]
        assert keys and not any("447911123456" in key for key in keys)
    else:
        assert not any("447911123456" in key for key in cache._cache)


def test_an_unreachable_cache_moves_the_count_to_the_database_never_waving_a_request_through(
    limits, monkeypatch, caplog, db
):
    """Issue 13: with Redis down, limits used to allow everything (a password oracle)."""
    from config import ratelimit

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(ratelimit, "_cache_store", down)
    monkeypatch.setattr(ratelimit._failover, "paused_until", 0.0)

    assert limit_hit("demo", "a").allowed
    assert limit_hit("demo", "a").allowed
    assert not limit_hit("demo", "a").allowed  # counted in the database: the third is refused
    assert not limit_peek("demo", "a").allowed
    assert limit_hit("demo", "b").allowed
    assert "cache unavailable" in caplog.text


def test_a_back_off_counts_every_attempt_before_the_secret_is_checked(settings, db):
    from config.ratelimit import backoff_attempt, backoff_forget

    settings.BACKOFF_LIMITS = {"demo": {"after": 3, "max_seconds": 60, "forget_after": 3600}}
    assert [backoff_attempt("demo", "a").allowed for _ in range(4)] == [True, True, True, False]
    assert 0 < backoff_attempt("demo", "a").retry_after <= 1
    assert backoff_attempt("demo", "b").allowed  # subjects apart
    backoff_forget("demo", "a")
    assert backoff_attempt("demo", "a").allowed
