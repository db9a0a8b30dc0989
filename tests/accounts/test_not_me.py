""" "This wasn't me" from an alert, and the warning when a sign-in stops at the code step."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from security.alerts import not_me_token
from security.models import Challenge, FailureStreak, SecurityEvent, TrustedDevice
from security.signin_watch import signins_abandoned_sweep
from tests.helpers import code_page_open, last_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db


def test_the_new_sign_in_email_links_to_this_wasnt_me(client, shopper, password, mailoutbox):
    client.post("/account/signin/", {"email": shopper.email, "password": password})
    client.get("/account/signin/code/")
    client.post("/account/signin/code/", {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    run_pending_on_commit()

    alert = next(m for m in mailoutbox if m.subject == "New sign-in to your account")
    assert re.search(r"This wasn't me: https://shop\.example\.com/account/not-me/[\w:.-]+/", alert.body)
    assert "Device: " in alert.body


def test_this_wasnt_me_proves_the_email_ends_every_session_and_asks_for_a_new_password(shopper, password, mailoutbox):
    intruder = Client()
    intruder.force_login(shopper)
    TrustedDevice.objects.create(
        user=shopper, token_hash="t" * 64, name="Chrome on Android", expires_at=timezone.now() + timedelta(days=30)
    )
    owner = Client()
    url = f"/account/not-me/{not_me_token(shopper)}/"

    page = code_page_open(owner, url).content.decode()
    assert "emailed a 6-digit code to j•••@example.com" in page
    owner.post(url, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})

    assert intruder.get("/account/security/").status_code == 302  # the intruder's session is over
    assert not TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).exists()
    form = owner.get(url).content.decode()
    assert 'autocomplete="new-password"' in form
    done = owner.post(url, {"new_password": "fresh vivid harbour 93"})
    assert done.headers["Location"] == "/account/signin/"
    shopper.refresh_from_db()
    assert shopper.check_password("fresh vivid harbour 93")
    assert owner.get("/account/security/").status_code == 302  # not signed in automatically
    kinds = set(SecurityEvent.objects.filter(user=shopper).values_list("kind", flat=True))
    assert {"intrusion_reported", "password_changed"} <= kinds


def test_this_wasnt_me_without_the_email_code_changes_nothing(shopper, mailoutbox):
    intruder = Client()
    intruder.force_login(shopper)
    url = f"/account/not-me/{not_me_token(shopper)}/"
    attacker = Client()
    attacker.get(url)

    response = attacker.post(url, {"new_password": "attacker pass 123"})

    assert response.status_code == 200
    shopper.refresh_from_db()
    assert not shopper.check_password("attacker pass 123")
    assert intruder.get("/account/security/").status_code == 200


def test_a_forged_or_tampered_link_is_refused(client, shopper):
    token = not_me_token(shopper)

    assert client.get(f"/account/not-me/{token[:-2]}xx/").status_code == 404
    assert "This link has expired" in client.get("/account/not-me/nonsense/").content.decode()


def test_a_sign_in_left_at_the_code_step_is_recorded_but_alerts_nobody(client, shopper, password, mailoutbox):
    """A closed tab, or a server too slow to answer, is not an intruder (issue 13: no false alerts)."""
    client.post("/account/signin/", {"email": shopper.email, "password": password})
    client.get("/account/signin/code/")
    Challenge.objects.filter(purpose="new_device").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert signins_abandoned_sweep() == 1
    assert signins_abandoned_sweep() == 0
    run_pending_on_commit()
    assert not [m for m in mailoutbox if "could not finish signing in" in m.subject]
    assert Challenge.objects.get(purpose="new_device").state == Challenge.State.ABANDONED
    assert SecurityEvent.objects.filter(user=shopper, kind="signin_code_abandoned").count() == 1


def test_wrong_codes_after_the_right_password_warn_the_owner_once(client, shopper, password, mailoutbox):
    for _round in range(2):
        client.post("/account/signin/", {"email": shopper.email, "password": password})
        client.get("/account/signin/code/")
        for _ in range(5):
            client.post("/account/signin/code/", {"do": "verify", "code": "000000"})
            FailureStreak.objects.filter(user=shopper).update(last_failure_at=None)  # past the back-off

    run_pending_on_commit()
    warnings = [m for m in mailoutbox if "could not finish signing in" in m.subject]
    assert len(warnings) == 1  # at most once an hour


def test_finished_or_replaced_sign_ins_are_not_abandoned(client, shopper, password, mailoutbox):
    client.post("/account/signin/", {"email": shopper.email, "password": password})
    client.get("/account/signin/code/")
    client.post("/account/signin/code/", {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    Challenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert signins_abandoned_sweep() == 0
