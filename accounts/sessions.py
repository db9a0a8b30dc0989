"""Ending sessions, and the alert when a sign-in stops at the code step."""

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest

from config.ratelimit import limit_hit
from security.alerts import alert_send
from security.events import event_record
from security.models import SecurityEvent
from security.trusted_devices import trusted_devices_revoke


def sessions_end_everywhere_else(*, request: HttpRequest, user) -> None:
    """Every other session of the user ends (the session version is in the auth hash) and every trusted device
    is revoked; this one stays signed in."""
    user.session_version += 1
    user.save(update_fields=["session_version"])
    update_session_auth_hash(request, user)
    trusted_devices_revoke(user=user, request=request)
    event_record(user=user, kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, request=request)
    alert_send(user=user, event="signed_out_everywhere", request=request)


def signin_abandoned(*, user, request: HttpRequest | None) -> None:
    """The right password, then no code: someone may know it. Told at most once an hour."""
    event_record(user=user, kind=SecurityEvent.Kind.SIGNIN_CODE_ABANDONED, request=request)
    if limit_hit("password_maybe_known_alert", str(user.pk)).allowed:
        alert_send(user=user, event="password_maybe_known", request=request)
