"""Celery tasks. They take a message id only: never a code, a number or an address."""

from celery import shared_task

from messaging.delivery import message_deliver, messages_sweep


@shared_task(acks_late=True, ignore_result=True)
def deliver_message(message_id: int) -> None:
    message_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> None:
    messages_sweep()
