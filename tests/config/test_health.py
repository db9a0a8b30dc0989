"""/health/: PostgreSQL, the cache, the broker and the worker's heartbeat; 200 or 503 naming what is down."""

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app as celery_app
from config.health.models import Heartbeat
from tests.faults.web_fixtures import free_port, redis_cache_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_broker():
    """As in production: tasks go to the broker (the suite runs them eagerly otherwise)."""
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = was_eager


@pytest.fixture
def broker_url():
    """Point the Celery app at another broker for one test."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_write_url

    def point(url: str) -> None:
        celery_app.conf.broker_url = celery_app.conf.broker_write_url = url

    yield point
    celery_app.conf.broker_url, celery_app.conf.broker_write_url = saved


def test_with_eager_celery_the_broker_and_worker_say_eager_and_all_is_ok(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "eager", "worker": "eager"},
    }
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_a_fresh_heartbeat_and_a_reachable_broker_are_ok(client, with_broker):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(seconds=20))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"}
    assert len(queries) <= 2  # cheap: SELECT 1 and the heartbeat


def test_a_stale_heartbeat_says_how_old_it_is(client, with_broker):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(seconds=95))

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["worker"] == "stale: last heartbeat 95 s ago"


def test_no_heartbeat_at_all_is_stale(client, with_broker):
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale: no heartbeat yet"


def test_the_heartbeat_task_writes_the_time_the_check_reads(with_broker):
    from config.health.tasks import worker_heartbeat

    worker_heartbeat.apply()

    beat = Heartbeat.objects.get(name="worker")
    assert timezone.now() - beat.beat_at < timedelta(seconds=5)
    entry = django_settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == worker_heartbeat.name == "config.tasks.worker_heartbeat"
    assert entry["options"]["queue"] == "maintenance"


def test_a_cache_that_does_not_answer_is_named_and_answered_quickly(client):
    started = time.monotonic()
    with override_settings(CACHES=redis_cache_settings(f"redis://127.0.0.1:{free_port()}/0")):
        response = client.get("/health/")

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"].startswith("down: ") and checks["database"] == "ok"


def test_a_broker_that_does_not_answer_is_named(client, with_broker, broker_url):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now())
    broker_url(f"redis://127.0.0.1:{free_port()}/0")

    started = time.monotonic()
    response = client.get("/health/")

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("down: ")


def test_the_health_check_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 301
