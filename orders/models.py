from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("category__position", "name")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=Decimal("0")), name="product_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orders:product", args=[self.slug])


class DeliveryCodeReason(models.TextChoices):
    NONE = "", _("not needed")
    TOTAL = "total", _("order total")
    CATEGORY = "category", _("high-value category")
    AREA = "area", _("delivery area")


def order_number(order_id: int) -> str:
    """How people see an order's id: letters first, so it is never mistaken for a 6-digit code."""
    return f"DB-{order_id:05d}"


def delivery_code_reason_words(reason: str, detail: str) -> str:
    """The delivery-code rule's decision in plain words, to follow "because"."""
    if reason == DeliveryCodeReason.TOTAL:
        return _("its total is %(threshold)s or more") % {"threshold": detail}
    if reason == DeliveryCodeReason.CATEGORY:
        return _("it contains %(category)s") % {"category": detail.lower()}
    if reason == DeliveryCodeReason.AREA:
        return _("deliveries to %(area)s need one") % {"area": detail}
    return ""


class Order(models.Model):
    """A placed order. The address and card are copied in: later edits to the saved ones do not rewrite history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    created_at = models.DateTimeField(_("placed"), default=timezone.now)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    ship_name = models.CharField(_("recipient"), max_length=150)
    ship_line1 = models.CharField(_("address line 1"), max_length=150)
    ship_line2 = models.CharField(_("address line 2"), max_length=150, blank=True)
    ship_city = models.CharField(_("town or city"), max_length=80)
    ship_postcode = models.CharField(_("postcode"), max_length=16)
    ship_country = models.CharField(_("country"), max_length=2)
    card_label = models.CharField(_("card"), max_length=40, help_text=_("Brand and last four digits only"))
    needs_delivery_code = models.BooleanField(_("needs a delivery code"))
    delivery_code_reason = models.CharField(
        _("why a code is needed"), max_length=10, choices=DeliveryCodeReason.choices, blank=True
    )
    delivery_code_detail = models.CharField(_("detail"), max_length=80, blank=True)
    # One per checkout page: a second submit of the same page finds this order instead of placing another.
    checkout_token = models.CharField(max_length=43, unique=True, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "-created_at"], name="order_user_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(needs_delivery_code=False, delivery_code_reason="")
                | models.Q(needs_delivery_code=True) & ~models.Q(delivery_code_reason=""),
                name="order_code_decision_has_reason",
            )
        ]

    def __str__(self) -> str:
        return _("Order %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("orders:order", args=[self.pk])

    @property
    def number(self) -> str:
        return order_number(self.pk)

    def recipient_first_name(self) -> str:
        return self.ship_name.split()[0] if self.ship_name.strip() else ""

    def delivery_code_reason_text(self) -> str:
        return delivery_code_reason_words(self.delivery_code_reason, self.delivery_code_detail)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(_("product"), max_length=120)
    unit_price = models.DecimalField(_("price each"), max_digits=10, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(_("quantity"))

    class Meta:
        ordering = ("id",)
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity
