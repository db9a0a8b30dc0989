"""Shipment transitions: each one function, under a row lock, writing one event (who, when, what).

preparing → shipped → out for delivery → delivered
                           ↘ attempt failed → out for delivery (a later day) … or → returned
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.codes import CODE_FIELDS, code_attach, code_void
from delivery.days import delivery_today
from delivery.models import Shipment, ShipmentEvent
from delivery.notify import code_send, shopper_tell

Status = Shipment.Status
ASSIGNABLE = (Status.PREPARING, Status.SHIPPED, Status.ATTEMPT_FAILED)  # a courier can be (re)assigned
NOTE_MAX = Shipment._meta.get_field("failure_note").max_length


class ShipmentStateError(Exception):
    """A transition that does not apply to the shipment as it is, in words for whoever asked."""


def _require(shipment: Shipment, *allowed: str) -> None:
    if shipment.status not in allowed:
        raise ShipmentStateError(
            _("That can't be done to %(shipment)s now. Its status: %(status)s.")
            % {"shipment": shipment, "status": shipment.get_status_display()}
        )


def _save(shipment: Shipment, fields: list[str], *, kind: str, actor, detail: str = "") -> None:
    shipment.updated_at = timezone.now()
    shipment.save(update_fields=[*fields, "updated_at"])
    ShipmentEvent.objects.create(shipment=shipment, kind=kind, actor=actor, detail=detail)


def shipment_open(*, order) -> Shipment:
    """A placed order's parcel starts preparing. Called inside the transaction that places the order."""
    shipment = Shipment.objects.create(order=order, needs_code=order.needs_delivery_code)
    ShipmentEvent.objects.create(shipment=shipment, kind=ShipmentEvent.Kind.OPENED, actor=order.user)
    return shipment


def shipment_assign_courier(*, shipment_id: int, courier, actor) -> Shipment:
    if not courier.is_courier:
        raise ShipmentStateError(_("%(person)s is not a courier.") % {"person": courier.email})
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id)
        _require(shipment, *ASSIGNABLE)
        shipment.courier = courier
        _save(
            shipment, ["courier"], kind=ShipmentEvent.Kind.COURIER_ASSIGNED, actor=actor, detail=courier.get_full_name()
        )
    return shipment


def shipment_mark_shipped(*, shipment_id: int, actor) -> Shipment:
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id)
        _require(shipment, Status.PREPARING)
        shipment.status = Status.SHIPPED
        _save(shipment, ["status"], kind=ShipmentEvent.Kind.SHIPPED, actor=actor)
    return shipment


def shipment_send_out(*, shipment_id: int, actor) -> Shipment:
    """Out for delivery today with its courier. An order that needs one gets a new code, sent by SMS and email."""
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id)
        _require(shipment, Status.SHIPPED, Status.ATTEMPT_FAILED)
        today = delivery_today()
        if shipment.courier is None:
            raise ShipmentStateError(_("Assign a courier to %(shipment)s first.") % {"shipment": shipment})
        if shipment.status == Status.ATTEMPT_FAILED and shipment.delivery_date and shipment.delivery_date >= today:
            raise ShipmentStateError(
                _("%(shipment)s failed an attempt today; it goes out again on the next delivery day.")
                % {"shipment": shipment}
            )
        shipment.status = Status.OUT_FOR_DELIVERY
        shipment.attempt += 1
        shipment.delivery_date = today
        shipment.failure_reason = shipment.failure_note = ""
        code = code_attach(shipment=shipment) if shipment.needs_code else ""
        _save(
            shipment,
            ["status", "attempt", "delivery_date", "failure_reason", "failure_note", *CODE_FIELDS],
            kind=ShipmentEvent.Kind.OUT_FOR_DELIVERY,
            actor=actor,
            detail=_("attempt %(attempt)d") % {"attempt": shipment.attempt},
        )
        if code:
            code_send(shipment=shipment, code=code)
        else:
            shopper_tell(shipment=shipment, event="out_for_delivery")
    return shipment


def shipment_attempt_failed(*, shipment_id: int, courier, reason: str, note: str = "") -> Shipment:
    """The courier could not hand the parcel over; the code dies with the attempt and the shopper is told.

    The event's detail is the reason (the shopper's timeline shows it); the courier's `note` is for staff only,
    kept on the shipment where the admin shows it.
    """
    note = " ".join(note.split())
    if reason not in Shipment.FailureReason.values:
        raise ShipmentStateError(_("Choose why the delivery failed."))
    if len(note) > NOTE_MAX:
        raise ShipmentStateError(_("Keep the note to %(max)d characters.") % {"max": NOTE_MAX})
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id, courier=courier)
        _require(shipment, Status.OUT_FOR_DELIVERY)
        Reason = Shipment.FailureReason
        if reason == Reason.CODE_LOCKED and not shipment.code_is_locked():
            raise ShipmentStateError(_("The code is not locked. Ask for the code, or choose another reason."))
        if reason in (Reason.CODE_LOCKED, Reason.CODE_NOT_AVAILABLE) and not shipment.needs_code:
            raise ShipmentStateError(_("This parcel needs no code. Choose another reason."))
        shipment.status = Status.ATTEMPT_FAILED
        shipment.failure_reason = reason
        shipment.failure_note = note
        code_void(shipment=shipment)
        _save(
            shipment,
            ["status", "failure_reason", "failure_note", *CODE_FIELDS],
            kind=ShipmentEvent.Kind.ATTEMPT_FAILED,
            actor=courier,
            detail=reason,  # the code: each reader sees the reason's words in their own language
        )
        shopper_tell(shipment=shipment, event="attempt_failed")
    return shipment


def shipment_mark_returned(*, shipment_id: int, actor) -> Shipment:
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id)
        _require(shipment, Status.ATTEMPT_FAILED)
        shipment.status = Status.RETURNED
        code_void(shipment=shipment)
        _save(shipment, ["status", *CODE_FIELDS], kind=ShipmentEvent.Kind.RETURNED, actor=actor)
        shopper_tell(shipment=shipment, event="returned")
    return shipment


def shipment_plan_stop(*, shipment_id: int, route_position: int | None, window_start, window_end) -> Shipment:
    """The admin places a parcel on its courier's route and sets the window the shopper is told; no status changes,
    so no event (Django's admin log records who did it)."""
    if (window_start is None) != (window_end is None) or (window_start and window_end <= window_start):
        raise ShipmentStateError(_("The delivery window must have a start and an end, and end after it starts."))
    with transaction.atomic():
        shipment = Shipment.objects.for_change().get(pk=shipment_id)
        shipment.route_position = route_position
        shipment.window_start, shipment.window_end = window_start, window_end
        shipment.save(update_fields=["route_position", "window_start", "window_end"])
    return shipment
