"""The rule that says an order needs a delivery code at the door. Its thresholds are settings (ORDERS_CODE_*)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from orders.models import DeliveryCodeReason, delivery_code_reason_words
from orders.ui_tags import money


@dataclass(frozen=True)
class CodeDecision:
    needed: bool
    reason: str = DeliveryCodeReason.NONE
    detail: str = ""  # the threshold, category name or postcode district that decided it

    def reason_text(self) -> str:
        return delivery_code_reason_words(self.reason, self.detail)


def postcode_district(postcode: str) -> str:
    """The outward code of a UK-style postcode ("e1 6an" -> "E1"); the whole of a short one."""
    compact = "".join(postcode.split()).upper()
    return compact[:-3] if len(compact) >= 5 else compact


def delivery_code_decision(*, total: Decimal, categories: Iterable[tuple[str, str]], postcode: str) -> CodeDecision:
    """Whether an order needs a code, and the first reason that applies: its value, a category, then its area.

    `categories` are (slug, name) pairs of the order's items.
    """
    if total >= settings.ORDERS_CODE_MIN_TOTAL:
        return CodeDecision(True, DeliveryCodeReason.TOTAL, money(settings.ORDERS_CODE_MIN_TOTAL))
    high_value = {slug.lower() for slug in settings.ORDERS_CODE_CATEGORIES}
    for slug, name in categories:
        if slug.lower() in high_value:
            return CodeDecision(True, DeliveryCodeReason.CATEGORY, name)
    district = postcode_district(postcode)
    if district in {area.upper() for area in settings.ORDERS_CODE_AREAS}:
        return CodeDecision(True, DeliveryCodeReason.AREA, district)
    return CodeDecision(False)
