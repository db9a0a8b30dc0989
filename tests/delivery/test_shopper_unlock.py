"""A locked delivery code has a way forward: its owner, after step-up, unlocks it with a new code once a day.

Each attack is a test: a stolen session without step-up, an outsider, a second unlock, a code that isn't locked or a
parcel that isn't out, and the courier's pause, which an unlock must not lift.
"""

from html import unescape

import pytest
from django.test import Client

from delivery.days import delivery_today
from delivery.handoff import HandoffOutcome, shipment_mark_delivered
from delivery.models import Shipment, ShipmentEvent
from messaging.backends import locmem
from messaging.models import Message
from tests.helpers import delivery_code_sent_to, run_pending_on_commit, step_up_grant, wrong_code

pytestmark = pytest.mark.django_db
PHONE = "+447911123457"


def _lock(shipment, courier, code):
    for _ in range(5):
        shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code))
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()


@pytest.fixture
def locked(shopper, courier, place_order, send_out):
    shopper.phone = PHONE
    shopper.save()
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    _lock(shipment, courier, code)
    return shipment, code


def _unlock_url(shipment) -> str:
    return f"/orders/{shipment.order_id}/delivery-code/unlock/"


def _page(response) -> str:
    return unescape(response.content.decode())


def test_the_locked_page_offers_an_unlock_that_says_it_asks_to_confirm_first(client, shopper, locked):
    shipment, _code = locked
    client.force_login(shopper)
    page = _page(client.get(f"/orders/{shipment.order_id}/"))
    assert "today's code is locked" in page
    assert "Unlock with a new code" in page and "once today" in page and "confirm it's you first" in page
    assert 'name="intent"' in page and _unlock_url(shipment) in page


def test_after_step_up_the_owner_unlocks_and_sees_and_receives_the_new_code(
    client, shopper, courier, locked, mailoutbox
):
    shipment, old_code = locked
    client.force_login(shopper)
    step_up_grant(client, "delivery_unlock")
    locmem.outbox.clear()

    page = _page(client.post(_unlock_url(shipment), {"intent": "unlock"}, follow=True))

    shipment.refresh_from_db()
    new_code = shipment.code_for_owner()
    assert new_code and not shipment.code_is_locked() and shipment.code_wrong_tries == 0
    assert shipment.code_unlocked_on == delivery_today()
    event = ShipmentEvent.objects.filter(shipment=shipment, kind=ShipmentEvent.Kind.CODE_UNLOCKED).get()
    assert event.actor == shopper
    assert f"{new_code[:3]} {new_code[3:]}" in page
    assert "read it to the courier at your door" in page
    assert "We've texted it to ••••\u00a03457 and emailed it to j•••@example.com." in page
    assert delivery_code_sent_to(PHONE) == new_code
    subject = f"Your delivery code for order {shipment.order.number}"
    code_mails = [mail for mail in mailoutbox if mail.subject == subject]
    assert new_code in code_mails[-1].body
    assert any("unlocked with a new one" in mail.subject for mail in mailoutbox)  # a stolen session is noticed
    if new_code != old_code:
        assert shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=old_code).outcome == (
            HandoffOutcome.WRONG_CODE
        )
    assert shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=new_code).outcome == (
        HandoffOutcome.DELIVERED
    )


def test_a_session_without_step_up_cannot_unlock_and_is_asked_to_confirm_it(client, shopper, locked):
    shipment, _code = locked
    client.force_login(shopper)
    before = Message.objects.count()

    response = client.post(_unlock_url(shipment), {"intent": "unlock your delivery code with a new one"})

    assert response.status_code == 302 and response.url.startswith("/account/verify/?action=delivery_unlock")
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()
    assert Message.objects.count() == before
    step_up_grant(client, "delivery_unlock")
    confirm = _page(client.get("/account/verify/continue/"))
    assert "You asked to: unlock your delivery code with a new one." in confirm


def test_a_stale_grant_or_another_actions_grant_does_not_unlock(client, shopper, locked):
    shipment, _code = locked
    client.force_login(shopper)
    step_up_grant(client, "addresses")
    client.post(_unlock_url(shipment), {"intent": "unlock"})
    step_up_grant(client, "delivery_unlock", seconds_left=-60)
    client.post(_unlock_url(shipment), {"intent": "unlock"})
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()


def test_an_outsider_with_their_own_step_up_cannot_unlock_someone_elses_code(outsider, locked):
    shipment, _code = locked
    stranger = Client()
    stranger.force_login(outsider)
    step_up_grant(stranger, "delivery_unlock")
    assert stranger.post(_unlock_url(shipment), {"intent": "unlock"}).status_code == 404
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()
    assert not ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.CODE_UNLOCKED).exists()


def test_signed_out_nobody_can_unlock(locked):
    shipment, _code = locked
    response = Client().post(_unlock_url(shipment), {"intent": "unlock"})
    assert response.status_code == 302 and response.url.startswith("/account/signin/")
    assert Shipment.objects.get(pk=shipment.pk).code_is_locked()


def test_a_second_unlock_the_same_day_is_refused_with_the_next_step(client, shopper, courier, locked):
    shipment, _code = locked
    client.force_login(shopper)
    step_up_grant(client, "delivery_unlock")
    client.post(_unlock_url(shipment), {"intent": "unlock"})
    run_pending_on_commit()
    _lock(shipment, courier, Shipment.objects.get(pk=shipment.pk).code_for_owner())
    hash_before = Shipment.objects.get(pk=shipment.pk).code_hash

    page = _page(client.post(_unlock_url(shipment), {"intent": "unlock"}, follow=True))

    assert "You've already unlocked today's code once" in page
    assert "We'll send you a new code when it next goes out for delivery" in page
    assert 'href="/contact/"' in page
    assert "Unlock with a new code" not in page
    shipment.refresh_from_db()
    assert shipment.code_is_locked() and shipment.code_hash == hash_before
    assert ShipmentEvent.objects.filter(shipment=shipment, kind=ShipmentEvent.Kind.CODE_UNLOCKED).count() == 1


def test_an_unlocked_code_is_not_unlocked_again(client, shopper, courier, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    client.force_login(shopper)
    step_up_grant(client, "delivery_unlock")
    page = _page(client.post(_unlock_url(shipment), {"intent": "unlock"}, follow=True))
    assert "Today's code isn't locked" in page
    assert Shipment.objects.get(pk=shipment.pk).code_unlocked_on is None


def test_no_unlock_before_the_parcel_is_out(client, shopper, place_order):
    order = place_order(shopper, "tablet")
    client.force_login(shopper)
    step_up_grant(client, "delivery_unlock")
    page = _page(client.post(f"/orders/{order.pk}/delivery-code/unlock/", {"intent": "unlock"}, follow=True))
    assert "There's no delivery today to make a code for" in page
    assert Shipment.objects.get(order=order).code_hash == ""


def test_an_unlock_does_not_lift_the_couriers_pause(client, shopper, courier, locked, place_order, send_out):
    shipment, _code = locked  # five wrong codes from this courier
    other, other_code = send_out(place_order(shopper, "tablet", postcode="N1 2BB"), courier)
    for _ in range(5):  # five more elsewhere: ten in the hour pauses the courier
        shipment_mark_delivered(shipment_id=other.pk, courier=courier, code=wrong_code(other_code))
    client.force_login(shopper)
    step_up_grant(client, "delivery_unlock")
    client.post(_unlock_url(shipment), {"intent": "unlock"})
    new_code = Shipment.objects.get(pk=shipment.pk).code_for_owner()
    assert new_code

    result = shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=new_code)

    assert result.outcome == HandoffOutcome.COURIER_PAUSED
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY
