"""Attacks on delivery codes and handoffs: other people's orders and shipments, guessing, stale and borrowed
codes, forged requests, and two taps at once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from delivery.codes import delivery_code_renew
from delivery.handoff import HandoffOutcome, shipment_mark_delivered
from delivery.models import Shipment, ShipmentEvent
from delivery.shipments import shipment_attempt_failed, shipment_send_out
from security.methods import phone_add
from tests.helpers import delivery_code_sent_to, race, wrong_code

LONDON = ZoneInfo("Europe/London")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_another_shoppers_order_does_not_exist_for_them(shopper, outsider, courier, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    outsider_client = signed_in(outsider)
    assert outsider_client.get(f"/orders/{shipment.order_id}/").status_code == 404
    assert outsider_client.post(f"/orders/{shipment.order_id}/delivery-code/").status_code == 404
    assert shipment.code_hash == Shipment.objects.get(pk=shipment.pk).code_hash  # no new code was made


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_sign_in(shopper, courier, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    for url in (f"/orders/{shipment.order_id}/", "/orders/", "/courier/", f"/courier/{shipment.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/account/signin/")


@pytest.mark.django_db
def test_shoppers_are_not_couriers(shopper, courier, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    owner = signed_in(shopper)  # even the parcel's owner cannot hand it to themselves
    assert owner.get("/courier/").status_code == 403
    assert owner.post(f"/courier/{shipment.pk}/", {"code": code}).status_code == 403
    assert owner.post(f"/courier/{shipment.pk}/failed/", {"reason": "refused"}).status_code == 403
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_a_courier_without_2sv_is_sent_to_turn_it_on_before_any_handoff(shopper, make_user, place_order, send_out):
    """Whoever has only a courier's password must not be able to hand parcels over (issue 12)."""
    bare = make_user("bare.courier@example.com", is_courier=True)
    shipment, code = send_out(place_order(shopper, "tablet"), bare)
    client = signed_in(bare)
    for response in (client.get("/courier/"), client.post(f"/courier/{shipment.pk}/", {"code": code})):
        assert response.status_code == 302 and response.url.startswith("/account/security/two-step/")
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_another_couriers_shipment_does_not_exist_for_them(shopper, courier, make_user, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    other_courier = make_user("other.courier@example.com", is_courier=True)
    phone_add(user=other_courier, number="+447911100666", channel="sms", primary=True, confirmed=True, request=None)
    other = signed_in(other_courier)
    assert other.get(f"/courier/{shipment.pk}/").status_code == 404
    assert other.post(f"/courier/{shipment.pk}/", {"code": code}).status_code == 404
    assert other.post(f"/courier/{shipment.pk}/failed/", {"reason": "refused"}).status_code == 404
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY and shipment.code_wrong_tries == 0


@pytest.mark.django_db
def test_guessing_locks_the_code_at_five_whatever_comes_next(courier, shopper, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    outcomes = [
        shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code, n)).outcome
        for n in range(1, 6)
    ]
    assert outcomes == [HandoffOutcome.WRONG_CODE] * 4 + [HandoffOutcome.LOCKED]
    assert shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code).outcome == HandoffOutcome.LOCKED
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_guessing_across_shipments_pauses_the_courier_and_stands_out(
    courier, shopper, outsider, make_user, place_order, send_out
):
    shipments = []
    for number in range(3):
        owner = make_user(f"owner{number}@example.com")
        shipments.append(send_out(place_order(owner, "tablet", postcode=f"N{number + 1} 1AA"), courier))
    # 4 wrong on each of the first two, 2 on the third: 10 in all, no code locked, and then the courier stops.
    for (shipment, code), tries in zip(shipments, (4, 4, 2), strict=True):
        for n in range(1, tries + 1):
            shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code, n))
    third, third_code = shipments[2]
    paused = shipment_mark_delivered(shipment_id=third.pk, courier=courier, code=third_code)
    assert paused.outcome == HandoffOutcome.COURIER_PAUSED and paused.retry_after > 0
    assert Shipment.objects.get(pk=third.pk).status == Shipment.Status.OUT_FOR_DELIVERY
    assert ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.COURIER_PAUSED, actor=courier).count() == 1
    assert ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.WRONG_CODE, actor=courier).count() == 10
    # The courier is told what to do, on the page.
    page = signed_in(courier).post(f"/courier/{third.pk}/", {"code": third_code}).content.decode()
    assert "code entry is paused" in page


@pytest.mark.django_db
def test_a_code_from_yesterdays_attempt_is_refused(courier, shopper, admin_user, place_order, send_out, mailoutbox):
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        shipment, yesterdays_code = send_out(place_order(shopper, "tablet"), courier)
        shipment_attempt_failed(shipment_id=shipment.pk, courier=courier, reason="customer_unavailable")
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False):
        shipment_send_out(shipment_id=shipment.pk, actor=admin_user)
        todays_code = delivery_code_sent_to(shopper.email, mailoutbox)
        while todays_code == yesterdays_code:  # two equal draws (one in a million) would prove nothing
            todays_code = delivery_code_renew(shipment_id=shipment.pk, user=shopper).code_for_owner()
        stale = shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=yesterdays_code)
        assert stale.outcome == HandoffOutcome.WRONG_CODE
        assert shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=todays_code).outcome == (
            HandoffOutcome.DELIVERED
        )


@pytest.mark.django_db
def test_yesterdays_code_does_not_work_after_midnight_even_unused(courier, shopper, place_order, send_out):
    with time_machine.travel(datetime(2026, 11, 23, 22, 0, tzinfo=LONDON), tick=False):
        shipment, code = send_out(place_order(shopper, "tablet"), courier)
    with time_machine.travel(datetime(2026, 11, 24, 0, 5, tzinfo=LONDON), tick=False):
        result = shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code)
    assert result.outcome == HandoffOutcome.NO_LIVE_CODE


@pytest.mark.django_db
def test_a_code_from_another_order_is_refused(courier, shopper, outsider, place_order, send_out):
    mine, my_code = send_out(place_order(shopper, "tablet", postcode="N1 1AA"), courier)
    theirs, their_code = send_out(place_order(outsider, "tablet", postcode="N1 2BB"), courier)
    while their_code == my_code:  # two equal draws (one in a million) would prove nothing
        their_code = delivery_code_renew(shipment_id=theirs.pk, user=outsider).code_for_owner()
    assert shipment_mark_delivered(shipment_id=mine.pk, courier=courier, code=their_code).outcome == (
        HandoffOutcome.WRONG_CODE
    )


@pytest.mark.django_db
def test_a_forged_handoff_without_the_csrf_token_is_refused(courier, shopper, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(courier)
    assert forged.post(f"/courier/{shipment.pk}/", {"code": code}).status_code == 403
    assert forged.post(f"/courier/{shipment.pk}/failed/", {"reason": "refused"}).status_code == 403
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_a_new_code_is_a_post_only(shopper, courier, place_order, send_out):
    shipment, _code = send_out(place_order(shopper, "tablet"), courier)
    assert signed_in(shopper).get(f"/orders/{shipment.order_id}/delivery-code/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_complete_it_once(courier, shopper, place_order, send_out, mailoutbox):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    sent_before = len(mailoutbox)
    outcomes = race(
        3,
        lambda: shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=code),
        hold=lambda: Shipment.objects.select_for_update().get(pk=shipment.pk),
    )
    assert sorted(outcomes) == sorted(
        [HandoffOutcome.DELIVERED, HandoffOutcome.ALREADY_DELIVERED, HandoffOutcome.ALREADY_DELIVERED]
    )
    assert shipment.events.filter(kind=ShipmentEvent.Kind.DELIVERED).count() == 1
    assert [mail.subject for mail in mailoutbox[sent_before:]] == [f"Order {shipment.order.number} was delivered"]


@pytest.mark.django_db(transaction=True)
def test_five_wrong_codes_at_once_are_all_counted(courier, shopper, place_order, send_out):
    shipment, code = send_out(place_order(shopper, "tablet"), courier)
    outcomes = race(
        6,
        lambda: shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code)),
        hold=lambda: Shipment.objects.select_for_update().get(pk=shipment.pk),
    )
    assert sorted(outcomes) == sorted([HandoffOutcome.WRONG_CODE] * 4 + [HandoffOutcome.LOCKED] * 2)
    assert Shipment.objects.get(pk=shipment.pk).code_wrong_tries == 5


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_at_many_drops_at_once_still_stop_at_the_couriers_allowance(
    courier, make_user, place_order, send_out, settings
):
    """Each drop has its own row lock, so only the shared counter, counted before the compare, holds the line."""
    allowance = settings.RATE_LIMITS["handoff_wrong_code_per_courier"][0][1]
    drops = [
        send_out(place_order(make_user(f"drop{n}@example.com"), "tablet", postcode=f"N{n + 1} 1AA"), courier)
        for n in range(allowance + 3)
    ]
    turns = iter(drops)
    claim = threading.Lock()

    def one_wrong_code():
        with claim:
            shipment, code = next(turns)
        return shipment_mark_delivered(shipment_id=shipment.pk, courier=courier, code=wrong_code(code))

    outcomes = race(
        len(drops),
        one_wrong_code,
        hold=lambda: list(Shipment.objects.select_for_update().filter(pk__in=[s.pk for s, _ in drops])),
    )
    assert outcomes.count(HandoffOutcome.WRONG_CODE) + outcomes.count(HandoffOutcome.COURIER_PAUSED) == len(drops)
    assert outcomes.count(HandoffOutcome.WRONG_CODE) == allowance - 1  # the one that uses it up reports the pause
    assert ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.WRONG_CODE).count() == allowance
    assert ShipmentEvent.objects.filter(kind=ShipmentEvent.Kind.COURIER_PAUSED).count() == 1
