"""Sensitive changes in the browser: email, phone, password, a card, and password reset with and without 2SV."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import PaymentCard
from tests.e2e.steps import code_field, send_code, sign_in
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)
NEW = "fresh vivid harbour 93"


def prove_by_email(page: Page, user, mailoutbox) -> None:
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")  # a step-up page sends only when asked
    expect(page.get_by_text("We've emailed a 6-digit code to j•••@example.com.")).to_be_visible()
    code_field(page).fill(last_code_sent_to(user.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()


def test_change_email_then_phone(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/")
    page.get_by_role("link", name="Change email").click()
    prove_by_email(page, shopper, mailoutbox)
    page.get_by_label("New email address").fill("jo.new@example.com")
    look("new-email")
    page.get_by_role("button", name="Send a code").click()
    expect(page.get_by_text("We've emailed a 6-digit code to j•••@example.com.")).to_be_visible()
    code_field(page).fill(last_code_sent_to("jo.new@example.com", mailoutbox))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Your email address is changed.")
    expect(page.get_by_text("jo.new@example.com")).to_be_visible()

    page.get_by_role("link", name="Add mobile number").click()
    shopper.refresh_from_db()
    prove_by_email(page, shopper, mailoutbox)
    page.get_by_label("New mobile number").fill("+44 7911 100321")
    page.get_by_role("button", name="Send a code").click()
    look("phone-code")
    code_field(page).fill(last_code_sent_to("+447911100321"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Your mobile number is changed.")


def test_change_password(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/password/")
    prove_by_email(page, shopper, mailoutbox)
    page.get_by_label("Current password").fill(password)
    page.get_by_label("New password").fill(NEW)
    look("change-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Every other session is signed out.")


def test_add_a_card(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/cards/")
    prove_by_email(page, shopper, mailoutbox)
    page.get_by_role("link", name="Add a card").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2031")
    page.get_by_label("Name on card").fill("Jo Shopper")
    look("add-card")
    page.get_by_role("button", name="Add card").click()
    expect(page.get_by_text("Visa •••• 4242", exact=True)).to_be_visible()
    look("cards")
    assert "4242424242424242" not in page.content()
    assert PaymentCard.objects.get().last4 == "4242"


@pytest.mark.parametrize("with_2sv", [False, True], ids=["without-2sv", "with-2sv"])
def test_password_reset(page: Page, look, shopper, password, mailoutbox, with_2sv, request):
    if with_2sv:
        authenticator = request.getfixturevalue("authenticator")
    page.goto("/account/signin/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email address").fill(shopper.email)
    page.get_by_role("button", name="Send a code").click()
    expect(page.get_by_text(re.compile("If an account exists for j•••@example.com"))).to_be_visible()
    look("reset-code")
    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()
    if with_2sv:
        expect(page.get_by_text("we need a second code too")).to_be_visible()
        look("reset-second-factor")
        code_field(page).fill(authenticator.app.now())
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("New password", exact=True).fill(NEW)  # one field, with its show button, as everywhere
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    shopper.refresh_from_db()
    assert shopper.check_password(NEW)
