"""The real twilio client against the fake Twilio server: what each provider answer does to a message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Channel, FailureReason, Message, Status
from messaging.outbox import message_queue
from messaging.sending import message_deliver, messages_sweep
from tests.messaging.conftest import TWILIO_FROM
from tests.messaging.fake_twilio import OK, error, slow

pytestmark = pytest.mark.django_db
CODE = "482913"


def queue(channel=Channel.SMS, to="+447911123456", language="en-GB"):
    return message_queue(
        channel=channel,
        destination=to,
        kind="code",
        language=language,
        context={"code": CODE, "purpose": "signin"},
        expires_in=600,
    )


def deliver(message) -> Message:
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def make_due(message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_an_sms_goes_out_with_its_callback_and_validity(fake_twilio):
    message = deliver(queue())

    (sms,) = fake_twilio.sms()
    assert sms.form["To"] == "+447911123456" and sms.form["From"] == TWILIO_FROM
    assert f"code to sign in: {CODE}." in sms.form["Body"]
    assert sms.form["Body"].endswith(f"@shop.example.com #{CODE}")
    assert sms.form["StatusCallback"] == f"https://shop.example.com/messaging/twilio/status/{message.pk}/"
    assert 590 <= int(sms.form["ValidityPeriod"]) <= 600
    assert message.status == Status.SENT and message.provider_id.startswith("SM") and message.payload == ""


def test_a_voice_call_reads_the_code_digit_by_digit_twice_in_the_users_language(fake_twilio):
    message = deliver(queue(Channel.VOICE, to="+14155552671", language="es-419"))

    (call,) = fake_twilio.calls()
    twiml = call.form["Twiml"]
    assert '<Say language="es-MX" voice="alice">' in twiml
    assert twiml.count("4, 8, 2, 9, 1, 3") == 2
    assert call.form["StatusCallback"] == f"https://shop.example.com/messaging/twilio/status/{message.pk}/"
    assert message.status == Status.SENT and message.provider_id == call.sid


@pytest.mark.parametrize("status", [429, 503])
def test_answers_that_prove_nothing_was_sent_are_retried_later(fake_twilio, status):
    fake_twilio.will_answer(error(status))

    message = deliver(queue())

    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert f"Twilio {status}" in message.last_error


def test_503_503_then_success_sends_one_sms(fake_twilio):
    fake_twilio.will_answer(error(503), error(503), OK)
    message = queue()

    for _ in range(3):
        make_due(message)
        message = deliver(message)

    assert message.status == Status.SENT and message.attempts == 3
    assert len(fake_twilio.sms()) == 3  # two refused by the provider, one accepted: one SMS reached the phone
    message_deliver(message_id=message.pk)
    assert len(fake_twilio.sms()) == 3


@pytest.mark.parametrize("answer", [error(500), error(502, 20500), error(504, 20500), slow(2)])
def test_answers_after_which_it_may_have_been_sent_mark_it_unknown_and_it_is_never_resent(
    fake_twilio, answer, settings
):
    fake_twilio.will_answer(answer)

    message = deliver(queue())

    assert message.status == Status.UNKNOWN
    make_due(message)
    message_deliver(message_id=message.pk)
    settings.MESSAGING_SWEEP_GRACE_SECONDS = 0
    messages_sweep()
    assert len(fake_twilio.sms()) == 1


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (21211, FailureReason.INVALID_NUMBER, "isn't valid"),
        (21610, FailureReason.UNSUBSCRIBED, "blocked our texts"),
        (21614, FailureReason.LANDLINE, "landline"),
        (21408, FailureReason.BLOCKED_COUNTRY, "that country"),
    ],
)
def test_permanent_errors_fail_with_a_reason_the_person_is_shown(fake_twilio, code, reason, words):
    fake_twilio.will_answer(error(400, code))

    message = deliver(queue())

    assert (message.status, message.failure_reason) == (Status.FAILED, reason)
    assert words in message.failure_text
    assert not message.was_refused  # it was tried: the page offers another method


def test_a_retry_that_would_land_after_the_code_expires_gives_up(fake_twilio, settings):
    settings.MESSAGING_RETRY_BASE_SECONDS = 2  # the first retry comes 1 to 2 s later
    fake_twilio.will_answer(error(503))
    message = queue()
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() + timedelta(milliseconds=900))

    message = deliver(message)

    assert (message.status, message.failure_reason) == (Status.FAILED, FailureReason.EXPIRED)
    assert message.payload == ""
    assert len(fake_twilio.sms()) == 1


def test_a_retry_that_fits_in_the_codes_lifetime_is_scheduled(fake_twilio, settings):
    settings.MESSAGING_RETRY_BASE_SECONDS = 2
    fake_twilio.will_answer(error(503))

    message = deliver(queue())

    assert message.status == Status.QUEUED
    assert 1 <= (message.next_attempt_at - timezone.now()).total_seconds() <= 2
