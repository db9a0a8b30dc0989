"""The order pages and the courier's list cost the same number of queries for 10 orders as for 10,000."""

import secrets
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent
from orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def orders_bulk(*, user, courier, count: int, product) -> None:
    """`count` orders for `user`, each with two lines and a shipment out today with `courier`, written in bulk."""
    orders = Order.objects.bulk_create(
        Order(
            user=user,
            total=Decimal("449.00"),
            ship_name="Jo Shopper",
            ship_line1=f"{number} High Street",
            ship_city="London",
            ship_postcode="N1 9EZ",
            ship_country="GB",
            card_label="Visa •••• 4242",
            needs_delivery_code=True,
            delivery_code_reason="total",
            delivery_code_detail="£250.00",
            checkout_token=secrets.token_urlsafe(16),
        )
        for number in range(count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=product, product_name=product.name, unit_price=product.price, quantity=1)
        for order in orders
        for _ in range(2)
    )
    shipments = Shipment.objects.bulk_create(
        Shipment(
            order=order,
            needs_code=True,
            courier=courier,
            status=Shipment.Status.OUT_FOR_DELIVERY,
            attempt=1,
            delivery_date=delivery_today(),
        )
        for order in orders
    )
    ShipmentEvent.objects.bulk_create(
        ShipmentEvent(shipment=shipment, kind=kind)
        for shipment in shipments
        for kind in (ShipmentEvent.Kind.OPENED, ShipmentEvent.Kind.SHIPPED, ShipmentEvent.Kind.OUT_FOR_DELIVERY)
    )


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def counts(shopper, courier, place_order, send_out, catalog):
    """Query counts for each page with 10 orders, then with 10,000."""
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)  # a real one, with a live code
    shopper_client, courier_client = Client(), Client()
    shopper_client.force_login(shopper)
    courier_client.force_login(courier)
    pages = {
        "orders": (shopper_client, "/orders/"),
        "order": (shopper_client, f"/orders/{shipment.order_id}/"),
        "courier": (courier_client, "/courier/"),
        "handoff": (courier_client, f"/courier/{shipment.pk}/"),
    }
    measured = {}
    for total in (10, 10_000):
        orders_bulk(user=shopper, courier=courier, count=total - Order.objects.count(), product=catalog["tablet"])
        assert Order.objects.count() == total
        measured[total] = {name: queries(client, url) for name, (client, url) in pages.items()}
    return measured


def test_pages_use_a_fixed_number_of_queries(counts, settings):
    assert counts[10] == counts[10_000]
    # The session (a query unless sessions live in Redis), the user, then the page's own reads: a page of orders
    # and a count for paging; one order with its lines and its shipment's events; a page of today's shipments.
    session = 0 if settings.SESSION_ENGINE.endswith(".cache") else 1
    assert counts[10_000] == {
        "orders": 3 + session,
        "order": 4 + session,
        "courier": 4 + session,  # one for the 2SV guard couriers need (issue 12)
        "handoff": 4 + session,  # the 2SV guard couriers need (issue 12); the drop's recent events (issue 18)
    }
