"""Sign-in with a code: 2SV, new browsers, trusted and recognised devices, and the attacks on them."""

import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.signin import PENDING_KEY
from security.models import FailureStreak, SecurityEvent, TrustedDevice
from tests.helpers import code_page_open, last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
SIGNIN, CODE, SECURITY = "/account/signin/", "/account/signin/code/", "/account/security/"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)


def password_step(client, user, password, **extra):
    return client.post(SIGNIN, {"email": user.email, "password": password, **extra})


def signed_in_as(client) -> int | None:
    response = client.get(SECURITY)
    return response.context["account"].pk if response.status_code == 200 else None


def test_2sv_asks_the_authenticator_and_nothing_is_signed_in_until_it_passes(client, shopper, password, authenticator):
    assert password_step(client, shopper, password).headers["Location"] == CODE
    assert signed_in_as(client) is None  # the pending state opens nothing
    page = client.get(CODE).content.decode()
    assert "Enter the 6-digit code from your authenticator app." in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "Don&#x27;t require codes on this device" in page or "Don't require codes on this device" in page
    assert 'name="trust" id="id_trust">' in page  # unticked by default

    response = client.post(CODE, {"do": "verify", "code": authenticator.app.now()})

    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == shopper.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == authenticator.persistent_id  # django_otp.login
    assert PENDING_KEY not in client.session


def test_any_enrolled_method_can_be_chosen(client, shopper, password, authenticator, phone, backup_codes):
    password_step(client, shopper, password)
    page = client.get(CODE).content.decode()
    assert "Text message to •••• 3456" in page and "Backup code" in page
    assert f'href="?method={quote(phone.persistent_id, safe="")}"' in page  # a link that really switches method

    code_page_open(client, CODE + f"?method={phone.persistent_id}")  # a switch sends only when asked
    response = client.post(
        CODE + f"?method={phone.persistent_id}", {"do": "verify", "code": last_code_sent_to(phone.number)}
    )
    assert response.status_code == 302
    assert signed_in_as(client) == shopper.pk


def test_a_backup_code_always_works(client, shopper, password, authenticator, backup_codes):
    from security.models import BackupCodeDevice

    device = BackupCodeDevice.objects.get(user=shopper)
    password_step(client, shopper, password)
    client.get(CODE + f"?method={device.persistent_id}")

    client.post(CODE + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[0]})
    assert signed_in_as(client) == shopper.pk


def trust_this_browser(client, user, password, authenticator, user_agent=CHROME_ANDROID):
    password_step(client, user, password)
    client.get(CODE)
    client.post(
        CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"}, headers={"user-agent": user_agent}
    )
    client.post("/account/signout/")


def test_a_trusted_browser_skips_the_code_for_30_days(client, shopper, password, authenticator):
    trust_this_browser(client, shopper, password, authenticator)
    device = TrustedDevice.objects.get(user=shopper)
    assert device.name == "Chrome on Android"
    assert (device.expires_at - device.created_at).days == 30
    cookie = client.cookies["deadbolt_browser"]  # one opaque cookie per browser, named for no account
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"]
    assert cookie.value not in str(TrustedDevice.objects.values_list("token_hash", flat=True))  # only a hash kept

    assert password_step(client, shopper, password).headers["Location"] == "/"
    assert signed_in_as(client) == shopper.pk
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.SIGNIN).exists()


def test_a_trusted_cookie_does_not_help_another_account_on_the_same_browser(
    client, shopper, outsider, password, authenticator
):
    from security.codes import totp_secret
    from security.methods import authenticator_add

    trust_this_browser(client, shopper, password, authenticator)
    authenticator_add(user=outsider, secret=totp_secret(), primary=True, confirmed=True, request=None)

    assert password_step(client, outsider, password).headers["Location"] == CODE


def test_a_revoked_or_expired_trusted_device_counts_for_nothing(client, shopper, password, authenticator):
    trust_this_browser(client, shopper, password, authenticator)
    TrustedDevice.objects.update(revoked_at=timezone.now())
    assert password_step(client, shopper, password).headers["Location"] == CODE

    client.session.pop(PENDING_KEY, None)
    TrustedDevice.objects.update(revoked_at=None, expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().post(SIGNIN, {"email": shopper.email, "password": password}).headers["Location"] == CODE
    assert password_step(client, shopper, password).headers["Location"] == CODE


def test_a_stolen_cookie_stops_working_once_revoked(client, shopper, password, authenticator):
    trust_this_browser(client, shopper, password, authenticator)
    thief = Client()
    for name, cookie in client.cookies.items():
        if name == "deadbolt_browser":
            thief.cookies[name] = cookie.value
    assert password_step(thief, shopper, password).headers["Location"] == "/"  # the cookie works... until revoked
    thief.post("/account/signout/")

    TrustedDevice.objects.filter(user=shopper).update(revoked_at=timezone.now())

    assert password_step(thief, shopper, password).headers["Location"] == CODE


def test_a_forged_or_altered_browser_cookie_is_simply_absent_and_counts_for_nothing(
    client, shopper, password, authenticator
):
    """Issue 12: a forged cookie used to count as a wrong code with no back-off, a fast way to the lock."""
    trust_this_browser(client, shopper, password, authenticator)
    genuine = client.cookies["deadbolt_browser"].value
    for forged in ("forged-token-value", genuine[:-3] + "abc", genuine.split(":")[0]):
        forger = Client()
        forger.cookies["deadbolt_browser"] = forged
        assert password_step(forger, shopper, password).headers["Location"] == CODE

    assert not FailureStreak.objects.filter(user=shopper, failures_in_a_row__gt=0).exists()
    assert not SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.TRUSTED_COOKIE_FORGED).exists()
    assert password_step(client, shopper, password).headers["Location"] == "/"  # the real one still works


def test_without_2sv_a_new_browser_gets_a_code_by_email_and_a_known_one_does_not(client, shopper, password, mailoutbox):
    assert password_step(client, shopper, password).headers["Location"] == CODE
    assert "We&#x27;ve emailed a 6-digit code to j•••@example.com." in client.get(CODE).content.decode() or (
        "We've emailed a 6-digit code to j•••@example.com." in client.get(CODE).content.decode()
    )
    client.post(CODE, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    assert signed_in_as(client) == shopper.pk
    run_pending_on_commit()
    assert "New sign-in to your account" in [m.subject for m in mailoutbox]
    client.post("/account/signout/")

    assert password_step(client, shopper, password).headers["Location"] == "/"  # recognised now


def test_without_2sv_the_code_goes_to_the_phone_on_file(client, shopper, password):
    shopper.phone = "+447911123456"
    shopper.save()

    password_step(client, shopper, password)
    page = client.get(CODE).content.decode()

    assert "texted a 6-digit code to •••• 3456" in page
    assert last_code_sent_to("+447911123456")


def test_a_pending_sign_in_dies_after_ten_minutes(client, shopper, password, authenticator):
    password_step(client, shopper, password)
    session = client.session
    session[PENDING_KEY]["expires"] = time.time() - 1  # its 10 minutes are over
    session.save()

    response = client.get(CODE, follow=True)
    assert response.redirect_chain[-1][0] == SIGNIN
    assert "Your sign-in timed out." in response.content.decode()
    assert client.post(CODE, {"do": "verify", "code": authenticator.app.now()}).headers["Location"] == SIGNIN
    assert signed_in_as(client) is None


def test_the_code_step_cannot_be_reached_without_a_password(client, shopper):
    assert client.get(CODE).headers["Location"] == SIGNIN


def test_failing_the_code_step_out_warns_the_owner_once_an_hour(client, shopper, password, authenticator, mailoutbox):
    for _attempt in range(2):
        client.session.pop(PENDING_KEY, None)
        password_step(client, shopper, password)
        client.get(CODE)
        for _ in range(5):
            FailureStreak.objects.filter(user=shopper).update(failures_in_a_row=0)
            client.post(CODE, {"do": "verify", "code": "000000"})
    run_pending_on_commit()

    warnings = [m for m in mailoutbox if "could not finish signing in" in m.subject]
    assert len(warnings) == 1
    assert "someone may know your password" in warnings[0].body
    assert "turn on two-step verification" not in warnings[0].body  # 2SV is on: it stopped them
    assert "two-step verification stopped them" in warnings[0].body


def test_sign_out_everywhere_ends_other_sessions_and_revokes_trusted_devices(shopper, password, authenticator):
    other, here = Client(), Client()
    trust_this_browser(other, shopper, password, authenticator)
    password_step(other, shopper, password)
    assert signed_in_as(other) == shopper.pk
    here.force_login(shopper)
    step_up_grant(here, "signout_everywhere")

    here.post("/account/security/signout-everywhere/")

    assert signed_in_as(here) == shopper.pk
    assert signed_in_as(other) is None
    assert not TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).exists()


def test_trusted_devices_are_listed_and_removing_them_needs_step_up(client, shopper, password, authenticator):
    trust_this_browser(client, shopper, password, authenticator)
    password_step(client, shopper, password)
    assert "Chrome on Android" in client.get(SECURITY).content.decode()

    response = client.post("/account/security/devices/remove/")
    assert response.headers["Location"].startswith("/account/verify/?action=trusted_devices")
    assert TrustedDevice.objects.filter(revoked_at__isnull=True).count() == 1

    step_up_grant(client, "trusted_devices")
    client.post("/account/security/devices/remove/", {"device": TrustedDevice.objects.get().pk})
    assert TrustedDevice.objects.filter(revoked_at__isnull=True).count() == 0


def test_an_outsider_cannot_remove_anothers_trusted_device(client, shopper, outsider, password, authenticator):
    trust_this_browser(client, shopper, password, authenticator)
    intruder = Client()
    intruder.force_login(outsider)
    step_up_grant(intruder, "trusted_devices")

    response = intruder.post("/account/security/devices/remove/", {"device": TrustedDevice.objects.get().pk})
    assert response.status_code == 404
    assert TrustedDevice.objects.filter(revoked_at__isnull=True).count() == 1


def test_wrong_passwords_back_off_for_known_and_unknown_emails_alike(client, shopper, password):
    for n, email in enumerate((shopper.email, "nobody@example.com")):
        for _ in range(5):
            client.post(SIGNIN, {"email": email, "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}")
        response = client.post(SIGNIN, {"email": email, "password": "wrong"}, REMOTE_ADDR=f"203.0.113.{n}")
        assert "Too many attempts. Wait 1 second, then try again." in response.content.decode(), email


def test_during_a_wait_even_the_right_password_is_not_checked(client, shopper, password):
    from tests.hashers import CountingMD5PasswordHasher

    for _ in range(6):
        client.post(SIGNIN, {"email": shopper.email, "password": "wrong"})
    before = CountingMD5PasswordHasher.hashes_computed

    response = client.post(SIGNIN, {"email": shopper.email, "password": password})

    assert "Too many attempts." in response.content.decode()
    assert CountingMD5PasswordHasher.hashes_computed == before
    assert signed_in_as(client) is None


def test_a_stranger_cannot_lock_the_owner_out_for_long(settings):
    from config.ratelimit import backoff_wait

    assert backoff_wait("password", 1000) == settings.BACKOFF_LIMITS["password"]["max_seconds"] == 15 * 60
