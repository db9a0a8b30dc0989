"""Addresses and payment cards: behind step-up, only one's own, and a card number goes nowhere."""

import logging

import pytest
from django.db import connection
from django.test import Client

from accounts.cards import card_brand, luhn_valid
from accounts.models import Address, PaymentCard
from tests.helpers import step_up_grant

pytestmark = pytest.mark.django_db
VISA = "4242 4242 4242 4242"
ADDRESS = {
    "full_name": "Jo Shopper",
    "line1": "1 Lock Street",
    "line2": "",
    "city": "Leeds",
    "postcode": "LS1 1AA",
    "country": "gb",
}


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


def test_addresses_are_added_edited_made_default_and_removed(signed_in, shopper):
    step_up_grant(signed_in, "addresses")
    signed_in.post("/account/addresses/new/", ADDRESS)
    signed_in.post("/account/addresses/new/", {**ADDRESS, "line1": "2 Key Road"})
    first, second = Address.objects.order_by("created_at")
    assert first.is_default and not second.is_default and first.country == "GB"

    signed_in.post(f"/account/addresses/{second.pk}/default/")
    signed_in.post(f"/account/addresses/{first.pk}/", {**ADDRESS, "city": "York"})
    first.refresh_from_db(), second.refresh_from_db()
    assert second.is_default and not first.is_default and first.city == "York"

    signed_in.post(f"/account/addresses/{second.pk}/delete/")
    first.refresh_from_db()
    assert first.is_default  # the remaining one becomes the default


def test_the_outsider_gets_404_for_anothers_address_and_card(shopper, outsider):
    address = Address.objects.create(
        user=shopper, full_name="Jo", line1="1 Lock St", city="Leeds", postcode="LS1", is_default=True
    )
    card = PaymentCard.objects.create(
        user=shopper, brand="Visa", last4="4242", exp_month=1, exp_year=2030, name_on_card="Jo"
    )
    intruder = Client()
    intruder.force_login(outsider)
    step_up_grant(intruder, "addresses")
    assert intruder.get(f"/account/addresses/{address.pk}/").status_code == 404
    assert intruder.post(f"/account/addresses/{address.pk}/delete/").status_code == 404
    step_up_grant(intruder, "payment_cards")
    assert intruder.post(f"/account/cards/{card.pk}/delete/").status_code == 404
    assert Address.objects.filter(pk=address.pk).exists() and PaymentCard.objects.filter(pk=card.pk).exists()


def test_a_card_number_is_never_stored_logged_or_echoed(signed_in, shopper, caplog):
    caplog.set_level(logging.DEBUG)
    step_up_grant(signed_in, "payment_cards")
    digits = VISA.replace(" ", "")

    refused = signed_in.post(
        "/account/cards/new/", {"number": VISA, "exp_month": 1, "exp_year": 2001, "name_on_card": "Jo Shopper"}
    )
    added = signed_in.post(
        "/account/cards/new/",
        {"number": VISA, "exp_month": 12, "exp_year": 2031, "name_on_card": "Jo Shopper"},
        follow=True,
    )
    listing = signed_in.get("/account/cards/")

    assert "This card has expired." in refused.content.decode()
    assert "Visa •••• 4242 added." in added.content.decode()
    for response in (refused, added, listing):
        assert digits not in response.content.decode() and VISA not in response.content.decode()
    assert digits not in caplog.text
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 -- table names from the database itself
            dump.append(str(cursor.fetchall()))
    assert digits not in "".join(dump)
    assert PaymentCard.objects.get().last4 == "4242"


def test_an_invalid_card_number_is_refused_without_being_echoed(signed_in):
    step_up_grant(signed_in, "payment_cards")

    response = signed_in.post(
        "/account/cards/new/",
        {"number": "4242 4242 4242 4241", "exp_month": 12, "exp_year": 2031, "name_on_card": "Jo"},
    )

    assert "That card number isn&#x27;t valid." in response.content.decode()
    assert (
        "4242424242424241" not in response.content.decode() and "4242 4242 4242 4241" not in response.content.decode()
    )
    assert not PaymentCard.objects.exists()


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "Visa"),
        ("5555555555554444", "Mastercard"),
        ("2223003122003222", "Mastercard"),
        ("378282246310005", "American Express"),
        ("6011111111111117", "Discover"),
    ],
)
def test_brands_and_luhn(number, brand):
    assert luhn_valid(number) and card_brand(number) == brand
