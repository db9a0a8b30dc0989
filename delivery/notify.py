"""Telling the shopper about their delivery: the code itself, and what happened at the door."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from delivery.models import Shipment
from messaging.models import Channel
from messaging.outbox import message_queue
from security.events import client_ip


def _queue(*, shipment: Shipment, kind: str, context: dict, sms: bool, **options) -> None:
    """Email the order's owner, and text them too when `sms` and they have a phone."""
    user = shipment.order.user
    context = {
        "name": user.get_short_name(),
        "order_number": shipment.order.number,
        "order_path": reverse("orders:order", args=[shipment.order_id]),
        **context,
    }
    channels = [(Channel.EMAIL, user.email)] + ([(Channel.SMS, user.phone)] if sms and user.phone else [])
    for channel, destination in channels:
        message_queue(
            channel=channel,
            destination=destination,
            kind=kind,
            language=user.preferred_language,
            context=context,
            user=user,
            **options,
        )


def code_send(*, shipment: Shipment, code: str, request=None) -> None:
    """Send a new delivery code by SMS and email, worth sending until it expires at the end of its day."""
    _queue(
        shipment=shipment,
        kind="delivery_code",
        context={"code": code, "delivery_day": date_format(shipment.delivery_date, "l j F")},
        sms=True,
        request_ip=client_ip(request),
        expires_in=max(60, int((shipment.code_expires_at - timezone.now()).total_seconds())),
    )


def shopper_tell(*, shipment: Shipment, event: str, sms: bool = False) -> None:
    """Email the shopper what happened to their delivery (and text them when it is urgent)."""
    _queue(
        shipment=shipment,
        kind="delivery_update",
        context={"event": event, "reason": shipment.get_failure_reason_display()},
        sms=sms,
    )
