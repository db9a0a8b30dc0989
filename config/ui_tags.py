"""Template helpers shared by every page (registered as builtins in settings)."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.forms import BoundField
from django.utils.formats import number_format

register = template.Library()


@register.inclusion_tag("includes/field.html")
def form_field(field: BoundField) -> dict:
    """A labelled field whose input points at its help and error text (aria-describedby)."""
    help_id = f"{field.auto_id}_help" if field.help_text else ""
    error_id = f"{field.auto_id}_error" if field.errors else ""
    described_by = " ".join(filter(None, [error_id, help_id]))
    attrs = {"aria-describedby": described_by} if described_by else {}
    if field.field.required:
        attrs["required"] = True
    return {"field": field, "widget": field.as_widget(attrs=attrs), "help_id": help_id, "error_id": error_id}


@register.filter
def money(amount: Decimal) -> str:
    return f"{settings.SHOP_CURRENCY_SYMBOL}{number_format(amount, 2, force_grouping=True)}"


@register.filter
def method_label(device) -> str:
    from security.display import method_label as label

    return label(device) if device else ""
