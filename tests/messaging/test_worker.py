"""A real Celery worker on a real Redis broker, sending through the real twilio client to the fake Twilio.

None lost, none sent twice: through a Redis outage, provider errors and a worker killed in the middle of a send.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction

from config.celery import app as celery_app
from messaging.delivery import messages_sweep
from messaging.models import Channel, Message, Status
from messaging.outbox import message_queue
from tests.messaging.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
from tests.messaging.fake_twilio import OK, error, slow

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]
CODE = "736251"
CELERY = str(Path(sys.executable).parent / "celery")


@pytest.fixture(autouse=True)
def _needs_real_parts():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); CI has both")


def wait_for(condition, *, timeout: float = 15, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def database_url() -> str:
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "") + "@" if s["USER"] else ""
    return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, *, broker: str, log: Path, loglevel: str = "INFO"):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker,
            "MESSAGING_BACKEND": "messaging.backends.twilio.TwilioBackend",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": TWILIO_FROM,
            "TWILIO_TIMEOUT_SECONDS": "10",
        }
        env["TWILIO_API_BASE_URL"] = os.environ["FAKE_TWILIO_URL"]
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                loglevel,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{time.monotonic_ns()}@%h",
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


@pytest.fixture
def fake(fake_twilio_server, monkeypatch):
    fake_twilio_server.reset()
    monkeypatch.setenv("FAKE_TWILIO_URL", fake_twilio_server.url)
    return fake_twilio_server


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(broker: str | None = None, loglevel: str = "INFO") -> Worker:
        worker = Worker(
            broker=broker or os.environ["REDIS_URL"], log=tmp_path / f"worker-{len(workers)}.log", loglevel=loglevel
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def use_broker(url: str) -> None:
    """Point this process's Celery app at a broker, dropping pooled connections to the old one."""
    from kombu import pools

    celery_app.conf.broker_url = url
    pools.reset()  # kombu keeps pools in a global registry keyed by URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _clean_broker():
    use_broker(os.environ.get("REDIS_URL", ""))
    celery_app.control.purge()
    yield
    use_broker(os.environ.get("REDIS_URL", ""))


def queue_sms(to: str = "+447911123456") -> Message:
    with transaction.atomic():
        return message_queue(
            channel=Channel.SMS,
            destination=to,
            kind="code",
            language="en-GB",
            context={"code": CODE, "purpose": "signin"},
            expires_in=600,
        )


def status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


def test_a_message_is_delivered_once_by_a_real_worker_even_when_its_task_runs_twice(fake, start_worker):
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.SENT, message="the SMS to be sent")
    from messaging.tasks import deliver_message

    deliver_message.apply_async((message.pk,))  # a duplicate task for the same message
    time.sleep(1.5)
    assert len(fake.sms()) == 1
    assert status(message) == Status.SENT


def test_503_503_then_success_is_one_sms_from_the_worker(fake, start_worker):
    fake.will_answer(error(503), error(503), OK)
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.SENT, message="the third attempt to succeed")
    message.refresh_from_db()
    assert message.attempts == 3
    assert len(fake.sms()) == 3 and fake.answers == type(fake.answers)()  # two refused, one accepted


def test_a_500_is_unknown_and_never_resent(fake, start_worker, settings):
    fake.will_answer(error(500))
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.UNKNOWN, message="the message to be marked unknown")
    settings.MESSAGING_SWEEP_GRACE_SECONDS = 0
    messages_sweep()
    time.sleep(1)
    assert len(fake.sms()) == 1


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, which the test can stop and start again on the same port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_for(lambda: self.ping(), message="redis to start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

        def ping(self) -> bool:
            try:
                return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
            except redis.ConnectionError:
                return False

    server = Server()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_redis_down_loses_nothing_and_the_request_stays_fast(fake, start_worker, private_redis, settings):
    use_broker(private_redis.url)
    private_redis.stop()

    started = time.monotonic()
    messages = [queue_sms(f"+44791112345{n}") for n in range(3)]  # three requests' worth, each committed
    elapsed = time.monotonic() - started

    assert elapsed < 3, f"queueing 3 messages with Redis down took {elapsed:.2f} s"
    assert [status(m) for m in messages] == [Status.QUEUED] * 3
    private_redis.start()
    start_worker(broker=private_redis.url)
    settings.MESSAGING_SWEEP_GRACE_SECONDS = 0
    assert messages_sweep()["republished"] == 3

    wait_for(lambda: all(status(m) == Status.SENT for m in messages), message="all three to be sent")
    assert sorted(r.form["To"] for r in fake.sms()) == sorted(m.destination for m in messages)  # each exactly once


def test_a_worker_killed_mid_send_never_sends_twice(fake, start_worker, settings):
    fake.will_answer(slow(4))
    worker = start_worker()
    message = queue_sms()

    wait_for(lambda: len(fake.sms()) == 1, message="the provider call to start")
    worker.kill()  # SIGKILL in the middle of the provider call
    assert status(message) == Status.SENDING

    start_worker()
    from messaging.tasks import deliver_message

    deliver_message.apply_async((message.pk,))  # as if the broker redelivered the unacknowledged task
    time.sleep(2)
    assert len(fake.sms()) == 1
    settings.MESSAGING_SENDING_STALE_SECONDS = 0
    messages_sweep()
    assert status(message) == Status.UNKNOWN  # for an admin to decide, never resent blindly


def test_the_code_never_travels_in_task_arguments_nor_reaches_the_worker_log(fake, start_worker, caplog):
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    message = queue_sms()

    (raw,) = broker.lrange("celery", 0, -1)  # the task as it waits in Redis, before any worker takes it
    envelope = json.loads(raw)
    args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
    assert (args, kwargs) == ([message.pk], {})
    assert CODE not in raw.decode() and CODE not in base64.b64decode(envelope["body"]).decode()

    worker = start_worker(loglevel="DEBUG")
    wait_for(lambda: status(message) == Status.SENT, message="the SMS to be sent")
    worker.stop()
    assert CODE in fake.sms()[0].form["Body"]  # it did reach the phone
    assert CODE not in worker.log.read_text()
    assert CODE not in caplog.text
