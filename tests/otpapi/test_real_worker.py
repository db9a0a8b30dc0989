"""The whole way: boto3 → the live server → the outbox → a real Celery worker on Redis → the real twilio client
→ the fake Twilio; the code read from what Twilio was asked to send verifies."""

import pytest

from messaging.models import Message, Status
from tests.messaging.real_worker import wait_for
from tests.otpapi.conftest import PHONE, code_in, send, verify

pytestmark = [pytest.mark.real_worker, pytest.mark.usefixtures("real_parts")]


def test_a_code_sent_by_a_real_worker_through_twilio_verifies(fake, start_worker, pinpoint, otp_app):
    start_worker()
    answer = send(pinpoint, otp_app, Language="fr-FR")
    message_id = answer["MessageResponse"]["Result"][PHONE]["MessageId"]

    wait_for(lambda: Message.objects.get(pk=message_id).status == Status.SENT, message="the SMS to be sent")
    (sms,) = fake.sms()
    body = sms.form["Body"]
    assert sms.form["To"] == PHONE and "mot de passe à usage unique" in body
    code = code_in(body)
    assert verify(pinpoint, otp_app, code) is True
    assert verify(pinpoint, otp_app, code) is False
