"""A shopper signs up, signs out, signs in and mistypes a password, on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def open_account_menu(page: Page) -> None:
    page.locator(".account-menu summary").click()


@pytest.fixture
def catalog():
    from orders.demo import demo_catalog_create

    demo_catalog_create()


def test_sign_up_sign_out_and_sign_in_again(page: Page, look, catalog, mailoutbox):
    page.goto("/")
    expect(page.get_by_role("link", name="Solstice gold hoop earrings")).to_be_visible()
    expect(page.get_by_role("heading", name="Good things, delivered safely.")).to_be_visible()
    look("shop-front")

    open_account_menu(page)
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    look("sign-up")

    page.get_by_label("Your name").fill("Robin Reader")
    page.get_by_label("Email address").fill("Robin.Reader@Example.com")
    page.get_by_label("Password", exact=True).fill("tidy lantern orbit 42")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    page.get_by_role("button", name="Create account").click()

    # The email is proved first: a code to it, and nothing signed in until it is typed.
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.get_by_text("We've emailed a 6-digit code to r•••@example.com.")).to_be_visible()
    expect(page.locator(".account-menu summary")).to_contain_text("Account")
    look("confirm-email")
    page.get_by_label("Code", exact=True).fill(last_code_sent_to("robin.reader@example.com", mailoutbox))
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome to Deadbolt, Robin.")
    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Robin")
    look("signed-up")
    assert User.objects.get().email == "robin.reader@example.com"

    open_account_menu(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("You've signed out.")
    expect(page.locator(".account-menu summary")).to_contain_text("Account")
    look("signed-out")

    open_account_menu(page)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill("robin.reader@example.com")
    page.get_by_label("Password", exact=True).fill("tidy lantern orbit 42")
    look("sign-in-filled")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Robin")


def test_a_wrong_password_says_so_plainly_and_keeps_the_email(page: Page, look, shopper):
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(shopper.email)
    page.get_by_label("Password", exact=True).fill("not my password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That email and password don't match an account.")
    expect(alert).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value(shopper.email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    look("wrong-password")


def test_a_weak_password_at_sign_up_is_explained_next_to_the_field(page: Page, look):
    page.goto("/account/signup/")
    page.get_by_label("Your name").fill("Robin Reader")
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_role("button", name="Create account").click()

    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile("one of the passwords people use most"))
    look("weak-password")


def test_a_page_that_needs_sign_in_comes_back_after_it(page: Page, look, shopper, password, mailoutbox):
    page.goto("/account/security/")
    expect(page).to_have_url(re.compile(r"/account/signin/\?next=/account/security/$"))

    page.get_by_label("Email address").fill(shopper.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("We don't recognise this browser")).to_be_visible()  # a new browser: a code first
    look("new-browser-code")
    page.get_by_label("Code", exact=True).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Login & security")).to_be_visible()
    expect(page.get_by_text(shopper.email)).to_be_visible()
    look("login-and-security")
