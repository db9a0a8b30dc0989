"""SMS pumping: only allowed countries, only numbers that can receive a code, and capped sends."""

import pytest

from messaging.guards import Budget
from messaging.models import Channel, FailureReason, Message, Status
from messaging.outbox import message_queue

pytestmark = pytest.mark.django_db


def send(channel, to, ip=None, budget=Budget.CODE, kind="code"):
    return message_queue(
        channel=channel,
        destination=to,
        kind=kind,
        language="en-US",
        context={"code": "123456", "purpose": "signin", "event": "new_signin"},
        expires_in=600,
        request_ip=ip,
        budget=budget,
    )


@pytest.mark.parametrize(
    ("channel", "number", "reason"),
    [
        (Channel.SMS, "+19005550100", FailureReason.REFUSED_NUMBER_TYPE),  # US premium rate (900)
        (Channel.SMS, "+448712345678", FailureReason.REFUSED_NUMBER_TYPE),  # UK shared cost (0871)
        (Channel.SMS, "+448001234567", FailureReason.REFUSED_NUMBER_TYPE),  # UK toll-free
        (Channel.SMS, "+442079460000", FailureReason.LANDLINE),  # London landline: no texts
        (Channel.SMS, "+2348031234567", FailureReason.REFUSED_COUNTRY),  # Nigeria, not on the allow-list
        (Channel.VOICE, "+2348031234567", FailureReason.REFUSED_COUNTRY),
        (Channel.SMS, "+4479111", FailureReason.INVALID_NUMBER),
        (Channel.SMS, "not a number", FailureReason.INVALID_NUMBER),
    ],
)
def test_numbers_that_must_not_get_a_code_are_refused_and_recorded(channel, number, reason, sms_outbox):
    message = send(channel, number)

    assert message.was_refused
    assert (message.status, message.failure_reason) == (Status.FAILED, reason)
    assert message.failure_text
    assert message.payload == ""
    assert Message.objects.filter(pk=message.pk).exists()  # the refusal is on record
    assert sms_outbox == []


def test_a_landline_can_still_get_a_voice_call():
    assert send(Channel.VOICE, "+442079460000").status == Status.QUEUED


def test_the_country_allow_list_is_a_setting(settings):
    settings.MESSAGING_ALLOWED_COUNTRY_CODES = ["1"]

    assert send(Channel.SMS, "+447911123456").failure_reason == FailureReason.REFUSED_COUNTRY
    assert send(Channel.SMS, "+14155552671").status == Status.QUEUED


def test_five_codes_to_one_number_in_ten_minutes_then_refused():
    results = [send(Channel.SMS, "+447911123456").status for _ in range(6)]

    assert results == [Status.QUEUED] * 5 + [Status.FAILED]
    refused = Message.objects.filter(status=Status.FAILED).get()
    assert refused.failure_reason == FailureReason.RATE_LIMITED_DESTINATION
    assert "Wait a few minutes" in refused.failure_text
    assert send(Channel.SMS, "+447911123457").status == Status.QUEUED  # another number is unaffected


def test_voice_and_sms_share_the_destination_cap():
    for _ in range(5):
        send(Channel.SMS, "+447911123456")

    assert send(Channel.VOICE, "+447911123456").failure_reason == FailureReason.RATE_LIMITED_DESTINATION


def test_twenty_a_day_to_one_number(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_per_destination": [(900, 100), (86400, 20)]}

    statuses = [send(Channel.SMS, "+447911123456").status for _ in range(21)]

    assert statuses.count(Status.QUEUED) == 20
    assert statuses[-1] == Status.FAILED


def test_one_network_cannot_pump_many_numbers(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_per_ip": [(3600, 3)]}

    statuses = [send(Channel.SMS, f"+44791112345{n}", ip="203.0.113.9").status for n in range(4)]

    assert statuses == [Status.QUEUED] * 3 + [Status.FAILED]
    assert Message.objects.get(status=Status.FAILED).failure_reason == FailureReason.RATE_LIMITED_IP
    assert send(Channel.SMS, "+447911123459", ip="198.51.100.7").status == Status.QUEUED


def test_email_codes_are_capped_like_texts():
    """Issue 12: email had no cap, so 40 step-up pages sent 40 emails in 5 seconds."""
    statuses = [send(Channel.EMAIL, "jo@example.com").status for _ in range(8)]

    assert statuses == [Status.QUEUED] * 5 + [Status.FAILED] * 3


def test_what_a_stranger_can_trigger_never_uses_up_the_owners_codes():
    strangers = [send(Channel.EMAIL, "jo@example.com", budget=Budget.STRANGER).status for _ in range(10)]
    owners = [send(Channel.EMAIL, "jo@example.com").status for _ in range(5)]
    more_strangers = [send(Channel.EMAIL, "jo@example.com", budget=Budget.STRANGER).status for _ in range(3)]

    assert strangers.count(Status.QUEUED) == 2  # the stranger's share of the 5 in 10 minutes
    assert owners.count(Status.QUEUED) == 5  # the owner's budget is untouched by the stranger's
    assert Status.QUEUED not in more_strangers  # and the owner's codes never use up the other share either


def test_security_alerts_and_delivery_codes_are_never_refused_by_the_code_cap():
    for _ in range(5):
        send(Channel.SMS, "+447911123456")
    assert send(Channel.SMS, "+447911123456").status == Status.FAILED  # the code cap is full

    assert send(Channel.SMS, "+447911123456", budget=Budget.ALERT, kind="security_alert").status == Status.QUEUED
    assert send(Channel.SMS, "+447911123456", budget=Budget.DELIVERY).status == Status.QUEUED


@pytest.mark.postgresql
def test_the_caps_are_checked_and_counted_in_one_step_under_parallel_sends(transactional_db):
    """Issue 12: the caps were checked, then counted, so parallel sends could all pass."""
    import threading

    from django.db import connections

    results, start = [], threading.Barrier(12)

    def one():
        try:
            start.wait()
            results.append(send(Channel.SMS, "+447911123456").status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(Status.QUEUED) == 5
