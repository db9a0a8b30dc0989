"""Celery tasks. They take a message id only: never a code, a number or an address."""

import logging

from celery import shared_task

from messaging.delivery import (
    DATABASE_ERRORS,
    database_connections_close,
    database_retry_delay,
    message_deliver,
    messages_sweep,
)

logger = logging.getLogger(__name__)
# Retries of one task while the database is away, about 6 minutes at most; then it waits for the sweeper.
DATABASE_MAX_RETRIES = 100


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> None:
    try:
        message_deliver(message_id=message_id)
    except DATABASE_ERRORS as error:
        # A message is claimed once only (queued -> sending), so trying again can never send it twice.
        database_connections_close()
        if self.request.is_eager or self.request.retries >= DATABASE_MAX_RETRIES:
            logger.warning("outbox: message %s left for the sweeper, database unavailable", message_id)
            return
        delay = database_retry_delay(self.request.retries + 1)
        logger.warning(
            "outbox: message %s retried in %.1fs, database unavailable (%s)", message_id, delay, type(error).__name__
        )
        raise self.retry(countdown=delay, max_retries=DATABASE_MAX_RETRIES) from None


@shared_task(ignore_result=True)
def sweep_outbox() -> None:
    try:
        messages_sweep()
    except DATABASE_ERRORS as error:
        database_connections_close()
        logger.warning("outbox sweep skipped, database unavailable (%s)", type(error).__name__)
