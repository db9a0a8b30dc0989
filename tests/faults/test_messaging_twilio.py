"""Twilio failing under a real worker: 503 (nothing sent: retried, one SMS), 500 (it may have been sent: unknown,
never resent, settled by its callback), a 5 s answer (sent, with its SID), and an unknown message settled by
asking Twilio (test_messaging_reconcile.py). In each: no message lost, none sent twice."""

import pytest

from messaging.models import Status
from messaging.sending import messages_sweep
from messaging.tasks import deliver_message
from tests.messaging.fake_twilio import OK, error, slow
from tests.messaging.real_worker import queue_sms, status, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_503_503_then_success_is_one_sms_from_the_worker(fake, start_worker):
    fake.will_answer(error(503), error(503), OK)
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.SENT, message="the third attempt to succeed")
    message.refresh_from_db()
    assert message.attempts == 3
    assert len(fake.sms()) == 3 and not fake.answers  # two refused, one accepted
    assert len(fake.accepted) == 1 and message.provider_id in fake.accepted  # one SMS reached the phone


def test_a_500_is_unknown_never_resent_and_settled_by_its_callback(fake, start_worker, settings, twilio_calls_back):
    fake.will_answer(error(500, accepted=True))  # Twilio failed to answer, but took the message
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) == Status.UNKNOWN, message="the message to be marked unknown")
    deliver_message.apply_async((message.pk,), queue="codes")  # a redelivered task
    settings.MESSAGING_SWEEP_GRACE_SECONDS = settings.MESSAGING_RECONCILE_AFTER_SECONDS = 0
    messages_sweep()  # no SID to ask Twilio about: left to the callback
    (sid,) = fake.accepted
    assert twilio_calls_back(fake, sid, "delivered").status_code == 204

    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.DELIVERED, sid)
    messages_sweep()
    assert len(fake.sms()) == 1


def test_a_five_second_answer_is_sent_with_its_sid_and_its_callback_is_matched(
    fake, start_worker, settings, twilio_calls_back
):
    assert settings.TWILIO_TIMEOUT_SECONDS > 5  # the worker runs with the default
    fake.will_answer(slow(5))
    start_worker()
    message = queue_sms()

    wait_for(lambda: status(message) != Status.SENDING and len(fake.sms()) == 1, timeout=20, message="the answer")
    message.refresh_from_db()
    (sms,) = fake.sms()
    assert (message.status, message.provider_id) == (Status.SENT, sms.sid)
    twilio_calls_back(fake, sms.sid, "delivered")
    assert status(message) == Status.DELIVERED
    assert len(fake.sms()) == 1
