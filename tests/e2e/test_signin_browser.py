"""Sign-in with 2SV in two browsers: one the shopper trusts, and a new one."""

import re

import pytest
from playwright.sync_api import Page, expect

from security.models import TrustedDevice
from tests.e2e.steps import send_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_trusted_browser_skips_the_code_and_a_new_one_does_not(
    page: Page, other_browser: Page, look, shopper, password, authenticator
):
    sign_in(page, shopper.email, password)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    trust = page.get_by_label("Don't require codes on this device")
    expect(trust).not_to_be_checked()
    look("code-step")
    page.get_by_label("Code", exact=True).fill(authenticator.app.now())
    trust.check()
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Jo")
    assert TrustedDevice.objects.filter(user=shopper).count() == 1

    page.goto("/account/security/")
    expect(page.get_by_role("heading", name="Trusted devices")).to_be_visible()
    expect(page.locator("#devices-title + p + ul")).to_contain_text("Chrome")
    look("security-with-trusted-device")
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out", exact=True).click()

    sign_in(page, shopper.email, password)  # the trusted browser: no code
    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Jo")

    sign_in(other_browser, shopper.email, password)  # a new browser: the code is required
    expect(other_browser.get_by_role("heading", name="Two-step verification")).to_be_visible()
    other_browser.goto("/account/security/")  # the half-done sign-in opens nothing
    expect(other_browser).to_have_url(re.compile(r"/account/signin/\?next="))


def test_choosing_a_backup_code_at_sign_in(page: Page, look, shopper, password, authenticator, backup_codes):
    sign_in(page, shopper.email, password)
    page.get_by_text("Choose another method").click()
    page.get_by_role("link", name="Backup code").click()
    expect(page.get_by_text("Enter one of your backup codes.")).to_be_visible()
    look("backup-code-step")
    page.get_by_label("Code", exact=True).fill(backup_codes[0])
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Jo")


def test_a_wrong_code_at_sign_in_says_what_to_do(page: Page, look, shopper, password, authenticator):
    sign_in(page, shopper.email, password)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_text("That code isn't right. You have 4 tries left.")).to_be_visible()
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    look("wrong-code")


def test_recovery_is_started_in_a_new_browser_and_seen_and_cancelled_in_a_signed_in_one(
    page: Page, other_browser: Page, look, shopper, password, authenticator, phone, mailoutbox
):
    from tests.helpers import last_code_sent_to

    sign_in(page, shopper.email, password)  # the owner, still signed in somewhere with the app
    page.get_by_label("Code", exact=True).fill(authenticator.app.now())
    page.get_by_role("button", name="Sign in", exact=True).click()

    sign_in(other_browser, shopper.email, password)  # someone at the code step with no method to hand
    other_browser.get_by_role("link", name="I can't use any of these methods").click()
    expect(other_browser.get_by_role("heading", name="Recover your account")).to_be_visible()
    send_code(other_browser, "We'll email a 6-digit code to j•••@example.com.")
    other_browser.get_by_label("Code", exact=True).fill(last_code_sent_to(shopper.email, mailoutbox))
    other_browser.get_by_role("button", name="Start recovery").click()
    expect(other_browser.get_by_role("heading", name="Recovery started")).to_be_visible()

    page.goto("/account/security/")
    expect(page.get_by_role("alert")).to_contain_text("Someone asked to recover this account.")
    look("recovery-banner")
    page.get_by_role("button", name="Cancel the recovery").click()
    expect(page.get_by_role("status")).to_contain_text("The recovery is cancelled.")


def test_this_wasnt_me_from_the_alert_email(page: Page, look, shopper, password, mailoutbox):
    import re as regex

    from security.alerts import not_me_token
    from tests.helpers import last_code_sent_to

    page.goto(f"/account/not-me/{not_me_token(shopper)}/")
    expect(page.get_by_role("heading", name="Secure your account")).to_be_visible()
    look("not-me-send")
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")  # opening the link sends nothing
    look("not-me-code")
    page.get_by_label("Code", exact=True).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Every session is signed out and every trusted device removed.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("fresh vivid harbour 93")  # one field, as everywhere
    look("not-me-password")
    page.get_by_role("button", name="Change password").click()

    expect(page).to_have_url(regex.compile(r"/account/signin/$"))
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
