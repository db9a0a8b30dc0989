"""Sign in with a code instead of a password, on a new browser (issue 17): without 2SV the emailed code alone, with
2SV the code and then the second factor."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import code_field
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def ask_for_a_code(page: Page, email: str) -> None:
    page.goto("/account/signin/")
    page.get_by_role("link", name="Sign in with a code instead of your password").click()
    expect(page.get_by_role("heading", name="Sign in with a code")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(
        page.get_by_text(re.compile(r"If there's an account for j•••@example\.com, we've emailed it"))
    ).to_be_visible()


def test_the_emailed_code_alone_signs_in_without_2sv(page: Page, look, shopper, mailoutbox):
    ask_for_a_code(page, shopper.email)
    look("code-sent")
    code_field(page).fill("000000" if last_code_sent_to(shopper.email, mailoutbox) != "000000" else "111111")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("That code isn't right. You have 4 tries left.")).to_be_visible()
    look("wrong-code")

    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.locator(".account-menu summary")).to_contain_text("Hello,")
    look("signed-in")


def test_with_2sv_the_code_is_followed_by_the_second_factor(page: Page, look, shopper, authenticator, mailoutbox):
    ask_for_a_code(page, shopper.email)
    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    look("second-factor")
    code_field(page).fill(authenticator.app.now())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".account-menu summary")).to_contain_text("Hello,")
