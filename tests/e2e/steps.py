"""Steps several browser tests take the same way."""

from playwright.sync_api import Page, expect

from tests.helpers import last_code_sent_to


def code_field(page: Page):
    return page.get_by_label("Code", exact=True)


def send_code(page: Page, offer: str) -> None:
    """A code page that sends nothing on a view: it says where the code will go (`offer`, e.g. "We'll email a
    6-digit code to j•••@example.com."), with no code field yet; pressing "Send code" sends it."""
    expect(page.get_by_text(offer)).to_be_visible()
    expect(code_field(page)).to_have_count(0)
    page.get_by_role("button", name="Send code").click()
    expect(code_field(page)).to_be_visible()


def sign_in(page: Page, user, password, mailoutbox, *, code_to: str = "") -> None:
    """Password, then the code sent to `code_to` (the email by default: the new-browser code on an account without
    2SV; a 2SV account's sign-in code goes to its primary phone, so pass that)."""
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(code_field(page)).to_be_visible()  # the code step has been served, so its code has been sent
    code_field(page).fill(last_code_sent_to(code_to or user.email, mailoutbox))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".account-menu summary")).to_contain_text("Hello,")
