"""Demo orders for the embedded default (DEBUG only): one on its way with a code, one delivered, one preparing."""

from django.contrib.auth.base_user import AbstractBaseUser

from delivery.handoff import shipment_mark_delivered
from delivery.shipments import shipment_assign_courier, shipment_mark_shipped, shipment_send_out
from orders.cart import CartLine
from orders.checkout import order_place
from orders.models import Product

DEMO_ORDERS = (
    # product slugs, how far it gets
    (["aurora-noise-cancelling-headphones"], "out_for_delivery"),
    (["linen-tea-towels-set-of-three", "bread-every-day"], "delivered"),
    (["solstice-gold-hoop-earrings"], "preparing"),
)


def demo_orders_create(*, shopper: AbstractBaseUser, courier: AbstractBaseUser, admin: AbstractBaseUser) -> int:
    """Place the demo orders for a shopper who has none; returns how many were placed."""
    if shopper.orders.exists():
        return 0
    address, card = shopper.addresses.first(), shopper.payment_cards.first()
    products = Product.objects.select_related("category").in_bulk(field_name="slug")
    for number, (slugs, stage) in enumerate(DEMO_ORDERS):
        lines = [CartLine(products[slug], 1) for slug in slugs]
        order, _ = order_place(
            user=shopper, lines=lines, address=address, card=card, checkout_token=f"demo-{shopper.pk}-{number}"
        )
        if stage == "preparing":
            continue
        shipment_id = order.shipment.pk
        shipment_assign_courier(shipment_id=shipment_id, courier=courier, actor=admin)
        shipment_mark_shipped(shipment_id=shipment_id, actor=admin)
        shipment_send_out(shipment_id=shipment_id, actor=admin)
        if stage == "delivered":
            shipment_mark_delivered(shipment_id=shipment_id, courier=courier)
    return len(DEMO_ORDERS)
