"""Attacks an attack review of the session's new flows found (sign in with a code, trusted devices, a code from
another method); each played, each now refused."""

import pytest
from django.test import Client

from security.methods import phone_add
from security.models import FailureStreak, RecoveryRequest, TrustedDevice
from tests.helpers import last_code_sent_to, step_up_grant

pytestmark = pytest.mark.django_db
BY_CODE, CODE, SECURITY, RECOVER = (
    "/account/signin/by-code/",
    "/account/signin/code/",
    "/account/security/",
    "/account/signin/recover/",
)
UA = {"user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"}


def test_the_phone_alone_never_signs_into_a_2sv_account(client, shopper, mailoutbox):
    """'Text me a code' plus a 2SV phone on the same number would have been the phone alone: with 2SV the sign-in
    code goes by email."""
    shopper.phone = "+447911123456"
    shopper.save()
    phone_add(user=shopper, number="+447911123456", channel="sms", primary=True, confirmed=True, request=None)

    client.post(BY_CODE, {"email": shopper.email, "by": "text"})

    code = last_code_sent_to(shopper.email, mailoutbox)  # by email, not to the phone
    assert client.post(BY_CODE, {"code": code}).headers["Location"] == CODE


def test_an_emailed_sign_in_code_cannot_open_a_recovery(client, shopper, authenticator, mailoutbox):
    """Recovery needs the password proved; an emailed code is not the password."""
    client.post(BY_CODE, {"email": shopper.email})
    client.post(BY_CODE, {"code": last_code_sent_to(shopper.email, mailoutbox)})

    assert "I can" not in client.get(CODE).content.decode()  # no "I can't use any of these methods"
    assert client.get(RECOVER).headers["Location"] == "/account/signin/"
    client.post(RECOVER, {"do": "send"})
    assert not RecoveryRequest.objects.filter(user=shopper).exists()


def test_removing_a_trusted_device_signs_out_its_later_sessions_too(shopper, password, authenticator):
    thief, owner = Client(headers=UA), Client()
    thief.post("/account/signin/", {"email": shopper.email, "password": password})
    thief.get(CODE)
    thief.post(CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"})
    thief.post("/account/signout/")
    thief.post("/account/signin/", {"email": shopper.email, "password": password})  # trusted: no code, a new key
    assert thief.get(SECURITY).status_code == 200

    owner.force_login(shopper)
    step_up_grant(owner, "trusted_devices")
    owner.post("/account/security/devices/remove/", {"device": TrustedDevice.objects.get().pk})

    assert thief.get(SECURITY).status_code == 302


def test_a_right_backup_code_after_two_wrong_text_codes_is_accepted_not_counted(
    client, shopper, password, authenticator, backup_codes
):
    phone_add(user=shopper, number="+447911123456", channel="sms", primary=True, confirmed=True, request=None)
    client.post("/account/signin/", {"email": shopper.email, "password": password})
    client.get(CODE)
    client.post(CODE, {"do": "verify", "code": "000001"})
    client.post(CODE, {"do": "verify", "code": "000002"})

    client.post(CODE, {"do": "verify", "code": backup_codes[0]})

    assert client.get(SECURITY).status_code == 200
    assert FailureStreak.objects.get(user=shopper).failures_in_a_row == 0


def test_a_malformed_device_field_removes_nothing(client, shopper, password, authenticator):
    browser = Client(headers=UA)
    browser.post("/account/signin/", {"email": shopper.email, "password": password})
    browser.get(CODE)
    browser.post(CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"})
    client.force_login(shopper)
    step_up_grant(client, "trusted_devices")

    assert client.post("/account/security/devices/remove/", {"device": "1 OR 1=1"}).status_code == 404
    assert TrustedDevice.objects.filter(revoked_at__isnull=True).count() == 1
