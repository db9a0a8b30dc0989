"""Celery tasks. They take a message id or a queue's name only: never a code, a number or an address.

They are defined in messaging/sending.py, beside the delivery they run and the retries and sweeps that publish
them again; this module names them for Celery's autodiscovery (and keeps their names, messaging.tasks.…).
"""

from messaging.sending import DATABASE_MAX_RETRIES, deliver_message, drain_outbox, sweep_outbox

__all__ = ["DATABASE_MAX_RETRIES", "deliver_message", "drain_outbox", "sweep_outbox"]
