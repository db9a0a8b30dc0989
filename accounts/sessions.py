"""Ending sessions."""

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest

from security.alerts import alert_send
from security.events import event_record
from security.models import SecurityEvent
from security.trusted_devices import browsers_forget, trusted_devices_revoke


def sessions_end_everywhere_else(*, request: HttpRequest, user) -> None:
    """Every other session of the user ends (the session version is in the auth hash) and every trusted device
    is revoked; this one stays signed in."""
    user.session_version += 1
    user.save(update_fields=["session_version"])
    update_session_auth_hash(request, user)
    trusted_devices_revoke(user=user, request=request)
    browsers_forget(user=user)
    event_record(user=user, kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, request=request)
    alert_send(user=user, event="signed_out_everywhere", request=request)


def account_secure_after_intrusion(*, user, request: HttpRequest) -> None:
    """ "This wasn't me", once the email is proved: every session ends, every trusted device is revoked and every
    browser forgotten."""
    user.session_version += 1
    user.save(update_fields=["session_version"])
    trusted_devices_revoke(user=user, request=request)
    browsers_forget(user=user)
    event_record(user=user, kind=SecurityEvent.Kind.INTRUSION_REPORTED, request=request)
