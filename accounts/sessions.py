"""Ending sessions."""

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from security.alerts import security_record
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
    security_record(user=user, kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, request=request)


def account_secure_after_intrusion(*, user, request: HttpRequest, proved_email: str) -> None:
    """ "This wasn't me", once the address the alert went to is proved: every session ends, every trusted device
    is revoked and every browser forgotten. When that address is no longer the account's (an intruder changed
    it), it becomes the account's again: otherwise the next code, and the account, would go back to the intruder."""
    user.session_version += 1
    fields = ["session_version"]
    if proved_email and proved_email != user.email and not User.objects.filter(email=proved_email).exists():
        event_record(user=user, kind=SecurityEvent.Kind.EMAIL_CHANGED, request=request, how="not_me", restored=True)
        user.email, user.email_verified_at = proved_email, timezone.now()
        fields += ["email", "email_verified_at"]
    user.save(update_fields=fields)
    trusted_devices_revoke(user=user, request=request)
    browsers_forget(user=user)
    event_record(user=user, kind=SecurityEvent.Kind.INTRUSION_REPORTED, request=request)
