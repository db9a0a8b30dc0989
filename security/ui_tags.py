"""Template filters for security's things (registered as builtins in settings)."""

from types import SimpleNamespace

from django import template

from security.display import method_label as label
from security.places import place_label
from security.trusted_devices import device_name

register = template.Library()


@register.filter
def method_label(device) -> str:
    return label(device) if device else ""


@register.filter
def event_place(event) -> str:
    """Where an event came from, as recorded with it: "London, United Kingdom", "this network", or ""."""
    if event.detail.get("by_admin"):  # support's own address is not where the account was used
        return ""
    return place_label(event.detail.get("place"), event.ip)


@register.filter
def event_device(event) -> str:
    """The browser an event came from, in words ("Firefox on Windows"), or ""."""
    if event.detail.get("by_admin"):
        return ""
    if named := event.detail.get("device"):
        return named
    return device_name(SimpleNamespace(headers={"User-Agent": event.user_agent})) if event.user_agent else ""
