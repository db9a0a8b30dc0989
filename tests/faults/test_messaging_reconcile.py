"""Unknown messages that Twilio gave a SID for are settled by asking Twilio (the real client's fetch against the
fake); they are never resent. Those without a SID wait for their callback (test_messaging_twilio.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import FailureReason, Message, Status
from messaging.sending import message_deliver, messages_sweep
from tests.messaging.real_worker import queue_sms

pytestmark = pytest.mark.django_db


def sent_then_unknown(settings, *, ago: float | None = None) -> Message:
    """A message Twilio accepted, left "unknown" as by a worker that died between recording the SID and the
    outcome, once the sweeper has seen it."""
    message = queue_sms()
    message_deliver(message_id=message.pk)
    ago = settings.MESSAGING_RECONCILE_AFTER_SECONDS if ago is None else ago
    Message.objects.filter(pk=message.pk).update(
        status=Status.UNKNOWN, updated_at=timezone.now() - timedelta(seconds=ago)
    )
    message.refresh_from_db()
    return message


@pytest.mark.parametrize(
    ("twilio_says", "error_code", "ends"),
    [("delivered", None, Status.DELIVERED), ("sent", None, Status.SENT), ("undelivered", 30003, Status.FAILED)],
)
def test_an_unknown_message_with_a_sid_is_settled_by_asking_twilio(
    fake_twilio, settings, twilio_says, error_code, ends
):
    message = sent_then_unknown(settings)
    fake_twilio.set_status(message.provider_id, twilio_says, error_code)

    assert messages_sweep()["reconciled"] == 1

    message.refresh_from_db()
    assert message.status == ends
    assert fake_twilio.fetched == [message.provider_id]
    assert len(fake_twilio.sms()) == 1  # asked about, never resent
    if ends == Status.FAILED:
        assert message.failure_reason == FailureReason.UNDELIVERED
    assert messages_sweep()["reconciled"] == 0


def test_an_unknown_message_twilio_has_not_settled_is_asked_about_again_later(fake_twilio, settings):
    message = sent_then_unknown(settings, ago=3600)
    fake_twilio.set_status(message.provider_id, "receiving")  # a word that settles nothing

    assert messages_sweep()["reconciled"] == 0
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    assert message.updated_at > timezone.now() - timedelta(seconds=5)  # asked: not again before the next interval


def test_a_message_asked_about_too_soon_is_left_to_its_callback(fake_twilio, settings):
    message = sent_then_unknown(settings, ago=1)
    fake_twilio.set_status(message.provider_id, "delivered")

    assert messages_sweep()["reconciled"] == 0
    assert fake_twilio.fetched == []
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
