"""Turning 2SV on and managing it in the browser, on a phone and a desktop, through step-up."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from messaging.backends import locmem
from security.methods import two_step_summary
from tests.e2e.steps import code_field, send_code, sign_in
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def sms_code(number: str) -> str:
    return last_code_sent_to(number)


def test_turning_on_2sv_with_the_authenticator_app_and_a_backup_phone(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/")
    look("security-off")
    page.get_by_role("link", name="Turn on two-step verification").click()

    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()  # step-up first
    look("step-up")
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")
    expect(page.get_by_text("We've emailed a 6-digit code to j•••@example.com.")).to_be_visible()
    look("step-up-code")
    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Turn on two-step verification")).to_be_visible()
    look("choose-primary")
    page.get_by_role("link", name=re.compile("Authenticator app")).click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    look("authenticator")
    secret = page.locator("#authenticator-secret").inner_text().replace(" ", "")
    code_field(page).fill(pyotp.TOTP(secret).now())  # the app, played by pyotp
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Add a backup method")).to_be_visible()
    look("choose-backup")
    page.get_by_role("link", name=re.compile("Text message")).click()
    page.get_by_label("Mobile number").fill("+44 7911 123456")
    page.get_by_role("button", name="Send a code").click()
    expect(page.get_by_text("We've texted a 6-digit code to •••• 3456.")).to_be_visible()
    look("phone-code")
    code_field(page).fill(sms_code("+447911123456"))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Save your backup codes")).to_be_visible()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    look("backup-codes")
    page.get_by_role("button", name=re.compile("turn on two-step verification")).click()

    expect(page.get_by_role("status")).to_contain_text("Two-step verification is on.")
    expect(page.locator("#two-step-title")).to_contain_text("On")
    expect(page.get_by_text("Text message to •••• 3456")).to_be_visible()
    look("security-on")
    assert two_step_summary(shopper).enabled


@pytest.fixture
def two_step_shopper(shopper, authenticator, phone, backup_codes):
    return shopper


def test_turning_2sv_off_through_step_up_with_the_backup_phone(
    page: Page, look, two_step_shopper, password, authenticator, mailoutbox
):
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(two_step_shopper.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    code_field(page).fill(authenticator.app.now())
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto("/account/security/")
    page.get_by_role("link", name="Turn off").click()

    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    page.get_by_text("Choose another method").click()
    page.get_by_role("link", name="Text message to •••• 3456").click()
    send_code(page, "We'll text a 6-digit code to •••• 3456.")  # switching method sends nothing by itself
    expect(page.get_by_text("We've texted a 6-digit code to •••• 3456.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Send again in \d+ s"))).to_be_disabled()  # the countdown
    look("step-up-by-sms")
    code_field(page).fill(sms_code("+447911123456"))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Turn off two-step verification?")).to_be_visible()
    look("turn-off")
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_role("status")).to_contain_text("Two-step verification is off.")
    assert not two_step_summary(two_step_shopper).enabled
    assert any(m.subject == "Two-step verification was turned off for your account" for m in mailoutbox)
    assert [m.to for m in locmem.outbox][-1] == "+447911123456"  # the phone is told too


def test_regenerating_backup_codes(page: Page, look, two_step_shopper, password, authenticator, backup_codes):
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(two_step_shopper.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Choose another method").click()  # sign in with a backup code, as someone without the app
    page.get_by_role("link", name="Backup code").click()
    code_field(page).fill(backup_codes[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".account-menu summary")).to_contain_text("Hello,")
    page.goto("/account/security/")
    expect(page.get_by_text("9 left")).to_be_visible()

    page.get_by_role("button", name="Get new codes").click()
    code_field(page).fill(authenticator.app.now())
    page.get_by_role("button", name="Continue").click()
    page.goto("/account/security/")
    page.get_by_role("button", name="Get new codes").click()  # the grant is fresh: straight through now

    expect(page.get_by_role("heading", name="Save your backup codes")).to_be_visible()
    new_codes = [c.replace(" ", "") for c in page.locator(".backup-codes code").all_inner_texts()]
    assert len(new_codes) == 10 and not set(new_codes) & set(backup_codes)
    look("new-backup-codes")
    page.get_by_role("button", name="I've saved them").click()
    expect(page.get_by_text("10 left")).to_be_visible()
