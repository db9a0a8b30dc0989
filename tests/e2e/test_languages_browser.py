"""The site in a person's language, in Chromium: the footer picker (a plain form), the browser's Accept-Language,
and a walk through sign-in, the code page, Login & security and an order page in German, Japanese and Brazilian
Portuguese, with axe and a screenshot of each.

The translated-text checks read the catalogues (what the page should say), so they pass once translators have
filled them; the language plumbing (<html lang>, the picker, the account's language) holds today.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import Language
from tests.e2e.conftest import VIEWPORTS, phone_window_only
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)
WALKED = ["de-DE", "ja-JP", "pt-BR"]


def said(language: str, msgid: str) -> str:
    """What the page says for `msgid` in `language`, from the compiled catalogue."""
    with translation.override(language.lower()):
        return translation.gettext(msgid)


def translated(language: str, msgid: str) -> str:
    wording = said(language, msgid)
    assert wording != msgid, f"{msgid!r} is not translated for {language} yet (locale/…/django.po)"
    return wording


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


@pytest.fixture
def open_browser(browser, viewport_name, live_server):
    """A browser whose Accept-Language is `locale` (Chromium sends the context's locale)."""
    contexts = []

    def open_it(locale: str) -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale, **VIEWPORTS[viewport_name])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_it
    for context in contexts:
        context.close()


def test_the_footer_picker_changes_the_language_without_javascript(browser, viewport_name, live_server, look, page):
    quiet = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False, **VIEWPORTS[viewport_name]
    )
    no_script = quiet.new_page()
    no_script.goto("/orders/cart/")
    assert html_lang(no_script) == "en-GB"

    no_script.locator("#footer-language").select_option(label="Deutsch")
    no_script.locator(".language-picker button[type=submit]").click()

    expect(no_script).to_have_url(re.compile(r"/orders/cart/$"))
    assert html_lang(no_script) == "de-DE"
    expect(no_script.locator("#footer-language option:checked")).to_have_text("Deutsch")
    basket = no_script.locator(".site-nav").inner_text()
    quiet.close()

    page.goto("/")  # the same picker with JavaScript on, looked at in German
    page.locator("#footer-language").select_option(label="Deutsch")
    page.locator(".language-picker button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "de-DE")
    look("picked-german")
    assert translated("de-DE", "Basket") in basket


@phone_window_only
@pytest.mark.parametrize("locale", WALKED)
def test_a_browser_s_accept_language_is_followed_and_the_picker_overrides_it(open_browser, locale):
    page = open_browser(locale)

    page.goto("/")
    assert html_lang(page) == locale
    expect(page.locator("#footer-language option:checked")).to_have_attribute("lang", locale)
    expect(page.locator(".site-nav")).to_contain_text(translated(locale, "Basket"))

    page.locator("#footer-language").select_option(label="English (US)")
    page.locator(".language-picker button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    page.goto("/orders/cart/")
    assert html_lang(page) == "en-US"  # the choice beats the browser's language from now on


@pytest.mark.parametrize("language", WALKED)
def test_sign_in_the_code_page_login_and_security_and_an_order_in_the_account_s_language(
    open_browser, look, viewport_name, make_user, password, place_order, mailoutbox, language
):
    shopper = make_user(f"walk.{language.lower()}@example.com", name="Sam Walker", preferred_language=language)
    order = place_order(shopper, "tablet")
    page = open_browser(language)

    # Each page is looked at first, then checked for its translated words (which wait for the translators).
    page.goto("/account/signin/")
    assert html_lang(page) == language
    look(f"signin-{language}", target=page)
    signin_heading = page.get_by_role("heading", level=1).inner_text()
    page.locator("input[name=email]").fill(shopper.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name=said(language, "Sign in"), exact=True).click()

    code = page.locator("input[name=code]")
    expect(code).to_be_visible()
    assert html_lang(page) == language
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    look(f"code-{language}", target=page)
    code.fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name=said(language, "Sign in"), exact=True).click()
    expect(page.locator(".account-menu summary")).to_contain_text("Sam")

    page.goto("/account/security/")
    assert html_lang(page) == language
    expect(page.locator("#account-language option:checked")).to_have_attribute("lang", language)
    look(f"security-{language}", target=page)
    security_heading = page.get_by_role("heading", level=1).inner_text()

    page.goto(f"/orders/{order.pk}/")
    assert html_lang(page) == language
    expect(page.locator("main")).to_contain_text(order.number)
    look(f"order-{language}", target=page)
    order_page = page.locator("main").inner_text()

    assert signin_heading == translated(language, "Sign in")
    assert security_heading == translated(language, "Login & security")
    assert translated(language, "Your orders") in order_page


def test_the_login_and_security_setting_changes_the_account_s_language_and_its_messages(
    open_browser, look, make_user, password, mailoutbox
):
    shopper = make_user("setting@example.com", name="Sam Setting", preferred_language=Language.EN_GB)
    page = open_browser("en-GB")
    page.goto("/account/signin/")
    page.locator("input[name=email]").fill(shopper.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("input[name=code]")).to_be_visible()
    page.locator("input[name=code]").fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.goto("/account/security/")
    page.locator("#account-language").select_option(label="日本語")
    page.locator("section[aria-labelledby=language-title] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/account/security/$"))
    assert html_lang(page) == "ja-JP"
    expect(page.locator(".flash")).to_contain_text("日本語")
    look("setting-japanese", target=page)
    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.JA_JP
