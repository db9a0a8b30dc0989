"""Trusted devices ("Don't require codes on this device") and recognised browsers.

A trusted device is a random token in a cookie named for its user, so several accounts can share a browser
without mixing; the server keeps only the token's keyed hash. A recognised browser is weaker: a signed list of
which accounts have signed in on it, letting an account without 2SV skip the new-device code.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from user_agents import parse as parse_user_agent

from config.crypto import keyed_hash
from security.events import client_ip, event_record
from security.models import SecurityEvent, TrustedDevice

RECOGNISED_COOKIE = "deadbolt_seen"
RECOGNISED_SALT = "deadbolt.recognised-browser"


def _trusted_cookie_name(user) -> str:
    return "deadbolt_trusted_" + keyed_hash(str(user.pk), purpose="trusted-cookie-name")[:16]


def _cookie_options(max_age_days: int) -> dict:
    return {
        "max_age": max_age_days * 86400,
        "httponly": True,
        "secure": not settings.DEBUG,
        "samesite": "Lax",
    }


def device_name(request: HttpRequest) -> str:
    """ "Chrome on Android", "Firefox on Windows": what the person will recognise in their list."""
    agent = parse_user_agent(request.headers.get("User-Agent", ""))
    browser, system = agent.browser.family, agent.os.family
    if browser in {"Other", ""}:
        return "Unknown browser"
    return f"{browser} on {system}" if system not in {"Other", ""} else browser


def trusted_device_check(*, request: HttpRequest, user) -> TrustedDevice | None:
    """The user's active trusted device this browser holds, or None. A cookie that matches no device at all
    (forged) is recorded and counted as a wrong code; revoked, expired or other-user cookies count for nothing."""
    token = request.COOKIES.get(_trusted_cookie_name(user), "")
    if not token:
        return None
    device = TrustedDevice.objects.filter(token_hash=keyed_hash(token, purpose="trusted-device")).first()
    if device is None:
        from security.challenges import failure_streak_count

        event_record(user=user, kind=SecurityEvent.Kind.TRUSTED_COOKIE_FORGED, request=request)
        failure_streak_count(user=user)
        return None
    if device.user_id != user.pk or not device.is_active():
        return None
    TrustedDevice.objects.filter(pk=device.pk).update(last_used_at=timezone.now(), last_ip=client_ip(request))
    return device


def trusted_device_create(*, request: HttpRequest, response: HttpResponse, user) -> TrustedDevice:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    device = TrustedDevice.objects.create(
        user=user,
        token_hash=keyed_hash(token, purpose="trusted-device"),
        name=device_name(request),
        created_at=now,
        last_used_at=now,
        last_ip=client_ip(request),
        expires_at=now + timedelta(days=settings.SECURITY_TRUSTED_DEVICE_DAYS),
    )
    response.set_cookie(_trusted_cookie_name(user), token, **_cookie_options(settings.SECURITY_TRUSTED_DEVICE_DAYS))
    event_record(user=user, kind=SecurityEvent.Kind.DEVICE_TRUSTED, request=request, device=device.name)
    return device


def trusted_devices_for(user) -> list[TrustedDevice]:
    now = timezone.now()
    return list(TrustedDevice.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now))


def trusted_devices_revoke(*, user, request: HttpRequest | None, device_id: int | None = None) -> int:
    """Revoke one of the user's trusted devices, or all of them when `device_id` is None."""
    with transaction.atomic():
        devices = TrustedDevice.objects.filter(user=user, revoked_at__isnull=True)
        if device_id is not None:
            devices = devices.filter(pk=device_id)
        count = devices.update(revoked_at=timezone.now())
        if count:
            event_record(user=user, kind=SecurityEvent.Kind.DEVICES_REVOKED, request=request, count=count)
    return count


def browser_is_recognised(*, request: HttpRequest, user) -> bool:
    return _recognised_marker(user) in _recognised_markers(request)


def browser_recognise(*, request: HttpRequest, response: HttpResponse, user) -> None:
    markers = [m for m in _recognised_markers(request) if m != _recognised_marker(user)]
    markers = [_recognised_marker(user), *markers][:10]
    response.set_signed_cookie(
        RECOGNISED_COOKIE,
        ".".join(markers),
        salt=RECOGNISED_SALT,
        **_cookie_options(settings.SECURITY_RECOGNISED_DEVICE_DAYS),
    )


def _recognised_marker(user) -> str:
    return keyed_hash(str(user.pk), purpose="recognised-browser")[:20]


def _recognised_markers(request: HttpRequest) -> list[str]:
    try:
        value = request.get_signed_cookie(
            RECOGNISED_COOKIE, salt=RECOGNISED_SALT, max_age=settings.SECURITY_RECOGNISED_DEVICE_DAYS * 86400
        )
    except (KeyError, signing.BadSignature):
        return []
    return value.split(".") if value else []
