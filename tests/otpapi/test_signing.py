"""The server's SigV4 check against botocore's own signer, over request shapes boto3 and others produce."""

from datetime import UTC, datetime

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import RequestFactory

from otpapi.signing import SignatureProblem, authorization_parse, signature_matches

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def signed(url: str, body: bytes, *, region="us-east-1", headers=None, secret=SECRET):
    request = AWSRequest(method="POST", url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials(KEY_ID, secret), "mobiletargeting", region).add_auth(request)
    return request


def as_django(aws_request, body: bytes):
    from urllib.parse import urlsplit

    parts = urlsplit(aws_request.url)
    meta = {}
    for name, value in aws_request.headers.items():
        key = name.upper().replace("-", "_")
        meta[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
    meta["HTTP_HOST"] = parts.netloc
    return RequestFactory().generic("POST", parts.path + (f"?{parts.query}" if parts.query else ""), data=body, **meta)


def check(aws_request, body: bytes, *, secret=SECRET) -> bool:
    request = as_django(aws_request, body)
    authorization = authorization_parse(request, now=datetime.now(UTC), window_seconds=900)
    return signature_matches(secret=secret, authorization=authorization, request=request, body=body)


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/pinpoint/v1/apps/0123456789abcdef0123456789abcdef/otp",
        "http://testserver:8123/v1/apps/abc/verify-otp",
        "http://testserver/pinpoint/v1/apps/abc/otp?b=2&a=1&a=0&c=with%20space&d=",
        "http://testserver/pinpoint/v1/apps/a~b_c.d-e/otp",
    ],
)
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-2", "ap-south-1"])
def test_botocores_signature_is_recomputed_on_the_server(url, region):
    body = b'{"Channel": "SMS", "BrandName": "Caf\xc3\xa9"}'
    request = signed(url, body, region=region, headers={"Content-Type": "application/json", "X-Extra": " a   b "})

    assert check(request, body) is True
    assert check(request, body, secret=SECRET + "x") is False
    assert check(request, body + b" ") is False


def test_an_empty_body_is_signed_like_any_other():
    request = signed("http://testserver/v1/apps/abc/otp", b"")
    assert check(request, b"") is True


def test_a_signed_header_missing_from_the_request_is_a_problem():
    request = signed("http://testserver/v1/apps/abc/otp", b"{}", headers={"X-Extra": "1"})
    del request.headers["X-Extra"]

    with pytest.raises(SignatureProblem):
        check(request, b"{}")
