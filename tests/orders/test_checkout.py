"""Basket and checkout: a saved address and card record, the rule's decision kept on the order, one order per page."""

import re

import pytest

from accounts.models import Address, PaymentCard
from delivery.models import Shipment, ShipmentEvent
from orders.models import DeliveryCodeReason, Order
from tests.helpers import step_up_grant

pytestmark = pytest.mark.django_db


def _checkout_form(client) -> dict:
    html = client.get("/checkout/").content.decode()
    return {
        "checkout_token": re.search(r'name="checkout_token" value="([^"]+)"', html).group(1),
        "address": re.search(r'name="address" value="(\d+)"[^>]*checked', html).group(1),
        "card": re.search(r'name="card" value="(\d+)"[^>]*checked', html).group(1),
    }


@pytest.fixture
def saved(shopper):
    address = Address.objects.create(
        user=shopper, full_name="Jo Shopper", line1="1 High St", city="London", postcode="n1 9ez", is_default=True
    )
    card = PaymentCard.objects.create(
        user=shopper, brand="Visa", last4="4242", exp_month=1, exp_year=2040, name_on_card="JO SHOPPER"
    )
    return address, card


def test_basket_adds_updates_and_removes(client, catalog):
    client.post("/products/pebble-tablet/add/", {"quantity": 2})
    client.post("/products/pebble-tablet/add/", {"quantity": 1})
    page = client.get("/basket/").content.decode()
    assert 'value="3"' in page and "£1,347.00" in page
    client.post("/basket/", {"product": catalog["tablet"].pk, "quantity": 0})
    assert "Your basket is empty" in client.get("/basket/").content.decode()


def test_basket_quantity_is_capped(client, catalog):
    client.post("/products/usb-cable/add/", {"quantity": 10})
    client.post("/products/usb-cable/add/", {"quantity": 10})
    assert client.session["cart"] == {str(catalog["cable"].pk): 10}


def test_basket_prices_come_from_the_catalog_not_the_session(client, catalog):
    client.post("/products/usb-cable/add/", {"quantity": 1})
    catalog["cable"].price = "12.50"
    catalog["cable"].save()
    assert "£12.50" in client.get("/basket/").content.decode()


def test_checkout_needs_sign_in(client, catalog):
    client.post("/products/usb-cable/add/", {"quantity": 1})
    response = client.get("/checkout/")
    assert response.status_code == 302 and response.url.startswith("/account/signin/?next=/checkout/")


def test_checkout_places_the_order_and_keeps_the_rule_decision(client, shopper, saved, catalog):
    client.force_login(shopper)
    client.post("/products/the-quiet-lock/add/", {"quantity": 1})
    client.post("/products/usb-cable/add/", {"quantity": 2})
    page = client.get("/checkout/").content.decode()
    assert "no payment is taken" in page
    assert "This order needs a delivery code because it contains electronics" in page
    response = client.post("/checkout/", _checkout_form(client))
    order = Order.objects.get(user=shopper)
    assert response.url == f"/orders/{order.pk}/"
    assert str(order.total) == "34.99"
    assert (order.needs_delivery_code, order.delivery_code_reason) == (True, DeliveryCodeReason.CATEGORY)
    assert (order.ship_postcode, order.card_label) == ("N1 9EZ", "Visa •••• 4242")
    assert [(line.product_name, line.quantity) for line in order.lines.all()] == [
        ("The Quiet Lock", 1),
        ("USB cable", 2),
    ]
    assert order.shipment.status == Shipment.Status.PREPARING
    assert list(order.shipment.events.values_list("kind", flat=True)) == [ShipmentEvent.Kind.OPENED]
    assert "cart" not in client.session


def test_an_order_that_needs_no_code_says_so(client, shopper, saved, catalog):
    client.force_login(shopper)
    client.post("/products/the-quiet-lock/add/", {"quantity": 1})
    client.post("/checkout/", _checkout_form(client))
    order = Order.objects.get(user=shopper)
    assert not order.needs_delivery_code
    assert "No delivery code is needed for this order" in client.get(order.get_absolute_url()).content.decode()


def test_submitting_the_same_checkout_twice_places_one_order(client, shopper, saved, catalog):
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    form = _checkout_form(client)
    first = client.post("/checkout/", form)
    second = client.post("/checkout/", form)
    assert Order.objects.filter(user=shopper).count() == 1
    assert first.url == second.url


def test_another_persons_address_or_card_cannot_be_used(client, shopper, outsider, saved, catalog):
    their_address = Address.objects.create(user=outsider, full_name="Max", line1="9 Elm", city="Leeds", postcode="LS1")
    their_card = PaymentCard.objects.create(
        user=outsider, brand="Visa", last4="1111", exp_month=1, exp_year=2040, name_on_card="MAX"
    )
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    form = _checkout_form(client)
    for field, value in (("address", their_address.pk), ("card", their_card.pk)):
        response = client.post("/checkout/", {**form, field: value})
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Order.objects.exists()


def test_expired_cards_are_not_offered(client, shopper, saved, catalog):
    PaymentCard.objects.create(user=shopper, brand="Visa", last4="0005", exp_month=1, exp_year=2020, name_on_card="J")
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert "4242" in page and "0005" not in page


def test_checkout_with_an_empty_basket_goes_back_to_the_basket(client, shopper, saved):
    client.force_login(shopper)
    assert client.get("/checkout/").url == "/basket/"


def test_checkout_links_to_adding_an_address_and_comes_back(client, shopper, catalog):
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert "/account/addresses/new/?next=/checkout/" in page
    assert "/account/cards/new/?next=/checkout/" in page


def test_an_address_added_from_checkout_leads_back_to_checkout(client, shopper, catalog):
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    assert client.get("/account/addresses/new/?next=/checkout/").url.startswith("/account/verify/?action=addresses")
    step_up_grant(client, "addresses")
    response = client.post(
        "/account/addresses/new/?next=/checkout/",
        {"full_name": "Jo", "line1": "1 Lock St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
    )
    assert response.url == "/checkout/"
    hostile = client.post(
        "/account/addresses/new/?next=https://evil.example/",
        {"full_name": "Jo", "line1": "2 Lock St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
    )
    assert hostile.url == "/account/addresses/"


def test_nonsense_in_the_basket_form_is_a_clear_answer_not_an_error(client, catalog):
    for data in ({"product": "abc", "quantity": 1}, {"product": "", "quantity": 1}, {"quantity": 1}):
        response = client.post("/basket/", data)
        assert response.status_code == 302
    response = client.post("/basket/", {"product": 99999, "quantity": 1})
    assert response.status_code == 404


def test_an_old_checkout_page_submitted_again_leaves_todays_basket_alone(client, shopper, saved, catalog):
    client.force_login(shopper)
    client.post("/products/usb-cable/add/", {"quantity": 1})
    form = _checkout_form(client)
    client.post("/checkout/", form)
    client.post("/products/the-quiet-lock/add/", {"quantity": 1})
    client.post("/checkout/", form)
    assert Order.objects.filter(user=shopper).count() == 1
    assert client.session["cart"] == {str(catalog["book"].pk): 1}
