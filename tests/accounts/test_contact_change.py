"""Changing the email or mobile number: step-up, a code to the new one, the old one told."""

import pytest
from django.test import Client
from django.utils import timezone

from messaging.backends import locmem
from security.models import PhoneDevice, SecurityEvent, TrustedDevice
from tests.helpers import last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
EMAIL, PHONE = "/account/security/email/", "/account/security/phone/"


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


def test_a_new_email_is_proved_by_a_code_sent_to_it_and_the_old_address_is_told(signed_in, shopper, mailoutbox):
    step_up_grant(signed_in, "change_email")
    signed_in.post(EMAIL, {"value": "Jo.New@Example.com"})
    shopper.refresh_from_db()
    assert shopper.email == "jo.shopper@example.com"  # not until the new address is proved

    signed_in.post(EMAIL, {"do": "verify", "code": last_code_sent_to("jo.new@example.com", mailoutbox)})

    shopper.refresh_from_db()
    assert shopper.email == "jo.new@example.com"
    run_pending_on_commit()
    told = next(m for m in mailoutbox if m.to == ["jo.shopper@example.com"] and "changed" in m.subject)
    assert told.subject == "Your account email was changed to j•••@example.com"
    assert "This wasn't me: https://shop.example.com/account/not-me/" in told.body
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.EMAIL_CHANGED).exists()


def test_a_wrong_code_changes_nothing(signed_in, shopper):
    step_up_grant(signed_in, "change_email")
    signed_in.post(EMAIL, {"value": "jo.new@example.com"})

    response = signed_in.post(EMAIL, {"do": "verify", "code": "000000"})

    assert "You have 4 tries left." in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.email == "jo.shopper@example.com"


def test_an_email_another_account_uses_is_refused(signed_in, outsider):
    step_up_grant(signed_in, "change_email")

    response = signed_in.post(EMAIL, {"value": outsider.email})

    assert "Another account already uses this email address." in response.content.decode()


def test_a_new_number_moves_the_2sv_phone_only_once_proved_and_the_old_number_is_told(
    signed_in, shopper, phone, mailoutbox
):
    shopper.phone = phone.number
    shopper.save()
    step_up_grant(signed_in, "change_phone")
    signed_in.post(PHONE, {"value": "+44 7911 100321"})
    phone.refresh_from_db()
    assert phone.number == "+447911123456"  # not yet

    signed_in.post(PHONE, {"do": "verify", "code": last_code_sent_to("+447911100321")})

    shopper.refresh_from_db()
    phone.refresh_from_db()
    assert shopper.phone == phone.number == "+447911100321"
    run_pending_on_commit()
    old_number_texts = [m.text for m in locmem.outbox if m.to == "+447911123456"]
    assert any("mobile number was changed to **** 0321" in text for text in old_number_texts)
    assert any(m.subject == "Your account mobile number was changed to •••• 0321" for m in mailoutbox)


def test_sending_codes_to_a_new_number_is_rate_limited(signed_in):
    step_up_grant(signed_in, "change_phone")
    for _ in range(5):
        signed_in.post(PHONE, {"do": "restart"})
        signed_in.post(PHONE, {"value": "+447911100321"})
    signed_in.post(PHONE, {"do": "restart"})

    response = signed_in.post(PHONE, {"value": "+447911100321"})

    assert "sent several codes recently. Wait" in response.content.decode()


def test_premium_rate_numbers_are_refused_plainly(signed_in):
    step_up_grant(signed_in, "change_phone")

    response = signed_in.post(PHONE, {"value": "+19005550100"})

    assert "premium-rate" in response.content.decode()
    assert not PhoneDevice.objects.exists()


def test_an_outsiders_session_cannot_change_anothers_email(outsider, shopper, mailoutbox):
    intruder = Client()
    intruder.force_login(outsider)
    step_up_grant(intruder, "change_email")

    taken = intruder.post(EMAIL, {"value": "Jo.Shopper@Example.com"})  # the shopper's address, to sign in with
    intruder.post(EMAIL, {"value": "stolen@example.com"})
    intruder.post(EMAIL, {"do": "verify", "code": last_code_sent_to("stolen@example.com", mailoutbox)})

    assert "Another account already uses this email address." in taken.content.decode()
    assert not [m for m in mailoutbox if m.to == ["jo.shopper@example.com"]]  # not even a code to it
    outsider.refresh_from_db(), shopper.refresh_from_db()
    assert outsider.email == "stolen@example.com"  # the change went through, for the account that proved it
    assert shopper.email == "jo.shopper@example.com"
    assert not SecurityEvent.objects.filter(user=shopper).exists()


def test_an_outsiders_session_cannot_change_anothers_phone_even_from_a_shared_number(outsider, shopper, phone):
    TrustedDevice.objects.create(
        user=shopper, token_hash="t" * 64, name="Safari on iOS", expires_at=timezone.now() + timezone.timedelta(days=30)
    )
    shopper.phone = outsider.phone = phone.number  # one household phone, the shopper's 2SV method too
    shopper.save(), outsider.save()
    intruder = Client()
    intruder.force_login(outsider)
    step_up_grant(intruder, "change_phone")

    intruder.post(PHONE, {"value": "+44 7911 100321"})
    intruder.post(PHONE, {"do": "verify", "code": last_code_sent_to("+447911100321")})

    outsider.refresh_from_db(), shopper.refresh_from_db(), phone.refresh_from_db()
    assert outsider.phone == "+447911100321"  # the change went through, for the account that proved it
    assert shopper.phone == phone.number == "+447911123456"
    assert TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).count() == 1
    assert not SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.PHONE_CHANGED).exists()


def test_codes_to_new_email_addresses_are_rate_limited_per_account(signed_in, mailoutbox):
    step_up_grant(signed_in, "change_email")
    for n in range(8):
        signed_in.post(EMAIL, {"do": "restart"})
        signed_in.post(EMAIL, {"value": f"someone{n}@example.com"})
    signed_in.post(EMAIL, {"do": "restart"})

    response = signed_in.post(EMAIL, {"value": "victim@example.com"})

    assert "You&#x27;ve asked for several codes recently." in response.content.decode()
    run_pending_on_commit()
    assert not [m for m in mailoutbox if m.to == ["victim@example.com"]]
