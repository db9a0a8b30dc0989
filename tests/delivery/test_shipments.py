"""Shipment transitions: one function each, one event each, refused out of order; a code per attempt."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.crypto import decrypt_text
from delivery.models import Shipment, ShipmentEvent
from delivery.shipments import (
    ShipmentStateError,
    shipment_assign_courier,
    shipment_attempt_failed,
    shipment_mark_returned,
    shipment_mark_shipped,
    shipment_send_out,
)
from messaging.backends import locmem
from tests.helpers import delivery_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
Kind = ShipmentEvent.Kind


def kinds(shipment) -> list[str]:
    return list(shipment.events.values_list("kind", flat=True))


def test_the_whole_way_writes_one_event_per_step_with_who(shopper, courier, admin_user, place_order, send_out):
    order = place_order(shopper, "tablet")
    shipment, _code = send_out(order, courier)
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY and shipment.attempt == 1
    assert kinds(shipment) == [Kind.OPENED, Kind.COURIER_ASSIGNED, Kind.SHIPPED, Kind.OUT_FOR_DELIVERY]
    actors = list(shipment.events.values_list("actor__email", flat=True))
    assert actors == [shopper.email, admin_user.email, admin_user.email, admin_user.email]


def test_out_for_delivery_needs_a_courier(shopper, admin_user, place_order):
    shipment = place_order(shopper, "tablet").shipment
    shipment_mark_shipped(shipment_id=shipment.pk, actor=admin_user)
    with pytest.raises(ShipmentStateError, match="Assign a courier"):
        shipment_send_out(shipment_id=shipment.pk, actor=admin_user)


@pytest.mark.parametrize(
    "transition",
    [shipment_send_out, shipment_mark_returned],
    ids=["send_out_while_preparing", "return_while_preparing"],
)
def test_transitions_out_of_order_are_refused_and_write_nothing(shopper, admin_user, place_order, transition):
    shipment = place_order(shopper, "tablet").shipment
    with pytest.raises(ShipmentStateError, match="Its status: Preparing"):
        transition(shipment_id=shipment.pk, actor=admin_user)
    assert kinds(shipment) == [Kind.OPENED]


def test_only_couriers_can_be_assigned(shopper, outsider, admin_user, place_order):
    shipment = place_order(shopper, "tablet").shipment
    with pytest.raises(ShipmentStateError, match="not a courier"):
        shipment_assign_courier(shipment_id=shipment.pk, courier=outsider, actor=admin_user)


def test_out_for_delivery_sends_the_code_by_sms_and_email(shopper, courier, place_order, send_out, mailoutbox):
    shopper.phone = "+447911123457"
    shopper.save()
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    run_pending_on_commit()
    assert delivery_code_sent_to("+447911123457") == code
    sms = locmem.outbox[-1].text
    assert "Read it to the courier at your door only" in sms and "never call you" in sms
    email = mailoutbox[-1]
    assert email.subject == f"Your delivery code for order {shipment.order.number}"
    assert code in email.body and "midnight" in email.body


def test_the_code_is_stored_encrypted_and_hashed_never_in_the_clear(shopper, courier, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    shipment.refresh_from_db()
    assert code not in shipment.code_ciphertext and code not in shipment.code_hash
    assert decrypt_text(shipment.code_ciphertext) == code
    assert len(shipment.code_hash) == 64


def test_the_code_lives_to_the_end_of_the_delivery_day(shopper, courier, place_order, send_out):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    assert shipment.code_expires_at == datetime(2026, 11, 24, 0, 0, tzinfo=LONDON)
    with time_machine.travel(datetime(2026, 11, 23, 23, 59, tzinfo=LONDON), tick=False):
        assert Shipment.objects.get(pk=shipment.pk).code_is_live()
    with time_machine.travel(datetime(2026, 11, 24, 0, 0, 1, tzinfo=LONDON), tick=False):
        assert not Shipment.objects.get(pk=shipment.pk).code_is_live()


def test_a_failed_attempt_goes_out_again_the_next_day_with_a_new_code(
    shopper, courier, admin_user, place_order, send_out, mailoutbox
):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        shipment, _first_code = send_out(place_order(shopper, "tablet"), courier)
        first_hash = shipment.code_hash
        shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="customer_unavailable")
        with pytest.raises(ShipmentStateError, match="next delivery day"):
            shipment_send_out(shipment_id=shipment.pk, actor=admin_user)
        run_pending_on_commit()  # inside the travel: a message is never delivered before it was written
    assert "We couldn't deliver order" in mailoutbox[-1].subject
    assert "The courier couldn't hand it over. Reason: Nobody was available." in mailoutbox[-1].body
    with time_machine.travel(datetime(2026, 11, 24, 8, 0, tzinfo=LONDON), tick=False):
        shipment = shipment_send_out(shipment_id=shipment.pk, actor=admin_user)
        second_code = delivery_code_sent_to(shopper.email, mailoutbox)
    assert (shipment.attempt, str(shipment.delivery_date)) == (2, "2026-11-24")
    assert decrypt_text(shipment.code_ciphertext) == second_code
    assert shipment.code_hash != first_hash  # bound to the attempt: even equal digits hash differently
    assert kinds(shipment)[-2:] == [Kind.ATTEMPT_FAILED, Kind.OUT_FOR_DELIVERY]


def test_a_failed_attempt_voids_the_code(shopper, courier, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    shipment = shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="refused")
    assert (shipment.code_ciphertext, shipment.code_hash, shipment.code_expires_at) == ("", "", None)
    assert shipment.get_failure_reason_display() == "The parcel was refused"


def test_an_order_without_a_code_is_sent_out_without_one_and_the_shopper_is_told(
    shopper, courier, place_order, send_out, mailoutbox
):
    shipment, code = send_out(place_order(shopper, "book"), courier)
    run_pending_on_commit()
    assert code is None and shipment.code_hash == ""
    assert mailoutbox[-1].subject == f"Order {shipment.order.number} is out for delivery"


def test_returned_after_a_failed_attempt(shopper, courier, admin_user, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="refused")
    shipment = shipment_mark_returned(shipment_id=shipment.pk, actor=admin_user)
    assert shipment.status == Shipment.Status.RETURNED and kinds(shipment)[-1] == Kind.RETURNED
