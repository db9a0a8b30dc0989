"""Recording what happened to an account."""

from django.conf import settings
from django.http import HttpRequest

from security.models import SecurityEvent
from security.places import place_for_ip


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Each of our TRUSTED_PROXY_COUNT proxies appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right; anything further left was written by the
    client and is never trusted. With no trusted proxy (the default) the header is ignored."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def event_record(*, user, kind: str, request: HttpRequest | None = None, **detail) -> SecurityEvent:
    """One row of the account's history; where the request came from is looked up now, once, and kept in it."""
    ip = client_ip(request)
    if place := place_for_ip(ip):
        detail = {**detail, "place": place}
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        ip=ip,
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
