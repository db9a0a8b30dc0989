"""Account recovery for someone who has lost every 2SV method and has no backup code.

The password and the email are proved first; then nothing happens for SECURITY_RECOVERY_WAIT_SECONDS while every
contact on file is told and anyone can cancel. Only after that can a sign-in (password and email code again)
reset 2SV.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from security.alerts import alert_send, security_record
from security.events import client_ip, event_record
from security.methods import db_datetime, two_step_disable
from security.models import PhoneDevice, RecoveryRequest, SecurityEvent

CANCEL_SALT = "deadbolt.security.recovery-cancel"


def recovery_open(user) -> RecoveryRequest | None:
    return RecoveryRequest.objects.filter(user=user, cancelled_at__isnull=True, completed_at__isnull=True).first()


def recovery_ready_and_two_step_on(user) -> tuple[bool, bool]:
    """After the password: whether the account's open recovery has waited long enough, and whether 2SV is on
    (as security.methods.two_step_is_on), in one statement, for the sign-in's next step."""
    with connection.cursor() as cursor:
        cursor.execute(RECOVERY_AND_TWO_STEP, [user.pk] * 3)
        ready_at, two_step_on = cursor.fetchone()
    ready_at = db_datetime(ready_at)
    return ready_at is not None and timezone.now() >= ready_at, bool(two_step_on)


RECOVERY_AND_TWO_STEP = """
SELECT
  (SELECT ready_at FROM security_recoveryrequest
   WHERE user_id = %s AND cancelled_at IS NULL AND completed_at IS NULL ORDER BY created_at DESC LIMIT 1),
  EXISTS (SELECT 1 FROM security_authenticatordevice WHERE user_id = %s AND confirmed AND is_primary)
  OR EXISTS (SELECT 1 FROM security_phonedevice WHERE user_id = %s AND confirmed AND is_primary)
"""


def recovery_request(*, user, request: HttpRequest) -> RecoveryRequest:
    """Start the wait (or return the one already running) and tell every contact on file."""
    with transaction.atomic():
        existing = recovery_open(user)
        if existing is not None:
            return existing
        recovery = RecoveryRequest.objects.create(
            user=user,
            ready_at=timezone.now() + timedelta(seconds=settings.SECURITY_RECOVERY_WAIT_SECONDS),
            ip=client_ip(request),
        )
        security_record(
            user=user,
            kind=SecurityEvent.Kind.RECOVERY_REQUESTED,
            request=request,
            cancel_token=recovery_cancel_token(recovery),
        )
        phones = set(PhoneDevice.objects.filter(user=user, confirmed=True).values_list("number", flat=True))
        if user.phone:
            phones.add(user.phone)
        for number in sorted(phones):
            alert_send(user=user, event="recovery_requested", request=request, sms_to=number, email=False)
    return recovery


def recovery_cancel_token(recovery: RecoveryRequest) -> str:
    return signing.dumps({"recovery": recovery.pk}, salt=CANCEL_SALT, compress=True)


def recovery_from_cancel_token(token: str) -> RecoveryRequest | None:
    try:
        recovery_id = signing.loads(token, salt=CANCEL_SALT, max_age=settings.SECURITY_RECOVERY_WAIT_SECONDS + 86400)
    except signing.BadSignature:
        return None
    return RecoveryRequest.objects.filter(pk=recovery_id.get("recovery")).first()


def recovery_cancel(*, recovery: RecoveryRequest, request: HttpRequest) -> bool:
    updated = RecoveryRequest.objects.filter(
        pk=recovery.pk, cancelled_at__isnull=True, completed_at__isnull=True
    ).update(cancelled_at=timezone.now())
    if updated:
        security_record(user=recovery.user, kind=SecurityEvent.Kind.RECOVERY_CANCELLED, request=request)
    return bool(updated)


def recovery_complete(*, user, request: HttpRequest) -> bool:
    """Reset 2SV when the user's request has waited its time. False when there is none ready."""
    with transaction.atomic():
        recovery = (
            RecoveryRequest.objects.select_for_update()
            .filter(user=user, cancelled_at__isnull=True, completed_at__isnull=True)
            .first()
        )
        if recovery is None or not recovery.is_ready():
            return False
        recovery.completed_at = timezone.now()
        recovery.save(update_fields=["completed_at"])
        two_step_disable(user=user, request=request, reason="account recovery after the waiting period")
        event_record(user=user, kind=SecurityEvent.Kind.RECOVERY_COMPLETED, request=request)
    return True
