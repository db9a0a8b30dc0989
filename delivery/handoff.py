"""The courier's handoff at the door: no code, no handoff.

Every check happens under the shipment's row lock, so two taps at once complete it once and wrong tries are
counted exactly. Wrong codes are also counted per courier across all their shipments: guessing stands out and stops.
"""

import contextlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.ratelimit import limit_hit, limit_peek, limit_refund
from delivery.codes import CODE_FIELDS, code_matches, code_void
from delivery.models import Shipment, ShipmentEvent
from delivery.notify import shopper_tell

logger = logging.getLogger(__name__)
COURIER_LIMIT = "handoff_wrong_code_per_courier"


class HandoffOutcome(StrEnum):
    DELIVERED = "delivered"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"  # too many wrong tries for this attempt's code
    NO_LIVE_CODE = "no_live_code"  # expired with its day, or voided
    COURIER_PAUSED = "courier_paused"  # too many wrong codes across this courier's shipments
    ALREADY_DELIVERED = "already_delivered"
    NOT_OUT = "not_out"  # not out for delivery (yet, or any more)


@dataclass(frozen=True)
class HandoffResult:
    outcome: HandoffOutcome
    shipment: Shipment
    tries_left: int = 0
    retry_after: int = 0


def code_normalize(code: str) -> str:
    """What the courier typed, without spaces or dashes; only 6 digits is a code at all."""
    return re.sub(r"[\s-]", "", code or "")


def shipment_mark_delivered(*, shipment_id: int, courier, code: str = "", photo=None) -> HandoffResult:
    """Complete the handoff of the courier's own shipment: with the right code, or with none if none is needed.
    A proof `photo` (a prepared file from delivery.proof) is stored only when the handoff succeeds.

    Raises Shipment.DoesNotExist for a shipment that is not this courier's.
    """
    stored: list[str] = []  # a photo written to storage inside the transaction, to remove should it not commit
    try:
        return _mark_delivered(shipment_id=shipment_id, courier=courier, code=code, photo=photo, stored=stored)
    except BaseException:
        storage = Shipment._meta.get_field("proof_photo").storage
        for name in stored:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise


def _mark_delivered(*, shipment_id: int, courier, code: str, photo, stored: list[str]) -> HandoffResult:
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id, courier=courier)
        if shipment.status == Shipment.Status.DELIVERED:
            return HandoffResult(HandoffOutcome.ALREADY_DELIVERED, shipment)
        if not shipment.can_hand_over():
            return HandoffResult(HandoffOutcome.NOT_OUT, shipment)
        if shipment.needs_code:
            if shipment.code_is_locked():
                return HandoffResult(HandoffOutcome.LOCKED, shipment)
            if not shipment.code_is_live():
                return HandoffResult(HandoffOutcome.NO_LIVE_CODE, shipment)
            # Count the try against the courier before comparing, in one atomic step: tries at several of their
            # shipments at once (each under its own row lock) cannot all slip under the allowance together.
            allowance = limit_hit(COURIER_LIMIT, str(courier.pk))  # a refused try is not counted
            if not allowance.allowed:
                return HandoffResult(HandoffOutcome.COURIER_PAUSED, shipment, retry_after=allowance.retry_after)
            if not code_matches(shipment=shipment, code=code_normalize(code)):
                return _wrong_code(shipment=shipment, courier=courier, allowance=allowance)
            limit_refund(COURIER_LIMIT, str(courier.pk))  # only wrong codes count
        shipment.status = Shipment.Status.DELIVERED
        shipment.delivered_at = shipment.updated_at = timezone.now()
        code_void(shipment=shipment)
        fields = ["status", "delivered_at", "updated_at", *CODE_FIELDS]
        if photo is not None:
            shipment.proof_photo.save(photo.name, photo, save=False)  # the name comes from proof_photo_path
            stored.append(shipment.proof_photo.name)
            fields.append("proof_photo")
        shipment.save(update_fields=fields)
        ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.DELIVERED, actor=courier)
        shopper_tell(shipment=shipment, event="delivered")
    return HandoffResult(HandoffOutcome.DELIVERED, shipment)


def _wrong_code(*, shipment: Shipment, courier, allowance) -> HandoffResult:
    shipment.code_wrong_tries += 1
    shipment.save(update_fields=["code_wrong_tries"])
    ShipmentEvent.objects.create(
        shipment=shipment,
        kind=ShipmentEvent.Kind.WRONG_CODE,
        actor=courier,
        detail=f"{shipment.code_wrong_tries} of {settings.DELIVERY_CODE_TRIES}",
    )
    paused = allowance.remaining == 0  # this wrong code used up the courier's allowance: exactly one does
    if paused:
        ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.COURIER_PAUSED, actor=courier)
        logger.warning("handoff: courier %s paused after too many wrong delivery codes", courier.pk)
    if shipment.code_is_locked():
        ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.CODE_LOCKED, actor=courier)
        shopper_tell(shipment=shipment, event="code_locked", sms=True)
        return HandoffResult(HandoffOutcome.LOCKED, shipment)
    if paused:
        return HandoffResult(
            HandoffOutcome.COURIER_PAUSED, shipment, retry_after=limit_peek(COURIER_LIMIT, str(courier.pk)).retry_after
        )
    return HandoffResult(HandoffOutcome.WRONG_CODE, shipment, tries_left=shipment.code_tries_left())
