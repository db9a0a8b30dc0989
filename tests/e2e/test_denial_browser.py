"""Denial-proof code steps in the browser (issue 12): sign-up proves the email before anything else reaches it, a
step-up page sends only when asked, and a full send cap says so plainly, never "we've emailed a code"."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from messaging.models import Channel, Message
from messaging.outbox import message_queue
from tests.e2e.steps import code_field, send_code, sign_in
from tests.helpers import last_code_sent_to, run_pending_on_commit, wrong_code

pytestmark = pytest.mark.django_db(transaction=True)
CAP = "We've sent several codes recently."


def emails_to(address: str, mailoutbox) -> list:
    run_pending_on_commit()
    return [m for m in mailoutbox if address in m.to]


def open_step_up_for_email_change(page: Page) -> None:
    page.goto("/account/security/")
    page.get_by_role("link", name="Change email").click()
    expect(page).to_have_url(re.compile(r"/account/verify/\?action=change_email"))
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()


def test_sign_up_proves_the_email_before_signing_in(page: Page, look, mailoutbox):
    page.goto("/")
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Sam Sender")
    page.get_by_label("Email address").fill("Sam.Sender@Example.com")
    page.get_by_label("Password", exact=True).fill("tidy lantern orbit 42")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/account/signin/code/$"))
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.get_by_text("To finish creating your account, prove this email address is yours.")).to_be_visible()
    expect(page.get_by_text("We've emailed a 6-digit code to s•••@example.com.")).to_be_visible()
    expect(page.get_by_label("Don't require codes on this device")).to_have_count(0)  # nothing to trust yet
    expect(page.locator(".account-menu summary")).to_contain_text("Account")  # not signed in
    look("confirm-email")
    user = User.objects.get(email="sam.sender@example.com")
    assert user.email_verified_at is None
    assert len(emails_to(user.email, mailoutbox)) == 1  # the code, and nothing else

    code_field(page).fill(wrong_code(last_code_sent_to(user.email, mailoutbox)))
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(re.compile(r"That code isn't right"))).to_be_visible()
    expect(code_field(page)).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".account-menu summary")).to_contain_text("Account")
    look("confirm-email-wrong-code")

    code_field(page).fill(last_code_sent_to(user.email, mailoutbox))
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Deadbolt, Sam. Your account is ready.")
    expect(page.locator(".account-menu summary")).to_contain_text("Hello, Sam")
    look("signed-up")
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert len(emails_to(user.email, mailoutbox)) == 1  # no "new sign-in" alert for the browser that made it


def test_step_up_by_email_sends_only_when_asked(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    sent_before = (len(emails_to(shopper.email, mailoutbox)), Message.objects.count())

    open_step_up_for_email_change(page)
    expect(page.get_by_text("We'll email a 6-digit code to j•••@example.com.")).to_be_visible()
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
    expect(page.get_by_text("We've emailed")).to_have_count(0)
    look("send-code")
    page.reload()  # page views send nothing
    assert (len(emails_to(shopper.email, mailoutbox)), Message.objects.count()) == sent_before

    send_code(page, "We'll email a 6-digit code to j•••@example.com.")
    expect(page.get_by_text("We've emailed a 6-digit code to j•••@example.com.")).to_be_visible()
    expect(page.get_by_text("We'll email")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"Send again in \d+ s"))).to_be_disabled()
    look("code-sent")
    assert len(emails_to(shopper.email, mailoutbox)) == sent_before[0] + 1
    page.reload()  # the live code stands: a view sends no second one
    assert len(emails_to(shopper.email, mailoutbox)) == sent_before[0] + 1

    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/account/security/email/$"))
    expect(page.get_by_label("New email address")).to_be_visible()


def test_a_full_send_cap_says_so_and_claims_no_code(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    for _ in range(5):  # codes to this address from elsewhere fill its cap (5 in 10 minutes)
        message_queue(
            channel=Channel.EMAIL,
            destination=shopper.email,
            kind="code",
            language="en",
            context={"code": "123456", "purpose": "new_device"},
            user=shopper,
            expires_in=600,
        )
    sent_before = len(emails_to(shopper.email, mailoutbox))

    open_step_up_for_email_change(page)
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
    page.get_by_role("button", name="Send code").click()

    expect(page.get_by_role("status")).to_contain_text(  # the site's notices region
        re.compile(r"We've sent several codes recently\. Wait \d+ minutes?, or choose another way to get a code\.")
    )
    expect(page.get_by_text(CAP)).to_have_count(1)
    expect(page.get_by_text("We've emailed a 6-digit code")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Send again"))).to_have_count(0)
    expect(code_field(page)).to_have_count(0)  # no code went out, so there is none to type
    look("cap")
    assert len(emails_to(shopper.email, mailoutbox)) == sent_before
