"""The cart: product ids and quantities in the session, priced from the catalog each time it is read."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from orders.models import Product

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def subtotal(self) -> Decimal:
        return self.product.price * self.quantity


def cart_lines(session) -> list[CartLine]:
    """The cart's lines for products still on sale, in one query; prices are today's, never the session's."""
    quantities = {int(pk): qty for pk, qty in session.get(SESSION_KEY, {}).items()}
    if not quantities:
        return []
    products = Product.objects.filter(pk__in=quantities, is_active=True).select_related("category")
    return [CartLine(product, quantities[product.pk]) for product in sorted(products, key=lambda p: p.name)]


def cart_total(lines: list[CartLine]) -> Decimal:
    return sum((line.subtotal for line in lines), Decimal("0.00"))


def cart_count(session) -> int:
    return sum(session.get(SESSION_KEY, {}).values())


def cart_set(session, *, product: Product, quantity: int, add: bool = False) -> int:
    """Set (or add to) a product's quantity, kept between 0 (removed) and ORDERS_CART_MAX_QUANTITY."""
    cart = dict(session.get(SESSION_KEY, {}))
    current = cart.get(str(product.pk), 0)
    quantity = max(0, min(settings.ORDERS_CART_MAX_QUANTITY, current + quantity if add else quantity))
    if quantity:
        cart[str(product.pk)] = quantity
    else:
        cart.pop(str(product.pk), None)
    session[SESSION_KEY] = cart
    return quantity


def cart_clear(session) -> None:
    session.pop(SESSION_KEY, None)
