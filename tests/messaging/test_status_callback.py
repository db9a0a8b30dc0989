"""Twilio's signed status callbacks: forged ones are refused; real ones only ever move a message forward."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from twilio.request_validator import RequestValidator

from messaging.models import Channel, FailureReason, Message, Status
from tests.messaging.conftest import TWILIO_TOKEN

pytestmark = pytest.mark.django_db
URL = "/messaging/twilio/status/"


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN


@pytest.fixture
def sent():
    return Message.objects.create(
        channel=Channel.SMS,
        destination="+447911123456",
        kind="code",
        language="en-GB",
        status=Status.SENT,
        provider_id="SM" + "a" * 32,
    )


def callback(client, params, token=TWILIO_TOKEN):
    signature = RequestValidator(token).compute_signature("https://shop.example.com" + URL, params)
    return client.post(URL, params, headers={"x-twilio-signature": signature})


def status_of(message):
    message.refresh_from_db()
    return message.status


def test_a_delivered_callback_moves_a_sent_message_forward(client, sent):
    response = callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})

    assert response.status_code == 204
    assert status_of(sent) == Status.DELIVERED
    assert sent.delivered_at is not None


@pytest.mark.parametrize(
    "forge",
    [
        lambda c, p: c.post(URL, p),  # no signature
        lambda c, p: c.post(URL, p, headers={"x-twilio-signature": "bm90IGEgc2lnbmF0dXJl"}),
        lambda c, p: callback(c, p, token="someone-elses-token"),
        lambda c, p: (
            callback(c, {**p, "MessageStatus": "sent"})
            and c.post(
                URL,
                p,
                headers={
                    "x-twilio-signature": RequestValidator(TWILIO_TOKEN).compute_signature(
                        "https://shop.example.com" + URL, {**p, "MessageStatus": "sent"}
                    )
                },
            )
        ),  # signature of other params
    ],
)
def test_forged_callbacks_are_refused_and_change_nothing(client, sent, forge):
    response = forge(client, {"MessageSid": sent.provider_id, "MessageStatus": "failed", "ErrorCode": "30003"})

    assert response.status_code == 403
    assert status_of(sent) == Status.SENT


def test_a_late_sent_after_delivered_is_ignored(client, sent):
    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})
    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "sent"})

    assert status_of(sent) == Status.DELIVERED


def test_a_repeated_callback_is_harmless(client, sent):
    for _ in range(3):
        assert callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"}).status_code == 204

    assert status_of(sent) == Status.DELIVERED


def test_undelivered_with_an_unsubscribed_error_fails_with_that_reason(client, sent):
    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "undelivered", "ErrorCode": "21610"})

    sent.refresh_from_db()
    assert (sent.status, sent.failure_reason) == (Status.FAILED, FailureReason.UNSUBSCRIBED)


def test_an_unknown_message_is_answered_and_nothing_changes(client, sent):
    assert callback(client, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered"}).status_code == 204
    assert status_of(sent) == Status.SENT


def test_a_completed_call_is_delivered(client):
    call = Message.objects.create(
        channel=Channel.VOICE,
        destination="+447911123456",
        kind="code",
        language="en-GB",
        status=Status.SENT,
        provider_id="CA" + "c" * 32,
    )

    callback(client, {"CallSid": call.provider_id, "CallStatus": "completed"})

    assert status_of(call) == Status.DELIVERED


def test_an_unknown_send_is_settled_by_the_providers_word(client, sent):
    Message.objects.filter(pk=sent.pk).update(status=Status.UNKNOWN)

    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})

    assert status_of(sent) == Status.DELIVERED


def test_callbacks_answer_with_few_queries(client, sent):
    with CaptureQueriesContext(connection) as queries:
        callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})

    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 2  # one locked read, one update


def callback_for(client, message, params):
    """A callback to the URL the message named itself (issue 13): our message id is in it."""
    url = f"/messaging/twilio/status/{message.pk}/"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature("https://shop.example.com" + url, params)
    return client.post(url, params, headers={"x-twilio-signature": signature})


def test_a_callback_finds_its_message_by_our_id_and_fills_in_the_sid_twilio_never_returned(client, sent):
    Message.objects.filter(pk=sent.pk).update(status=Status.UNKNOWN, provider_id="")  # the answer never came back

    response = callback_for(client, sent, {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered"})

    assert response.status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.provider_id) == (Status.DELIVERED, "SM" + "d" * 32)
    assert sent.sent_at is not None and sent.delivered_at is not None


def test_a_callback_that_names_another_sid_than_ours_changes_nothing(client, sent):
    response = callback_for(client, sent, {"MessageSid": "SM" + "e" * 32, "MessageStatus": "failed"})

    assert response.status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.provider_id) == (Status.SENT, "SM" + "a" * 32)


def test_a_callback_signed_for_another_message_is_refused(client, sent):
    params = {"MessageSid": sent.provider_id, "MessageStatus": "failed"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        f"https://shop.example.com/messaging/twilio/status/{sent.pk + 1}/", params
    )

    response = client.post(f"/messaging/twilio/status/{sent.pk}/", params, headers={"x-twilio-signature": signature})

    assert response.status_code == 403
    assert status_of(sent) == Status.SENT


def test_a_callback_by_our_id_still_only_moves_forward(client, sent):
    callback_for(client, sent, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})
    callback_for(client, sent, {"MessageSid": sent.provider_id, "MessageStatus": "sent"})

    assert status_of(sent) == Status.DELIVERED


def test_a_queued_callback_for_an_unknown_send_shows_twilio_has_it(client, sent):
    Message.objects.filter(pk=sent.pk).update(status=Status.UNKNOWN, provider_id="")

    callback_for(client, sent, {"MessageSid": "SM" + "f" * 32, "MessageStatus": "queued"})

    sent.refresh_from_db()
    assert (sent.status, sent.provider_id) == (Status.SENT, "SM" + "f" * 32)


def test_callbacks_by_our_id_answer_with_few_queries(client, sent):
    with CaptureQueriesContext(connection) as queries:
        callback_for(client, sent, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})

    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 2  # one locked read, one update
