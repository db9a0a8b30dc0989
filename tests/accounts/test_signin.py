import pytest
from django.test import Client
from django.urls import reverse

from tests.hashers import CountingMD5PasswordHasher
from tests.helpers import last_code_sent_to


def complete_code_step(client, user, mailoutbox):
    """The new-browser code step: read the emailed code and type it in."""
    client.get("/account/signin/code/")
    return client.post("/account/signin/code/", {"do": "verify", "code": last_code_sent_to(user.email, mailoutbox)})


SIGNIN = reverse("accounts:signin")
SIGNOUT = reverse("accounts:signout")
SECURITY = reverse("accounts:security")
BAD_LOGIN = "That email and password don&#x27;t match an account."
pytestmark = pytest.mark.django_db


def test_the_right_password_signs_in_whatever_the_email_case(client, shopper, password, mailoutbox):
    response = client.post(SIGNIN, {"email": "  JO.Shopper@EXAMPLE.com", "password": password})
    assert response.headers["Location"] == "/account/signin/code/"  # a new browser: a code first

    assert complete_code_step(client, shopper, mailoutbox).headers["Location"] == "/"
    assert client.get(SECURITY).context["account"] == shopper


def test_signing_in_gives_a_new_session_key(client, shopper, password, mailoutbox):
    """Session fixation: a key planted before sign-in must not become the signed-in session."""
    client.get(SIGNIN)
    client.session["planted"] = True  # make sure a pre-sign-in session exists
    session = client.session
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key

    client.post(SIGNIN, {"email": shopper.email, "password": password})
    complete_code_step(client, shopper, mailoutbox)

    assert client.cookies["sessionid"].value != planted_key
    attacker = Client()
    attacker.cookies["sessionid"] = planted_key
    assert attacker.get(SECURITY).status_code == 302  # still signed out


@pytest.mark.parametrize("email", ["jo.shopper@example.com", "nobody@example.com"])
def test_a_failed_sign_in_never_says_whether_the_email_exists(client, shopper, email):
    response = client.post(SIGNIN, {"email": email, "password": "not the password"})

    assert response.status_code == 200
    assert BAD_LOGIN in response.content.decode()
    assert "nobody@example.com" not in response.content.decode() or email == "nobody@example.com"
    assert not response.wsgi_request.user.is_authenticated


def test_a_disabled_account_gets_the_same_answer(client, shopper, password):
    shopper.is_active = False
    shopper.save()

    response = client.post(SIGNIN, {"email": shopper.email, "password": password})

    assert BAD_LOGIN in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_an_unknown_email_costs_a_password_hash_like_a_known_one(client, shopper):
    """Timing: both paths run the password hasher exactly once."""
    before = CountingMD5PasswordHasher.hashes_computed
    client.post(SIGNIN, {"email": shopper.email, "password": "wrong"})
    known = CountingMD5PasswordHasher.hashes_computed - before

    before = CountingMD5PasswordHasher.hashes_computed
    client.post(SIGNIN, {"email": "nobody@example.com", "password": "wrong"})
    unknown = CountingMD5PasswordHasher.hashes_computed - before

    assert known == unknown == 1


def test_the_email_is_kept_and_the_password_dropped_after_a_failure(client, shopper):
    response = client.post(SIGNIN, {"email": shopper.email, "password": "wrong-but-memorable"})
    html = response.content.decode()

    assert f'value="{shopper.email}"' in html
    assert "wrong-but-memorable" not in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        " /x",
    ],
)
def test_next_never_leaves_the_site(client, shopper, password, target, mailoutbox):
    client.post(SIGNIN, {"email": shopper.email, "password": password, "next": target})

    assert complete_code_step(client, shopper, mailoutbox).headers["Location"] == "/"


def test_next_is_followed_to_a_local_path(client, shopper, password, mailoutbox):
    client.post(SIGNIN + "?next=/account/security/", {"email": shopper.email, "password": password})

    assert complete_code_step(client, shopper, mailoutbox).headers["Location"] == "/account/security/"


def test_pages_that_need_sign_in_send_people_to_sign_in_and_back(client):
    response = client.get(SECURITY)

    assert response.headers["Location"] == f"{SIGNIN}?next={SECURITY}"


def test_sign_in_without_a_csrf_token_is_refused(shopper, password):
    client = Client(enforce_csrf_checks=True)

    response = client.post(SIGNIN, {"email": shopper.email, "password": password})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(client, shopper):
    client.force_login(shopper)

    confirm = client.get(SIGNOUT)
    assert confirm.status_code == 200
    assert client.get(SECURITY).status_code == 200  # a GET (a link, an <img>) signs nobody out

    response = client.post(SIGNOUT, follow=True)
    assert "You&#x27;ve signed out." in response.content.decode()
    assert client.get(SECURITY).status_code == 302


def test_sign_out_without_a_csrf_token_is_refused(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)

    assert client.post(SIGNOUT).status_code == 403
    assert client.get(SECURITY).status_code == 200


def test_sign_in_pages_are_never_cached(client):
    response = client.get(SIGNIN)

    assert "no-store" in response.headers["Cache-Control"]


def test_inputs_carry_the_autocomplete_tokens(client):
    html = client.get(SIGNIN).content.decode()
    assert 'autocomplete="username webauthn"' in html  # "webauthn": the email field offers passkeys (autofill)
    assert 'autocomplete="current-password"' in html

    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'autocomplete="new-password"' in html
    assert 'autocomplete="name"' in html
