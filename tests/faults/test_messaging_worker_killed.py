"""A worker killed with SIGKILL in the middle of a send: the message is never resent, ends unknown, and is then
settled by the callback that carries our message id (Twilio's answer, with the SID, never reached us)."""

import time

import pytest

from messaging.models import Status
from messaging.sending import messages_sweep
from messaging.tasks import deliver_message
from tests.messaging.fake_twilio import slow
from tests.messaging.real_worker import queue_sms, status, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_send_never_sends_twice_and_is_settled_by_its_callback(
    fake, start_worker, settings, twilio_calls_back
):
    fake.will_answer(slow(3))
    worker = start_worker()
    message = queue_sms()

    wait_for(lambda: len(fake.sms()) == 1, message="the provider call to start")
    worker.kill()  # SIGKILL in the middle of the provider call
    assert status(message) == Status.SENDING

    start_worker()
    deliver_message.apply_async((message.pk,), queue="codes")  # as if the broker redelivered the unacked task
    time.sleep(1.5)
    assert len(fake.sms()) == 1
    settings.MESSAGING_SENDING_STALE_SECONDS = settings.MESSAGING_RECONCILE_AFTER_SECONDS = 0
    messages_sweep()
    assert status(message) == Status.UNKNOWN  # never resent blindly

    (sms,) = fake.sms()
    twilio_calls_back(fake, sms.sid, "delivered")
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.DELIVERED, sms.sid)
    messages_sweep()
    assert len(fake.sms()) == 1
