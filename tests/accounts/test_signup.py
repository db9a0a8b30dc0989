import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Language
from tests.helpers import last_code_sent_to, run_pending_on_commit

SIGNUP = reverse("accounts:signup")
CODE = reverse("accounts:signin_code")
pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {"name": "Robin Reader", "email": "Robin.Reader@Example.COM ", "password": "tidy lantern orbit 42"}
    data.update(overrides)
    return data


def prove_email(client, mailoutbox, address="robin.reader@example.com", next_path="/"):
    page = client.get(CODE)
    assert "Confirm your email" in page.content.decode()
    return client.post(CODE, {"do": "verify", "code": last_code_sent_to(address, mailoutbox)}, follow=True)


def test_signup_proves_the_email_then_signs_in_and_welcomes(client, mailoutbox):
    started = client.post(SIGNUP, _form())
    assert started.headers["Location"] == CODE

    user = get_user_model().objects.get()
    assert user.email == "robin.reader@example.com"  # one spelling, lower case
    assert user.name == "Robin Reader"
    assert user.check_password("tidy lantern orbit 42")
    assert user.password_changed_at is not None
    assert user.email_verified_at is None
    assert not client.get("/account/security/").wsgi_request.user.is_authenticated  # not until the code
    response = prove_email(client, mailoutbox)
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert response.context["user"] == user
    assert "Welcome to Deadbolt, Robin." in response.content.decode()
    run_pending_on_commit()
    assert [m.subject for m in mailoutbox if m.to == [user.email]] == ["Your Deadbolt code to confirm your email"]


def test_an_unproved_email_receives_nothing_but_its_code_and_cannot_be_signed_in_without_it(client, mailoutbox):
    """Issue 12: sign-up took any email without proving it, so a stranger could aim our mail at someone's inbox."""
    client.post(SIGNUP, _form())
    client.get(CODE)
    stranger = Client()
    for _ in range(3):
        stranger.post("/account/signin/", {"email": "robin.reader@example.com", "password": "tidy lantern orbit 42"})
        stranger.get(CODE)
        stranger.post("/account/password-reset/", {"email": "robin.reader@example.com"})
        stranger.get("/account/password-reset/?restart=1")
    run_pending_on_commit()

    assert not stranger.get("/account/security/").wsgi_request.user.is_authenticated
    to_them = [m for m in mailoutbox if "robin.reader@example.com" in m.to]
    assert {m.subject for m in to_them} == {"Your Deadbolt code to confirm your email"}  # no reset, no alert
    assert len(to_them) <= 2  # the stranger budget: at most 2 codes in 10 minutes to one address


def test_signup_takes_the_language_from_the_browser(client):
    client.post(SIGNUP, _form(), headers={"accept-language": "fr-CA,fr;q=0.9,en;q=0.5"})

    assert get_user_model().objects.get().preferred_language == Language.FR_CA


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de", Language.DE_DE),
        ("pt-BR", Language.PT_BR),
        ("es-MX,es;q=0.9", Language.ES_419),
        ("xx", Language.EN_US),
    ],
)
def test_language_best_match(header, expected):
    assert Language.best_match(header) == expected


def test_an_email_in_use_in_another_case_is_refused_and_nothing_is_created(client, shopper):
    response = client.post(SIGNUP, _form(email="JO.SHOPPER@example.com"))

    assert response.status_code == 200
    assert "An account already uses this email address." in response.content.decode()
    assert get_user_model().objects.count() == 1
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 10 characters."),
        ("password1234", "one of the passwords people use most"),
        ("81726354091827", "a password of only numbers is quick to guess"),
        ("robin.reader", "too close to your"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, password, message):
    response = client.post(SIGNUP, _form(password=password))

    assert message in response.content.decode()
    assert get_user_model().objects.count() == 0


def test_errors_are_tied_to_their_inputs(client):
    response = client.post(SIGNUP, _form(name="", password="short"))
    html = response.content.decode()

    assert 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_error"' in html
    assert 'aria-describedby="id_password_error id_password_help"' in html
    assert 'aria-invalid="true"' in html


def test_the_password_is_never_echoed_back(client):
    response = client.post(SIGNUP, _form(name="", password="secret-unique-passphrase-77"))

    assert "secret-unique-passphrase-77" not in response.content.decode()


def test_signup_follows_a_local_next_only(client, mailoutbox):
    client.post(SIGNUP + "?next=/products/x/", _form())
    assert prove_email(client, mailoutbox).redirect_chain[0][0] == "/products/x/"

    client.logout()
    client.post(SIGNUP + "?next=https://evil.example/", _form(email="other@example.com"))
    assert prove_email(client, mailoutbox, address="other@example.com").redirect_chain[0][0] == "/"


def test_signed_in_people_are_sent_on_from_signup(client, shopper):
    client.force_login(shopper)

    assert client.get(SIGNUP).headers["Location"] == "/"
