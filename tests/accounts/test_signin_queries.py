"""The SQL queries of a sign-in's four requests (issue 20): pinned, so repeated loads cannot creep back.

Counted like `make bench-signin`: every statement but BEGIN, COMMIT and savepoints. Each test also checks what
the person sees, so a count is never met by skipping work that matters.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from messaging.models import Message
from security.models import Challenge, FailureStreak, Passkey, RecognisedBrowser, SecurityEvent
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db
SIGNIN, CODE = "/account/signin/", "/account/signin/code/"
TRANSACTION = ("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "COMMIT")


def merged(postgresql: int, other: int) -> int:
    """A count that relies on PostgreSQL (one statement for several writes, several rows locked by one SELECT);
    the embedded SQLite runs those as separate statements."""
    return postgresql if connection.vendor == "postgresql" else other


def counted(call, *args, **kwargs):
    """The response and its SQL statements (without transaction control)."""
    with CaptureQueriesContext(connection) as captured:
        response = call(*args, **kwargs)
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION)]
    return response, statements


@pytest.fixture
def two_step_shopper(shopper, authenticator, backup_codes):
    FailureStreak.objects.create(user=shopper)  # as for anyone who has signed in before
    return shopper


def test_a_sign_in_with_the_authenticator_app_costs_few_queries(
    client: Client, two_step_shopper, password, authenticator
):
    alerts = Message.objects.filter(user=two_step_shopper, kind="security_alert").count()
    page, statements = counted(client.get, SIGNIN)
    assert page.status_code == 200 and statements == []  # the page touches no table

    step, statements = counted(client.post, SIGNIN, {"email": two_step_shopper.email, "password": password})
    assert step.headers["Location"] == CODE
    # the user, the password wait forgotten (one UPDATE), an open recovery and 2SV on (one SELECT), the new session
    assert len(statements) <= 4, statements

    page, statements = counted(client.get, CODE)
    assert "Enter the 6-digit code from your authenticator app." in page.content.decode()
    # the session, the user, the methods (app, phones, backup codes with their count, passkeys counted: one
    # UNION), the challenge (one INSERT, no transaction around it), the session saved
    assert len(statements) <= 5, statements
    assert Challenge.objects.filter(user=two_step_shopper, state=Challenge.State.ACTIVE).count() == 1

    done, statements = counted(client.post, CODE, {"do": "verify", "code": authenticator.app.now()})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    # the session and the user; the challenge and the streak locked (the app read with them); the app's step and
    # the challenge spent; the browser; the event with last_login; the alert; the session moved to its new key
    assert len(statements) <= merged(8, 12), statements
    assert client.get("/account/security/").status_code == 200  # signed in
    two_step_shopper.refresh_from_db()
    assert two_step_shopper.last_login is not None
    assert SecurityEvent.objects.filter(user=two_step_shopper, kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE).count() == 1
    assert Message.objects.filter(user=two_step_shopper, kind="security_alert").count() == alerts + 1
    assert RecognisedBrowser.objects.filter(user=two_step_shopper).count() == 1


def test_signing_in_again_on_a_recognised_browser_without_2sv_costs_few_queries(
    client: Client, shopper, password, mailoutbox
):
    client.post(SIGNIN, {"email": shopper.email, "password": password})
    client.get(CODE)
    client.post(CODE, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    client.post("/account/signout/")

    step, statements = counted(client.post, SIGNIN, {"email": shopper.email, "password": password})

    assert step.status_code == 302 and step.headers["Location"] == "/"
    # the user, the wait forgotten, an open recovery and 2SV off, the browser recognised (asked once), its trusted
    # device (none), the browser renewed, the event with last_login, the session moved to its new key
    assert len(statements) <= merged(8, 9), statements
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.SIGNIN).count() == 1
    assert RecognisedBrowser.objects.filter(user=shopper).count() == 1  # renewed, not a second row


def test_a_login_outside_the_sign_in_pages_still_records_last_login(client: Client, outsider):
    # signin_complete writes last_login with its event; every other login() (the admin's) keeps Django's update.
    client.force_login(outsider)

    outsider.refresh_from_db()
    assert outsider.last_login is not None


@pytest.mark.parametrize("confirmed", [True, False])
def test_the_code_page_offers_a_passkey_only_when_the_account_has_a_confirmed_one(
    client: Client, two_step_shopper, password, confirmed
):
    Passkey.objects.create(
        user=two_step_shopper, name="Phone", credential_id=b"cred", public_key=b"key", confirmed=confirmed
    )
    client.post(SIGNIN, {"email": two_step_shopper.email, "password": password})

    page = client.get(CODE).content.decode()

    assert ("Use a passkey instead" in page) is confirmed
