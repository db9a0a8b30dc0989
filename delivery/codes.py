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


def delivery_code_renew(*, shipment_id: int, user, request=None) -> Shipment:
    """The shopper asks for a new code for today's delivery: the old one dies, the new one is sent, they are told."""
    if not limit_hit("delivery_code_renew", str(shipment_id)).allowed:
        raise CodeRenewRefused(_("You've asked for several new codes already. Try again later, or contact us."))
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id, order__user=user)
        if not (shipment.needs_code and shipment.can_hand_over() and shipment.delivery_date == delivery_today()):
            raise CodeRenewRefused(
                _("There's no delivery today to make a code for. A code is sent when your parcel is out for delivery.")
            )
        if shipment.code_is_locked():
            # A new code now would give whoever is at the door five more guesses at this attempt.
            raise CodeRenewRefused(
                _(
                    "Today's code is locked, so the courier will keep your parcel. "
                    "We'll send you a new code when it next goes out for delivery."
                )
            )
        code = code_attach(shipment=shipment)
        shipment.updated_at = timezone.now()
        shipment.save(update_fields=[*CODE_FIELDS, "updated_at"])
        ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.CODE_RENEWED, actor=user)
        code_send(shipment=shipment, code=code, request=request)
        shopper_tell(shipment=shipment, event="code_renewed")
    return shipment
