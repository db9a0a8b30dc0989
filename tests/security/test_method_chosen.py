"""The method is what the shopper chose (issue 17, point 3): a call for this code only, the page says what was
really sent, and a code from another enrolled method typed on the wrong page is recognised and accepted."""

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from messaging.backends import locmem
from security.codes import totp_secret
from security.methods import authenticator_add, backup_codes_create, phone_add
from security.models import PhoneDevice
from tests.helpers import last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
SIGNIN, CODE, SECURITY = "/account/signin/", "/account/signin/code/", "/account/security/"


@pytest.fixture
def texted(shopper):
    """2SV with a text-message primary, an authenticator app as backup, and backup codes."""
    phone = phone_add(user=shopper, number="+447911123456", channel="sms", primary=True, confirmed=True, request=None)
    secret = totp_secret()
    authenticator_add(user=shopper, secret=secret, primary=False, confirmed=True, request=None)
    codes = backup_codes_create(user=shopper, confirmed=True, request=None)
    return phone, pyotp.TOTP(secret), codes


def at_the_code_step(client, shopper, password):
    client.post(SIGNIN, {"email": shopper.email, "password": password})
    page = client.get(CODE).content.decode()
    assert "We've texted a 6-digit code to •••• 3456." in page
    return page


def test_the_apps_code_typed_on_the_text_message_page_is_recognised_and_accepted(client, shopper, password, texted):
    _phone, app, _codes = texted
    at_the_code_step(client, shopper, password)

    response = client.post(CODE, {"do": "verify", "code": app.now()}, follow=True)

    assert response.context["user"] == shopper
    assert "That was a code from your authenticator app, and it&#x27;s accepted." in response.content.decode()


def test_a_backup_code_typed_on_the_text_message_page_is_accepted_once(client, shopper, password, texted):
    _phone, _app, codes = texted
    at_the_code_step(client, shopper, password)
    assert client.post(CODE, {"do": "verify", "code": codes[0]}, follow=True).context["user"] == shopper

    again = Client()
    at_the_code_step(again, shopper, password)
    refused = again.post(CODE, {"do": "verify", "code": codes[0]})
    assert refused.status_code == 200 and "That code isn" in refused.content.decode()


def test_a_wrong_code_is_still_wrong_and_no_other_method_is_spent(client, shopper, password, texted):
    at_the_code_step(client, shopper, password)

    response = client.post(CODE, {"do": "verify", "code": "000000"})

    assert "You have 4 tries left." in response.content.decode()


def test_after_call_me_instead_the_page_says_we_are_calling_and_offers_a_text(client, shopper, password, texted):
    at_the_code_step(client, shopper, password)
    with _after_the_resend_wait():
        client.post(CODE, {"do": "call"})
        page = client.get(CODE).content.decode()
        run_pending_on_commit()

    assert "We're calling •••• 3456 to read you a 6-digit code." in page
    assert "Text me instead" in page and "We've texted" not in page
    assert [m.channel for m in locmem.outbox if m.to == "+447911123456"][-1] == "voice"


def _after_the_resend_wait():
    import datetime

    import time_machine

    return time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=31), tick=False)


def test_call_me_instead_during_enrolment_keeps_the_text_message_method_chosen(client, shopper, authenticator):
    client.force_login(shopper)
    step_up_grant(client, "two_step")
    url = reverse("security:phone") + "?role=backup&channel=sms"
    client.post(url, {"do": "send", "number": "+44 7911 100321", "channel": "sms"})
    with _after_the_resend_wait():
        client.post(url, {"do": "call"})
        code = last_code_sent_to("+447911100321")
        client.post(url, {"do": "verify", "code": code})

    assert PhoneDevice.objects.get(user=shopper, number="+447911100321").channel == "sms"
