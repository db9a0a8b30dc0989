"""A failed attempt's reason reaches each reader in their own language, whatever language the courier's phone was in."""

import pytest
from django.utils import translation

from delivery.models import ShipmentEvent
from delivery.shipments import shipment_attempt_failed
from tests.helpers import run_pending_on_commit

pytestmark = pytest.mark.django_db


def test_the_shoppers_email_gives_the_reason_in_their_language_not_the_couriers(
    shopper, courier, place_order, send_out, mailoutbox
):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    with translation.override("de-de"):  # the courier's phone is in German
        shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="customer_unavailable")
    run_pending_on_commit()
    body = mailoutbox[-1].body
    assert "Reason: Nobody was available." in body
    assert "Niemand" not in body


def test_the_timeline_reads_the_reason_in_the_viewers_language(shopper, courier, place_order, send_out, client):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    with translation.override("de-de"):
        shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="refused")
    event = shipment.events.get(kind=ShipmentEvent.Kind.ATTEMPT_FAILED)
    assert event.detail == "refused"  # the code, not words in whichever language the courier used
    client.force_login(shopper)
    page = client.get(f"/orders/{shipment.order_id}/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Delivery attempt failed. Reason: The parcel was refused" in page


def test_a_reason_written_before_codes_were_stored_still_shows(shopper, courier, place_order, send_out, client):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="refused")
    shipment.events.filter(kind=ShipmentEvent.Kind.ATTEMPT_FAILED).update(detail="The parcel was refused")
    client.force_login(shopper)
    page = client.get(f"/orders/{shipment.order_id}/").content.decode()
    assert "Delivery attempt failed. Reason: The parcel was refused" in page
