"""Not at home: before the parcel goes out its owner picks another day or leaves instructions, and sees the window."""

from datetime import time, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils.formats import time_format

from config.dates import day_label
from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent
from delivery.shipments import shipment_assign_courier, shipment_mark_shipped

pytestmark = pytest.mark.django_db
DASH = "\N{EN DASH}"  # between a window's two times


def window(*hours_minutes: int) -> str:
    """A window as the page writes it: the locale's own time format either side of a dash."""
    start, end = time(*hours_minutes[:2]), time(*hours_minutes[2:])
    return f"{time_format(start, 'TIME_FORMAT')}{DASH}{time_format(end, 'TIME_FORMAT')}"


def _page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def preparing(shopper, place_order):
    return place_order(shopper, "tablet")


@pytest.fixture
def owner(client, shopper):
    client.force_login(shopper)
    return client


def test_the_order_page_offers_the_next_seven_days_from_tomorrow(owner, preparing):
    page = _page(owner.get(f"/orders/{preparing.pk}/"))
    today = delivery_today()
    assert "Not at home?" in page and "Change day" in page and "Save instructions" in page
    for offset in range(1, 8):
        assert f'value="{(today + timedelta(days=offset)).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' not in page
    assert f'value="{(today + timedelta(days=8)).isoformat()}"' not in page


def test_the_owner_picks_another_day_and_the_page_says_so(owner, preparing, shopper):
    day = delivery_today() + timedelta(days=3)
    page = _page(owner.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()}, follow=True))
    shipment = Shipment.objects.get(order=preparing)
    assert shipment.requested_date == day
    event = ShipmentEvent.objects.get(shipment=shipment, kind=ShipmentEvent.Kind.RESCHEDULED)
    assert event.actor == shopper
    assert f"We'll deliver on {day_label(day)}." in page
    assert "You chose another delivery day" in page
    assert f'<option value="{day.isoformat()}" selected>' in page


@pytest.mark.parametrize("offset", [0, -1, 8, 30])
def test_a_day_that_was_not_offered_is_refused(owner, preparing, offset):
    day = delivery_today() + timedelta(days=offset)
    page = _page(owner.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()}, follow=True))
    assert "Choose one of the delivery days shown." in page
    assert Shipment.objects.get(order=preparing).requested_date is None
    assert not ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.RESCHEDULED).exists()


def test_instructions_are_saved_trimmed_and_shown_with_the_code_warning(owner, preparing, shopper):
    words = "  Blue door round the side.\n  The bell doesn't work: please knock. "
    page = _page(owner.post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": words}, follow=True))
    shipment = Shipment.objects.get(order=preparing)
    assert shipment.instructions == "Blue door round the side. The bell doesn't work: please knock."
    assert ShipmentEvent.objects.get(shipment=shipment, kind=ShipmentEvent.Kind.INSTRUCTIONS).actor == shopper
    assert "We've saved your instructions for the courier." in page
    assert "Blue door round the side." in page
    assert "We can't leave this parcel with a neighbour or in a safe place: it needs your code." in page


def test_instructions_longer_than_300_characters_are_refused(owner, preparing):
    page = _page(owner.post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": "x" * 301}, follow=True))
    assert "Keep your instructions to 300 characters." in page
    assert Shipment.objects.get(order=preparing).instructions == ""


def test_an_order_without_a_code_has_no_unattended_warning(owner, shopper, place_order):
    order = place_order(shopper, "book")
    page = _page(owner.get(f"/orders/{order.pk}/"))
    assert "Save instructions" in page and "it needs your code" not in page


def test_nothing_changes_once_the_parcel_is_out(owner, preparing, courier, send_out):
    send_out(preparing, courier)
    day = delivery_today() + timedelta(days=2)
    page = _page(owner.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()}, follow=True))
    assert "already out for delivery or delivered" in page
    owner.post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": "Leave it in the shed"})
    shipment = Shipment.objects.get(order=preparing)
    assert (shipment.requested_date, shipment.instructions) == (None, "")
    assert "Change day" not in _page(owner.get(f"/orders/{preparing.pk}/"))


def test_a_shipped_parcel_can_still_be_rescheduled(owner, preparing, courier, admin_user):
    shipment_id = preparing.shipment.pk
    shipment_assign_courier(shipment_id=shipment_id, courier=courier, actor=admin_user)
    shipment_mark_shipped(shipment_id=shipment_id, actor=admin_user)
    day = delivery_today() + timedelta(days=1)
    owner.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()})
    assert Shipment.objects.get(pk=shipment_id).requested_date == day


def test_an_outsider_cannot_change_someone_elses_delivery(outsider, preparing):
    stranger = Client()
    stranger.force_login(outsider)
    day = delivery_today() + timedelta(days=2)
    assert stranger.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()}).status_code == 404
    assert stranger.post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": "Shed"}).status_code == 404
    shipment = Shipment.objects.get(order=preparing)
    assert (shipment.requested_date, shipment.instructions) == (None, "")


def test_a_forged_post_without_the_csrf_token_is_refused(shopper, preparing):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(shopper)
    day = delivery_today() + timedelta(days=2)
    assert forged.post(f"/orders/{preparing.pk}/delivery-day/", {"day": day.isoformat()}).status_code == 403
    assert forged.post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": "Shed"}).status_code == 403
    assert Shipment.objects.get(order=preparing).requested_date is None


def test_signed_out_the_forms_send_to_sign_in(preparing):
    response = Client().post(f"/orders/{preparing.pk}/delivery-instructions/", {"instructions": "Shed"})
    assert response.status_code == 302 and response.url.startswith("/account/signin/")


def test_the_window_is_the_default_until_the_admin_sets_one(owner, preparing, settings):
    settings.DELIVERY_WINDOW_DEFAULT = ("08:00", "20:00")
    assert window(8, 0, 20, 0) in _page(owner.get(f"/orders/{preparing.pk}/"))
    Shipment.objects.filter(order=preparing).update(window_start=time(10, 30), window_end=time(12, 30))
    page = _page(owner.get(f"/orders/{preparing.pk}/"))
    assert window(10, 30, 12, 30) in page and window(8, 0, 20, 0) not in page
