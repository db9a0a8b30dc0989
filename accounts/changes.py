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


def email_change(*, user, new_email: str, request: HttpRequest) -> None:
    """The new address is proved; the old one is told where the account's email went."""
    from security.display import mask_email

    old_email = user.email
    with transaction.atomic():
        user.email = new_email
        user.save(update_fields=["email"])
        event_record(user=user, kind=SecurityEvent.Kind.EMAIL_CHANGED, request=request)
        alert_send(
            user=user, event="email_changed", request=request, email_to=old_email, new_contact=mask_email(new_email)
        )


def phone_change(*, user, new_phone: str, request: HttpRequest) -> None:
    """The new number is proved; where the old one was a 2SV method, the method moves with it. The old number and
    the email are told."""
    from security.display import mask_phone
    from security.models import PhoneDevice

    old_phone = user.phone
    with transaction.atomic():
        user.phone = new_phone
        user.save(update_fields=["phone"])
        if old_phone:
            PhoneDevice.objects.filter(user=user, number=old_phone).update(
                number=new_phone, name=f"Phone {new_phone[-4:]}"
            )
        trusted_devices_revoke(user=user, request=request)
        event_record(user=user, kind=SecurityEvent.Kind.PHONE_CHANGED, request=request)
        alert_send(
            user=user, event="phone_changed", request=request, sms_to=old_phone, new_contact=mask_phone(new_phone)
        )
