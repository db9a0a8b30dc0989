"""otp_app on the command line, and the admin: applications and keys listed, rotated, revoked; never a secret
after it was shown once, never a code."""

import io

import pytest
from django.core.management import call_command

from otpapi.models import AccessKey, OtpApplication
from tests.otpapi.conftest import PHONE, code_in, message_to, send, verify


def otp_app_command(*args) -> list[str]:
    out = io.StringIO()
    call_command("otp_app", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_prints_the_application_id_key_id_and_secret_on_its_last_line(live_server):
    application_id, key_id, secret = otp_app_command("create", "Service desk", "--domain", "Desk.Example.com")[
        -1
    ].split()

    application = OtpApplication.objects.get(application_id=application_id)
    assert len(application_id) == 32 and int(application_id, 16) >= 0
    assert application.name == "Service desk" and application.domain == "desk.example.com"
    assert len(key_id) == 20 and key_id.startswith("DBK") and len(secret) == 40
    assert secret not in AccessKey.objects.get(key_id=key_id).secret_encrypted
    # and the printed words work as boto3's credentials
    from tests.otpapi.conftest import App

    app = App(application_id=application_id, key_id=key_id, secret=secret, model=application)
    client = app.client(live_server.url)
    send(client, app)
    assert verify(client, app, code_in(message_to(PHONE))) is True


def test_rotate_revokes_the_old_key_and_prints_a_new_one(db):
    _application_id, key_id, _secret = otp_app_command("create", "App")[-1].split()
    _same, new_key_id, new_secret = otp_app_command("rotate", key_id)[-1].split()

    assert AccessKey.objects.get(key_id=key_id).revoked_at is not None
    assert AccessKey.objects.get(key_id=new_key_id).is_active() and len(new_secret) == 40
    otp_app_command("revoke", new_key_id)
    assert not AccessKey.objects.get(key_id=new_key_id).is_active()
    listing = "\n".join(otp_app_command("list"))
    assert new_secret not in listing and "App" in listing


@pytest.fixture
def admin_client_verified(admin_user, verified_login):
    return verified_login(admin_user)


def test_the_admin_lists_applications_keys_codes_and_events_without_secrets_or_codes(
    live_server, otp_app, pinpoint, admin_client_verified
):
    send(pinpoint, otp_app)
    code = code_in(message_to(PHONE))
    verify(pinpoint, otp_app, code)
    client = admin_client_verified

    pages = [
        "/admin/otpapi/otpapplication/",
        f"/admin/otpapi/otpapplication/{otp_app.model.pk}/change/",
        "/admin/otpapi/accesskey/",
        f"/admin/otpapi/accesskey/{AccessKey.objects.get().pk}/change/",
        "/admin/otpapi/otpcode/",
        "/admin/otpapi/otpevent/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert otp_app.secret not in html and code not in html and PHONE not in html, page
    events = client.get("/admin/otpapi/otpevent/").content.decode()
    assert "•••• 3456" in events and "Valid" in events and otp_app.model.name in events


def test_the_admin_rotates_a_key_and_shows_the_new_secret_once(otp_app, admin_client_verified):
    client = admin_client_verified
    old = AccessKey.objects.get(key_id=otp_app.key_id)

    response = client.post("/admin/otpapi/accesskey/", {"action": "rotate", "_selected_action": [old.pk]})

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = AccessKey.objects.exclude(pk=old.pk).get()
    html = response.content.decode()
    assert new.key_id in html
    old.refresh_from_db()
    assert old.revoked_at is not None
    page = client.get(f"/admin/otpapi/accesskey/{new.pk}/change/").content.decode()
    assert "secret" not in page.lower().replace("secret access key", "")
    client.post("/admin/otpapi/accesskey/", {"action": "revoke", "_selected_action": [new.pk]})
    new.refresh_from_db()
    assert new.revoked_at is not None
