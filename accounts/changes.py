"""Sensitive changes to an account, each behind step-up in its view, recorded and alerted here."""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from security.alerts import alert_send
from security.events import event_record
from security.models import SecurityEvent
from security.trusted_devices import trusted_devices_revoke


def password_change(*, user, new_password: str, request: HttpRequest, keep_this_session: bool) -> None:
    """A new password: every other session ends (the password is in the session hash) and every trusted device
    is revoked; this session stays signed in only when the person asks."""
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        trusted_devices_revoke(user=user, request=request)
        event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=request)
        alert_send(user=user, event="password_changed", request=request, sms_to=user.phone)
    if keep_this_session:
        update_session_auth_hash(request, user)
