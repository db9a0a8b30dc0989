"""The delivery-code rule: value, high-value category, or destination area; thresholds from settings."""

from decimal import Decimal

import pytest

from orders.models import DeliveryCodeReason
from orders.rules import delivery_code_decision, postcode_district

BOOKS = [("books", "Books")]


def test_total_at_the_threshold_needs_a_code(settings):
    settings.ORDERS_CODE_MIN_TOTAL = Decimal("250.00")
    decision = delivery_code_decision(total=Decimal("250.00"), categories=BOOKS, postcode="N1 9EZ")
    assert decision.needed and decision.reason == DeliveryCodeReason.TOTAL
    assert decision.reason_text() == "its total is £250.00 or more"


def test_total_just_under_the_threshold_needs_none(settings):
    settings.ORDERS_CODE_MIN_TOTAL = Decimal("250.00")
    decision = delivery_code_decision(total=Decimal("249.99"), categories=BOOKS, postcode="N1 9EZ")
    assert not decision.needed and decision.reason == DeliveryCodeReason.NONE


def test_a_high_value_category_needs_a_code_whatever_the_total():
    decision = delivery_code_decision(
        total=Decimal("9.00"), categories=[*BOOKS, ("jewellery", "Jewellery")], postcode="N1 9EZ"
    )
    assert decision.needed and decision.reason == DeliveryCodeReason.CATEGORY
    assert decision.reason_text() == "it contains jewellery"


@pytest.mark.parametrize("postcode", ["E1 6QE", "e16qe", " E1  6QE "])
def test_an_area_on_the_list_needs_a_code(postcode, settings):
    settings.ORDERS_CODE_AREAS = ["E1"]
    decision = delivery_code_decision(total=Decimal("9.00"), categories=BOOKS, postcode=postcode)
    assert decision.needed and decision.reason == DeliveryCodeReason.AREA and decision.detail == "E1"


@pytest.mark.parametrize("postcode", ["E14 2BB", "SE1 7PB", "E"])
def test_a_district_is_matched_whole_not_by_prefix(postcode, settings):
    settings.ORDERS_CODE_AREAS = ["E1"]
    assert not delivery_code_decision(total=Decimal("9.00"), categories=BOOKS, postcode=postcode).needed


def test_thresholds_are_settings(settings):
    settings.ORDERS_CODE_MIN_TOTAL = Decimal("20.00")
    settings.ORDERS_CODE_CATEGORIES = ["books"]
    assert delivery_code_decision(total=Decimal("25"), categories=[], postcode="").reason == DeliveryCodeReason.TOTAL
    assert (
        delivery_code_decision(total=Decimal("5"), categories=BOOKS, postcode="").reason == DeliveryCodeReason.CATEGORY
    )


@pytest.mark.parametrize(("postcode", "district"), [("SW1A 1AA", "SW1A"), ("m8 9ab", "M8"), ("N17", "N17")])
def test_postcode_district(postcode, district):
    assert postcode_district(postcode) == district
