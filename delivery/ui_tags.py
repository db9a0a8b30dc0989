"""Template helpers for the delivery part of the order page (registered as builtins in settings)."""

from datetime import time

from django import template
from django.conf import settings

from delivery.days import delivery_today
from delivery.doorstep import doorstep_can_change
from delivery.models import Shipment
from delivery.shopper_forms import InstructionsForm, RescheduleForm

register = template.Library()


@register.filter
def delivery_window(shipment) -> tuple[time, time] | None:
    """The window the shopper is told: the admin's for this shipment, else DELIVERY_WINDOW_DEFAULT."""
    if shipment is None:
        return None
    if shipment.window_start and shipment.window_end:
        return shipment.window_start, shipment.window_end
    start, end = settings.DELIVERY_WINDOW_DEFAULT
    return time.fromisoformat(start), time.fromisoformat(end)


@register.filter
def unlocked_today(shipment) -> bool:
    """The shopper has used today's one unlock of a locked code."""
    return shipment is not None and shipment.code_unlocked_on == delivery_today()


@register.simple_tag
def doorstep_forms(shipment) -> dict | None:
    """The owner's forms for another day and instructions, prefilled; None once the parcel is out or done."""
    if not doorstep_can_change(shipment):
        return None
    day = shipment.requested_date.isoformat() if shipment.requested_date else ""
    return {
        "reschedule": RescheduleForm(initial={"day": day}, auto_id="reschedule_%s"),
        "instructions": InstructionsForm(initial={"instructions": shipment.instructions}, auto_id="doorstep_%s"),
    }


@register.filter
def failure_reason(value: str) -> str:
    """A failed attempt's reason in the active language, from its code (older rows hold the English words)."""
    try:
        return Shipment.FailureReason(value).label
    except ValueError:
        return value
