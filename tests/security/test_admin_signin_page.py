"""The admin's second sign-in step: a page for the code alone, which never carries the password back."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.helpers import authenticator_for

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


class Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture
def admin_app(admin_user):
    return authenticator_for(admin_user)


def password_step(client: Client, admin_user, password: str):
    return client.post(LOGIN, {"username": admin_user.email, "password": password}, follow=True)


def test_a_right_password_leads_to_a_code_page_without_an_error(client, admin_user, admin_app, password):
    answer = client.post(LOGIN, {"username": admin_user.email, "password": password})
    assert answer.status_code == 302 and answer["Location"] == LOGIN  # the code page, fetched afresh
    html = client.get(LOGIN).content.decode()
    assert "OTP token" not in html and "errornote" not in html and "errorlist" not in html


def test_the_code_page_never_echoes_the_password(client, admin_user, admin_app, password):
    answer = password_step(client, admin_user, password)

    html = answer.content.decode()
    assert answer.status_code == 200
    assert password not in html
    assert not Tags(html).all("input", name="password")
    assert password not in str(dict(client.session))  # the proof is the session hash, never the password
    again = client.get(LOGIN).content.decode()  # coming back to the page later: still the code step, still no password
    assert password not in again and Tags(again).all("input", name="otp_token")


def test_the_code_field_is_one_a_phone_fills_in(client, admin_user, admin_app, password):
    html = password_step(client, admin_user, password).content.decode()

    (code,) = Tags(html).all("input", name="otp_token")
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "numeric"
    assert code["pattern"] == "[0-9]{6,8}" and code["maxlength"] == "8"  # 6 for a code, 8 for a backup code
    assert Tags(html).all("label", **{"for": "id_otp_token"})


def test_each_admin_sign_in_page_has_one_heading(client, admin_user, admin_app, password):
    first = client.get(LOGIN).content.decode()
    second = password_step(client, admin_user, password).content.decode()

    assert len(Tags(first).all("h1")) == 1
    assert len(Tags(second).all("h1")) == 1
    assert "Enter your code" in second


def test_the_code_alone_finishes_the_sign_in(client, admin_user, admin_app, password):
    password_step(client, admin_user, password)

    answer = client.post(LOGIN, {"otp_device": admin_app.persistent_id, "otp_token": admin_app.app.now()})

    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not any(key.startswith("flow:") for key, _ in client.session.items())


def test_password_and_code_in_one_post_still_sign_in(client, admin_user, admin_app, password):
    answer = client.post(
        LOGIN,
        {
            "username": admin_user.email,
            "password": password,
            "otp_device": admin_app.persistent_id,
            "otp_token": admin_app.app.now(),
        },
    )

    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_without_the_password_step_opens_nothing(client, admin_user, admin_app):
    attacker = Client()

    answer = attacker.post(
        LOGIN, {"username": admin_user.email, "otp_device": admin_app.persistent_id, "otp_token": admin_app.app.now()}
    )

    assert answer.status_code == 200
    assert attacker.get("/admin/").status_code == 302


def test_a_password_changed_after_the_first_step_ends_the_code_step(client, admin_user, admin_app, password):
    password_step(client, admin_user, password)
    admin_user.set_password("a brand new passphrase")
    admin_user.save()

    answer = client.post(LOGIN, {"otp_device": admin_app.persistent_id, "otp_token": admin_app.app.now()})

    assert answer.status_code == 200
    assert Tags(answer.content.decode()).all("input", name="password")  # back to the password page
    assert client.get("/admin/").status_code == 302


def test_a_forgotten_code_step_dies(client, admin_user, admin_app, password):
    password_step(client, admin_user, password)

    later = timezone.now() + timedelta(seconds=settings.SECURITY_SIGNIN_PENDING_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        answer = client.post(LOGIN, {"otp_device": admin_app.persistent_id, "otp_token": admin_app.app.now()})

        assert answer.status_code == 200
        assert client.get("/admin/").status_code == 302


def test_use_another_account_forgets_the_password_step(client, admin_user, admin_app, password):
    password_step(client, admin_user, password)

    client.get(LOGIN + "?again=1")
    answer = client.post(LOGIN, {"otp_device": admin_app.persistent_id, "otp_token": admin_app.app.now()})

    assert Tags(answer.content.decode()).all("input", name="password")
    assert client.get("/admin/").status_code == 302


def test_a_shopper_with_2sv_gets_no_code_step(client, shopper, authenticator, password):
    answer = client.post(LOGIN, {"username": shopper.email, "password": password})

    assert not Tags(answer.content.decode()).all("input", name="otp_token")
    assert not any(key.startswith("flow:") for key, _ in client.session.items())


def test_the_code_page_offers_the_primary_method_first(client, admin_user, admin_app, password):
    html = password_step(client, admin_user, password).content.decode()

    chosen = [attrs for tag, attrs in Tags(html).tags if tag == "option" and "selected" in attrs]
    assert [attrs["value"] for attrs in chosen] == [admin_app.persistent_id]
