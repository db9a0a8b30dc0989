"""Overflow: a backlog of bulk messages (alerts, delivery updates) never delays a code, which has its own queue
and its own worker process."""

import time
from unittest import mock

import pytest

from messaging.models import Message, Status
from messaging.sending import message_publish
from tests.messaging.real_worker import number, queue_sms, status, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]
BACKLOG = 300


def test_a_code_goes_out_at_once_behind_a_backlog_of_bulk_messages(fake, start_worker):
    fake.set_latency(0.1)
    start_worker(queues="bulk")
    start_worker(queues="codes")
    # Published all at once, as a burst of alerts would be: the bulk worker, sending dozens at a time since
    # issue 20, still needs seconds for 300.
    with mock.patch("messaging.outbox.message_publish"):
        backlog = [
            queue_sms(number(n), kind="delivery_update", context={"event": "out_for_delivery"}) for n in range(BACKLOG)
        ]
    for message in backlog:
        message_publish(message.pk, kind=message.kind)

    queued = time.monotonic()
    code = queue_sms(number(999))
    wait_for(lambda: status(code) == Status.SENT, timeout=5, message="the code to be sent")
    took = time.monotonic() - queued

    waiting = Message.objects.filter(pk__in=[m.pk for m in backlog]).exclude(status=Status.SENT).count()
    assert took < 1, f"the code took {took:.2f} s"
    assert waiting > BACKLOG / 2  # it overtook most of the backlog
    wait_for(
        lambda: Message.objects.filter(pk__in=[m.pk for m in backlog], status=Status.SENT).count() == BACKLOG,
        timeout=60,
        message="the backlog to drain",
    )
    assert len(fake.sms()) == BACKLOG + 1
