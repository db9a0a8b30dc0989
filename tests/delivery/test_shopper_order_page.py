"""The order page as the shopper reads it at the door: the code with the order and parcel numbers beside it."""

from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return unescape(response.content.decode())


def test_the_code_has_the_order_and_parcel_numbers_beside_it(client, shopper, courier, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    client.force_login(shopper)
    page = _page(client.get(f"/orders/{shipment.order_id}/"))
    box = page[page.index('class="delivery-code"') :]
    box = box[: box.index("</div>")]
    assert f"{code[:3]} {code[3:]}" in box
    assert f'Order <span class="no-wrap">{shipment.order.number}</span>' in box
    assert f'Parcel <span class="no-wrap">{shipment.number}</span>' in box
    assert shipment.number.startswith("PCL-")


def test_the_page_promises_a_text_only_to_a_shopper_with_a_mobile_number(client, shopper, place_order):
    order = place_order(shopper, "tablet")
    client.force_login(shopper)
    page = _page(client.get(f"/orders/{order.pk}/"))
    assert "we'll email you a 6-digit code" in page and "we'll text and email you" not in page
    shopper.phone = "+447911123457"
    shopper.save()
    assert "we'll text and email you a 6-digit code" in _page(client.get(f"/orders/{order.pk}/"))


def test_the_parcel_number_is_shown_before_it_goes_out(client, shopper, place_order):
    order = place_order(shopper, "book")
    client.force_login(shopper)
    page = _page(client.get(f"/orders/{order.pk}/"))
    assert order.shipment.number in page and order.number in page
