"""The courier never sees the code, and neither does an admin: not on a page, in a log line or in a task argument."""

import logging

import pytest
from celery.signals import task_prerun
from django.test import Client

from delivery.handoff import shipment_mark_delivered
from delivery.models import Shipment
from messaging.models import Message
from tests.helpers import wrong_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def task_arguments():
    """Every task's arguments as a worker receives them (eager tasks run through the same signals)."""
    seen = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        seen.append((task.name, args, kwargs))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def test_the_code_is_nowhere_a_courier_or_admin_can_see(
    shopper, courier, admin_user, place_order, send_out, verified_login, caplog, task_arguments
):
    caplog.set_level(logging.DEBUG)
    shopper.phone = "+447911123457"
    shopper.save()
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    courier_client = Client()
    courier_client.force_login(courier)
    courier_pages = [
        courier_client.get("/courier/"),
        courier_client.get(f"/courier/{shipment.pk}/"),
        courier_client.post(f"/courier/{shipment.pk}/", {"code": wrong_code(code)}),
    ]
    admin = verified_login(admin_user)
    delivery_messages = Message.objects.filter(kind="delivery_code")
    admin_pages = [
        admin.get("/admin/delivery/shipment/"),
        admin.get(f"/admin/delivery/shipment/{shipment.pk}/change/"),
        admin.get("/admin/delivery/shipmentevent/"),
        admin.get("/admin/orders/order/"),
        admin.get(f"/admin/orders/order/{shipment.order_id}/change/"),
        admin.get("/admin/messaging/message/"),
        *(admin.get(f"/admin/messaging/message/{message.pk}/change/") for message in delivery_messages),
        admin.get(f"/admin/accounts/user/{shopper.pk}/change/"),
    ]
    for response in courier_pages + admin_pages:
        assert response.status_code in (200, 400), response.request["PATH_INFO"]
        assert code not in response.content.decode(), response.request["PATH_INFO"]
    assert "Sent to the shopper; 4 tries left. Only the shopper can see it." in admin_pages[1].content.decode()

    # The right code, then what the logs and the worker's arguments held all along.
    assert courier_client.post(f"/courier/{shipment.pk}/", {"code": code}).status_code == 302
    assert len(delivery_messages) == 2 and len(task_arguments) >= 2
    assert code not in caplog.text
    assert code not in repr(task_arguments)
    message_ids = set(delivery_messages.values_list("pk", flat=True))
    delivered = [args for name, args, _kwargs in task_arguments if name == "messaging.tasks.deliver_message"]
    assert message_ids <= {args[0] for args in delivered} and all(len(args) == 1 for args in delivered)

    # At rest: encrypted for showing, hashed for checking, and gone once delivered.
    for message in delivery_messages:
        message.refresh_from_db()
        assert code not in message.payload
    assert Shipment.objects.get(pk=shipment.pk).code_ciphertext == ""


def test_the_order_page_shows_the_code_to_its_owner_with_the_warning(client, shopper, courier, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    client.force_login(shopper)
    response = client.get(f"/orders/{shipment.order_id}/")
    page = response.content.decode()
    assert f"{code[:3]} {code[3:]}" in page
    assert "Share it only at your door with the courier." in page and "We will never call you to ask for it." in page
    assert "This order needs a delivery code because its total is £250.00 or more" in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_code_leaves_the_order_page_once_delivered(client, shopper, courier, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code)
    client.force_login(shopper)
    page = client.get(f"/orders/{shipment.order_id}/").content.decode()
    assert code not in page and "Handed over on" in page
