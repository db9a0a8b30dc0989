"""The courier's handoff: no code, no handoff. What the courier and the shopper see at each turn."""

import re
from html import unescape

import pytest
from django.test import Client

from delivery.handoff import HandoffOutcome, shipment_mark_delivered
from delivery.models import Shipment, ShipmentEvent
from messaging.backends import locmem
from tests.helpers import run_pending_on_commit, wrong_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def out_with_code(shopper, courier, place_order, send_out):
    shopper.phone = "+447911123457"
    shopper.save()
    return send_out(place_order(shopper, "tablet"), courier)


@pytest.fixture
def courier_client(courier):
    client = Client()
    client.force_login(courier)
    return client


def test_the_handoff_page_is_made_for_a_phone(courier_client, out_with_code):
    shipment, _code = out_with_code
    page = courier_client.get(f"/courier/{shipment.pk}/").content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "Deliver to Jo" in page and "1 High Street" in page and "Code needed" in page
    for reason in ("Nobody was available", "The delivery code was not available", "The parcel was refused"):
        assert reason in page


def test_the_right_code_completes_the_delivery_and_tells_the_shopper(
    courier_client, out_with_code, shopper, mailoutbox
):
    shipment, code = out_with_code
    response = courier_client.post(f"/courier/{shipment.pk}/", {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    page = courier_client.get(response.url).content.decode()
    assert "Delivered. The customer has been told." in page and "Delivered at" in page
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.code_hash == ""
    run_pending_on_commit()
    assert mailoutbox[-1].subject == f"Order {shipment.order.number} was delivered"
    assert shipment.events.last().kind == ShipmentEvent.Kind.DELIVERED


def test_a_wrong_code_says_how_many_tries_are_left(courier_client, out_with_code):
    shipment, code = out_with_code
    response = courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    assert response.status_code == 400
    assert "That code is not right. 4 tries left before the code locks." in response.content.decode()
    response = courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    assert "3 tries left" in response.content.decode()


def test_something_that_is_not_a_code_costs_no_try(courier_client, out_with_code):
    shipment, _code = out_with_code
    for typed in ("", "12345", "abcdef", "1234567", "١٢٣٤٥٦", "¹²³⁴⁵⁶"):
        response = courier_client.post(f"/courier/{shipment.pk}/", {"code": typed})
        assert response.status_code == 400
    shipment.refresh_from_db()
    assert shipment.code_wrong_tries == 0


def test_five_wrong_codes_lock_it_and_the_shopper_is_alerted(courier_client, out_with_code, mailoutbox):
    shipment, code = out_with_code
    for _ in range(4):
        courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    response = courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    page = response.content.decode()
    assert "The code is locked" in page and "Keep the parcel and mark this attempt failed" in page
    assert 'name="code"' not in page  # nothing more to type
    run_pending_on_commit()
    assert mailoutbox[-1].subject == f"Delivery code locked for order {shipment.order.number}"
    assert "we'll send a new code when it next goes out" in locmem.outbox[-1].text
    # Even the right code no longer hands it over.
    locked = courier_client.post(f"/courier/{shipment.pk}/", {"code": code})
    assert locked.status_code == 400 and "locked" in locked.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY and shipment.code_is_locked()


def test_after_a_lock_the_courier_marks_the_attempt_failed(courier_client, out_with_code):
    shipment, code = out_with_code
    for _ in range(5):
        courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    response = courier_client.post(f"/courier/{shipment.pk}/failed/", {"reason": "code_locked"})
    assert response.url == "/courier/"
    shipment.refresh_from_db()
    assert (shipment.status, shipment.failure_reason) == (Shipment.Status.ATTEMPT_FAILED, "code_locked")


def test_the_shopper_gets_a_new_code_and_the_old_one_dies(client, shopper, courier_client, out_with_code, mailoutbox):
    shipment, old_code = out_with_code
    courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(old_code)})  # one slip, not locked
    client.force_login(shopper)
    response = client.post(f"/orders/{shipment.order_id}/delivery-code/")
    assert response.url == f"/orders/{shipment.order_id}/"
    run_pending_on_commit()
    subjects = [mail.subject for mail in mailoutbox[-2:]]
    assert subjects == [
        f"Your delivery code for order {shipment.order.number}",
        f"A new delivery code was made for order {shipment.order.number}",
    ]
    new_code = Shipment.objects.get(pk=shipment.pk).code_for_owner()
    assert new_code in mailoutbox[-2].body
    if new_code != old_code:
        refused = courier_client.post(f"/courier/{shipment.pk}/", {"code": old_code})
        assert "4 tries left" in refused.content.decode()  # a new code starts with five tries of its own
    assert courier_client.post(f"/courier/{shipment.pk}/", {"code": new_code}).status_code == 302


def test_a_locked_code_is_not_renewed_the_same_day(client, shopper, courier_client, out_with_code):
    """Otherwise whoever is at the door, told to keep the parcel, would get five more guesses per renewal."""
    shipment, code = out_with_code
    for _ in range(5):
        courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)})
    client.force_login(shopper)
    order_page = client.get(f"/orders/{shipment.order_id}/").content.decode()
    assert "today's code is locked" in order_page and "Get a new code" not in order_page
    response = client.post(f"/orders/{shipment.order_id}/delivery-code/", follow=True)
    assert "We'll send you a new code when it next goes out for delivery" in unescape(response.content.decode())
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()


def test_no_new_code_for_a_delivery_day_that_has_ended(client, shopper, out_with_code):
    import time_machine

    shipment, _code = out_with_code
    client.force_login(shopper)
    with time_machine.travel(shipment.code_expires_at.timestamp() + 3600):
        response = client.post(f"/orders/{shipment.order_id}/delivery-code/", follow=True)
    assert "There's no delivery today to make a code for" in unescape(response.content.decode())


def test_a_failure_reason_must_be_true(courier_client, shopper, courier, out_with_code, place_order, send_out):
    shipment, _code = out_with_code
    response = courier_client.post(f"/courier/{shipment.pk}/failed/", {"reason": "code_locked"}, follow=True)
    assert "The code is not locked" in response.content.decode()
    no_code, _ = send_out(place_order(shopper, "book", postcode="N1 2BB"), courier)
    response = courier_client.post(f"/courier/{no_code.pk}/failed/", {"reason": "code_not_available"}, follow=True)
    assert "This parcel needs no code" in response.content.decode()
    assert Shipment.objects.filter(status=Shipment.Status.OUT_FOR_DELIVERY).count() == 2


def test_new_codes_are_rate_limited(client, shopper, out_with_code):
    shipment, _code = out_with_code
    client.force_login(shopper)
    for _ in range(3):
        client.post(f"/orders/{shipment.order_id}/delivery-code/")
    hashes = Shipment.objects.get(pk=shipment.pk).code_hash
    response = client.post(f"/orders/{shipment.order_id}/delivery-code/", follow=True)
    assert "You've asked for several new codes already" in unescape(response.content.decode())
    assert Shipment.objects.get(pk=shipment.pk).code_hash == hashes


def test_no_new_code_before_the_parcel_is_out(client, shopper, place_order):
    order = place_order(shopper, "tablet")
    client.force_login(shopper)
    response = client.post(f"/orders/{order.pk}/delivery-code/", follow=True)
    assert "There's no delivery today to make a code for" in unescape(response.content.decode())


def test_an_order_that_needs_no_code_is_handed_over_with_one_tap(
    courier_client, shopper, courier, place_order, send_out
):
    shipment, _ = send_out(place_order(shopper, "book"), courier)
    page = courier_client.get(f"/courier/{shipment.pk}/").content.decode()
    assert "No delivery code is needed for this parcel" in page and 'name="code"' not in page
    assert courier_client.post(f"/courier/{shipment.pk}/").status_code == 302
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.DELIVERED


def test_a_delivered_shipment_cannot_be_delivered_again(courier, out_with_code):
    shipment, code = out_with_code
    assert (
        shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code).outcome == HandoffOutcome.DELIVERED
    )
    again = shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code)
    assert again.outcome == HandoffOutcome.ALREADY_DELIVERED
    assert shipment.events.filter(kind=ShipmentEvent.Kind.DELIVERED).count() == 1


def test_a_courier_sees_only_their_shipments_for_today(
    courier_client, shopper, outsider, courier, make_user, place_order, send_out
):
    other_courier = make_user("other.courier@example.com", is_courier=True)
    mine, _ = send_out(place_order(shopper, "tablet", postcode="N1 1AA"), courier)
    theirs, _ = send_out(place_order(outsider, "tablet", postcode="N1 2BB"), other_courier)
    Shipment.objects.filter(pk=place_order(shopper, "book").shipment.pk).update(courier=courier)  # not out today
    page = courier_client.get("/courier/").content.decode()
    assert f"/courier/{mine.pk}/" in page and f"/courier/{theirs.pk}/" not in page
    assert len(re.findall(r'class="drop[ "]', page)) == 1
    assert "Jo" in page and "Shopper" not in page  # the recipient's first name only


def test_the_courier_list_is_todays_only(courier_client, shopper, courier, place_order, send_out):
    import time_machine

    shipment, _ = send_out(place_order(shopper, "tablet"), courier)
    with time_machine.travel("2030-01-01 12:00Z"):
        assert f"/courier/{shipment.pk}/" not in courier_client.get("/courier/").content.decode()
