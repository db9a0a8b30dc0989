"""Recovery for a shopper whose phone is gone: email and password, a 24-hour wait that anyone can stop, then a reset."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from security.methods import two_step_summary
from security.models import RecoveryRequest, SecurityEvent
from tests.helpers import code_page_open, last_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db
SIGNIN, CODE, RECOVER = "/account/signin/", "/account/signin/code/", "/account/signin/recover/"


def start_recovery(client, user, password, mailoutbox):
    client.post(SIGNIN, {"email": user.email, "password": password})
    assert "I can&#x27;t use any of these methods" in client.get(CODE).content.decode() or (
        "I can't use any of these methods" in client.get(CODE).content.decode()
    )
    code_page_open(client, RECOVER)
    return client.post(RECOVER, {"do": "verify", "code": last_code_sent_to(user.email, mailoutbox)})


@pytest.fixture
def locked_out(shopper, authenticator, phone):
    """A 2SV shopper who lost the phone with the app and the backup phone, and has no backup codes."""
    return shopper


def test_recovery_needs_the_email_and_tells_every_contact(client, locked_out, password, mailoutbox):
    response = start_recovery(client, locked_out, password, mailoutbox)

    assert "Recovery started" in response.content.decode()
    recovery = RecoveryRequest.objects.get(user=locked_out)
    assert timedelta(hours=23, minutes=59) < recovery.ready_at - recovery.created_at <= timedelta(hours=24)
    assert client.get("/account/security/").status_code == 302  # not signed in
    assert two_step_summary(locked_out).enabled  # nothing changes yet
    run_pending_on_commit()
    alert = next(m for m in mailoutbox if m.subject.startswith("Someone asked to recover your account"))
    assert re.search(r"cancel now: https://shop\.example\.com/account/recovery/cancel/[\w:.-]+/", alert.body)
    from messaging.backends import locmem

    assert "+447911123456" in [m.to for m in locmem.outbox]  # the phone on file is told too


def test_the_password_alone_cannot_start_recovery(locked_out, password, mailoutbox):
    intruder = Client()
    intruder.post(SIGNIN, {"email": locked_out.email, "password": password})
    code_page_open(intruder, RECOVER)

    response = intruder.post(RECOVER, {"do": "verify", "code": "000000"})

    assert "That code isn" in response.content.decode()
    assert not RecoveryRequest.objects.exists()


def test_recovery_cannot_be_reached_without_the_password(client, locked_out):
    assert client.get(RECOVER).headers["Location"] == SIGNIN


def test_before_the_wait_ends_sign_in_still_needs_2sv(client, locked_out, password, mailoutbox):
    start_recovery(client, locked_out, password, mailoutbox)

    client.post(SIGNIN, {"email": locked_out.email, "password": password})
    assert "authenticator app" in client.get(CODE).content.decode()


def test_after_the_wait_a_sign_in_with_the_email_code_resets_2sv_and_leads_to_setting_it_up(
    client, locked_out, password, mailoutbox
):
    start_recovery(client, locked_out, password, mailoutbox)
    RecoveryRequest.objects.update(ready_at=timezone.now() - timedelta(seconds=1))

    client.post(SIGNIN, {"email": locked_out.email, "password": password})
    assert "Your recovery wait is over." in client.get(CODE).content.decode()
    response = client.post(CODE, {"do": "verify", "code": last_code_sent_to(locked_out.email, mailoutbox)})

    assert response.headers["Location"] == "/account/security/two-step/"
    assert not two_step_summary(locked_out).enabled
    assert client.get("/account/security/two-step/").status_code == 200  # straight into setting it up again
    assert SecurityEvent.objects.filter(user=locked_out, kind=SecurityEvent.Kind.RECOVERY_COMPLETED).exists()


def test_any_signed_in_session_can_cancel_it(client, locked_out, password, mailoutbox):
    start_recovery(client, locked_out, password, mailoutbox)
    owner = Client()
    owner.force_login(locked_out)

    assert "Someone asked to recover this account." in owner.get("/account/security/").content.decode()
    owner.post("/account/security/recovery/cancel/")

    RecoveryRequest.objects.update(ready_at=timezone.now() - timedelta(seconds=1))
    client.post(SIGNIN, {"email": locked_out.email, "password": password})
    assert "authenticator app" in client.get(CODE).content.decode()  # no reset after a cancel
    assert two_step_summary(locked_out).enabled


def test_the_alerts_link_cancels_it_with_a_button_not_a_visit(client, locked_out, password, mailoutbox):
    start_recovery(client, locked_out, password, mailoutbox)
    run_pending_on_commit()
    alert = next(m for m in mailoutbox if m.subject.startswith("Someone asked to recover your account"))
    path = re.search(r"https://shop\.example\.com(/account/recovery/cancel/[\w:.-]+/)", alert.body).group(1)

    Client().get(path)  # a mail scanner following the link
    assert RecoveryRequest.objects.get().cancelled_at is None
    Client().post(path)
    assert RecoveryRequest.objects.get().cancelled_at is not None


def test_a_forged_cancel_link_is_refused(client):
    assert client.get("/account/recovery/cancel/forged-token/").status_code == 404
