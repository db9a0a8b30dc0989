"""A courier's whole day on a small phone (issue 18): the route with its numbers, a handoff with a photo, the
right code typed on the wrong drop, a failed drop that asks first, and a locked code the shopper unlocks."""

import io
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from delivery.codes import CODE_FIELDS, code_attach
from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent
from tests.e2e.conftest import BLOCKING_IMPACTS, COURIER_PHONE
from tests.e2e.steps import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **SMALL_PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def look_at(request):
    """Screenshot `page` as an artifact and fail on any serious or critical accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    folder = settings.ARTIFACTS_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    test_name = request.node.name.removeprefix("test_")

    def look(page: Page, step: str) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=folder / f"{test_name}--{step}--phone-360.png", full_page=True)
        blocking = [v for v in axe.run(page).response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, f"{step} on {page.url}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in blocking
        )

    return look


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def door_photo(folder) -> str:
    from PIL import Image

    path = folder / "door.jpg"
    image = Image.new("RGB", (1200, 900), "#8a6d4b")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def card(page: Page, shipment: Shipment):
    return page.locator(f'a.drop[href="/courier/{shipment.pk}/"]')


def test_a_couriers_day(
    phone: Page, look_at, courier, make_user, password, place_order, send_out, mailoutbox, tmp_path
):
    people = [make_user(f"{name.lower()}@example.com", name=f"{name} Doe") for name in ("Ana", "Ben", "Cleo", "Dev")]
    ana, ana_code = send_out(place_order(people[0], "tablet", postcode="N1 1AA"), courier)
    ben, _ = send_out(place_order(people[1], "tablet", postcode="N1 1AB"), courier)
    cleo, _ = send_out(place_order(people[2], "book", postcode="N1 2BB"), courier)
    dev, _ = send_out(place_order(people[3], "tablet", postcode="E1 4DD"), courier)
    for shipment, stop in ((ben, 1), (ana, 2), (cleo, 3)):  # Dev has no stop yet: last
        Shipment.objects.filter(pk=shipment.pk).update(route_position=stop)
    Shipment.objects.filter(pk=ana.pk).update(instructions="Leave it with the concierge, not the porch")
    Shipment.objects.filter(pk=dev.pk).update(code_wrong_tries=settings.DELIVERY_CODE_TRIES)  # locked earlier today
    ShipmentEvent.objects.create(shipment=dev, kind=ShipmentEvent.Kind.CODE_LOCKED, actor=courier)

    # The route: in the admin's order, each card with the numbers on the label.
    sign_in(phone, courier, password, mailoutbox, code_to=COURIER_PHONE)
    phone.goto("/courier/")
    cards = phone.locator("a.drop")
    expect(cards).to_have_count(4)
    for index, shipment in enumerate((ben, ana, cleo, dev)):
        expect(cards.nth(index)).to_contain_text(shipment.number)
        expect(cards.nth(index)).to_contain_text(shipment.order.number)
    expect(cards.first).to_contain_text("Stop 1")
    look_at(phone, "route")

    # Ana's code typed on Ben's page: a wrong try, and the page says which parcel this is.
    card(phone, ben).click()
    expect(phone.locator(".drop-numbers")).to_contain_text(ben.number)
    phone.get_by_label("Delivery code").fill(ana_code)
    phone.get_by_role("button", name="Check code and hand over").click()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("That code is not right. 4 tries left")
    expect(alert).to_contain_text(f"parcel {ben.number}, order {ben.order.number}")
    look_at(phone, "wrong-drop")

    # Ana's parcel: her instructions, her code, and a photo, in one tap.
    phone.goto("/courier/")
    card(phone, ana).click()
    expect(phone.get_by_text("Leave it with the concierge, not the porch")).to_be_visible()
    photo_input = phone.get_by_label("Photo of the parcel at the door (optional)")
    expect(photo_input).to_have_attribute("capture", "environment")
    photo_input.set_input_files(door_photo(tmp_path))
    phone.get_by_label("Delivery code").fill(f"{ana_code[:3]} {ana_code[3:]}")
    look_at(phone, "handoff-with-photo")
    phone.get_by_role("button", name="Check code and hand over").click()
    expect(phone.get_by_role("status")).to_contain_text("Delivered. The customer has been told.")
    expect(phone.get_by_text("Photo saved.")).to_be_visible()
    assert Shipment.objects.get(pk=ana.pk).proof_photo
    look_at(phone, "delivered")

    # Cleo is out: tapping the reason asks first, with a note for the depot.
    phone.goto("/courier/")
    card(phone, cleo).click()
    phone.get_by_role("button", name="Nobody was available").click()
    expect(phone.get_by_role("heading", name="Mark this attempt failed?")).to_be_visible()
    expect(phone.locator(".drop-numbers")).to_contain_text(cleo.number)
    assert Shipment.objects.get(pk=cleo.pk).status == Shipment.Status.OUT_FOR_DELIVERY  # nothing yet
    phone.get_by_label("Note for our staff (optional)").fill("Card through the door")
    look_at(phone, "confirm-failed")
    phone.get_by_role("button", name="Confirm: attempt failed").click()
    expect(phone.get_by_role("status")).to_contain_text("Attempt marked failed")
    assert Shipment.objects.get(pk=cleo.pk).failure_note == "Card through the door"

    # The list now: two done below, Dev's locked code stands out above them.
    done = phone.locator("h2", has_text="Done today")
    expect(done).to_be_visible()
    expect(card(phone, dev)).to_contain_text("Code locked")
    expect(card(phone, ana)).to_contain_text("Delivered")
    expect(card(phone, cleo)).to_contain_text("Delivery attempt failed")
    look_at(phone, "route-after")

    # Dev's code is locked: not a dead end.
    card(phone, dev).click()
    expect(phone.get_by_text("The shopper can unlock it from their order page")).to_be_visible()
    expect(phone.get_by_label("Delivery code")).to_have_count(0)
    look_at(phone, "locked")
    unlocked = Shipment.objects.get(pk=dev.pk)  # what the shopper's unlock leaves (delivery/codes.py owns it)
    new_code = code_attach(shipment=unlocked)
    unlocked.code_unlocked_on = delivery_today()
    unlocked.save(update_fields=[*CODE_FIELDS, "code_unlocked_on"])
    ShipmentEvent.objects.create(shipment=unlocked, kind=ShipmentEvent.Kind.CODE_UNLOCKED, actor=people[3])
    phone.get_by_role("button", name="Check again").click()
    expect(phone.get_by_text(re.compile(r"Code unlocked by the shopper at .+?: ask for the new code"))).to_be_visible()
    look_at(phone, "unlocked")
    phone.get_by_label("Delivery code").fill(new_code)
    phone.get_by_role("button", name="Check code and hand over").click()
    expect(phone.get_by_role("status")).to_contain_text("Delivered.")
