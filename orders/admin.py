from django.contrib import admin

from orders.models import Category, Order, OrderLine, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "price", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "summary")
    prepopulated_fields = {"slug": ("name",)}


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("product_name", "unit_price", "quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are records of what was bought: read here, changed only through their shipment."""

    list_display = ("number", "user", "created_at", "total", "needs_delivery_code", "delivery_code_reason")
    list_filter = ("needs_delivery_code", "delivery_code_reason", "created_at")
    search_fields = ("=id", "user__email", "ship_postcode", "ship_name")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    readonly_fields = (
        "user",
        "created_at",
        "total",
        "ship_name",
        "ship_line1",
        "ship_line2",
        "ship_city",
        "ship_postcode",
        "ship_country",
        "card_label",
        "needs_delivery_code",
        "delivery_code_reason",
        "delivery_code_detail",
    )
    fields = readonly_fields

    @admin.display(description="Number", ordering="id")
    def number(self, order: Order) -> str:
        return order.number

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
