"""Changing the password: behind step-up and the current password; everything else is signed out."""

import pytest
from django.test import Client
from django.utils import timezone

from security.models import SecurityEvent, TrustedDevice
from tests.helpers import run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
URL = "/account/security/password/"
NEW = "fresh vivid harbour 93"


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


def test_the_current_password_is_required(signed_in, shopper, password):
    step_up_grant(signed_in, "change_password")

    response = signed_in.post(URL, {"current_password": "not it", "new_password": NEW, "keep_signed_in": "on"})

    assert "That isn&#x27;t your current password." in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.check_password(password)


def test_a_new_password_ends_every_other_session_and_trusted_device_and_alerts(
    signed_in, shopper, password, mailoutbox
):
    shopper.phone = "+447911123456"
    shopper.save()
    elsewhere = Client()
    elsewhere.force_login(shopper)
    TrustedDevice.objects.create(
        user=shopper, token_hash="t" * 64, name="Safari on iOS", expires_at=timezone.now() + timezone.timedelta(days=30)
    )
    step_up_grant(signed_in, "change_password")

    response = signed_in.post(URL, {"current_password": password, "new_password": NEW, "keep_signed_in": "on"})

    assert response.headers["Location"] == "/account/security/"
    assert signed_in.get("/account/security/").status_code == 200  # kept, as asked
    assert elsewhere.get("/account/security/").status_code == 302
    assert not TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).exists()
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()
    run_pending_on_commit()
    assert "Your password was changed" in [m.subject for m in mailoutbox]
    from messaging.backends import locmem

    assert [m.to for m in locmem.outbox] == ["+447911123456"]


def test_the_person_can_choose_to_be_signed_out_here_too(signed_in, shopper, password):
    step_up_grant(signed_in, "change_password")

    response = signed_in.post(URL, {"current_password": password, "new_password": NEW})

    assert response.headers["Location"] == "/account/signin/"
    assert signed_in.get("/account/security/").status_code == 302


def test_weak_new_passwords_are_refused(signed_in, password):
    step_up_grant(signed_in, "change_password")

    response = signed_in.post(URL, {"current_password": password, "new_password": "password123"})

    assert "one of the passwords people use most" in response.content.decode()


def test_guessing_the_current_password_is_rate_limited(signed_in, shopper, password):
    step_up_grant(signed_in, "change_password")
    for _ in range(6):
        signed_in.post(URL, {"current_password": "guess", "new_password": NEW})

    response = signed_in.post(URL, {"current_password": password, "new_password": NEW}, follow=True)

    assert "Too many attempts." in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.check_password(password)
