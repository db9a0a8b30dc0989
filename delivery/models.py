import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.crypto import decrypt_text
from orders.models import order_number


def parcel_number(shipment_id: int) -> str:
    """How couriers and shoppers see a parcel: letters first, like an order number, never mistaken for a code."""
    return f"PCL-{shipment_id:05d}"


def proof_photo_path(shipment: "Shipment", filename: str) -> str:
    """Where a proof-of-delivery photo is stored: a random name, so no path can be guessed from a parcel number."""
    return f"proof/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class ShipmentQuerySet(models.QuerySet):
    def for_change(self) -> "ShipmentQuerySet":
        """Locked for a change (the shipment's row only), with the order and people the change reads."""
        return self.select_for_update(of=("self",)).select_related("order__user", "courier")


class Shipment(models.Model):
    """The parcel of one order on its way to the door. Its live delivery code (if the order needs one) is kept
    here, encrypted for showing to the shopper and as a keyed hash for checking; a new attempt replaces it."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        SHIPPED = "shipped", _("Shipped")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        ATTEMPT_FAILED = "attempt_failed", _("Delivery attempt failed")
        RETURNED = "returned", _("Returned")

    class FailureReason(models.TextChoices):
        CUSTOMER_UNAVAILABLE = "customer_unavailable", _("Nobody was available")
        CODE_NOT_AVAILABLE = "code_not_available", _("The delivery code was not available")
        CODE_LOCKED = "code_locked", _("The delivery code was locked after too many wrong tries")
        REFUSED = "refused", _("The parcel was refused")

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="shipment")
    courier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deliveries",
        null=True,
        blank=True,
        limit_choices_to={"is_courier": True},
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREPARING)
    needs_code = models.BooleanField(_("needs a delivery code"))
    attempt = models.PositiveSmallIntegerField(_("delivery attempt"), default=0)
    delivery_date = models.DateField(_("delivery day"), null=True, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=24, choices=FailureReason.choices, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The live code of this attempt. Empty when there is none (not out, delivered, or voided).
    code_ciphertext = models.TextField(blank=True, editable=False)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_wrong_tries = models.PositiveSmallIntegerField(default=0, editable=False)
    # The one unlock a shopper may make of a locked code, on that delivery day (after step-up).
    code_unlocked_on = models.DateField(null=True, blank=True, editable=False)
    # The courier's day: the stop on the route the admin set, and the window the shopper is told.
    route_position = models.PositiveSmallIntegerField(_("stop on the route"), null=True, blank=True)
    window_start = models.TimeField(_("delivery window from"), null=True, blank=True)
    window_end = models.TimeField(_("delivery window until"), null=True, blank=True)
    # What the shopper asked for before the parcel went out: another day, and instructions for the courier.
    requested_date = models.DateField(_("delivery day asked for"), null=True, blank=True)
    instructions = models.CharField(_("delivery instructions"), max_length=300, blank=True)
    # What the courier added at the door: a note on a failed attempt, a photo on a handoff.
    failure_note = models.CharField(_("courier's note"), max_length=300, blank=True)
    proof_photo = models.ImageField(_("proof of delivery"), upload_to=proof_photo_path, blank=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ("-updated_at", "-id")
        indexes = [models.Index(fields=["courier", "delivery_date"], name="shipment_courier_day")]

    def __str__(self) -> str:
        return _("Shipment of order %(number)s") % {"number": order_number(self.order_id)}

    @property
    def number(self) -> str:
        return parcel_number(self.pk)

    def can_hand_over(self) -> bool:
        return self.status == self.Status.OUT_FOR_DELIVERY

    def code_is_locked(self) -> bool:
        return self.code_wrong_tries >= settings.DELIVERY_CODE_TRIES

    def code_tries_left(self) -> int:
        return max(0, settings.DELIVERY_CODE_TRIES - self.code_wrong_tries)

    def code_is_live(self) -> bool:
        """A code the courier can still accept: made for this attempt, not expired, not locked."""
        return bool(
            self.code_hash
            and self.can_hand_over()
            and self.code_expires_at
            and timezone.now() < self.code_expires_at
            and not self.code_is_locked()
        )

    def timeline(self) -> list["ShipmentEvent"]:
        """The events a shopper is shown (not wrong tries or who the courier is), from the prefetched events."""
        return [event for event in self.events.all() if event.kind in ShipmentEvent.SHOPPER_KINDS]

    def code_for_owner(self) -> str:
        """The live code in the clear, for its owner's order page only (the caller checks who is asking)."""
        return decrypt_text(self.code_ciphertext) if self.code_is_live() else ""


class ShipmentEvent(models.Model):
    """What happened to a shipment, who did it and when. Append-only; never holds a code."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Order received, preparing")
        COURIER_ASSIGNED = "courier_assigned", _("Courier assigned")
        SHIPPED = "shipped", _("Shipped")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        CODE_RENEWED = "code_renewed", _("New delivery code made at the shopper's request")
        CODE_UNLOCKED = "code_unlocked", _("Locked delivery code replaced by the shopper")
        RESCHEDULED = "rescheduled", _("Delivery day changed by the shopper")
        INSTRUCTIONS = "instructions", _("Delivery instructions updated by the shopper")
        WRONG_CODE = "wrong_code", _("Wrong delivery code entered")
        CODE_LOCKED = "code_locked", _("Delivery code locked after too many wrong tries")
        COURIER_PAUSED = "courier_paused", _("Courier paused: too many wrong codes across deliveries")
        DELIVERED = "delivered", _("Delivered")
        ATTEMPT_FAILED = "attempt_failed", _("Delivery attempt failed")
        RETURNED = "returned", _("Returned to sender")

    SHOPPER_KINDS = frozenset(
        {
            Kind.OPENED,
            Kind.SHIPPED,
            Kind.OUT_FOR_DELIVERY,
            Kind.CODE_RENEWED,
            Kind.CODE_LOCKED,
            Kind.CODE_UNLOCKED,
            Kind.RESCHEDULED,
            Kind.INSTRUCTIONS,
            Kind.DELIVERED,
            Kind.ATTEMPT_FAILED,
            Kind.RETURNED,
        }
    )

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["kind", "-created_at"], name="shipment_event_kind_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
