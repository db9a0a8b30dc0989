"""Template filters for the shop's own things (registered as builtins in settings)."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount: Decimal) -> str:
    return f"{settings.SHOP_CURRENCY_SYMBOL}{number_format(amount, 2, force_grouping=True)}"
