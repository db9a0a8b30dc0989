"""The verification code path against RFC 6238 and RFC 4226, and pyotp as the authenticator app."""

import base64

import pyotp
import pytest

from security.codes import totp_match

RFC_SECRET = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_sha1_vectors(unix_time, code):
    assert totp_match(key=RFC_SECRET, token=code, at=unix_time, digits=8, tolerance=0) == unix_time // 30


@pytest.mark.parametrize(
    ("counter", "code"),
    list(
        enumerate(["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"])
    ),
)
def test_rfc_4226_hotp_vectors_as_time_steps(counter, code):
    # TOTP is HOTP over the time step: step n starts at n × 30 s.
    assert totp_match(key=RFC_SECRET, token=code, at=counter * 30 + 1, tolerance=0) == counter


def test_pyotp_codes_are_accepted_one_step_either_side_and_not_beyond():
    secret = base64.b32encode(b"an-independent-key!!").decode()
    app, now = pyotp.TOTP(secret), 1_800_000_000
    key = base64.b32decode(secret)

    assert totp_match(key=key, token=app.at(now), at=now) == now // 30
    assert totp_match(key=key, token=app.at(now - 30), at=now) == now // 30 - 1
    assert totp_match(key=key, token=app.at(now + 30), at=now) == now // 30 + 1
    assert totp_match(key=key, token=app.at(now - 60), at=now) is None
    assert totp_match(key=key, token=app.at(now + 60), at=now) is None


def test_malformed_tokens_never_match():
    for token in ("", "12345", "1234567", "abcdef", "12 345"):
        assert totp_match(key=RFC_SECRET, token=token, at=59) is None
