"""Setting a new password: one function, so every way of doing it (change, reset, "This wasn't me") has the
same side effects, in one place."""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from security.alerts import security_record
from security.models import SecurityEvent
from security.streaks import failure_streak_clear
from security.throttles import password_throttle_clear
from security.trusted_devices import browsers_forget, trusted_devices_revoke


def password_set(*, user, new_password: str, request: HttpRequest | None, reason: str, keep_this_session: bool = False):
    """The new password: every session ends (or every other one, with `keep_this_session`), every trusted device
    is revoked and every browser forgotten, so each proves itself again; the counters a guesser of the old
    password drove are cleared; the event is recorded and the email and phone are told."""
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.session_version += 1
        user.save(update_fields=["password", "password_changed_at", "session_version"])
        trusted_devices_revoke(user=user, request=request)
        browsers_forget(user=user)
        failure_streak_clear(user=user)
        security_record(
            user=user,
            kind=SecurityEvent.Kind.PASSWORD_CHANGED,
            request=request,
            detail={"how": reason},
            sms_to=user.phone,
        )
    password_throttle_clear(email=user.email)
    if keep_this_session and request is not None:
        update_session_auth_hash(request, user)
