"""Template helpers shared by every page (registered as builtins in settings; each app adds its own, as
`orders.ui_tags` and `security.ui_tags`)."""

from datetime import date, datetime

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import pgettext

from config.dates import day_label as _day_label

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
def day_label(day: date | None) -> str:
    """A day with its weekday in the active language's own order and format."""
    return _day_label(day) if day else ""


@register.filter
def sentence_end(text: str) -> str:
    """`text` ended as a sentence in the active language: a full stop in most, 。 in Japanese and Chinese."""
    text = str(text).strip()
    if not text or text.endswith((".", "!", "?", "\u3002", "\uff01", "\uff1f")):
        return text
    return text + pgettext("the mark that ends a sentence", ".")


@register.filter
def moment(value: str | datetime) -> str:
    """A moment (an ISO 8601 string, as messages store it, or a datetime) in the active language's date and time
    format, in the site's time zone with its abbreviation. Older messages hold words already: those pass through."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = timezone.localtime(value)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local:%Z}"
