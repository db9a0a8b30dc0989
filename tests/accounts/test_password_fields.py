"""One new-password field with a show button everywhere, and Django's password rules in the site's voice."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from security.alerts import not_me_token
from tests.helpers import code_page_open, last_code_sent_to, run_pending_on_commit

RESET = "/account/password-reset/"
DJANGO_WORDS = (
    "This password is too short",
    "This password is too common",
    "This password is entirely numeric",
    "The password is too similar",
    "Your password can\u2019t",
    "Your password must contain",
    "The two password fields",
    "confirmation",
)


def _one_password_field_with_show_button(page: str) -> None:
    assert page.count('type="password"') == 1
    assert 'name="new_password"' in page and 'autocomplete="new-password"' in page
    assert "data-toggle-password" in page
    assert not any(words in page for words in DJANGO_WORDS)


@pytest.fixture
def reset_at_password_step(shopper, mailoutbox):
    client = Client()
    client.post(RESET, {"email": shopper.email})
    run_pending_on_commit()
    client.post(RESET, {"code": last_code_sent_to(shopper.email, mailoutbox)})
    return client


@pytest.fixture
def not_me_at_password_step(shopper, mailoutbox):
    client = Client()
    url = f"/account/not-me/{not_me_token(shopper)}/"
    code_page_open(client, url)
    client.post(url, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    return client, url


def test_password_reset_asks_for_the_new_password_once_with_a_show_button(reset_at_password_step):
    _one_password_field_with_show_button(reset_at_password_step.get(RESET).content.decode())


def test_this_wasnt_me_asks_for_the_new_password_once_with_a_show_button(not_me_at_password_step):
    client, url = not_me_at_password_step
    _one_password_field_with_show_button(client.get(url).content.decode())


def test_a_weak_password_on_reset_is_refused_in_the_sites_words(reset_at_password_step):
    page = reset_at_password_step.post(RESET, {"new_password": "password123"}).content.decode()

    assert "That&#x27;s one of the passwords people use most" in page
    _one_password_field_with_show_button(page)


def test_a_weak_password_on_this_wasnt_me_is_refused_in_the_sites_words(not_me_at_password_step, shopper):
    client, url = not_me_at_password_step
    page = client.post(url, {"new_password": "12345678901234"}).content.decode()

    assert "a password of only numbers is quick to guess" in page


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "Use at least 10 characters."),
        ("password123", "That's one of the passwords people use most, so it's guessed first. Choose another."),
        ("20481632641282565", "Add some letters: a password of only numbers is quick to guess."),
        ("jo.shopper@example", "That's too close to your email address. Choose something that doesn't contain it."),
    ],
)
def test_the_rules_are_djangos_with_our_messages(db, password, message):
    person = User(email="jo.shopper@example.com", name="Jo Shopper")

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=person)

    assert message in refused.value.messages


def test_the_rules_help_text_is_ours():
    texts = password_validators_help_texts()

    assert "At least 10 characters." in texts and "Not only numbers." in texts
    assert not any("Your password" in text for text in texts)
