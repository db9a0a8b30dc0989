"""Provider status callbacks: move a message's status forward only, whatever order they arrive in."""

import logging

from django.db import transaction
from django.utils import timezone

from messaging.backends.twilio import PERMANENT_ERRORS
from messaging.models import STATUS_RANK, FailureReason, Message, Status

logger = logging.getLogger(__name__)

# Twilio MessageStatus and CallStatus values, as callbacks and fetches give them. Any word that shows Twilio has the
# message means it was sent (accepted); the rest of Twilio's words ("receiving", "partially_delivered") tell us
# nothing for an outgoing message.
TWILIO_STATUSES = {
    "accepted": Status.SENT,
    "scheduled": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
    "initiated": Status.SENT,
    "ringing": Status.SENT,
    "in-progress": Status.SENT,
    "completed": Status.DELIVERED,
    "busy": Status.FAILED,
    "no-answer": Status.FAILED,
    "canceled": Status.FAILED,
}


def message_status_from_provider(
    *, provider_status: str, provider_id: str = "", error_code: str = "", message_id: int | None = None
) -> bool:
    """Apply one callback (or the provider's answer to a fetch). Returns whether the message changed; repeats and
    late arrivals change nothing.

    With `message_id` (our id, from the callback's URL) the message is found even before its provider id was
    recorded, which the callback then fills in; without it (callbacks named before issue 13), by provider id.
    """
    status = TWILIO_STATUSES.get(provider_status)
    if message_id is None and not provider_id:
        return False
    with transaction.atomic():
        found = Message.objects.select_for_update()
        message = found.filter(pk=message_id).first() if message_id is not None else None
        if message_id is None and status is not None:
            message = found.filter(provider_id=provider_id).first()
        if message is None:
            return False
        if provider_id and message.provider_id and provider_id != message.provider_id:
            logger.warning("callback: message %s has another provider id than the callback's", message.pk)
            return False
        fields = []
        if provider_id and not message.provider_id:
            message.provider_id = provider_id
            fields.append("provider_id")
        if status is not None and STATUS_RANK[status] > STATUS_RANK[message.status]:
            now = timezone.now()
            message.status, message.updated_at, message.payload = status, now, ""
            fields += ["status", "updated_at", "payload"]
            if status in {Status.SENT, Status.DELIVERED} and message.sent_at is None:
                message.sent_at = now
                fields.append("sent_at")
            if status == Status.DELIVERED:
                message.delivered_at = now
                fields.append("delivered_at")
            if status == Status.FAILED:
                code = int(error_code) if error_code.isdigit() else None
                message.failure_reason = PERMANENT_ERRORS.get(code, FailureReason.UNDELIVERED)
                message.last_error = f"provider reported {provider_status}" + (f" (error {error_code})" if code else "")
                fields += ["failure_reason", "last_error"]
        if not fields:
            return False
        message.save(update_fields=fields)
    return True
