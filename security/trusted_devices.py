"""Trusted devices ("Don't require codes on this device") and recognised browsers.

A browser holds one cookie, the same for every account signed in on it: a random token, signed, with a name
that says nothing about any account. The server keeps only the token's keyed hash, in a row per account:
a TrustedDevice (skips the code, 30 days) or a RecognisedBrowser (an account without 2SV skips the new-browser
code). A forged, altered or stale cookie is simply absent: it matches no row and changes nothing else.
"Sign out everywhere", a new password and "This wasn't me" forget both kinds of row.
"""

import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ua_parser import parse as parse_user_agent

from config.crypto import keyed_hash
from security.events import client_ip, event_record
from security.models import RecognisedBrowser, SecurityEvent, TrustedDevice

BROWSER_COOKIE = "deadbolt_browser"
BROWSER_SALT = "deadbolt.security.browser"


def _cookie_options() -> dict:
    days = max(settings.SECURITY_TRUSTED_DEVICE_DAYS, settings.SECURITY_RECOGNISED_DEVICE_DAYS)
    return {"max_age": days * 86400, "httponly": True, "secure": not settings.DEBUG, "samesite": "Lax"}


def _browser_token(request: HttpRequest) -> str | None:
    """This browser's token, when its cookie is present and carries our signature."""
    try:
        return request.get_signed_cookie(BROWSER_COOKIE, salt=BROWSER_SALT) or None
    except (KeyError, signing.BadSignature):
        return None


def _token_hash(token: str) -> str:
    return keyed_hash(token, purpose="browser")


def _browser_token_set(*, request: HttpRequest, response: HttpResponse) -> str:
    """The browser's token (a new one if it has none), with its cookie renewed on the response."""
    token = getattr(request, "_browser_token", None) or _browser_token(request)
    if token is None:
        token = request._browser_token_new = secrets.token_urlsafe(32)  # no row can hold it yet
    request._browser_token = token  # one token per response, even when several rows are made
    response.set_signed_cookie(BROWSER_COOKIE, token, salt=BROWSER_SALT, **_cookie_options())
    return token


def device_name(request: HttpRequest) -> str:
    """ "Chrome on Android", "Firefox on Windows": what the person will recognise in their list."""
    if (name := getattr(request, "_device_name", None)) is not None:
        return name  # parsing a user agent is costly, and a sign-in names its browser several times
    request._device_name = name = _device_name_parse(request)
    return name


def _device_name_parse(request: HttpRequest) -> str:
    agent = parse_user_agent(request.headers.get("User-Agent", ""))
    browser = agent.user_agent.family if agent.user_agent else ""  # None when no rule matches
    system = agent.os.family if agent.os else ""
    if browser in {"Other", ""}:
        return "Unknown browser"
    return f"{browser} on {system}" if system not in {"Other", ""} else browser


def trusted_device_check(*, request: HttpRequest, user) -> TrustedDevice | None:
    """The user's active trusted device this browser holds, or None."""
    token = _browser_token(request)
    if token is None:
        return None
    now = timezone.now()
    device = TrustedDevice.objects.filter(
        user=user, token_hash=_token_hash(token), revoked_at__isnull=True, expires_at__gt=now
    ).first()
    if device is not None:
        TrustedDevice.objects.filter(pk=device.pk).update(last_used_at=now, last_ip=client_ip(request))
    return device


def trusted_device_session_follow(*, request: HttpRequest, user) -> None:
    """After a sign-in on a trusted browser: its device now names this session, so removing the device from
    elsewhere signs this session out."""
    token = _browser_token(request)
    if token is not None:
        TrustedDevice.objects.filter(user=user, token_hash=_token_hash(token), revoked_at__isnull=True).update(
            session_key=request.session.session_key or ""
        )


def trusted_device_create(*, request: HttpRequest, response: HttpResponse, user) -> TrustedDevice:
    token = _browser_token_set(request=request, response=response)
    now = timezone.now()
    device = TrustedDevice.objects.create(
        user=user,
        token_hash=_token_hash(token),
        name=device_name(request),
        created_at=now,
        last_used_at=now,
        last_ip=client_ip(request),
        expires_at=now + timedelta(days=settings.SECURITY_TRUSTED_DEVICE_DAYS),
        session_key=request.session.session_key or "",
    )
    event_record(user=user, kind=SecurityEvent.Kind.DEVICE_TRUSTED, request=request, device=device.name)
    return device


def trusted_devices_for(user) -> list[TrustedDevice]:
    now = timezone.now()
    return list(TrustedDevice.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now))


def trusted_device_current(request: HttpRequest) -> int | None:
    """The id of the signed-in user's trusted device that is this browser (for "This device"), or None. Reads only."""
    token = _browser_token(request)
    if token is None or not request.user.is_authenticated:
        return None
    return (
        TrustedDevice.objects.filter(
            user=request.user, token_hash=_token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values_list("pk", flat=True)
        .first()
    )


def trusted_devices_revoke(
    *, user, request: HttpRequest | None, device_id: int | None = None, end_sessions: bool = False
) -> int:
    """Revoke one of the user's trusted devices, or all of them when `device_id` is None. With `end_sessions` (the
    person removed them), each removed browser's session ends too, except the one doing the removing."""
    with transaction.atomic():
        devices = TrustedDevice.objects.filter(user=user, revoked_at__isnull=True)
        if device_id is not None:
            devices = devices.filter(pk=device_id)
        session_keys = set(devices.exclude(session_key="").values_list("session_key", flat=True))
        count = devices.update(revoked_at=timezone.now())
        if end_sessions:
            store = import_module(settings.SESSION_ENGINE).SessionStore
            for session_key in session_keys - {request.session.session_key if request else None}:
                store(session_key=session_key).delete()
        if count:
            event_record(user=user, kind=SecurityEvent.Kind.DEVICES_REVOKED, request=request, count=count)
    return count


def browser_is_recognised(*, request: HttpRequest, user) -> bool:
    token = _browser_token(request)
    if token is None:
        return False
    known = request.__dict__.setdefault("_browsers_recognised", {})  # asked twice by a sign-in: once is enough
    if user.pk not in known:
        known[user.pk] = RecognisedBrowser.objects.filter(
            user=user, token_hash=_token_hash(token), forgotten_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    return known[user.pk]


def browser_recognise(*, request: HttpRequest, response: HttpResponse, user) -> None:
    """Remember that this account signed in on this browser (the code step proved it)."""
    token_hash = _token_hash(_browser_token_set(request=request, response=response))
    now = timezone.now()
    expires_at = now + timedelta(days=settings.SECURITY_RECOGNISED_DEVICE_DAYS)
    fresh = getattr(request, "_browser_token_new", None) == request._browser_token
    updated = not fresh and RecognisedBrowser.objects.filter(
        user=user, token_hash=token_hash, forgotten_at__isnull=True
    ).update(last_seen_at=now, expires_at=expires_at)
    if not updated:
        RecognisedBrowser.objects.create(
            user=user, token_hash=token_hash, name=device_name(request), last_seen_at=now, expires_at=expires_at
        )
    request.__dict__.pop("_browsers_recognised", None)  # the answer has changed


def browsers_forget(*, user) -> int:
    """Every browser the account signed in on must prove itself with a code again."""
    return RecognisedBrowser.objects.filter(user=user, forgotten_at__isnull=True).update(forgotten_at=timezone.now())
