"""Steps several browser tests take the same way."""

from playwright.sync_api import Page, expect

from tests.helpers import last_code_sent_to


def code_field(page: Page):
    return page.get_by_label("Code", exact=True)


def sign_in(page: Page, user, password, mailoutbox, *, code_to: str = "") -> None:
    """Password, then the new-browser code sent to `code_to` (the email by default; no 2SV on the account)."""
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    code_field(page).fill(last_code_sent_to(code_to or user.email, mailoutbox))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Hello,")
