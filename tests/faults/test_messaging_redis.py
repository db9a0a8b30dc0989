"""Redis (the broker) down: requests stay fast, messages stay queued, the sweeper publishes them once it is back,
and each is sent exactly once."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from messaging.models import Status
from messaging.sending import messages_sweep
from tests.messaging.real_worker import queue_sms, status, use_broker, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


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
                    *(binary, "--port", str(port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
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
