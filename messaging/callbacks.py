"""Provider status callbacks: move a message's status forward only, whatever order they arrive in."""

from django.db import transaction
from django.utils import timezone

from messaging.models import STATUS_RANK, FailureReason, Message, Status

# Twilio MessageStatus and CallStatus values that tell us something; others (queued, ringing, ...) do not.
TWILIO_STATUSES = {
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
    "completed": Status.DELIVERED,
    "busy": Status.FAILED,
    "no-answer": Status.FAILED,
    "canceled": Status.FAILED,
}


def message_status_from_provider(*, provider_id: str, provider_status: str, error_code: str = "") -> bool:
    """Apply one callback. Returns whether the message moved; repeats and late arrivals change nothing."""
    from messaging.backends.twilio import PERMANENT_ERRORS

    status = TWILIO_STATUSES.get(provider_status)
    if status is None or not provider_id:
        return False
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None or STATUS_RANK[status] <= STATUS_RANK[message.status]:
            return False
        now = timezone.now()
        message.status, message.updated_at, message.payload = status, now, ""
        fields = ["status", "updated_at", "payload"]
        if status == Status.DELIVERED:
            message.delivered_at = now
            fields.append("delivered_at")
        if status == Status.FAILED:
            code = int(error_code) if error_code.isdigit() else None
            message.failure_reason = PERMANENT_ERRORS.get(code, FailureReason.UNDELIVERED)
            message.last_error = f"provider reported {provider_status}" + (f" (error {error_code})" if code else "")
            fields += ["failure_reason", "last_error"]
        message.save(update_fields=fields)
    return True
