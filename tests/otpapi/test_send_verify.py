"""SendOTPMessage and VerifyOTPMessage through boto3's pinpoint client: a code proves its own application,
destination and reference, once, within its validity, until its tries run out."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from django.utils import timezone

from messaging import sending as messaging_sending
from messaging.models import Message
from otpapi.models import OtpCode, OtpEvent, OtpState
from tests.helpers import last_code_sent_to
from tests.otpapi.conftest import OTHER_PHONE, PHONE, code_in, message_to, send, verify


def test_a_sent_code_verifies_once_and_the_answer_is_pinpoints(pinpoint, otp_app):
    answer = send(pinpoint, otp_app)

    response = answer["MessageResponse"]
    assert response["ApplicationId"] == otp_app.application_id and response["RequestId"]
    result = response["Result"][PHONE]
    assert result["DeliveryStatus"] == "SUCCESSFUL" and result["StatusCode"] == 200
    message = Message.objects.get(pk=result["MessageId"])
    assert message.kind == "pinpoint_otp" and message.destination == PHONE
    code = last_code_sent_to(PHONE)
    assert message_to(PHONE).startswith(f"This is your One Time Password: {code} from ExampleCorp")
    assert verify(pinpoint, otp_app, code) is True
    assert verify(pinpoint, otp_app, code) is False  # once


def test_the_sms_ends_with_the_origin_bound_line_of_the_applications_domain(pinpoint, otp_app):
    send(pinpoint, otp_app, CodeLength=8)

    text = message_to(PHONE)
    code = code_in(text)
    assert len(code) == 8
    assert text.splitlines()[-1] == f"@shop.example.com #{code}"


def test_without_a_domain_there_is_no_origin_bound_line(live_server, outsider_app):
    client = outsider_app.client(live_server.url)
    send(client, outsider_app)

    assert message_to(PHONE).splitlines() == [
        f"This is your One Time Password: {code_in(message_to(PHONE))} from ExampleCorp"
    ]


@pytest.mark.parametrize("attempts", [1, 3, 5])
def test_allowed_attempts_wrong_codes_kill_the_code_and_then_the_right_one_fails(pinpoint, otp_app, attempts):
    send(pinpoint, otp_app, AllowedAttempts=attempts)
    code = code_in(message_to(PHONE))
    wrong = str((int(code) + 1) % 10**6).zfill(6)

    for _ in range(attempts):
        assert verify(pinpoint, otp_app, wrong) is False
    assert verify(pinpoint, otp_app, code) is False
    assert OtpCode.objects.get().state == OtpState.DEAD


def test_fewer_wrong_tries_than_allowed_leave_the_code_working(pinpoint, otp_app):
    send(pinpoint, otp_app, AllowedAttempts=3)
    code = code_in(message_to(PHONE))

    assert verify(pinpoint, otp_app, "000000" if code != "000000" else "111111") is False
    assert verify(pinpoint, otp_app, "not a code") is False
    assert verify(pinpoint, otp_app, code) is True


def test_a_code_proves_only_its_own_destination_and_reference(pinpoint, otp_app):
    send(pinpoint, otp_app, ReferenceId="signin-42")
    code = code_in(message_to(PHONE))

    assert verify(pinpoint, otp_app, code, reference="signin-43") is False
    assert verify(pinpoint, otp_app, code, reference="SIGNIN-42") is False
    assert verify(pinpoint, otp_app, code, destination=OTHER_PHONE) is False
    assert verify(pinpoint, otp_app, code) is True  # misses on other references never spent this code's tries


def test_a_newer_send_for_the_same_reference_supersedes_the_older_code(pinpoint, otp_app):
    send(pinpoint, otp_app)
    first = code_in(message_to(PHONE))
    send(pinpoint, otp_app)
    second = code_in(message_to(PHONE))

    if first != second:
        assert verify(pinpoint, otp_app, first) is False
    assert verify(pinpoint, otp_app, second) is True
    assert sorted(OtpCode.objects.values_list("state", flat=True)) == [OtpState.PASSED, OtpState.SUPERSEDED]


def test_codes_for_two_references_to_one_destination_live_side_by_side(pinpoint, otp_app):
    send(pinpoint, otp_app, ReferenceId="signin")
    signin = code_in(message_to(PHONE))
    send(pinpoint, otp_app, ReferenceId="payment")
    payment = code_in(message_to(PHONE))

    assert verify(pinpoint, otp_app, payment, reference="payment") is True
    assert verify(pinpoint, otp_app, signin, reference="signin") is True


def test_an_expired_code_is_refused(pinpoint, otp_app):
    send(pinpoint, otp_app, ValidityPeriod=5)
    code = code_in(message_to(PHONE))
    OtpCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert verify(pinpoint, otp_app, code) is False


def test_the_validity_period_is_the_codes_life(pinpoint, otp_app):
    before = timezone.now()
    send(pinpoint, otp_app, ValidityPeriod=42)

    stored = OtpCode.objects.get()
    assert timedelta(minutes=42) <= stored.expires_at - before <= timedelta(minutes=42, seconds=5)
    assert Message.objects.get().expires_at is not None


def test_another_applications_code_cannot_be_verified_with_ones_own_key(live_server, pinpoint, otp_app, outsider_app):
    outsider = outsider_app.client(live_server.url)
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))

    assert verify(outsider, outsider_app, code) is False  # same destination and reference, the other application
    assert verify(pinpoint, otp_app, code) is True


def test_another_applications_key_is_refused_on_this_application(live_server, otp_app, outsider_app, pinpoint):
    outsider = outsider_app.client(live_server.url)
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))

    with pytest.raises(ClientError) as refused:
        verify(outsider, otp_app, code)  # the outsider's key, this application's id
    assert refused.value.response["Error"]["Code"] == "ForbiddenException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(outsider.exceptions.ForbiddenException):
        send(outsider, otp_app)
    assert len(message_to(PHONE).splitlines()) and Message.objects.count() == 1  # nothing more was sent
    assert verify(pinpoint, otp_app, code) is True  # and the outsider's tries cost this code nothing


def test_an_unknown_application_is_not_found_and_nothing_is_sent(pinpoint, otp_app):
    with pytest.raises(pinpoint.exceptions.NotFoundException) as missing:
        pinpoint.send_otp_message(
            ApplicationId="0" * 32,
            SendOTPMessageRequestParameters={
                "Channel": "SMS",
                "BrandName": "ExampleCorp",
                "OriginationIdentity": "x",
                "DestinationIdentity": PHONE,
                "ReferenceId": "r",
            },
        )
    assert missing.value.response["Error"]["Message"] == "Application not found."
    assert missing.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert Message.objects.count() == 0


def test_an_inactive_application_is_not_found(pinpoint, otp_app):
    otp_app.model.active = False
    otp_app.model.save()

    with pytest.raises(pinpoint.exceptions.NotFoundException):
        send(pinpoint, otp_app)
    assert Message.objects.count() == 0


def test_each_send_and_verify_writes_an_event_with_the_destination_masked_and_never_the_code(pinpoint, otp_app):
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))
    verify(pinpoint, otp_app, "999999" if code != "999999" else "888888")
    verify(pinpoint, otp_app, code)

    events = list(OtpEvent.objects.order_by("id").values("kind", "outcome", "destination_masked", "reference_id"))
    assert [(e["kind"], e["outcome"]) for e in events] == [("send", "sent"), ("verify", "wrong"), ("verify", "valid")]
    assert {e["destination_masked"] for e in events} == {"•••• 3456"}
    for event in OtpEvent.objects.all():
        assert code not in str([getattr(event, field.attname) for field in OtpEvent._meta.fields])


def test_the_code_is_stored_only_as_a_keyed_hash_bound_to_its_row(pinpoint, otp_app):
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))
    stored = OtpCode.objects.get()

    assert code not in str([getattr(stored, field.attname) for field in OtpCode._meta.fields])
    assert len(stored.code_hash) == 64
    assert stored.entity_id == "" and stored.origination_identity == "ExampleCorp"


def test_entity_and_template_ids_are_kept_and_passed_to_the_message(pinpoint, otp_app, monkeypatch):
    """India's DLT ids reach the message's context, where a provider that needs them reads them (Twilio's
    backend does not: it sends from the configured number with no DLT fields)."""
    rendered = []
    render = messaging_sending.render
    monkeypatch.setattr(messaging_sending, "render", lambda **kw: rendered.append(kw["context"]) or render(**kw))

    send(pinpoint, otp_app, EntityId="1101234567890123456", TemplateId="1107123456789012345")

    stored = OtpCode.objects.get()
    assert (stored.entity_id, stored.template_id) == ("1101234567890123456", "1107123456789012345")
    assert stored.message_id == Message.objects.get().pk
    (context,) = rendered
    assert context["entity_id"] == "1101234567890123456" and context["template_id"] == "1107123456789012345"
    assert context["origination_identity"] == "ExampleCorp" and context["brand_name"] == "ExampleCorp"


@pytest.mark.parametrize("channel", ["VOICE", "EMAIL"])
def test_voice_and_email_channels_carry_the_code(pinpoint, otp_app, channel, mailoutbox):
    destination = PHONE if channel == "VOICE" else "Jo.Person@Example.com"
    send(pinpoint, otp_app, Channel=channel, DestinationIdentity=destination)

    if channel == "VOICE":
        text = message_to(PHONE)
        assert "This is your One Time Password from ExampleCorp" in text
        assert verify(pinpoint, otp_app, code_in(text)) is True
    else:
        (email,) = mailoutbox
        assert email.to == ["jo.person@example.com"] and "ExampleCorp" in email.subject
        code = code_in(email.body)
        assert verify(pinpoint, otp_app, code, destination="jo.person@example.com") is True
