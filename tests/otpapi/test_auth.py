"""SigV4 as AWS checks it: a wrong, tampered, stale, unsigned or revoked request gets Pinpoint's 403 and sends
nothing; keys never show up in logs."""

import json
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import botocore.auth
import pytest
import requests
from botocore.exceptions import ClientError
from django.conf import settings

from messaging.models import Message
from otpapi.keys import access_key_revoke
from otpapi.models import AccessKey, OtpEvent
from tests.otpapi.conftest import PHONE, code_in, message_to, send, send_parameters, signed_post, verify


def refusal(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def test_a_wrong_secret_is_refused_and_nothing_is_sent(live_server, otp_app):
    client = otp_app.client(live_server.url, secret="not-the-secret-" + "x" * 25)

    status, code, message = refusal(lambda: send(client, otp_app))
    assert (status, code) == (403, "ForbiddenException") and "signature" in message
    assert Message.objects.count() == 0 and OtpEvent.objects.count() == 0


def test_an_unknown_key_is_refused(live_server, otp_app):
    client = otp_app.client(live_server.url, key_id="DBKAAAAAAAAAAAAAAAAA")

    assert refusal(lambda: send(client, otp_app))[:2] == (403, "ForbiddenException")
    assert Message.objects.count() == 0


def test_a_revoked_key_is_refused(pinpoint, otp_app):
    access_key_revoke(key=AccessKey.objects.get(key_id=otp_app.key_id))

    assert refusal(lambda: send(pinpoint, otp_app))[:2] == (403, "ForbiddenException")
    assert Message.objects.count() == 0


def test_a_body_changed_after_signing_is_refused(pinpoint, otp_app):
    def tamper(request, **_kwargs):
        request.body = request.body.replace(PHONE.encode(), b"+447911000999")

    pinpoint.meta.events.register("before-send.pinpoint.SendOTPMessage", tamper)
    assert refusal(lambda: send(pinpoint, otp_app))[:2] == (403, "ForbiddenException")
    assert Message.objects.count() == 0


def test_a_changed_header_or_path_after_signing_is_refused(pinpoint, otp_app, outsider_app):
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))

    def other_date(request, **_kwargs):
        request.headers["X-Amz-Date"] = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y%m%dT%H%M%SZ")

    pinpoint.meta.events.register("before-send.pinpoint.VerifyOTPMessage", other_date)
    assert refusal(lambda: verify(pinpoint, otp_app, code))[:2] == (403, "ForbiddenException")
    pinpoint.meta.events.unregister("before-send.pinpoint.VerifyOTPMessage", other_date)

    def other_application(request, **_kwargs):
        request.url = request.url.replace(otp_app.application_id, outsider_app.application_id)

    pinpoint.meta.events.register("before-send.pinpoint.VerifyOTPMessage", other_application)
    assert refusal(lambda: verify(pinpoint, otp_app, code))[:2] == (403, "ForbiddenException")
    pinpoint.meta.events.unregister("before-send.pinpoint.VerifyOTPMessage", other_application)
    assert verify(pinpoint, otp_app, code) is True


@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_date_outside_the_15_minute_window_is_refused(pinpoint, otp_app, monkeypatch, minutes):
    """The client's clock moved (only botocore's signer sees it): a request signed then is a stale replay."""
    moved = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=minutes)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moved)

    status, code, message = refusal(lambda: send(pinpoint, otp_app))
    assert (status, code) == (403, "ForbiddenException") and "Signature expired" in message
    assert Message.objects.count() == 0


def test_a_date_within_the_window_is_accepted(pinpoint, otp_app, monkeypatch):
    moved = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=14)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moved)

    send(pinpoint, otp_app)
    assert Message.objects.count() == 1


def test_a_request_copied_on_the_wire_cannot_verify_a_spent_code(pinpoint, otp_app):
    """Within the window a copy is accepted, as at AWS; what it can do is nothing: the code is single-use."""
    captured = []
    pinpoint.meta.events.register(
        "before-send.pinpoint.VerifyOTPMessage", lambda request, **_: captured.append(request)
    )
    send(pinpoint, otp_app)
    assert verify(pinpoint, otp_app, code_in(message_to(PHONE))) is True

    (original,) = captured
    # Raw bytes on a socket: a client library (or an instrumentation such as Sentry's) must not touch the copy.
    parts = urlsplit(original.url)
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    for name, value in original.headers.items():
        lines.append(f"{name}: {value.decode() if isinstance(value, bytes) else value}")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + original.body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _blank, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    assert json.loads(body) == {"Valid": False}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "AWS4-HMAC-SHA256 Credential=DBKAAAAAAAAAAAAAAAAA/20250101/us-east-1/mobiletargeting"},
        {"Authorization": "AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=zz", "X-Amz-Date": "x"},
        {
            "Authorization": "AWS4-HMAC-SHA256 Credential=DBKAAAAAAAAAAAAAAAAA/20250101/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "X-Amz-Date": "20250101T000000Z",
        },
    ],
    ids=["unsigned", "bearer", "truncated", "garbage", "other-service"],
)
def test_unsigned_and_malformed_authorization_get_pinpoints_403(live_server, otp_app, headers):
    url = f"{live_server.url}{settings.PINPOINT_API_PREFIX}/v1/apps/{otp_app.application_id}/otp"
    response = requests.post(url, json=send_parameters(), headers=headers, timeout=10)

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert set(response.json()) == {"Message", "RequestID"}
    assert Message.objects.count() == 0


def test_a_declared_payload_hash_that_is_not_the_bodys_is_refused(live_server, otp_app):
    response = signed_post(
        live_server.url,
        otp_app,
        f"/v1/apps/{otp_app.application_id}/otp",
        b'{"Channel": "SMS"}',
        headers={"X-Amz-Content-SHA256": "0" * 64},
    )
    assert response.status_code == 403 and "x-amz-content-sha256" in response.json()["Message"]


def test_the_secret_never_reaches_the_logs(pinpoint, otp_app, caplog):
    caplog.set_level("DEBUG")
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))
    verify(pinpoint, otp_app, code)

    # The client's own botocore logs its request at DEBUG; everything the server side logged is checked.
    server_side = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith(("botocore", "urllib3"))
    )
    assert server_side and otp_app.secret not in server_side and code not in server_side
    assert otp_app.secret not in caplog.text
    stored = AccessKey.objects.get(key_id=otp_app.key_id)
    assert otp_app.secret not in stored.secret_encrypted
