"""Reading a courier's day."""

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent

# What a courier is shown of a drop's history: what changes what they do at the door, never who the shopper is.
COURIER_KINDS = frozenset(
    {
        ShipmentEvent.Kind.OUT_FOR_DELIVERY,
        ShipmentEvent.Kind.CODE_RENEWED,
        ShipmentEvent.Kind.CODE_UNLOCKED,
        ShipmentEvent.Kind.INSTRUCTIONS,
        ShipmentEvent.Kind.WRONG_CODE,
        ShipmentEvent.Kind.CODE_LOCKED,
        ShipmentEvent.Kind.DELIVERED,
        ShipmentEvent.Kind.ATTEMPT_FAILED,
    }
)
COURIER_EVENTS_SHOWN = 6


def shipments_for_courier_today(courier) -> QuerySet[Shipment]:
    """The courier's shipments on today's delivery day: still to hand over first, in the route order the admin set
    (unplaced stops last, by postcode), then the finished ones (`done` = 1) the same way."""
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
        .order_by("done", F("route_position").asc(nulls_last=True), "order__ship_postcode", "pk")
    )


def shipment_events_for_courier(shipment: Shipment) -> list[ShipmentEvent]:
    """The drop's recent events a courier acts on (an unlock, a new code, new instructions), newest first."""
    events = shipment.events.filter(kind__in=COURIER_KINDS).order_by("-created_at", "-id")
    return list(events[:COURIER_EVENTS_SHOWN])
