"""Every one of the 13 languages, in process: an account signs in through the password and code pages, then opens
Login & security and an order page, each page marked with the account's language and saying its words.

The browser walks the same path in de-DE, ja-JP and pt-BR for looks (tests/e2e/test_languages_browser.py); this
checks what those pages say in every language, English ones too, without a browser.
"""

import html
import re

import pytest
from django.utils import translation

from config.languages import BCP47_TAGS as LANGUAGES
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db

ENGLISH = {"en-GB", "en-US"}
SIGNIN, CODE, SECURITY = "/account/signin/", "/account/signin/code/", "/account/security/"


def said(language: str, msgid: str) -> str:
    """What a page says for `msgid` in `language`, from the compiled catalogue."""
    with translation.override(language.lower()):
        wording = translation.gettext(msgid)
    assert language in ENGLISH or wording != msgid, f"{msgid!r} is not translated for {language} yet"
    return wording


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def heading(response) -> str:
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)[1]).strip()


def main(response) -> str:
    return html.unescape(re.search(r'<main id="main"[^>]*>(.*?)</main>', response.content.decode(), re.S)[1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_the_code_step_login_and_security_and_an_order_page_in_the_account_s_language(
    client, make_user, password, place_order, mailoutbox, language
):
    shopper = make_user(f"pages.{language.lower()}@example.com", name="Sam Pages", preferred_language=language)
    order = place_order(shopper, "tablet")
    browser = {"accept-language": language}  # a browser in the account's language, as the walk's is

    signin = client.get(SIGNIN, headers=browser)
    assert html_lang(signin) == language
    assert heading(signin) == said(language, "Sign in")

    assert client.post(SIGNIN, {"email": shopper.email, "password": password}, headers=browser)["Location"] == CODE
    code_step = client.get(CODE, headers=browser)
    assert html_lang(code_step) == language
    assert re.search(r'<input[^>]*name="code"[^>]*autocomplete="one-time-code"', code_step.content.decode())
    code = last_code_sent_to(shopper.email, mailoutbox)
    assert client.post(CODE, {"do": "verify", "code": code}, headers=browser).status_code == 302

    security = client.get(SECURITY, headers=browser)
    assert security.context["account"] == shopper  # signed in
    assert html_lang(security) == language
    assert heading(security) == said(language, "Login & security")
    chosen = re.search(r'<select id="account-language".*?</select>', security.content.decode(), re.S)[0]
    assert re.findall(r'<option value="[^"]+" lang="([^"]+)" selected>', chosen) == [language]

    order_page = client.get(f"/orders/{order.pk}/", headers=browser)
    assert html_lang(order_page) == language
    assert order.number in main(order_page)
    assert said(language, "Your orders") in main(order_page)
