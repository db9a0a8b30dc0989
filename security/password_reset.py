"""Password reset: a code to the email on file, a second factor for 2SV accounts, then a new password.

The request is answered the same way, with the same work on the web side, whether or not the email has an
account: a row and a task carrying its id. The task sends the code when there is one.
"""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from config.ratelimit import limit_hit
from security.alerts import alert_send
from security.challenges import challenge_issue
from security.events import client_ip, event_record
from security.models import Method, PasswordResetRequest, SecurityEvent
from security.trusted_devices import trusted_devices_revoke

PURPOSE = "password_reset"


def password_reset_request(*, email: str, request: HttpRequest) -> PasswordResetRequest | None:
    """Record a request and hand it to a worker; None when this email or network has asked too often."""
    from django.contrib.auth import get_user_model

    ip = client_ip(request)
    if not limit_hit("password_reset_per_email", email).allowed or (
        ip and not limit_hit("password_reset_per_ip", ip).allowed
    ):
        return None
    user = get_user_model().objects.filter(email=email, is_active=True).first()
    reset = PasswordResetRequest.objects.create(user=user, ip=ip)
    from security.tasks import send_password_reset_code

    transaction.on_commit(lambda: send_password_reset_code.delay(reset.pk))
    return reset


def password_reset_code_send(*, reset_id: int) -> None:
    """In a worker: send the code when the request names an account; do nothing otherwise."""
    reset = PasswordResetRequest.objects.select_related("user").filter(pk=reset_id).first()
    if reset is None or reset.user is None or reset.challenge_id:
        return
    sending = challenge_issue(user=reset.user, purpose=PURPOSE, method=Method.EMAIL)
    PasswordResetRequest.objects.filter(pk=reset.pk).update(challenge=sending.challenge)


def password_reset_complete(*, user, new_password: str, request: HttpRequest) -> None:
    """The new password: every session ends (the password is in the session hash), trusted devices are revoked,
    and the email and phone are told. Nobody is signed in."""
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.session_version += 1
        user.save(update_fields=["password", "password_changed_at", "session_version"])
        trusted_devices_revoke(user=user, request=request)
        event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=request, how="reset")
        alert_send(user=user, event="password_changed", request=request, sms_to=user.phone)
