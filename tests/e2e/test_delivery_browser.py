"""A high-value order from basket to doorstep, in three browsers: the shopper's, the admin's and the courier's."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Address, PaymentCard
from delivery.models import Shipment
from tests.e2e.conftest import COURIER_PHONE
from tests.e2e.steps import sign_in
from tests.helpers import delivery_code_sent_to, wrong_code

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page: Page, admin_user, password, app) -> None:
    """The admin's own sign-in: password and a code from the admin's authenticator app (django-otp)."""
    page.goto("/admin/")
    page.locator("input[name=username]").fill(admin_user.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()  # the password is right; now a code
    page.locator("select[name=otp_device]").select_option(index=1)
    page.locator("input[name=otp_token]").fill(app.now())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def admin_action(page: Page, action: str) -> None:
    page.goto("/admin/delivery/shipment/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("button[name=index]").click()


@pytest.fixture
def admin_app(admin_user):
    import pyotp

    from security.codes import totp_secret
    from security.methods import authenticator_add

    secret = totp_secret()
    authenticator_add(user=admin_user, secret=secret, primary=True, confirmed=True, request=None)
    return pyotp.TOTP(secret)


def test_no_code_no_handoff(
    page: Page, browser_context, look, shopper, courier, admin_user, admin_app, password, catalog, mailoutbox
):
    shopper.phone = "+447911123457"
    shopper.save()
    Address.objects.create(
        user=shopper,
        full_name="Jo Shopper",
        line1="14 Chapel Market",
        city="London",
        postcode="N1 9EZ",
        is_default=True,
    )
    PaymentCard.objects.create(user=shopper, brand="Visa", last4="4242", exp_month=12, exp_year=2040, name_on_card="JO")

    # The shopper orders a tablet (£449: over the threshold).
    sign_in(page, shopper, password, mailoutbox, code_to=shopper.phone)
    page.goto("/products/pebble-tablet/")
    page.get_by_role("button", name="Add to basket").click()
    expect(page.get_by_role("status")).to_contain_text("Added to your basket: Pebble tablet")
    page.get_by_role("link", name="Go to checkout").click()
    expect(page.get_by_text("This order needs a delivery code because its total is £250.00 or more")).to_be_visible()
    expect(page.get_by_label("Visa •••• 4242, expires 12/2040")).to_be_checked()
    look("checkout")
    page.get_by_role("button", name="Place order (£449.00)").click()
    expect(page.get_by_role("status")).to_contain_text("Your order is placed.")
    expect(page.get_by_role("heading", name="Preparing")).to_be_visible()
    order_url = page.url
    look("order-placed")

    # The admin assigns the courier, marks it shipped and sends it out for delivery.
    admin = browser_context("desktop")
    admin_sign_in(admin, admin_user, password, admin_app)
    shipment = Shipment.objects.get(order__user=shopper)
    admin.goto(f"/admin/delivery/shipment/{shipment.pk}/change/")
    admin.get_by_label("Courier").select_option(label=courier.email)
    admin.get_by_role("button", name="Save", exact=True).click()
    admin_action(admin, "Mark shipped")
    expect(admin.get_by_text("1 shipment marked shipped.")).to_be_visible()
    admin_action(admin, "Send out for delivery today (makes and sends the delivery code)")
    expect(admin.get_by_text("1 shipment sent out for delivery.")).to_be_visible()
    admin.goto(f"/admin/delivery/shipment/{shipment.pk}/change/")
    expect(admin.get_by_text("Only the shopper can see it.")).to_be_visible()
    look("admin-shipment", target=admin, size="desktop")

    # The shopper reads the code on the order page; it is the one in their text and email.
    page.goto(order_url)
    expect(page.get_by_role("heading", name="Out for delivery")).to_be_visible()
    code = page.locator(".delivery-code__digits").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{6}", code)
    assert delivery_code_sent_to("+447911123457") == code == delivery_code_sent_to(shopper.email, mailoutbox)
    expect(page.get_by_text("Share it only at your door with the courier.")).to_be_visible()
    look("order-with-code")
    assert code not in admin.content()

    # The courier, on a phone, mistypes once, then hands it over.
    courier_page = browser_context("phone")
    sign_in(courier_page, courier, password, mailoutbox, code_to=COURIER_PHONE)  # 2SV: a text
    courier_page.get_by_role("link", name="Deliveries").click()
    expect(courier_page.get_by_text("Code needed")).to_be_visible()
    look("courier-today", target=courier_page, size="phone")
    courier_page.get_by_role("link", name=re.compile("Jo")).click()
    code_input = courier_page.get_by_label("Delivery code")
    expect(code_input).to_have_attribute("inputmode", "numeric")
    expect(code_input).to_have_attribute("autocomplete", "one-time-code")
    code_input.fill(wrong_code(code))
    courier_page.get_by_role("button", name="Check code and hand over").click()
    expect(courier_page.get_by_role("alert")).to_contain_text("That code is not right. 4 tries left")
    look("courier-wrong-code", target=courier_page, size="phone")
    assert code not in courier_page.content()
    courier_page.get_by_label("Delivery code").fill(f"{code[:3]} {code[3:]}")
    courier_page.get_by_role("button", name="Check code and hand over").click()
    expect(courier_page.get_by_role("status")).to_contain_text("Delivered. The customer has been told.")
    look("courier-delivered", target=courier_page, size="phone")

    # The shopper sees it delivered, and the code is gone.
    page.goto(order_url)
    expect(page.get_by_role("heading", name="Delivered")).to_be_visible()
    expect(page.get_by_text("Handed over on")).to_be_visible()
    assert code not in page.content()
    look("order-delivered")


def test_a_locked_code_keeps_the_parcel(
    page: Page, browser_context, look, shopper, courier, password, place_order, send_out, mailoutbox
):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)

    courier_page = browser_context("phone")
    sign_in(courier_page, courier, password, mailoutbox, code_to=COURIER_PHONE)  # 2SV: a text
    courier_page.goto(f"/courier/{shipment.pk}/")
    for offset in range(1, 6):
        courier_page.get_by_label("Delivery code").fill(wrong_code(code, offset))
        courier_page.get_by_role("button", name="Check code and hand over").click()
    expect(courier_page.get_by_role("alert")).to_contain_text("The code is locked")
    expect(courier_page.get_by_label("Delivery code")).to_have_count(0)
    look("courier-locked", target=courier_page, size="phone")
    courier_page.get_by_role("button", name="The delivery code was locked after too many wrong tries").click()
    courier_page.get_by_role("button", name="Confirm: attempt failed").click()  # a tapped reason asks first
    expect(courier_page.get_by_role("status")).to_contain_text("Attempt marked failed")

    sign_in(page, shopper, password, mailoutbox)
    page.goto(f"/orders/{shipment.order_id}/")
    expect(page.get_by_role("heading", name="Delivery attempt failed")).to_be_visible()
    expect(page.get_by_text("We couldn't deliver your parcel. Reason: The delivery code was locked")).to_be_visible()
    expect(page.get_by_text("We'll try again on the next delivery day, with a new code.")).to_be_visible()
    expect(page.get_by_role("button", name="Get a new code")).to_have_count(0)
    assert code not in page.content()
    look("order-after-lock")
