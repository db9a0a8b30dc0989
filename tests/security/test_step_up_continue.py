"""Step-up carries the button the person pressed through the code (issue 17, point 4), and removing a trusted
device signs that browser out."""

import pytest
from django.test import Client

from security.models import SecurityEvent, TrustedDevice
from tests.helpers import code_page_open, last_code_sent_to, step_up_grant

pytestmark = pytest.mark.django_db
SIGNIN, CODE, SECURITY = "/account/signin/", "/account/signin/code/", "/account/security/"
CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile"


def trusted_browser(user, password, authenticator) -> Client:
    browser = Client(headers={"user-agent": CHROME_ANDROID})
    browser.post(SIGNIN, {"email": user.email, "password": password})
    browser.get(CODE)
    browser.post(CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"})
    assert browser.get(SECURITY).status_code == 200
    return browser


def test_the_remove_button_pressed_before_step_up_is_confirmed_after_it_and_done(
    shopper, password, authenticator, phone, backup_codes, mailoutbox
):
    laptop = Client()
    laptop.force_login(shopper)
    trusted_browser(shopper, password, authenticator)
    device = TrustedDevice.objects.get(user=shopper)

    pressed = laptop.post(
        "/account/security/devices/remove/",
        {"device": device.pk, "intent": "remove Chrome on Android from your trusted devices and sign it out"},
    )
    assert pressed.headers["Location"].startswith("/account/verify/?action=trusted_devices")
    assert TrustedDevice.objects.get(pk=device.pk).revoked_at is None  # nothing happens before the code

    by_text = pressed.headers["Location"] + f"&method={phone.persistent_id}"  # the app's code was just used
    assert code_page_open(laptop, by_text).status_code == 200
    proved = laptop.post(by_text, {"do": "verify", "code": last_code_sent_to(phone.number)})
    assert proved.headers["Location"] == "/account/verify/continue/"
    confirm = laptop.get("/account/verify/continue/").content.decode()
    assert "You asked to: remove Chrome on Android from your trusted devices and sign it out." in confirm
    assert TrustedDevice.objects.get(pk=device.pk).revoked_at is None  # not until the person confirms

    laptop.post("/account/security/devices/remove/", {"device": device.pk})

    assert TrustedDevice.objects.get(pk=device.pk).revoked_at is not None
    assert laptop.get("/account/verify/continue/").headers["Location"] == SECURITY  # used once


def test_a_kept_button_is_never_sent_on_its_own_nor_without_a_fresh_grant(shopper, authenticator):
    laptop = Client()
    laptop.force_login(shopper)
    laptop.post("/account/security/signout-everywhere/", {"intent": "sign out everywhere else"})

    assert laptop.get("/account/verify/continue/").headers["Location"] == SECURITY  # no grant: no confirmation
    assert not SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE).exists()


def test_removing_a_trusted_device_signs_that_browser_out_but_not_this_one(shopper, password, authenticator):
    phone_browser = trusted_browser(shopper, password, authenticator)
    laptop = Client()
    laptop.force_login(shopper)
    step_up_grant(laptop, "trusted_devices")

    laptop.post("/account/security/devices/remove/", {"device": TrustedDevice.objects.get().pk})

    assert phone_browser.get(SECURITY).status_code == 302  # signed out
    assert laptop.get(SECURITY).status_code == 200


def test_a_form_with_typed_secrets_is_never_kept_through_step_up(shopper):
    """A password change posted after its grant ran out: nothing typed is stored in the session or shown again."""
    laptop = Client()
    laptop.force_login(shopper)
    secret = "my new secret passphrase 42"

    pressed = laptop.post(
        "/account/security/password/",
        {"current_password": "correct horse battery staple", "new_password": secret},
    )

    assert pressed.headers["Location"].startswith("/account/verify/?action=change_password")
    assert "continue" not in pressed.headers["Location"]
    assert secret not in str(dict(laptop.session.items()))
