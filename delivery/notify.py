"""Telling the shopper about their delivery: the code itself, and what happened at the door."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from delivery.models import Shipment
from messaging.models import Channel
from messaging.outbox import message_queue
from security.events import client_ip


def _context(shipment: Shipment) -> dict:
    order = shipment.order
    return {
        "name": order.user.get_short_name(),
        "order_number": order.number,
        "order_path": reverse("orders:order", args=[order.pk]),
    }


def code_send(*, shipment: Shipment, code: str, request=None) -> None:
    """Send a new delivery code by SMS (when the account has a phone) and by email, worth sending until it expires."""
    user = shipment.order.user
    expires_in = max(60, int((shipment.code_expires_at - timezone.now()).total_seconds()))
    context = {
        **_context(shipment),
        "code": code,
        "delivery_day": date_format(shipment.delivery_date, "l j F"),
    }
    channels = [(Channel.EMAIL, user.email)] + ([(Channel.SMS, user.phone)] if user.phone else [])
    for channel, destination in channels:
        message_queue(
            channel=channel,
            destination=destination,
            kind="delivery_code",
            language=user.preferred_language,
            context=context,
            user=user,
            request_ip=client_ip(request),
            expires_in=expires_in,
        )


def shopper_tell(*, shipment: Shipment, event: str, sms: bool = False) -> None:
    """Email the shopper what happened to their delivery (and text them when it is urgent)."""
    user = shipment.order.user
    context = {**_context(shipment), "event": event, "reason": shipment.get_failure_reason_display()}
    channels = [(Channel.EMAIL, user.email)] + ([(Channel.SMS, user.phone)] if sms and user.phone else [])
    for channel, destination in channels:
        message_queue(
            channel=channel,
            destination=destination,
            kind="delivery_update",
            language=user.preferred_language,
            context=context,
            user=user,
        )
