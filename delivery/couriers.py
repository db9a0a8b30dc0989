"""Reading a courier's day."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from delivery.days import delivery_today
from delivery.models import Shipment


def shipments_for_courier_today(courier) -> QuerySet[Shipment]:
    """The courier's shipments on today's delivery day: still to hand over first, then the rest, by postcode."""
    return (
        Shipment.objects.filter(courier=courier, delivery_date=delivery_today())
        .select_related("order")
        .annotate(
            done=Case(
                When(status=Shipment.Status.OUT_FOR_DELIVERY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("done", "order__ship_postcode", "pk")
    )
