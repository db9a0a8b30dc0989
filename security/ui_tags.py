"""Template filters for security's things (registered as builtins in settings)."""

from django import template

from security.display import method_label as label

register = template.Library()


@register.filter
def method_label(device) -> str:
    return label(device) if device else ""
