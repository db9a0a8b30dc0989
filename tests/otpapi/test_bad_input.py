"""Each bad field is a BadRequestException that names it; oversized, malformed and odd bodies get Pinpoint's
own errors, never a 500, and nothing is sent."""

import json

import pytest
import requests
from django.conf import settings

from messaging.models import Message
from tests.otpapi.conftest import BLOCKED_COUNTRY, PREMIUM, send, send_parameters, signed_post


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"CodeLength": 9}, "CodeLength"),
        ({"CodeLength": 4}, "CodeLength"),
        ({"ValidityPeriod": 61}, "ValidityPeriod"),
        ({"ValidityPeriod": 4}, "ValidityPeriod"),
        ({"AllowedAttempts": 0}, "AllowedAttempts"),
        ({"AllowedAttempts": 6}, "AllowedAttempts"),
        ({"Language": "xx-XX"}, "Language"),
        ({"Language": "en"}, "Language"),
        ({"Channel": "PUSH"}, "Channel"),
        ({"Channel": "sms"}, "Channel"),
        ({"DestinationIdentity": "07911123456"}, "DestinationIdentity"),
        ({"DestinationIdentity": "+44 7911 123456"}, "DestinationIdentity"),
        ({"DestinationIdentity": "+447911123456\n@evil.example #1"}, "DestinationIdentity"),
        ({"DestinationIdentity": PREMIUM}, "DestinationIdentity"),
        ({"DestinationIdentity": BLOCKED_COUNTRY}, "DestinationIdentity"),
        ({"DestinationIdentity": "+441632960000"}, "DestinationIdentity"),  # UK drama range: not a real number
        ({"Channel": "EMAIL", "DestinationIdentity": "+447911123456"}, "DestinationIdentity"),
        ({"Channel": "EMAIL", "DestinationIdentity": "not an email@"}, "DestinationIdentity"),
        ({"BrandName": "x" * 21}, "BrandName"),
        ({"BrandName": ""}, "BrandName"),
        ({"BrandName": "Shop\n@evil.example #123456"}, "BrandName"),
        ({"ReferenceId": "r" * 49}, "ReferenceId"),
        ({"ReferenceId": ""}, "ReferenceId"),
        ({"EntityId": "e" * 65}, "EntityId"),
        ({"OriginationIdentity": "line\r\nbreak"}, "OriginationIdentity"),
    ],
)
def test_each_bad_field_is_a_bad_request_naming_it(pinpoint, otp_app, fields, named):
    with pytest.raises(pinpoint.exceptions.BadRequestException) as refused:
        send(pinpoint, otp_app, **fields)

    assert named in refused.value.response["Error"]["Message"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert Message.objects.count() == 0


def test_a_premium_rate_number_is_refused_as_a_bad_request(pinpoint, otp_app):
    with pytest.raises(pinpoint.exceptions.BadRequestException) as refused:
        send(pinpoint, otp_app, DestinationIdentity=PREMIUM)
    assert "premium-rate" in refused.value.response["Error"]["Message"]


def test_a_country_outside_the_allow_list_is_refused_as_a_bad_request(pinpoint, otp_app):
    with pytest.raises(pinpoint.exceptions.BadRequestException) as refused:
        send(pinpoint, otp_app, DestinationIdentity=BLOCKED_COUNTRY)
    assert "country" in refused.value.response["Error"]["Message"]


def test_a_landline_gets_no_sms_but_may_get_a_call(pinpoint, otp_app):
    landline = "+442079460000"  # London fixed line
    with pytest.raises(pinpoint.exceptions.BadRequestException):
        send(pinpoint, otp_app, DestinationIdentity=landline)
    send(pinpoint, otp_app, DestinationIdentity=landline, Channel="VOICE")
    assert Message.objects.filter(channel="voice").count() == 1


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"Otp": "1" * 65}, "Otp"), ({"ReferenceId": "r" * 49}, "ReferenceId"), ({"DestinationIdentity": "x"}, "Desti")],
)
def test_verify_names_its_bad_fields(pinpoint, otp_app, fields, named):
    parameters = {"DestinationIdentity": "+447911123456", "ReferenceId": "r", "Otp": "123456", **fields}
    with pytest.raises(pinpoint.exceptions.BadRequestException) as refused:
        pinpoint.verify_otp_message(ApplicationId=otp_app.application_id, VerifyOTPMessageRequestParameters=parameters)
    assert named in refused.value.response["Error"]["Message"]


def test_an_oversized_body_is_payload_too_large(pinpoint, otp_app):
    with pytest.raises(pinpoint.exceptions.PayloadTooLargeException) as refused:
        send(pinpoint, otp_app, BrandName="x" * (settings.PINPOINT_API_MAX_BODY_BYTES + 1))
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert Message.objects.count() == 0


def test_an_oversized_body_is_refused_before_anything_else_even_unsigned(live_server, otp_app):
    url = f"{live_server.url}{settings.PINPOINT_API_PREFIX}/v1/apps/{otp_app.application_id}/otp"
    response = requests.post(url, data=b"{" * (settings.PINPOINT_API_MAX_BODY_BYTES + 10), timeout=10)
    assert response.status_code == 413 and response.headers["x-amzn-ErrorType"] == "PayloadTooLargeException"


def test_a_body_without_content_length_is_still_bounded(live_server, otp_app):
    url = f"{live_server.url}{settings.PINPOINT_API_PREFIX}/v1/apps/{otp_app.application_id}/otp"
    chunks = (b"x" * 1024 for _ in range(64))  # chunked: no Content-Length to trust
    response = requests.post(url, data=chunks, timeout=10)
    assert response.status_code in {400, 403, 413} and response.headers["x-amzn-ErrorType"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"a string"',
        b"null",
        b'{"CodeLength": NaN}',
        b"\xff\xfe{}",
        b"[" * 5000 + b"]" * 5000,
        b'{"CodeLength": 1' + b"0" * 5000 + b"}",
        json.dumps({**send_parameters(), "CodeLength": True}).encode(),
        json.dumps({**send_parameters(), "CodeLength": 6.5}).encode(),
        json.dumps({**send_parameters(), "BrandName": ["a"]}).encode(),
        json.dumps({**send_parameters(), "Language": {"x": 1}}).encode(),
        json.dumps({**send_parameters(), "DestinationIdentity": None}).encode(),
    ],
    ids=[
        "empty",
        "text",
        "array",
        "string",
        "null",
        "nan",
        "not-utf8",
        "deep",
        "huge-int",
        "bool",
        "float",
        "list",
        "object",
        "none",
    ],
)
def test_malformed_signed_bodies_are_bad_requests(live_server, otp_app, body):
    response = signed_post(live_server.url, otp_app, f"/v1/apps/{otp_app.application_id}/otp", body)

    assert response.status_code == 400, response.text
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert set(response.json()) == {"Message", "RequestID"}
    assert Message.objects.count() == 0


def test_other_methods_are_not_allowed(live_server, otp_app):
    url = f"{live_server.url}{settings.PINPOINT_API_PREFIX}/v1/apps/{otp_app.application_id}/verify-otp"
    for method in ("GET", "PUT", "DELETE"):
        response = requests.request(method, url, timeout=10)
        assert response.status_code == 405 and response.headers["x-amzn-ErrorType"] == "MethodNotAllowedException"


def test_a_crlf_in_a_header_value_never_reaches_a_response_header(live_server, otp_app):
    response = signed_post(
        live_server.url, otp_app, f"/v1/apps/{otp_app.application_id}/otp", b"{}", headers={"X-Note": "a b"}
    )
    assert response.status_code == 400
    assert "X-Note" not in response.headers and "Set-Cookie" not in response.headers
