"""A real Celery worker on a real Redis broker, sending through the real twilio client to the fake Twilio.

The failures (Redis, PostgreSQL, Twilio, a killed worker) are in tests/faults/.
"""

import base64
import json
import time

import pytest
import redis

from messaging.models import Status
from messaging.tasks import deliver_message
from tests.messaging.real_worker import CODE, broker_url, queue_sms, status, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_parts")]


@pytest.mark.parametrize("latency", [0.0, 0.2], ids=["twilio-at-0ms", "twilio-at-200ms"])
def test_a_message_is_delivered_once_by_a_real_worker_even_when_its_task_runs_twice(fake, start_worker, latency):
    fake.set_latency(latency, jitter=latency / 4)
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.SENT, message="the SMS to be sent")
    deliver_message.apply_async((message.pk,), queue="codes")  # a duplicate task for the same message
    time.sleep(1 + latency)
    assert len(fake.sms()) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_id == fake.sms()[0].sid


def test_the_code_never_travels_in_task_arguments_nor_reaches_the_worker_log(fake, start_worker, caplog):
    broker = redis.Redis.from_url(broker_url())
    message = queue_sms()

    (raw,) = broker.lrange("codes", 0, -1)  # the task as it waits in Redis, before any worker takes it
    envelope = json.loads(raw)
    args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
    assert (envelope["headers"]["task"], args, kwargs) == ("messaging.tasks.drain_outbox", ["codes"], {})
    assert CODE not in raw.decode() and CODE not in base64.b64decode(envelope["body"]).decode()

    worker = start_worker(loglevel="DEBUG")
    wait_for(lambda: status(message) == Status.SENT, message="the SMS to be sent")
    worker.stop()
    assert CODE in fake.sms()[0].form["Body"]  # it did reach the phone
    assert CODE not in worker.log.read_text()
    assert CODE not in caplog.text
