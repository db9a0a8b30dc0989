"""A real Celery worker subprocess on the real Redis broker, sending through the real twilio client to the fake
Twilio: the helpers and fixtures that tests/messaging/test_worker.py and tests/faults/ share.

The broker is the test run's CELERY_BROKER_URL (by default REDIS_URL's database plus one), never the cache's
database, which every test clears.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from config.celery import app as celery_app
from messaging.models import Channel, Message
from messaging.outbox import message_queue
from messaging.sending import outbox_bell_key
from tests.messaging.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

CODE = "736251"
CELERY = str(Path(sys.executable).parent / "celery")


def wait_for(condition, *, timeout: float = 15, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def database_url(*, host: str | None = None, port: int | None = None) -> str:
    """The test database's URL (optionally through another host and port, a proxy's) for a worker subprocess."""
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "") + "@" if s["USER"] else ""
    return f"postgres://{credentials}{host or s['HOST'] or '127.0.0.1'}:{port or s['PORT'] or 5432}/{s['NAME']}"


def broker_url() -> str:
    return settings.CELERY_BROKER_URL


class Worker:
    def __init__(self, *, broker: str, log: Path, loglevel: str = "INFO", queues: str = "", database: str = ""):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database or database_url(),
            "CELERY_BROKER_URL": broker,  # Celery reads it before any setting: it must be the test's broker
            "MESSAGING_BACKEND": "messaging.backends.twilio.TwilioBackend",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": TWILIO_FROM,
            "TWILIO_API_BASE_URL": os.environ["FAKE_TWILIO_URL"],
        }
        env.pop("TWILIO_TIMEOUT_SECONDS", None)  # the default, which must outlast a 5 s answer
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool",  # as the Procfile runs them: threads that claim batches and send them at once
                "threads",
                "--concurrency",
                "4",
                "--loglevel",
                loglevel,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{time.monotonic_ns()}@%h",
                *(["-Q", queues] if queues else []),
            ],
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: b" ready." in log.read_bytes() or self.process.poll() is not None,
            timeout=30,
            message="the worker to start",
        )
        assert self.process.poll() is None, log.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def use_broker(url: str) -> None:
    """Point this process's Celery app at a broker, dropping pooled connections to the old one."""
    from kombu import pools

    os.environ["CELERY_BROKER_URL"] = url  # Celery prefers it to its broker_url setting
    # Producers use broker_write_url when one is set (a test elsewhere may have left one): name it too.
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = celery_app.conf.broker_read_url = url
    pools.reset()  # kombu keeps pools in a global registry keyed by URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def queue_sms(to: str = "+447911123456", *, kind: str = "code", context: dict | None = None) -> Message:
    """One SMS queued and committed, as a request would; a sign-in code unless told otherwise."""
    with transaction.atomic():
        return message_queue(
            channel=Channel.SMS,
            destination=to,
            kind=kind,
            language="en-GB",
            context=context or {"code": CODE, "purpose": "signin"},
            expires_in=600,
        )


def number(n: int) -> str:
    return f"+447911{n:06d}"  # distinct UK mobiles: no per-destination cap applies


def status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@pytest.fixture
def real_parts():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); CI has both")
    if broker_url() == os.environ["REDIS_URL"]:
        pytest.fail("CELERY_BROKER_URL is REDIS_URL: the tests' cache.clear() would flush the broker")


@pytest.fixture
def clean_broker(real_parts):
    """An empty broker for each test (its queues purged, tasks a killed worker held forgotten)."""
    was = os.environ.get("CELERY_BROKER_URL")
    use_broker(broker_url())
    celery_app.control.purge()
    # The queues' bells too: one left rung by an earlier test, its task purged, would silence the first commit.
    redis.Redis.from_url(broker_url()).delete("unacked", "unacked_index", *map(outbox_bell_key, ("codes", "bulk")))
    yield
    use_broker(broker_url())
    if was is None:
        os.environ.pop("CELERY_BROKER_URL", None)


@pytest.fixture
def fake(fake_twilio_server, monkeypatch):
    fake_twilio_server.reset()
    monkeypatch.setenv("FAKE_TWILIO_URL", fake_twilio_server.url)
    yield fake_twilio_server
    fake_twilio_server.reset()


@pytest.fixture
def start_worker(tmp_path, clean_broker):
    workers = []

    def start(broker: str | None = None, **options) -> Worker:
        worker = Worker(broker=broker or broker_url(), log=tmp_path / f"worker-{len(workers)}.log", **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
