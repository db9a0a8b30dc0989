"""Delivery messages always go out, on their own budget, and every page says truthfully what was sent and where.

Links in them are absolute, and those that ask the shopper to tell us something link the contact page.
"""

from html import unescape

import pytest
from django.conf import settings

from delivery.handoff import shipment_mark_delivered
from messaging.backends import locmem
from messaging.guards import Budget
from messaging.models import Channel, Message
from messaging.outbox import message_queue
from tests.helpers import delivery_code_sent_to, run_pending_on_commit

pytestmark = pytest.mark.django_db
PHONE = "+447911123457"


def _page(response) -> str:
    return unescape(response.content.decode())


def _sign_in_codes(user, destination: str, channel: str, count: int) -> list[Message]:
    return [
        message_queue(
            channel=channel,
            destination=destination,
            kind="code",
            language="en-GB",
            context={"code": "123456", "purpose": "signin"},
            user=user,
            budget=Budget.CODE,
        )
        for _ in range(count)
    ]


@pytest.fixture
def out_with_phone(shopper, courier, place_order, send_out):
    shopper.phone = PHONE
    shopper.save()
    return send_out(place_order(shopper, "tablet"), courier)


def test_a_renewed_code_is_texted_even_when_sign_in_codes_filled_the_phones_code_cap(
    client, shopper, out_with_phone, mailoutbox
):
    shipment, _code = out_with_phone
    *_filled, capped = _sign_in_codes(shopper, PHONE, Channel.SMS, 6)
    assert capped.was_refused  # the phone's code cap is full
    client.force_login(shopper)
    locmem.outbox.clear()

    page = _page(client.post(f"/orders/{shipment.order_id}/delivery-code/", follow=True))

    new_code = shipment.__class__.objects.get(pk=shipment.pk).code_for_owner()
    assert delivery_code_sent_to(PHONE) == new_code
    assert "Here's your new delivery code." in page
    assert "We've texted it to ••••\u00a03457 and emailed it to j•••@example.com." in page
    assert "couldn't" not in page


def test_delivery_updates_are_emailed_even_when_sign_in_codes_filled_the_address_cap(
    shopper, courier, out_with_phone, mailoutbox
):
    shipment, code = out_with_phone
    _sign_in_codes(shopper, shopper.email, Channel.EMAIL, 6)
    shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code)
    run_pending_on_commit()
    assert mailoutbox[-1].subject == f"Order {shipment.order.number} was delivered"


def test_a_refused_text_is_named_and_the_page_says_the_code_is_there(client, shopper, courier, place_order, send_out):
    shopper.phone = "+442079460123"  # a London landline: texts to it are refused before sending
    shopper.save()
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    client.force_login(shopper)

    page = _page(client.post(f"/orders/{shipment.order_id}/delivery-code/", follow=True))

    assert "We've emailed it to j•••@example.com." in page
    assert "We couldn't text it to ••••\u00a00123 just now." in page
    assert "Your code is on this page: read it to the courier from here." in page
    assert "texted it to" not in page


def test_the_delivery_budget_is_generous_but_finite(shopper):
    sent = [
        message_queue(
            channel=Channel.SMS,
            destination=PHONE,
            kind="delivery_update",
            language="en-GB",
            context={"event": "out_for_delivery"},
            user=shopper,
            budget=Budget.DELIVERY,
        )
        for _ in range(settings.RATE_LIMITS["delivery_message_per_destination"][0][1] + 1)
    ]
    assert not any(message.was_refused for message in sent[:-1]) and sent[-1].was_refused


def test_the_renewed_code_reads_well_with_absolute_links(client, shopper, out_with_phone, mailoutbox):
    shipment, _code = out_with_phone
    client.force_login(shopper)
    locmem.outbox.clear()
    client.post(f"/orders/{shipment.order_id}/delivery-code/")
    run_pending_on_commit()
    code = shipment.__class__.objects.get(pk=shipment.pk).code_for_owner()
    order_url = f"{settings.SITE_URL}/orders/{shipment.order_id}/"
    contact_url = f"{settings.SITE_URL}/contact/"

    sms = [message.text for message in locmem.outbox if message.to == PHONE]
    assert sms == [
        f"{settings.SHOP_NAME}: your delivery code for order {shipment.order.number} (parcel {shipment.number}) "
        f"is {code}. Read it to the courier at your door only. We will never call you to ask for it."
    ]
    code_mail, update_mail = mailoutbox[-2:]
    assert f"Order {shipment.order.number} (parcel {shipment.number}) is out for delivery today." in code_mail.body
    assert order_url in code_mail.body and contact_url in code_mail.body
    html = code_mail.alternatives[0][0]
    assert f'href="{order_url}"' in html and f'href="{contact_url}"' in html
    assert update_mail.subject == f"A new delivery code was made for order {shipment.order.number}"
    assert order_url in update_mail.body


def test_the_locked_alert_offers_the_unlock_and_links_the_contact_page(shopper, courier, out_with_phone, mailoutbox):
    shipment, code = out_with_phone
    for offset in range(1, 6):
        shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=f"{(int(code) + offset) % 10**6:06d}")
    run_pending_on_commit()
    order_url = f"{settings.SITE_URL}/orders/{shipment.order_id}/"
    sms = [message.text for message in locmem.outbox if message.to == PHONE][-1]
    assert "you can unlock it with a new code once today" in sms and order_url in sms
    mail = mailoutbox[-1]
    assert f"{settings.SITE_URL}/contact/" in mail.body and "tell us straight away" in mail.body
    assert f'href="{settings.SITE_URL}/contact/"' in mail.alternatives[0][0]


def test_the_delivered_email_links_the_contact_page(shopper, courier, out_with_phone, mailoutbox):
    shipment, code = out_with_phone
    shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code)
    run_pending_on_commit()
    mail = mailoutbox[-1]
    assert "If you didn't receive it, tell us straight away." in mail.body
    assert f"Contact us: {settings.SITE_URL}/contact/" in mail.body
    assert f"Your order: {settings.SITE_URL}/orders/{shipment.order_id}/" in mail.body
