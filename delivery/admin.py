"""Shipments in the admin: assign a courier, mark shipped, send out for delivery (which makes and sends the code),
see each shipment's events. No admin page ever shows a delivery code."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from delivery.forms import ShipmentAdminForm
from delivery.models import Shipment, ShipmentEvent
from delivery.shipments import (
    ASSIGNABLE,
    ShipmentStateError,
    shipment_assign_courier,
    shipment_mark_returned,
    shipment_mark_shipped,
    shipment_plan_stop,
    shipment_send_out,
)
from orders.models import order_number


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    fields = ("created_at", "kind", "actor", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _each(modeladmin, request, queryset, transition, done) -> None:
    """Run `transition` on each selected shipment; `done` (a plural message with %(count)d) says how many moved."""
    succeeded = 0
    for shipment in queryset:
        try:
            transition(shipment_id=shipment.pk, actor=request.user)
        except ShipmentStateError as refusal:
            modeladmin.message_user(request, str(refusal), messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done % {"count": succeeded}, messages.SUCCESS)


@admin.action(description=gettext_lazy("Mark shipped"))
def mark_shipped(modeladmin, request, queryset):
    done = ngettext_lazy("%(count)d shipment marked shipped.", "%(count)d shipments marked shipped.", "count")
    _each(modeladmin, request, queryset, shipment_mark_shipped, done)


@admin.action(description=gettext_lazy("Send out for delivery today (makes and sends the delivery code)"))
def send_out(modeladmin, request, queryset):
    done = ngettext_lazy(
        "%(count)d shipment sent out for delivery.", "%(count)d shipments sent out for delivery.", "count"
    )
    _each(modeladmin, request, queryset, shipment_send_out, done)


@admin.action(description=gettext_lazy("Mark returned to sender"))
def mark_returned(modeladmin, request, queryset):
    done = ngettext_lazy("%(count)d shipment marked returned.", "%(count)d shipments marked returned.", "count")
    _each(modeladmin, request, queryset, shipment_mark_returned, done)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    form = ShipmentAdminForm
    list_display = (
        "__str__",
        "parcel",
        "order_link",
        "status",
        "courier",
        "delivery_date",
        "route_position",
        "window_start",
        "window_end",
        "attempt",
        "needs_code",
    )
    # An admin orders a courier's route from the list: filter by courier and day, then number the stops.
    list_editable = ("route_position", "window_start", "window_end")
    list_filter = ("status", "needs_code", "delivery_date", "courier")
    search_fields = ("=order__id", "order__user__email", "order__ship_postcode")
    list_select_related = ("order", "courier")
    actions = [mark_shipped, send_out, mark_returned]
    inlines = [ShipmentEventInline]
    # The code fields are not editable and never listed: not even admins see a delivery code.
    fields = (
        "parcel",
        "order_link",
        "courier",
        "route_position",
        "window_start",
        "window_end",
        "instructions",
        "status",
        "needs_code",
        "attempt",
        "delivery_date",
        "failure_reason",
        "failure_note",
        "delivered_at",
        "proof",
        "code_state",
    )
    readonly_fields = (
        "parcel",
        "instructions",
        "order_link",
        "status",
        "needs_code",
        "attempt",
        "delivery_date",
        "failure_reason",
        "failure_note",
        "delivered_at",
        "proof",
        "code_state",
    )

    @admin.display(description=gettext_lazy("Parcel"), ordering="pk")
    def parcel(self, shipment: Shipment) -> str:
        return shipment.number

    @admin.display(description=gettext_lazy("Proof of delivery"))
    def proof(self, shipment: Shipment) -> str:
        if not shipment.proof_photo:
            return _("No photo")
        url = reverse("delivery:proof_photo", args=[shipment.order_id])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="240"></a>', url, url, _("Proof-of-delivery photo")
        )

    @admin.display(description=gettext_lazy("Order"))
    def order_link(self, shipment: Shipment) -> str:
        url = reverse("admin:orders_order_change", args=[shipment.order_id])
        return format_html('<a href="{}">{}</a>', url, order_number(shipment.order_id))

    @admin.display(description=gettext_lazy("Delivery code"))
    def code_state(self, shipment: Shipment) -> str:
        if not shipment.needs_code:
            return _("Not needed")
        if shipment.code_is_locked():
            return _("Locked after wrong tries (the shopper can unlock it once that day)")
        if shipment.code_is_live():
            return _("Sent to the shopper; %(left)d tries left. Only the shopper can see it.") % {
                "left": shipment.code_tries_left()
            }
        return _("None live (one is made when it goes out for delivery)")

    def get_readonly_fields(self, request, obj=None):
        # A courier can be (re)assigned until the parcel is on its way, not while it is out or done.
        assignable = obj is not None and obj.status in ASSIGNABLE
        return self.readonly_fields if assignable else ("courier", *self.readonly_fields)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        # Each edit goes through its function: the courier through its transition (with its event), the stop
        # and window through shipment_plan_stop. Nothing else is saved from the form.
        try:
            if "courier" in form.changed_data and obj.courier is not None:
                shipment_assign_courier(shipment_id=obj.pk, courier=obj.courier, actor=request.user)
            if {"route_position", "window_start", "window_end"} & set(form.changed_data):
                shipment_plan_stop(
                    shipment_id=obj.pk,
                    route_position=obj.route_position,
                    window_start=obj.window_start,
                    window_end=obj.window_end,
                )
        except ShipmentStateError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)


@admin.register(ShipmentEvent)
class ShipmentEventAdmin(admin.ModelAdmin):
    """Every shipment's events in one place: filter by "Wrong delivery code" or "Courier paused" to spot guessing."""

    list_display = ("created_at", "shipment", "kind", "actor", "detail")
    list_filter = ("kind", "created_at")
    search_fields = ("=shipment__order__id", "actor__email")
    list_select_related = ("shipment", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
