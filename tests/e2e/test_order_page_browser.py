"""The order page at the door, on a small phone (360×740) and a desktop: the live code with the order and parcel
numbers beside it; a locked code, step-up and the unlock's new code; another day and instructions before it goes
out. axe on each state, and a screenshot of each to look at."""

import re
from datetime import time

import pytest
from django.utils import translation
from django.utils.formats import time_format
from playwright.sync_api import Page, expect

from delivery.days import delivery_today
from delivery.handoff import shipment_mark_delivered
from delivery.models import Shipment
from tests.e2e.steps import code_field, sign_in
from tests.helpers import last_code_sent_to, wrong_code

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+447911123457"
SIZES = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}


@pytest.fixture
def door(browser, viewport_name, live_server) -> Page:
    """The shopper's browser: a small phone (360×740) or a desktop."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **SIZES[viewport_name])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _digits(page: Page) -> str:
    return page.locator(".delivery-code__digits").inner_text().replace(" ", "")


def test_a_live_code_then_locked_then_unlocked_after_step_up(
    door, look, shopper, courier, password, place_order, send_out, mailoutbox
):
    shopper.phone = PHONE
    shopper.save()
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    order = shipment.order

    sign_in(door, shopper, password, mailoutbox, code_to=PHONE)
    door.goto(f"/orders/{order.pk}/")
    expect(door.get_by_role("heading", name="Out for delivery")).to_be_visible()
    assert _digits(door) == code
    expect(door.locator(".delivery-code")).to_contain_text(f"Order {order.number} · Parcel {shipment.number}")
    look("live-code", target=door)

    for _ in range(5):  # the person at the door guesses
        shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code))
    door.reload()
    expect(door.get_by_role("alert")).to_contain_text("today's code is locked")
    expect(door.locator(".delivery-code")).to_have_count(0)
    look("locked", target=door)

    door.get_by_role("button", name="Unlock with a new code").click()
    expect(door.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    look("step-up", target=door)
    door.get_by_role("button", name="Send code").click()
    sent_to = PHONE if "•••• 3457" in door.content() else shopper.email
    code_field(door).fill(last_code_sent_to(sent_to, mailoutbox))
    door.get_by_role("button", name=re.compile("^(Verify|Continue|Confirm)$")).first.click()
    expect(door.get_by_text("You asked to: unlock your delivery code with a new one.")).to_be_visible()
    look("confirm", target=door)
    door.get_by_role("button", name="Confirm").click()

    expect(door.get_by_role("status")).to_contain_text("read it to the courier at your door")
    expect(door.get_by_role("status")).to_contain_text(
        "We've texted it to •••• 3457 and emailed it to j•••@example.com."
    )
    new_code = Shipment.objects.get(pk=shipment.pk).code_for_owner()
    assert new_code and _digits(door) == new_code
    expect(door.get_by_text("You unlocked your delivery code: new code sent")).to_be_visible()
    look("unlocked", target=door)


def test_not_at_home_another_day_and_instructions(door, look, shopper, password, place_order, mailoutbox):
    order = place_order(shopper, "tablet")
    sign_in(door, shopper, password, mailoutbox)
    door.goto(f"/orders/{order.pk}/")
    expect(door.get_by_role("heading", name="Not at home?")).to_be_visible()
    with translation.override("en-gb"):  # the browser's language: the window in its own time format
        window = f"{time_format(time(8, 0), 'TIME_FORMAT')}\N{EN DASH}{time_format(time(20, 0), 'TIME_FORMAT')}"
    expect(door.get_by_text(window)).to_be_visible()
    look("doorstep", target=door)

    day = delivery_today().toordinal() + 3
    chosen = door.get_by_label("Delivery day")
    chosen.select_option(index=2)
    door.get_by_role("button", name="Change day").click()
    expect(door.get_by_role("status")).to_contain_text("We'll deliver on")
    assert Shipment.objects.get(order=order).requested_date.toordinal() == day

    door.get_by_label("Instructions for the courier").fill("Blue door round the side; please knock.")
    expect(door.get_by_text("We can't leave this parcel with a neighbour or in a safe place")).to_be_visible()
    door.get_by_role("button", name="Save instructions").click()
    expect(door.get_by_role("status")).to_contain_text("We've saved your instructions for the courier.")
    expect(door.get_by_label("Instructions for the courier")).to_have_value("Blue door round the side; please knock.")
    look("doorstep-saved", target=door)
