"""The courier's list and handoff page as a courier reads them (issue 18): which parcel is which, in what order,
what the shopper asked for; and the admin who sets the route."""

import re
from datetime import time

import pytest
from django.utils.formats import time_format
from django.utils.functional import Promise

from delivery import admin as delivery_admin
from delivery.handoff import shipment_mark_delivered
from delivery.models import Shipment
from delivery.shipments import shipment_attempt_failed

pytestmark = pytest.mark.django_db


def drop_links(page: str) -> list[int]:
    """The shipment ids of the list's cards, top to bottom."""
    return [int(found) for found in re.findall(r'class="drop[ "][^>]*href="/courier/(\d+)/"', page)]


def test_every_card_and_the_handoff_page_show_the_parcel_and_order_numbers(
    courier_client, shopper, courier, place_order, send_out
):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    listing = courier_client.get("/courier/").content.decode()
    assert shipment.number in listing and shipment.order.number in listing
    assert re.fullmatch(r"PCL-\d{5}", shipment.number) and re.fullmatch(r"DB-\d{5}", shipment.order.number)
    handoff = courier_client.get(f"/courier/{shipment.pk}/").content.decode()
    numbers = re.search(r'<p class="drop-numbers">(.*?)</p>', handoff, re.S).group(1)
    assert shipment.number in numbers and shipment.order.number in numbers


def test_the_list_follows_the_route_the_admin_set_then_postcode(
    courier_client, shopper, courier, make_user, place_order, send_out
):
    shipments = {}
    for name, postcode in (("a", "N1 1AA"), ("b", "N1 2BB"), ("c", "N1 3CC"), ("d", "E1 4DD")):
        owner = make_user(f"{name}@example.com")
        shipments[name], _ = send_out(place_order(owner, "book", postcode=postcode), courier)
    Shipment.objects.filter(pk=shipments["c"].pk).update(route_position=1)
    Shipment.objects.filter(pk=shipments["a"].pk).update(route_position=2)
    page = courier_client.get("/courier/").content.decode()
    # Stops 1 and 2 first; the two without a stop after them, by postcode (E1 before N1).
    assert drop_links(page) == [shipments[key].pk for key in ("c", "a", "d", "b")]
    assert "Stop 1" in page and "Stop 2" in page


def test_finished_drops_move_to_done_today(courier_client, shopper, courier, make_user, place_order, send_out):
    first, _ = send_out(place_order(make_user("one@example.com"), "book", postcode="N1 1AA"), courier)
    second, _ = send_out(place_order(make_user("two@example.com"), "book", postcode="N1 2BB"), courier)
    third, _ = send_out(place_order(make_user("three@example.com"), "book", postcode="N1 3CC"), courier)
    Shipment.objects.filter(pk=first.pk).update(route_position=1)
    shipment_mark_delivered(shipment_id=first.pk, courier=courier)
    shipment_attempt_failed(shipment_id=second.pk, courier=courier, reason="customer_unavailable")
    page = courier_client.get("/courier/").content.decode()
    to_deliver, done = page.split("Done today")
    assert drop_links(to_deliver) == [third.pk]
    assert drop_links(done) == [first.pk, second.pk]
    assert "Delivered" in done and "Delivery attempt failed" in done


def test_the_handoff_page_shows_the_window_and_the_shoppers_instructions(
    courier_client, shopper, courier, place_order, send_out
):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    Shipment.objects.filter(pk=shipment.pk).update(
        window_start=time(10, 0), window_end=time(12, 0), instructions="Side gate; parcel box by the shed"
    )
    page = courier_client.get(f"/courier/{shipment.pk}/").content.decode()
    window = f"{time_format(time(10, 0), 'TIME_FORMAT')}\u2013{time_format(time(12, 0), 'TIME_FORMAT')}"
    assert window in page and "Side gate; parcel box by the shed" in page  # in the locale's own time format
    assert window in courier_client.get("/courier/").content.decode()


def test_the_admin_numbers_a_couriers_route_from_the_list(
    verified_login, admin_user, shopper, courier, make_user, place_order, send_out
):
    first, _ = send_out(place_order(shopper, "book", postcode="N1 1AA"), courier)
    second, _ = send_out(place_order(make_user("two@example.com"), "book", postcode="N1 2BB"), courier)
    admin = verified_login(admin_user)
    listing = admin.get("/admin/delivery/shipment/").content.decode()
    assert 'name="form-0-route_position"' in listing and first.number in listing
    rows = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "_save": "Save",
    }
    for index, (shipment, stop) in enumerate(((second, 1), (first, 2))):
        rows |= {
            f"form-{index}-id": str(shipment.pk),
            f"form-{index}-route_position": str(stop),
            f"form-{index}-window_start": "09:00",
            f"form-{index}-window_end": "11:00",
        }
    response = admin.post("/admin/delivery/shipment/", rows)
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.route_position, second.window_start, second.window_end) == (1, time(9), time(11))
    assert Shipment.objects.get(pk=first.pk).route_position == 2


def test_the_admin_refuses_a_window_that_ends_before_it_starts(verified_login, admin_user, shopper, place_order):
    shipment = place_order(shopper, "book").shipment
    admin = verified_login(admin_user)
    response = admin.post(
        f"/admin/delivery/shipment/{shipment.pk}/change/",
        {"route_position": "3", "window_start": "12:00", "window_end": "10:00", "courier": ""},
    )
    assert response.status_code == 200 and "The delivery window must end after it starts." in response.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).window_start is None


def test_admin_action_messages_are_translatable(verified_login, admin_user, shopper, place_order):
    shipment = place_order(shopper, "book").shipment
    admin = verified_login(admin_user)
    response = admin.post(
        "/admin/delivery/shipment/",
        {"action": "mark_shipped", "_selected_action": [str(shipment.pk)], "index": "0"},
        follow=True,
    )
    assert "1 shipment marked shipped." in response.content.decode()  # one shipment, not "shipment(s)"
    assert isinstance(delivery_admin.mark_shipped.short_description, Promise)  # looked up in the admin's language
