"""Reading a shopper's orders. Only ever through the owner: anyone else's order does not exist for them."""

from django.db.models import QuerySet, Sum

from orders.models import Order


def orders_for_user(user) -> QuerySet[Order]:
    """The shopper's orders, newest first, each with its shipment and how many items it holds."""
    return (
        Order.objects.filter(user=user)
        .select_related("shipment")
        .annotate(item_count=Sum("lines__quantity"))
        .order_by("-created_at", "-id")  # an aggregate drops Meta.ordering
    )


def order_for_owner(*, user, order_id: int) -> Order:
    """One of the shopper's orders with its lines, shipment and the shipment's events. Order.DoesNotExist otherwise."""
    return (
        Order.objects.filter(user=user)
        .select_related("shipment")
        .prefetch_related("lines", "shipment__events")
        .get(pk=order_id)
    )
