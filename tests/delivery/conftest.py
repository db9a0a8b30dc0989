"""Fixtures the courier's tests share: a signed-in courier, and a parcel out for delivery with its code."""

import pytest
from django.test import Client


@pytest.fixture
def courier_client(courier) -> Client:
    client = Client()
    client.force_login(courier)
    return client


@pytest.fixture
def out_with_code(shopper, courier, place_order, send_out):
    return send_out(place_order(shopper, "tablet"), courier)
