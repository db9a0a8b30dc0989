"""Recording what happened to an account."""

from django.conf import settings
from django.http import HttpRequest

from security.models import SecurityEvent


def client_ip(request: HttpRequest | None) -> str | None:
    # Behind the proxy, REMOTE_ADDR is the proxy; it appends the client as the last X-Forwarded-For entry.
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_PROXY else ""
    return (forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR")) or None


def event_record(*, user, kind: str, request: HttpRequest | None = None, **detail) -> SecurityEvent:
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        ip=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request else "")[:300],
        detail=detail,
    )


def recent_events(user, *, limit: int) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user)[:limit])


# Events an intruder could cause: each gets a "This wasn't me" link on the activity page.
COULD_BE_AN_INTRUDER = {
    "signin_new_device",
    "password_changed",
    "email_changed",
    "phone_changed",
    "method_added",
    "method_removed",
    "primary_changed",
    "two_step_off",
    "device_trusted",
    "card_added",
    "address_changed",
    "recovery_requested",
    "backup_code_used",
}
