"""Whatever part of a verification is wrong, the server does the same work: one keyed hash, one compare."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from otpapi import codes
from otpapi.keys import access_key_create, application_create
from otpapi.models import OtpCode
from otpapi.parameters import send_parameters, verify_parameters

PHONE = "+447911123456"


@pytest.fixture
def sent(db):
    application = application_create(name="App")
    key, _secret = access_key_create(application=application)
    parameters = send_parameters(
        {"Channel": "SMS", "BrandName": "B", "DestinationIdentity": PHONE, "ReferenceId": "ref", "AllowedAttempts": 5}
    )
    with mock.patch("otpapi.codes.secrets.choice", return_value="7"):
        codes.otp_send(application=application, key=key, parameters=parameters, request_id="r", ip=None)
    return application, key


def attempt(application, key, **fields) -> tuple[bool, int, int]:
    parameters = verify_parameters({"DestinationIdentity": PHONE, "ReferenceId": "ref", "Otp": "777777", **fields})
    with (
        mock.patch("otpapi.codes.keyed_hash", wraps=codes.keyed_hash) as hashes,
        mock.patch("otpapi.codes.hmac.compare_digest", wraps=codes.hmac.compare_digest) as compares,
    ):
        valid = codes.otp_verify(application=application, key=key, parameters=parameters, request_id="r", ip=None)
    return valid, hashes.call_count, compares.call_count


@pytest.mark.parametrize(
    "fields",
    [{"DestinationIdentity": "+447911123457"}, {"ReferenceId": "other"}, {"Otp": "000000"}, {"Otp": "x" * 64}],
    ids=["destination", "reference", "code", "garbage"],
)
def test_each_wrong_part_costs_one_hash_and_one_compare(sent, fields):
    assert attempt(*sent, **fields) == (False, 1, 1)


def test_an_expired_code_costs_the_same(sent):
    OtpCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert attempt(*sent) == (False, 1, 1)


def test_the_right_code_costs_the_same(sent):
    assert attempt(*sent) == (True, 1, 1)
    assert attempt(*sent) == (False, 1, 1)  # spent


def test_the_hash_is_bound_to_its_row(sent):
    application, _key = sent
    stored = OtpCode.objects.get()
    other_row = codes.code_hash(
        application=application, destination=PHONE, reference_id="ref", row=codes.uuid.uuid4(), code="777777"
    )
    assert other_row != stored.code_hash
