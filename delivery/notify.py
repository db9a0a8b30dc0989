"""Telling the shopper about their delivery: the code itself, and what happened at the door.

Every delivery message draws on the delivery budget, so sign-in codes filling a phone's code cap never silence a
delivery code; the texts go to the account's mobile number (User.phone), the one number a shopper saves for them.
"""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.dates import day_label
from delivery.days import delivery_today
from delivery.models import Shipment
from messaging.guards import Budget
from messaging.models import Channel, Message, Status
from messaging.outbox import message_queue
from messaging.rendering import django_language
from security.display import mask_email, mask_phone
from security.events import client_ip


def _unbroken(masked: str) -> str:
    """A masked number whose dots never wrap away from its digits on a narrow phone."""
    return masked.replace(" ", "\u00a0")


def _queue(*, shipment: Shipment, kind: str, context: dict, sms: bool, **options) -> list[Message]:
    """Email the order's owner, and text them too when `sms` and they have a phone. Returns the messages queued
    (or refused), email first."""
    user = shipment.order.user
    context = {
        "name": user.get_short_name(),
        "order_number": shipment.order.number,
        "parcel_number": shipment.number,
        "order_path": reverse("orders:order", args=[shipment.order_id]),
        **context,
    }
    channels = [(Channel.EMAIL, user.email)] + ([(Channel.SMS, user.phone)] if sms and user.phone else [])
    return [
        message_queue(
            channel=channel,
            destination=destination,
            kind=kind,
            language=user.preferred_language,
            context=context,
            user=user,
            budget=Budget.DELIVERY,
            **options,
        )
        for channel, destination in channels
    ]


def code_send(*, shipment: Shipment, code: str, request=None) -> list[Message]:
    """Send a new delivery code by SMS and email, worth sending until it expires at the end of its day."""
    # The day is written in the shopper's language, not that of whoever sent the parcel out.
    with translation.override(django_language(shipment.order.user.preferred_language)):
        delivery_day = day_label(shipment.delivery_date)
    return _queue(
        shipment=shipment,
        kind="delivery_code",
        context={"code": code, "delivery_day": delivery_day},
        sms=True,
        request_ip=client_ip(request),
        expires_in=max(60, int((shipment.code_expires_at - timezone.now()).total_seconds())),
    )


def shopper_tell(*, shipment: Shipment, event: str, sms: bool = False) -> list[Message]:
    """Email the shopper what happened to their delivery (and text them when it is urgent)."""
    return _queue(
        shipment=shipment,
        kind="delivery_update",
        context={
            "event": event,
            "reason": shipment.failure_reason,  # words chosen in the message's language
            "can_unlock": shipment.code_unlocked_on != delivery_today(),  # a locked code's one unlock a day
        },
        sms=sms,
    )


def code_sent_words(sent: list[Message]) -> tuple[str, str]:
    """What the shopper is told about a code just sent: where it went, masked, and (else "") what was refused."""
    texted = [_unbroken(mask_phone(m.destination)) for m in sent if m.channel == Channel.SMS and not _refused(m)]
    emailed = [mask_email(m.destination) for m in sent if m.channel == Channel.EMAIL and not _refused(m)]
    if texted and emailed:
        went = _("We've texted it to %(phone)s and emailed it to %(email)s.") % {
            "phone": texted[0],
            "email": emailed[0],
        }
    elif texted:
        went = _("We've texted it to %(phone)s.") % {"phone": texted[0]}
    elif emailed:
        went = _("We've emailed it to %(email)s.") % {"email": emailed[0]}
    else:
        went = ""
    refused = [m for m in sent if _refused(m)]
    if not refused:
        return went, ""
    if len(refused) > 1:
        missed = _("We couldn't send it to you just now.")
    elif refused[0].channel == Channel.SMS:
        missed = _("We couldn't text it to %(phone)s just now.") % {
            "phone": _unbroken(mask_phone(refused[0].destination))
        }
    else:
        missed = _("We couldn't email it to %(email)s just now.") % {"email": mask_email(refused[0].destination)}
    return went, missed + " " + _("Your code is on this page: read it to the courier from here.")


def _refused(message: Message) -> bool:
    return message.was_refused or message.status == Status.FAILED
