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


def test_an_unreachable_cache_allows_rather_than_locking_everyone_out(limits, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "get", down)

    assert limit_hit("demo", "a").allowed
    assert limit_peek("demo", "a").allowed
    assert "cache unavailable" in caplog.text
