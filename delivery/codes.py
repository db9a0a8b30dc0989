"""Delivery codes: one live code per delivery attempt, 6 digits from `secrets`, valid to the end of that day.

Kept on the shipment encrypted (the owner's order page shows it again) and as a keyed hash (the handoff checks it).
"""

import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.crypto import encrypt_text, keyed_hash
from config.ratelimit import limit_hit
from delivery.days import delivery_day_end, delivery_today
from delivery.models import Shipment, ShipmentEvent
from delivery.notify import code_send, shopper_tell


class CodeRenewRefused(Exception):
    """Why a new code cannot be made now, in words for the shopper."""


def _hash(*, shipment: Shipment, code: str) -> str:
    return keyed_hash(code, purpose=f"delivery-code:{shipment.pk}:{shipment.attempt}")


def code_attach(*, shipment: Shipment) -> str:
    """Give a locked, out-for-delivery shipment a new code (the previous one is void). Returns the code to send."""
    code = f"{secrets.randbelow(10**settings.DELIVERY_CODE_DIGITS):0{settings.DELIVERY_CODE_DIGITS}d}"
    shipment.code_ciphertext = encrypt_text(code)
    shipment.code_hash = _hash(shipment=shipment, code=code)
    shipment.code_expires_at = delivery_day_end(shipment.delivery_date)
    shipment.code_wrong_tries = 0
    return code


def code_void(*, shipment: Shipment) -> None:
    shipment.code_ciphertext = shipment.code_hash = ""
    shipment.code_expires_at = None


CODE_FIELDS = ["code_ciphertext", "code_hash", "code_expires_at", "code_wrong_tries"]


def code_matches(*, shipment: Shipment, code: str) -> bool:
    return bool(shipment.code_hash) and hmac.compare_digest(shipment.code_hash, _hash(shipment=shipment, code=code))


def _todays_code_shipment(*, shipment_id: int, user) -> Shipment:
    """The owner's shipment, locked, when it is out for delivery today with a code; refused in words otherwise."""
    shipment = Shipment.objects.for_change().filter(pk=shipment_id, order__user=user).first()
    if shipment is None or not (
        shipment.needs_code and shipment.can_hand_over() and shipment.delivery_date == delivery_today()
    ):
        raise CodeRenewRefused(
            _("There's no delivery today to make a code for. A code is sent when your parcel is out for delivery.")
        )
    return shipment


def _code_replace(*, shipment: Shipment, user, kind: str, request, extra_fields=()) -> Shipment:
    """A new code on the locked row: saved, one event, sent (the messages ride on the shipment for the page)."""
    code = code_attach(shipment=shipment)
    shipment.updated_at = timezone.now()
    shipment.save(update_fields=[*CODE_FIELDS, *extra_fields, "updated_at"])
    ShipmentEvent.objects.create(shipment=shipment, kind=kind, actor=user)
    # Not stored: which messages went where, so the page can say so truthfully (like Message.retry_after).
    shipment.code_messages = code_send(shipment=shipment, code=code, request=request)
    shopper_tell(shipment=shipment, event=kind)
    return shipment


def delivery_code_renew(*, shipment_id: int, user, request=None) -> Shipment:
    """The shopper asks for a new code for today's delivery: the old one dies, the new one is sent, they are told."""
    if not limit_hit("delivery_code_renew", str(shipment_id)).allowed:
        raise CodeRenewRefused(_("You've asked for several new codes already. Try again later, or contact us."))
    with transaction.atomic():
        shipment = _todays_code_shipment(shipment_id=shipment_id, user=user)
        if shipment.code_is_locked():
            # A new code now would give whoever is at the door five more guesses at this attempt.
            raise CodeRenewRefused(
                _(
                    "Today's code is locked, so the courier will keep your parcel. "
                    "We'll send you a new code when it next goes out for delivery."
                )
            )
        return _code_replace(shipment=shipment, user=user, kind=ShipmentEvent.Kind.CODE_RENEWED, request=request)


def delivery_code_unlock(*, shipment_id: int, user, request=None) -> Shipment:
    """The shopper (after step-up) replaces a locked code with a new one, once per delivery day: five more tries
    for whoever is at the door, so only the owner, only once, and they are told by email."""
    with transaction.atomic():
        shipment = _todays_code_shipment(shipment_id=shipment_id, user=user)
        if not shipment.code_is_locked():
            raise CodeRenewRefused(_("Today's code isn't locked, so there's nothing to unlock."))
        if shipment.code_unlocked_on == delivery_today():
            raise CodeRenewRefused(
                _(
                    "You've already unlocked today's code once, so the courier will keep your parcel. "
                    "We'll send you a new code when it next goes out for delivery, or you can contact us."
                )
            )
        shipment.code_unlocked_on = delivery_today()
        return _code_replace(
            shipment=shipment,
            user=user,
            kind=ShipmentEvent.Kind.CODE_UNLOCKED,
            request=request,
            extra_fields=["code_unlocked_on"],
        )
