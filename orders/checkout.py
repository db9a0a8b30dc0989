"""Placing an order from the cart, with a saved address and a saved card record (no payment is taken)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.cart import CartLine, cart_total
from orders.models import Order, OrderLine
from orders.rules import CodeDecision, delivery_code_decision


class CheckoutError(Exception):
    """Why an order could not be placed, in words for the shopper."""


def basket_code_decision(*, lines: list[CartLine], postcode: str) -> CodeDecision:
    """The delivery-code rule applied to a basket going to `postcode`."""
    return delivery_code_decision(
        total=cart_total(lines),
        categories=[(line.product.category.slug, line.product.category.name) for line in lines],
        postcode=postcode,
    )


def order_place(*, user, lines: list[CartLine], address, card, checkout_token: str) -> tuple[Order, bool]:
    """Place the order; returns (order, created). The same `checkout_token` twice returns the first order."""
    if existing := Order.objects.filter(checkout_token=checkout_token, user=user).first():
        return existing, False
    if not lines:
        raise CheckoutError(_("Your basket is empty."))
    if address.user_id != user.pk or card.user_id != user.pk:
        raise CheckoutError(_("Choose one of your own addresses and cards."))
    total = cart_total(lines)
    decision = basket_code_decision(lines=lines, postcode=address.postcode)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                user=user,
                total=total,
                ship_name=address.full_name,
                ship_line1=address.line1,
                ship_line2=address.line2,
                ship_city=address.city,
                ship_postcode=address.postcode.upper(),
                ship_country=address.country,
                card_label=str(card),
                needs_delivery_code=decision.needed,
                delivery_code_reason=decision.reason,
                delivery_code_detail=decision.detail,
                checkout_token=checkout_token,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=line.product,
                    product_name=line.product.name,
                    unit_price=line.product.price,
                    quantity=line.quantity,
                )
                for line in lines
            )
            for hook in settings.ORDERS_PLACED_HOOKS:
                import_string(hook)(order=order)
    except IntegrityError:
        # Two submits of one checkout page at once: the other one placed it. Anything else is a real error.
        if existing := Order.objects.filter(checkout_token=checkout_token, user=user).first():
            return existing, False
        raise
    return order, True
