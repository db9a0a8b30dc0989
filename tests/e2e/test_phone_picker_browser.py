"""The country picker beside a phone field, on a phone and a desktop: chosen by keyboard, a national number typed,
the code arrives at the number in international form, and axe finds nothing serious."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import code_field, send_code, sign_in
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def test_choosing_the_country_by_keyboard_and_typing_a_national_number(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/")
    page.get_by_role("link", name="Add mobile number").click()
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")  # step-up first
    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()

    country = page.get_by_role("combobox", name="Country code")
    number = page.get_by_role("textbox", name="New mobile number")
    expect(country).to_have_value("GB")  # guessed from the browser's language, en-GB
    expect(number).to_be_focused()
    look("picker")

    page.keyboard.press("Shift+Tab")  # back from the number to the picker
    expect(country).to_be_focused()
    page.keyboard.type("France")  # a closed native select jumps to the option its name starts with
    expect(country).to_have_value("FR")
    expect(country.locator("option:checked")).to_have_text("France 🇫🇷 +33")
    page.keyboard.press("Tab")
    page.keyboard.type("07911 123456")  # a British number with France chosen
    page.keyboard.press("Enter")
    expect(page.get_by_text("That isn't a phone number in the country chosen (France).")).to_be_visible()
    expect(country).to_have_value("FR")  # the choice is kept
    look("picker-error")

    number.fill("06 12 34 56 78")
    page.get_by_role("button", name="Send a code").click()
    expect(code_field(page)).to_be_visible()
    code_field(page).fill(last_code_sent_to("+33612345678"))  # the code arrived, at the number with its +33
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text("Your mobile number is changed.")
    expect(page.get_by_text("+33 6 12 34 56 78")).to_be_visible()
    look("security")


def test_the_2sv_phone_is_offered_as_the_mobile_number_at_enrolment(page: Page, look, shopper, password, mailoutbox):
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/")
    page.get_by_role("link", name="Turn on two-step verification").click()
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")
    code_field(page).fill(last_code_sent_to(shopper.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name=re.compile("Text message")).click()

    tick = page.get_by_role("checkbox", name="Also send my order and account texts to this number")
    expect(tick).to_be_checked()  # the account has no mobile number yet
    expect(page.get_by_role("combobox", name="Country code")).to_have_value("GB")
    page.get_by_role("textbox", name="Mobile number").fill("07400 123456")
    look("enrol")
    page.get_by_role("button", name="Send a code").click()
    expect(code_field(page)).to_be_visible()
    code_field(page).fill(last_code_sent_to("+447400123456"))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Add a backup method")).to_be_visible()
    shopper.refresh_from_db()
    assert shopper.phone == "+447400123456"
