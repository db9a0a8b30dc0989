"""Sign in with a code instead of a password (issue 17, point 4)."""

import re

import pytest
from django.test import Client

from messaging.backends import locmem
from security.models import FailureStreak, SecurityEvent
from tests.helpers import last_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db
BY_CODE, CODE, SECURITY = "/account/signin/by-code/", "/account/signin/code/", "/account/security/"


def page_text(response) -> str:
    html = response.content.decode()
    body = html[html.index("<main") : html.index("</main>")] if "<main" in html else html
    return re.sub(r'value="[^"]*"', "", re.sub(r"\s+", " ", body))


def test_without_2sv_the_emailed_code_alone_signs_in_and_the_new_browser_is_announced(client, shopper, mailoutbox):
    client.post(BY_CODE, {"email": shopper.email, "by": "email"})
    code = last_code_sent_to(shopper.email, mailoutbox)

    response = client.post(BY_CODE, {"code": code}, follow=True)

    assert response.context["user"] == shopper
    run_pending_on_commit()
    assert any(m.subject == "New sign-in to your account" for m in mailoutbox)


def test_with_2sv_the_code_replaces_only_the_password_and_the_second_factor_is_still_asked(
    client, shopper, authenticator, mailoutbox
):
    client.post(BY_CODE, {"email": shopper.email})
    after = client.post(BY_CODE, {"code": last_code_sent_to(shopper.email, mailoutbox)})

    assert after.headers["Location"] == CODE
    assert client.get(SECURITY).status_code == 302  # not yet
    client.get(CODE)
    client.post(CODE, {"do": "verify", "code": authenticator.app.now()})
    assert client.get(SECURITY).status_code == 200


def test_text_me_a_code_goes_to_the_accounts_mobile_number(client, shopper):
    shopper.phone = "+447911123457"
    shopper.save()
    client.post(BY_CODE, {"email": shopper.email, "by": "text"})

    assert client.post(BY_CODE, {"code": last_code_sent_to("+447911123457")}, follow=True).context["user"] == shopper


def test_an_email_without_an_account_gets_the_same_pages_and_answers_and_nothing_is_sent(shopper, mailoutbox):
    known, unknown = Client(), Client()
    for client, email in ((known, shopper.email), (unknown, "nobody@example.com")):
        client.post(BY_CODE, {"email": email})
    run_pending_on_commit()
    real = last_code_sent_to(shopper.email, mailoutbox)
    wrong = "000000" if real != "000000" else "111111"

    for attempt in range(5):
        a = page_text(known.post(BY_CODE, {"code": wrong})).replace("j•••", "X")
        b = page_text(unknown.post(BY_CODE, {"code": wrong})).replace("n•••", "X")
        assert a == b, attempt
    assert "Too many wrong tries for this code. Send a new one." in a
    assert not [m for m in mailoutbox if "nobody@example.com" in m.to]
    assert not [m for m in locmem.outbox if "nobody" in m.to]


def test_wrong_codes_here_never_touch_the_owners_streak_and_the_request_dies_at_five(client, shopper, mailoutbox):
    client.post(BY_CODE, {"email": shopper.email})
    real = last_code_sent_to(shopper.email, mailoutbox)
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(5):
        client.post(BY_CODE, {"code": wrong})

    refused = client.post(BY_CODE, {"code": real})

    assert "Too many wrong tries for this code." in refused.content.decode()
    assert client.get(SECURITY).status_code == 302
    assert not FailureStreak.objects.filter(user=shopper, failures_in_a_row__gt=0).exists()
    assert SecurityEvent.objects.filter(user=shopper, kind="code_failed").count() == 0  # counted on the request


def test_the_sign_in_page_offers_it(client):
    assert "Sign in with a code instead of your password" in client.get("/account/signin/").content.decode()
