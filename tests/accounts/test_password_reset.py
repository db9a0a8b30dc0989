"""Password reset: no enumeration, 2SV not bypassed, everything signed out afterwards."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from security.models import BackupCodeDevice, SecurityEvent, TrustedDevice
from tests.helpers import last_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db
URL = "/account/password-reset/"
NEW = "fresh vivid harbour 93"


def page_text(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def ask(client, email):
    return client.post(URL, {"email": email}, follow=True)


def test_known_and_unknown_emails_get_the_same_answer_and_the_same_work(shopper):
    pages, statements = [], []
    for email in (shopper.email, "nobody@example.com"):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, {"email": email})
        statements.append(
            [
                q["sql"].split(" ")[0] + q["sql"].split('"')[1]
                for q in queries.captured_queries
                if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
            ]
        )
        pages.append(client.get(URL).content.decode().replace("j•••@example.com", "X").replace("n•••@example.com", "X"))
        assert response.headers["Location"] == URL
    assert statements[0] == statements[1]  # the same queries on the web side: no timing tell
    assert page_text(pages[0]) == page_text(pages[1])


def test_a_reset_with_the_emailed_code_sets_a_new_password_and_ends_everything(shopper, password, mailoutbox):
    signed_in_elsewhere = Client()
    signed_in_elsewhere.force_login(shopper)
    TrustedDevice.objects.create(
        user=shopper,
        token_hash="t" * 64,
        name="Chrome on Android",
        expires_at=timezone.now() + timezone.timedelta(days=30),
    )
    client = Client()
    ask(client, shopper.email)
    run_pending_on_commit()
    client.post(URL, {"code": last_code_sent_to(shopper.email, mailoutbox)})

    assert 'autocomplete="new-password"' in client.get(URL).content.decode()
    response = client.post(URL, {"new_password": NEW})

    assert response.headers["Location"] == "/account/signin/"
    shopper.refresh_from_db()
    assert shopper.check_password(NEW)
    assert client.get("/account/security/").status_code == 302  # not signed in automatically
    assert signed_in_elsewhere.get("/account/security/").status_code == 302
    assert not TrustedDevice.objects.filter(user=shopper, revoked_at__isnull=True).exists()
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()
    run_pending_on_commit()
    assert "Your password was changed" in [m.subject for m in mailoutbox]


def test_2sv_is_not_bypassed(shopper, authenticator, backup_codes, mailoutbox):
    client = Client()
    ask(client, shopper.email)
    run_pending_on_commit()
    client.post(URL, {"code": last_code_sent_to(shopper.email, mailoutbox)})

    page = client.get(URL).content.decode()
    assert "we need a second code too" in page
    skipped = client.post(URL, {"new_password": NEW})  # jump straight to the password
    assert skipped.status_code == 200
    shopper.refresh_from_db()
    assert not shopper.check_password(NEW)

    device = BackupCodeDevice.objects.get(user=shopper)
    client.get(URL + f"?method={device.persistent_id}")
    client.post(URL + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[0]})
    client.post(URL, {"new_password": NEW})
    shopper.refresh_from_db()
    assert shopper.check_password(NEW)


def test_an_unknown_email_can_never_pass_and_counts_down_like_a_real_one(shopper, mailoutbox):
    unknown, known = Client(), Client()
    ask(unknown, "nobody@example.com")
    ask(known, shopper.email)
    run_pending_on_commit()

    for attempt in range(5):
        a = unknown.post(URL, {"code": "000000"}).content.decode()
        b = known.post(
            URL, {"code": "000000" if last_code_sent_to(shopper.email, mailoutbox) != "000000" else "111111"}
        ).content.decode()
        assert page_text(a).replace("n•••", "X") == page_text(b).replace("j•••", "X"), attempt
    # Counted per request (never against the owner's sign-in): both end alike after the fifth wrong code.
    assert "Too many wrong tries for this code. Send a new one." in a


def test_requests_are_rate_limited_per_email_without_locking_the_owner_out(client, shopper, password):
    for _ in range(5):
        Client().post(URL, {"email": shopper.email})

    response = ask(Client(), shopper.email)

    assert "Too many requests for this email or network." in response.content.decode()
    assert client.post("/account/signin/", {"email": shopper.email, "password": password}).status_code == 302


def test_a_sign_in_code_does_not_reset_a_password(shopper, password, mailoutbox):
    thief = Client()
    thief.post("/account/signin/", {"email": shopper.email, "password": password})
    thief.get("/account/signin/code/")
    signin_code = last_code_sent_to(shopper.email, mailoutbox)
    ask(thief, shopper.email)
    run_pending_on_commit()
    reset_code = last_code_sent_to(shopper.email, mailoutbox)

    if signin_code != reset_code:
        assert "That code isn" in thief.post(URL, {"code": signin_code}).content.decode()
