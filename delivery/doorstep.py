"""Not at home: before the parcel goes out, its owner may ask for another delivery day and leave instructions."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent

# Out for delivery, delivered or returned: the route is set or the parcel is gone, so nothing more is asked for.
CHANGEABLE = frozenset({Shipment.Status.PREPARING, Shipment.Status.SHIPPED, Shipment.Status.ATTEMPT_FAILED})


class DoorstepRefused(Exception):
    """Why the delivery cannot be changed now, in words for the shopper."""


def delivery_days_offered(today: date | None = None) -> list[date]:
    """The days a shopper may choose: from tomorrow (today's route is set), DELIVERY_RESCHEDULE_DAYS of them."""
    today = today or delivery_today()
    return [today + timedelta(days=offset) for offset in range(1, settings.DELIVERY_RESCHEDULE_DAYS + 1)]


def doorstep_can_change(shipment: Shipment | None) -> bool:
    return shipment is not None and shipment.status in CHANGEABLE


def _changeable_shipment(*, shipment_id: int, user) -> Shipment:
    shipment = Shipment.objects.for_change().filter(pk=shipment_id, order__user=user).first()
    if not doorstep_can_change(shipment):
        raise DoorstepRefused(_("Your parcel is already out for delivery or delivered, so this can't change now."))
    return shipment


def shipment_reschedule(*, shipment_id: int, user, day: date) -> Shipment:
    """The owner asks for another delivery day, one of those offered."""
    with transaction.atomic():
        shipment = _changeable_shipment(shipment_id=shipment_id, user=user)
        if day not in delivery_days_offered():
            raise DoorstepRefused(_("Choose one of the delivery days shown."))
        if shipment.requested_date == day:
            return shipment
        shipment.requested_date = day
        shipment.updated_at = timezone.now()
        shipment.save(update_fields=["requested_date", "updated_at"])
        ShipmentEvent.objects.create(
            shipment=shipment, kind=ShipmentEvent.Kind.RESCHEDULED, actor=user, detail=date_format(day, "Y-m-d")
        )
    return shipment


def shipment_instructions_set(*, shipment_id: int, user, instructions: str) -> Shipment:
    """The owner's instructions for the courier (where the door is, a bell that doesn't work), or none."""
    instructions = " ".join(instructions.split())
    if len(instructions) > Shipment._meta.get_field("instructions").max_length:
        raise DoorstepRefused(_("Keep your instructions to 300 characters."))
    with transaction.atomic():
        shipment = _changeable_shipment(shipment_id=shipment_id, user=user)
        if shipment.instructions == instructions:
            return shipment
        shipment.instructions = instructions
        shipment.updated_at = timezone.now()
        shipment.save(update_fields=["instructions", "updated_at"])
        ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.INSTRUCTIONS, actor=user)
    return shipment
