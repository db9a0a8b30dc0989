"""The site's send caps hold for the API: over them a TooManyRequestsException with Retry-After, whatever the
reference; each access key has its own rate limits."""

import pytest
from django.conf import settings as django_settings

from messaging.models import Message
from otpapi.models import OtpEvent
from tests.otpapi.conftest import OTHER_PHONE, PHONE, code_in, message_to, send, verify


def stranger_allowance() -> int:
    return min(most for _window, most in django_settings.RATE_LIMITS["stranger_code_per_destination"])


def test_sends_over_the_destination_cap_get_429_with_retry_after(pinpoint, otp_app):
    for _ in range(stranger_allowance()):
        send(pinpoint, otp_app)

    with pytest.raises(pinpoint.exceptions.TooManyRequestsException) as refused:
        send(pinpoint, otp_app)
    response = refused.value.response["ResponseMetadata"]
    assert response["HTTPStatusCode"] == 429
    assert 1 <= int(response["HTTPHeaders"]["retry-after"]) <= 600
    assert Message.objects.filter(status="failed", failure_reason="rate_limited_destination").count() == 1
    assert OtpEvent.objects.filter(outcome="refused_cap").count() == 1
    send(pinpoint, otp_app, DestinationIdentity=OTHER_PHONE)  # another destination has its own allowance


def test_a_refused_send_leaves_the_live_code_working(pinpoint, otp_app):
    for _ in range(stranger_allowance()):
        send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))
    with pytest.raises(pinpoint.exceptions.TooManyRequestsException):
        send(pinpoint, otp_app)

    assert verify(pinpoint, otp_app, code) is True


def test_new_references_do_not_buy_more_sends_to_one_destination(pinpoint, otp_app, outsider_app, live_server):
    """Brute force across references (or across applications) draws on the same per-destination caps."""
    outsider = outsider_app.client(live_server.url)
    sent = 0
    for n in range(10):
        try:
            send(pinpoint if n % 2 else outsider, otp_app if n % 2 else outsider_app, ReferenceId=f"guess-{n}")
            sent += 1
        except (pinpoint.exceptions.TooManyRequestsException, outsider.exceptions.TooManyRequestsException):
            pass
    assert sent == stranger_allowance()


def test_an_access_keys_send_rate_limit_answers_429(pinpoint, otp_app, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_api_send_per_key": [(60, 1)]}
    send(pinpoint, otp_app)

    with pytest.raises(pinpoint.exceptions.TooManyRequestsException) as refused:
        send(pinpoint, otp_app, DestinationIdentity=OTHER_PHONE)
    assert "access key" in refused.value.response["Error"]["Message"]
    assert int(refused.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) >= 1


def test_an_access_keys_verify_rate_limit_answers_429(pinpoint, otp_app, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_api_verify_per_key": [(60, 2)]}
    verify(pinpoint, otp_app, "123456")
    verify(pinpoint, otp_app, "123456")

    with pytest.raises(pinpoint.exceptions.TooManyRequestsException):
        verify(pinpoint, otp_app, "123456")
