"""The contact page, reached from any page's footer, and the admin's code step, in a phone and a desktop browser."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from security.codes import totp_secret
from security.methods import authenticator_add

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_app(admin_user):
    secret = totp_secret()
    authenticator_add(user=admin_user, secret=secret, primary=True, confirmed=True, request=None)
    return pyotp.TOTP(secret)


def test_the_contact_page_from_the_footer(page: Page, look):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Contact us").click()

    expect(page).to_have_url(re.compile(r"/contact/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
    for worry in ("Not you?", "Lost your phone?", "A problem with a delivery", "Talk to us"):
        expect(page.get_by_role("heading", name=worry, level=2)).to_be_visible()
    expect(page.get_by_role("link", name="help@deadbolt.example")).to_have_attribute(
        "href", "mailto:help@deadbolt.example"
    )
    look("contact")

    page.get_by_role("link", name="Reset your password").click()
    expect(page).to_have_url(re.compile(r"/account/password-reset/$"))


def test_the_admin_code_step_asks_for_the_code_alone(page: Page, look, admin_user, admin_app, password):
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the admin")
    look("admin-password")
    page.locator("input[name=username]").fill(admin_user.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert password not in page.content()
    expect(page.locator("input[name=password]")).to_have_count(0)
    code = page.get_by_label("Code")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    look("admin-code")

    page.get_by_label("Method").select_option(index=1)
    code.fill(admin_app.now())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
