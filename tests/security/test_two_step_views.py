"""Turning 2SV on and managing it on Login & security, through step-up, as a shopper would."""

import re

import pyotp
import pytest
from django.urls import reverse

from security.methods import two_step_summary
from security.models import AuthenticatorDevice, BackupCodeDevice, PhoneDevice, SecurityEvent
from tests.helpers import code_page_open, last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
SECURITY = "/account/security/"
START = "/account/security/two-step/"


def prove_it(client, response, code_for):
    """Follow a step-up redirect: read the code the person received and type it in."""
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/verify/")
    page = code_page_open(client, response.headers["Location"])
    assert page.status_code == 200
    return client.post(response.headers["Location"], {"do": "verify", "code": code_for()})


def secret_on(page) -> str:
    return re.search(r'id="authenticator-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1).replace(" ", "")


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


def test_turning_on_2sv_with_an_authenticator_and_a_backup_phone(signed_in, shopper, mailoutbox):
    client = signed_in
    after = prove_it(client, client.get(START), lambda: last_code_sent_to(shopper.email, mailoutbox))
    assert after.headers["Location"] == START
    assert "Authenticator app" in client.get(START).content.decode()

    page = client.get(reverse("security:authenticator") + "?role=primary")
    app = pyotp.TOTP(secret_on(page))
    assert "<svg" in page.content.decode()
    assert not AuthenticatorDevice.objects.exists()  # the secret is only in the session so far
    wrong = client.post(page.request["PATH_INFO"] + "?role=primary", {"code": "000000"})
    assert "That code doesn&#x27;t match." in wrong.content.decode()
    step = client.post(reverse("security:authenticator") + "?role=primary", {"code": app.now()})
    assert step.headers["Location"] == reverse("security:backup_method")

    phone_url = reverse("security:phone") + "?role=backup&channel=sms"
    sent = client.post(phone_url, {"do": "send", "number": "+44 7911 123456", "channel": "sms"})
    assert sent.status_code == 302
    assert "We've texted a 6-digit code to •••• 3456." in client.get(phone_url).content.decode()
    proved = client.post(phone_url, {"do": "verify", "code": last_code_sent_to("+447911123456")})
    assert proved.headers["Location"] == reverse("security:backup_codes")
    assert not two_step_summary(shopper).enabled  # not until the last step

    codes_page = client.get(reverse("security:backup_codes")).content.decode()
    codes = re.findall(r"<code>(\d{4}) (\d{4})</code>", codes_page)
    assert len(codes) == 10
    download = client.get(reverse("security:backup_codes_download"))
    assert download["Content-Disposition"] == 'attachment; filename="backup-codes.txt"'
    assert f"{codes[0][0]} {codes[0][1]}" in download.content.decode()
    done = client.post(reverse("security:backup_codes"), follow=True)

    assert "Two-step verification is on." in done.content.decode()
    summary = two_step_summary(shopper)
    assert summary.enabled and isinstance(summary.primary, AuthenticatorDevice)
    assert [type(d) for d in summary.backups] == [PhoneDevice]
    assert summary.backup_codes_left == 10
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.TWO_STEP_ON).exists()
    run_pending_on_commit()
    assert "Two-step verification was turned on for your account" in [m.subject for m in mailoutbox]
    assert client.get(reverse("security:backup_codes_download")).status_code == 404  # shown once only


def test_turning_on_2sv_with_sms_first_offers_the_app_as_backup(signed_in, shopper, mailoutbox):
    client = signed_in
    prove_it(client, client.get(START), lambda: last_code_sent_to(shopper.email, mailoutbox))
    client.get(START)
    url = reverse("security:phone") + "?role=primary&channel=sms"
    client.post(url, {"do": "send", "number": "+447911123456", "channel": "sms"})
    client.post(url, {"do": "verify", "code": last_code_sent_to("+447911123456")})

    backup = client.get(reverse("security:backup_method")).content.decode()
    assert "Authenticator app" in backup and "Recommended" in backup


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(START)

    assert response.headers["Location"].startswith("/account/signin/?next=")


def test_step_up_for_a_2sv_user_asks_the_primary_method_and_offers_the_others(
    signed_in, shopper, authenticator, phone, backup_codes
):
    page = signed_in.get("/account/verify/?action=two_step&next=/account/security/two-step/off/")
    html = page.content.decode()

    assert "Enter the 6-digit code from your authenticator app." in html
    assert "Text message to •••• 3456" in html and "Backup code" in html
    assert "Email to" not in html  # email would be a way round 2SV
    response = signed_in.post(
        page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"],
        {"do": "verify", "code": authenticator.app.now()},
    )
    assert response.headers["Location"] == "/account/security/two-step/off/"


def test_step_up_never_returns_to_another_site(signed_in, shopper, mailoutbox):
    url = "/account/verify/?action=two_step&next=https://evil.example/"
    code_page_open(signed_in, url)

    response = signed_in.post(url, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    assert response.headers["Location"] == SECURITY


def test_a_wrong_step_up_code_says_how_many_tries_are_left(signed_in):
    url = "/account/verify/?action=two_step&next=/account/security/two-step/"
    code_page_open(signed_in, url)

    response = signed_in.post(url, {"do": "verify", "code": "000000"})
    assert "You have 4 tries left." in response.content.decode()


def test_step_up_can_switch_to_a_backup_code(signed_in, shopper, authenticator, backup_codes):
    device = BackupCodeDevice.objects.get(user=shopper)
    url = f"/account/verify/?action=two_step&next=/account/security/&method={device.persistent_id}"
    assert "Enter one of your backup codes." in signed_in.get(url).content.decode()

    response = signed_in.post(url, {"do": "verify", "code": backup_codes[3]})
    assert response.headers["Location"] == SECURITY
    assert device.codes_left() == 9


@pytest.fixture
def granted(signed_in):
    step_up_grant(signed_in, "two_step")
    return signed_in


def test_regenerating_backup_codes_shows_new_ones_once_and_alerts(
    granted, shopper, authenticator, backup_codes, mailoutbox
):
    response = granted.post(reverse("security:backup_codes_regenerate"), follow=True)
    new = re.findall(r"<code>(\d{4}) (\d{4})</code>", response.content.decode())

    assert len(new) == 10 and "".join(new[0]) not in backup_codes
    granted.post(reverse("security:backup_codes_done"))
    assert granted.get(reverse("security:backup_codes")).status_code == 302
    run_pending_on_commit()
    assert any("backup codes" in m.subject for m in mailoutbox)


def test_removing_the_last_backup_warns_first(granted, shopper, authenticator, phone, backup_codes):
    url = reverse("security:method_remove", args=[phone.persistent_id])

    page = granted.get(url).content.decode()
    assert "This is your last backup method." in page
    refused = granted.post(url, {})
    assert "Tick this to confirm" in refused.content.decode()
    assert PhoneDevice.objects.filter(pk=phone.pk).exists()

    granted.post(url, {"understood": "on"})
    assert not PhoneDevice.objects.filter(pk=phone.pk).exists()
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.METHOD_REMOVED).exists()
    run_pending_on_commit()
    from messaging.backends import locmem

    assert [m.to for m in locmem.outbox] == ["+447911123456"]  # the removed phone is told too


def test_the_primary_can_be_changed_to_a_backup(granted, shopper, authenticator, phone, backup_codes):
    granted.post(reverse("security:method_primary", args=[phone.persistent_id]))

    summary = two_step_summary(shopper)
    assert summary.primary == phone and summary.backups == [authenticator]


def test_turning_2sv_off_removes_every_method_and_alerts(
    granted, shopper, authenticator, phone, backup_codes, mailoutbox
):
    assert "Turn off two-step verification?" in granted.get(reverse("security:two_step_off")).content.decode()

    granted.post(reverse("security:two_step_off"))

    assert not two_step_summary(shopper).enabled
    assert not BackupCodeDevice.objects.filter(user=shopper).exists()
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.TWO_STEP_OFF).exists()
    run_pending_on_commit()
    assert "Two-step verification was turned off for your account" in [m.subject for m in mailoutbox]


def test_an_outsider_cannot_touch_anothers_methods(client, outsider, shopper, authenticator, phone, backup_codes):
    client.force_login(outsider)
    step_up_grant(client, "two_step")

    assert client.get(reverse("security:method_remove", args=[phone.persistent_id])).status_code == 404
    assert client.post(reverse("security:method_primary", args=[phone.persistent_id])).status_code == 404
    assert two_step_summary(shopper).backups == [phone]


def test_the_security_page_shows_2sv_and_recent_activity(signed_in, shopper, authenticator, phone, backup_codes):
    html = signed_in.get(SECURITY).content.decode()

    assert "Authenticator app" in html and "Text message to •••• 3456" in html
    assert "10 left" in html
    assert "Verification method added" in html


def test_a_2sv_method_change_revokes_every_trusted_device(granted, shopper, authenticator, phone, backup_codes):
    from django.utils import timezone

    from security.models import TrustedDevice

    TrustedDevice.objects.create(
        user=shopper,
        token_hash="x" * 64,
        name="Firefox on Windows",
        expires_at=timezone.now() + timezone.timedelta(days=30),
    )

    granted.post(reverse("security:method_primary", args=[phone.persistent_id]))

    assert not TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).exists()


def test_a_refused_send_says_no_code_was_sent_and_try_again_sends_once_the_cap_allows(
    signed_in, shopper, mailoutbox, settings
):
    from django.core.cache import cache

    from config.models import LimitCount

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_per_destination": [(600, 0)]}
    url = "/account/verify/?action=two_step&next=/account/security/"
    signed_in.post(url, {"do": "send"})
    page = signed_in.get(url).content.decode()
    assert "We&#x27;ve sent several codes recently. Wait" in page
    assert "No code was sent." in page and "emailed a 6-digit code" not in page
    assert 'name="code"' not in page
    run_pending_on_commit()
    assert not [m for m in mailoutbox if shopper.email in m.to]

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_per_destination": [(600, 5)]}  # the wait is over
    cache.clear()
    LimitCount.objects.all().delete()
    signed_in.post(url, {"do": "send"})
    page = signed_in.get(url).content.decode()
    assert "emailed a 6-digit code" in page
    response = signed_in.post(url, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    assert response.headers["Location"] == SECURITY
