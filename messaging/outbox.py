"""Writing a message to the outbox, in the caller's transaction, and handing it to a worker after commit."""

import json
import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from config.crypto import encrypt_text
from messaging.guards import Budget, destination_refusal, send_cap_refusal
from messaging.models import Message, Status
from messaging.rendering import templates_check
from messaging.sending import message_publish

logger = logging.getLogger(__name__)


def message_queue(
    *,
    channel: str,
    destination: str,
    kind: str,
    language: str,
    context: dict | None = None,
    user=None,
    request_ip: str | None = None,
    expires_in: int | None = None,
    budget: Budget = Budget.CODE,
) -> Message:
    """Queue one SMS, voice call or email. Returns the Message: queued, or failed and `was_refused` with a
    `failure_text` for the person when the destination or a send cap refuses it.

    `context` (a code, a name) is stored encrypted and never leaves the database in the clear.
    `expires_in` is how many seconds the content is worth sending (a code's lifetime). `budget` names whose caps
    the send draws on; a refused message carries `retry_after` (seconds, not stored) for the person's next step.
    """
    templates_check(kind=kind, channel=channel)
    now = timezone.now()
    context = dict(context or {})
    if expires_in:
        context.setdefault("minutes", max(1, expires_in // 60))
    message = Message(
        channel=channel,
        destination=destination,
        kind=kind,
        language=language,
        user=user,
        request_ip=request_ip,
        created_at=now,
        next_attempt_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
    )
    message.retry_after = 0
    refusal = destination_refusal(channel=channel, destination=destination)
    if refusal is None and (
        capped := send_cap_refusal(
            channel=channel,
            destination=destination,
            budget=budget,
            account=str(user.pk) if user is not None else "",
            request_ip=request_ip,
        )
    ):
        refusal, message.retry_after = capped
    if refusal:
        message.status, message.failure_reason = Status.FAILED, refusal
        message.save()
        logger.info("outbox: message %s refused: %s", message.pk, refusal)
        return message
    message.payload = encrypt_text(json.dumps(context))
    message.save()
    transaction.on_commit(partial(message_publish, message.pk, kind=kind))
    return message
