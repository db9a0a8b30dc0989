"""Shipments in the admin: assign a courier, mark shipped, send out for delivery (which makes and sends the code),
see each shipment's events. No admin page ever shows a delivery code."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from delivery.models import Shipment, ShipmentEvent
from delivery.shipments import (
    ASSIGNABLE,
    ShipmentStateError,
    shipment_assign_courier,
    shipment_mark_returned,
    shipment_mark_shipped,
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


def _each(modeladmin, request, queryset, transition, done: str) -> None:
    succeeded = 0
    for shipment in queryset:
        try:
            transition(shipment_id=shipment.pk, actor=request.user)
        except ShipmentStateError as refusal:
            modeladmin.message_user(request, str(refusal), messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} shipment(s) {done}.", messages.SUCCESS)


@admin.action(description="Mark shipped")
def mark_shipped(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, shipment_mark_shipped, "marked shipped")


@admin.action(description="Send out for delivery today (makes and sends the delivery code)")
def send_out(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, shipment_send_out, "sent out for delivery")


@admin.action(description="Mark returned to sender")
def mark_returned(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, shipment_mark_returned, "marked returned")


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "order_link", "status", "courier", "delivery_date", "attempt", "needs_code")
    list_filter = ("status", "needs_code", "delivery_date", "courier")
    search_fields = ("=order__id", "order__user__email", "order__ship_postcode")
    list_select_related = ("order", "courier")
    actions = [mark_shipped, send_out, mark_returned]
    inlines = [ShipmentEventInline]
    # The code fields are not editable and never listed: not even admins see a delivery code.
    fields = (
        "order_link",
        "courier",
        "status",
        "needs_code",
        "attempt",
        "delivery_date",
        "failure_reason",
        "delivered_at",
        "code_state",
    )
    readonly_fields = (
        "order_link",
        "status",
        "needs_code",
        "attempt",
        "delivery_date",
        "failure_reason",
        "delivered_at",
        "code_state",
    )

    @admin.display(description="Order")
    def order_link(self, shipment: Shipment) -> str:
        url = reverse("admin:orders_order_change", args=[shipment.order_id])
        return format_html('<a href="{}">{}</a>', url, order_number(shipment.order_id))

    @admin.display(description="Delivery code")
    def code_state(self, shipment: Shipment) -> str:
        if not shipment.needs_code:
            return "Not needed"
        if shipment.code_is_locked():
            return "Locked after wrong tries (the shopper can get a new one)"
        if shipment.code_is_live():
            return f"Sent to the shopper; {shipment.code_tries_left()} tries left. Only the shopper can see it."
        return "None live (one is made when it goes out for delivery)"

    def get_readonly_fields(self, request, obj=None):
        # A courier can be (re)assigned until the parcel is on its way, not while it is out or done.
        assignable = obj is not None and obj.status in ASSIGNABLE
        return self.readonly_fields if assignable else ("courier", *self.readonly_fields)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        # The courier is the only field an admin edits here; it changes through its transition, with its event.
        if "courier" in form.changed_data and obj.courier is not None:
            try:
                shipment_assign_courier(shipment_id=obj.pk, courier=obj.courier, actor=request.user)
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
