"""Delivering a queued message: claim it under a lock, commit "sending", call the provider, record the outcome.

A message is sent at most once: a duplicate task finds it no longer queued, and a worker that dies after
claiming it leaves it "sending", which the sweeper turns into "unknown", never into a resend.

A database error before the provider is called leaves the message queued and propagates (the task is retried);
after it, the provider's answer is held in memory and written as soon as the database is back.

Workers are woken by a bell, not a task per message: a commit rings its queue's bell (a Redis key, set if absent,
which publishes one drain task), and the drain clears the bell before its first claim, then claims and sends the
queue's due messages a batch at a time until none is left. A commit that finds the bell already rung needs no task:
the drain it woke has not cleared the bell yet, so its claims will see the message. 2,000 messages committed at
once cost a handful of tasks instead of 2,000 (issue 20, docs/DECISIONS.md).

The Celery tasks are here too, beside the delivery they run and the retries and sweeps that publish them again, so
no import runs in a circle (messaging/tasks.py names them for Celery's autodiscovery).
"""

import contextlib
import json
import logging
import random
import smtplib
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import NamedTuple

import psycopg
import redis
from celery import current_app, shared_task, signals
from celery.worker import state as worker_state
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone

from config.crypto import decrypt_text
from messaging.backends.base import (
    AmbiguousSendError,
    Outgoing,
    PermanentSendError,
    SendError,
    TransientSendError,
    get_backend,
)
from messaging.callbacks import message_status_from_provider
from messaging.models import Channel, FailureReason, Message, Status
from messaging.rendering import render

logger = logging.getLogger(__name__)

# What a PostgreSQL restart or a cut connection raises: Django's wrappers, and psycopg's own outside them.
DATABASE_ERRORS = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def message_deliver(*, message_id: int) -> None:
    """Send one queued message, and only it (an eager task inside a web request; a test): claimed once (queued ->
    sending, committed) before the provider is called."""
    # Read first, then claim: a database error up to the claim leaves the message queued, safe to try again.
    message = Message.objects.filter(pk=message_id, status=Status.QUEUED).first()
    if message is None:
        return
    if not _claim(message):
        now = timezone.now()
        Message.objects.filter(pk=message_id, status=Status.QUEUED, expires_at__lte=now).update(
            status=Status.FAILED,
            failure_reason=FailureReason.EXPIRED,
            last_error="expired while queued",
            payload="",
            updated_at=now,
        )
        return
    # From here on the provider may have it: every outcome is recorded, whatever the database does.
    _outcomes_record([message], [_attempt(message)])


def outbox_drain(*, queue: str) -> int:
    """Send the due messages of a queue (codes or bulk), a batch at a time, until none is due; returns how many
    were claimed. Each batch is claimed once (queued -> sending, committed) and sent at once in sender threads."""
    claimed_count = 0
    while True:
        if _worker_stopping():
            # A warm shutdown (a deploy) waits for running tasks: stop between batches, and wake another worker
            # for what is still due.
            with contextlib.suppress(Exception):
                outbox_bell_ring(queue)
            return claimed_count
        places = _SENDERS.reserve(settings.MESSAGING_SEND_BATCH)
        if not places:
            # Every send place is held by this process's other drains, and each claims again once its sends are
            # answered: what is due now is theirs.
            return claimed_count
        try:
            batch = _claim_due(queue, limit=places)
        except BaseException:
            _SENDERS.release(places)
            raise
        _SENDERS.release(places - len(batch))
        if not batch:
            return claimed_count
        claimed_count += len(batch)
        if len(batch) == places:  # more may be due: another thread of a worker of this queue joins in
            with contextlib.suppress(Exception):  # a broker blip only means no help; this drain goes on
                outbox_bell_ring(queue)
        # From here on the provider may have them: every outcome is recorded, whatever the database does.
        futures: list[Future] = []
        try:
            try:
                for message in batch:
                    futures.append(_SENDERS.submit(_attempt, message))
            except BaseException:
                _handover_failed(queue, batch, futures)
                raise
            outcomes = [future.result() for future in futures]
        finally:
            _SENDERS.release(len(batch))
        _outcomes_record(batch, outcomes)


def _handover_failed(queue: str, batch: list[Message], futures: list[Future]) -> None:
    """A batch claimed but not all handed to sender threads (a process out of threads, a pool shut down): what
    never reached a sender was never sent, so it goes back to the queue instead of becoming "unknown"."""
    unsent = batch[len(futures) :]
    _write_when_database_is_back(partial(_claims_return, unsent), message_id=unsent[0].pk)
    _outcomes_record(batch[: len(futures)], [future.result() for future in futures])
    with contextlib.suppress(Exception):  # the sweeper republishes them otherwise
        outbox_bell_ring(queue)


def _claims_return(messages: list[Message]) -> None:
    """Undo the claim of messages no provider was called for: queued again, the attempt not counted."""
    Message.objects.filter(pk__in=[m.pk for m in messages], status=Status.SENDING).update(
        status=Status.QUEUED, attempts=F("attempts") - 1, updated_at=timezone.now()
    )
    for message in messages:
        message.status, message.attempts = Status.QUEUED, message.attempts - 1


def _worker_stopping() -> bool:
    """Whether this worker process was told to shut down (Celery sets an exit code, 0 for a warm shutdown)."""
    flags = (worker_state.should_stop, worker_state.should_terminate)
    return any(flag is not None and flag is not False for flag in flags)


def _outcomes_record(claimed: list[Message], outcomes: list["Attempt"]) -> None:
    sent = {m.pk: outcome.provider_id for m, outcome in zip(claimed, outcomes, strict=True) if outcome.sent}
    if sent:
        # The provider's ids first, on their own: with one, a callback or the sweeper can settle a message later.
        first = next(iter(sent))
        _write_when_database_is_back(partial(_store_provider_ids, sent), message_id=first)
        _write_when_database_is_back(partial(_finish_sent, list(sent)), message_id=first)
    for message, outcome in zip(claimed, outcomes, strict=True):
        if outcome.status == Status.QUEUED:
            _write_when_database_is_back(partial(_retry_later, message, outcome.error), message_id=message.pk)
        elif not outcome.sent:
            record = partial(_finish, message, outcome.status, reason=outcome.reason, error=outcome.error)
            _write_when_database_is_back(record, message_id=message.pk)


def _due(now) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now + timedelta(seconds=1)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def _claim(message: Message) -> bool:
    """Claim one message and commit "sending": a duplicate run, an early one, or another worker's claim matches
    nothing and sends nothing."""
    now = timezone.now()
    # One conditional UPDATE claims the row (a row lock for the statement).
    if not Message.objects.filter(_due(now), pk=message.pk).update(**_claimed(now)):
        return False
    message.status, message.attempts = Status.SENDING, message.attempts + 1
    return True


def _claim_due(queue: str, *, limit: int) -> list[Message]:
    """Claim up to `limit` due messages of a queue, oldest due first, and commit "sending"."""
    now = timezone.now()
    codes = Q(kind__in=settings.MESSAGING_CODE_KINDS)
    with transaction.atomic():
        # SKIP LOCKED: rows another worker is claiming at this moment are its own.
        batch = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(_due(now), codes if queue == CODES_QUEUE else ~codes)
            .order_by("next_attempt_at")[:limit]
        )
        if batch:
            Message.objects.filter(pk__in=[m.pk for m in batch], status=Status.QUEUED).update(**_claimed(now))
    for message in batch:
        message.status, message.attempts = Status.SENDING, message.attempts + 1
    return batch


def _claimed(now) -> dict:
    return {"status": Status.SENDING, "attempts": F("attempts") + 1, "updated_at": now}


class Attempt(NamedTuple):
    """What one call to the provider earned a claimed message: queued (again), sent, failed or unknown."""

    status: str
    provider_id: str = ""
    reason: str = ""
    error: str = ""

    @property
    def sent(self) -> bool:
        return self.status == Status.SENT


def _attempt(message: Message) -> Attempt:
    """Call the provider for a claimed message. Touches no database, so it can run in a sender thread."""
    try:
        return Attempt(Status.SENT, provider_id=_send(message))
    except TransientSendError as error:
        return Attempt(Status.QUEUED, error=str(error))
    except PermanentSendError as error:
        return Attempt(Status.FAILED, reason=error.reason, error=str(error))
    except AmbiguousSendError as error:
        return Attempt(Status.UNKNOWN, error=str(error))
    except Exception as error:  # a bug or an unclassified failure may have sent it: never resend blindly
        logger.exception("outbox: message %s failed unexpectedly", message.pk)
        return Attempt(Status.UNKNOWN, error=f"unexpected {type(error).__name__}")


class Senders:
    """The sends one worker process has in flight: at most MESSAGING_SEND_CONCURRENCY, in threads that only wait
    on the network (the drains' own threads keep the database connections)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._pool: ThreadPoolExecutor | None = None

    def reserve(self, wanted: int) -> int:
        """Take up to `wanted` free places; a claim never takes more messages than can be sent at once."""
        with self._lock:
            granted = max(0, min(wanted, settings.MESSAGING_SEND_CONCURRENCY - self._in_flight))
            self._in_flight += granted
            return granted

    def release(self, count: int) -> None:
        with self._lock:
            self._in_flight -= count

    def submit(self, function, *args) -> Future:
        with self._lock:
            if self._pool is None:
                workers = settings.MESSAGING_SEND_CONCURRENCY
                self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox-send")
        return self._pool.submit(function, *args)


_SENDERS = Senders()


def database_connections_close() -> None:
    """Drop this process's database connections after an error: the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # a connection the server already dropped
            connection.close()


def database_retry_delay(attempt: int) -> float:
    """About 0.5, 1, 2 ... s with jitter, at most MESSAGING_DATABASE_RETRY_MAX_SECONDS: a restart takes seconds."""
    return _jittered(min(settings.MESSAGING_DATABASE_RETRY_MAX_SECONDS, 0.5 * 2 ** (attempt - 1)))


def _write_when_database_is_back(write, *, message_id: int) -> None:
    """Run a write that records what the provider did, retrying database errors: the answer exists only here."""
    deadline = time.monotonic() + settings.MESSAGING_DATABASE_PATIENCE_SECONDS
    attempt = 0
    while True:
        try:
            write()
            return
        except DATABASE_ERRORS as error:
            database_connections_close()
            attempt += 1
            if time.monotonic() >= deadline:
                logger.error("outbox: message %s outcome not recorded, database unavailable", message_id)
                raise
            delay = database_retry_delay(attempt)
            logger.warning(
                "outbox: message %s outcome waits %.1fs for the database (%s)", message_id, delay, type(error).__name__
            )
            time.sleep(delay)


def _store_provider_ids(provider_ids: dict[int, str]) -> None:
    if len(provider_ids) == 1:
        ((message_id, provider_id),) = provider_ids.items()
        Message.objects.filter(pk=message_id, provider_id="").update(provider_id=provider_id)
        return
    # One statement for a batch (the ORM's Case/When cost more CPU than the sends it recorded).
    database = connections[Message.objects.db]
    table = database.ops.quote_name(Message._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(provider_ids))
    with database.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET provider_id = ids.sid FROM (VALUES {rows}) AS ids (pk, sid) "  # noqa: S608 -- placeholders only
            f"WHERE {table}.id = ids.pk AND {table}.provider_id = ''",
            [value for pair in provider_ids.items() for value in pair],
        )


def _finish_sent(message_ids: list[int]) -> None:
    """Record sends the provider accepted (their ids are stored): one statement for a batch."""
    now = timezone.now()
    Message.objects.filter(pk__in=message_ids, status__in=[Status.QUEUED, Status.SENDING, Status.UNKNOWN]).update(
        status=Status.SENT, sent_at=now, payload="", last_error="", updated_at=now
    )
    logger.info("outbox: message%s %s sent", "s" if len(message_ids) > 1 else "", ", ".join(map(str, message_ids)))


def _send(message: Message) -> str:
    context = json.loads(decrypt_text(message.payload))
    rendered = render(kind=message.kind, channel=message.channel, language=message.language, context=context)
    if message.channel == Channel.EMAIL:
        return _send_email(message, rendered)
    validity = int((message.expires_at - timezone.now()).total_seconds()) if message.expires_at else None
    outgoing = Outgoing(
        message_id=message.pk,
        channel=message.channel,
        to=message.destination,
        text=rendered.text,
        language=message.language,
        validity_seconds=max(60, validity) if validity is not None else None,
    )
    return get_backend().send(outgoing)


def _send_email(message: Message, rendered) -> str:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[message.destination],
        headers={"X-Deadbolt-Message": str(message.pk)},
    )
    email.attach_alternative(rendered.html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentSendError(FailureReason.INVALID_NUMBER, "recipient refused") from error
    except (ConnectionRefusedError, smtplib.SMTPConnectError, socket.gaierror) as error:
        raise TransientSendError(f"mail server unreachable: {type(error).__name__}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise AmbiguousSendError(f"mail server: {type(error).__name__}") from error
    return f"email-{message.pk}"


def _finish(message: Message, status: str, *, reason: str = "", error: str = "", provider_id: str = "") -> None:
    """Record the outcome. The payload is wiped once sent; kept (encrypted) until expiry otherwise, for a retry."""
    now = timezone.now()
    fields = {"status": status, "updated_at": now, "last_error": error[:500]}
    if reason:
        fields["failure_reason"] = reason
    if provider_id:
        fields["provider_id"] = provider_id
    if status == Status.SENT:
        fields["sent_at"] = now
        fields["payload"] = ""
    if reason == FailureReason.EXPIRED:
        fields["payload"] = ""
    # Conditional: a provider callback that already moved it on is not overwritten. "unknown" too: the sweeper
    # calls a send "unknown" when it outlasts MESSAGING_SENDING_STALE_SECONDS, as one waiting for the database may.
    Message.objects.filter(pk=message.pk, status__in=[Status.QUEUED, Status.SENDING, Status.UNKNOWN]).update(**fields)
    logger.info("outbox: message %s %s%s", message.pk, status, f" ({reason})" if reason else "")


def retry_delay(attempts: int) -> float:
    """Exponential back-off with jitter: about base·2ⁿ seconds, at most the configured cap."""
    return _jittered(
        min(settings.MESSAGING_RETRY_MAX_SECONDS, settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    )


def _jittered(ceiling: float) -> float:
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 -- jitter, not a secret


def _retry_later(message: Message, error: str) -> None:
    delay = retry_delay(message.attempts)
    due = timezone.now() + timedelta(seconds=delay)
    if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS or (message.expires_at and due >= message.expires_at):
        _finish(message, Status.FAILED, reason=FailureReason.EXPIRED, error=f"gave up after: {error}")
        return
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.QUEUED, next_attempt_at=due, last_error=error[:500], updated_at=timezone.now()
    )
    logger.info("outbox: message %s retry %s in %.1fs", message.pk, message.attempts, delay)
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # eager mode would retry at once; the sweeper picks it up
        message_publish(message.pk, kind=message.kind, countdown=delay)


def messages_retry(*, message_ids: list[int]) -> int:
    """Requeue failed messages that never reached the provider and are still worth sending (an admin's decision).
    Never an "unknown" one, nor one the provider accepted: it may have reached the person already."""
    now, requeued = timezone.now(), []
    with transaction.atomic():
        for message in Message.objects.select_for_update().filter(pk__in=message_ids):
            if message.can_be_retried(now):
                message.status, message.failure_reason, message.last_error = Status.QUEUED, "", ""
                message.next_attempt_at = message.updated_at = now
                message.save(update_fields=["status", "failure_reason", "last_error", "next_attempt_at", "updated_at"])
                requeued.append((message.pk, message.kind))
        for message_id, kind in requeued:
            transaction.on_commit(partial(message_publish, message_id, kind=kind))
    return len(requeued)


def messages_sweep() -> dict[str, int]:
    """Run by Celery beat: re-publish queued messages that are overdue (a broker outage or a lost task), mark
    messages stuck in "sending" unknown, ask the provider about unknown ones, and wipe the content of messages
    that are no longer worth sending."""
    now = timezone.now()
    overdue = now - timedelta(seconds=settings.MESSAGING_SWEEP_GRACE_SECONDS)
    due = list(
        Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", "kind")[: settings.MESSAGING_SWEEP_BATCH]
    )
    # Marked as handed over now, so the next sweep does not publish them again while they wait in the queue.
    Message.objects.filter(pk__in=[pk for pk, _kind in due], status=Status.QUEUED).update(next_attempt_at=now)
    published = sum(message_publish(message_id, kind=kind) for message_id, kind in due)

    stale = now - timedelta(seconds=settings.MESSAGING_SENDING_STALE_SECONDS)
    stuck = Message.objects.filter(status=Status.SENDING, updated_at__lte=stale).update(
        status=Status.UNKNOWN, last_error="worker stopped during the send", updated_at=now
    )
    expired = Message.objects.filter(status=Status.QUEUED, expires_at__lte=now).update(
        status=Status.FAILED, failure_reason=FailureReason.EXPIRED, payload="", updated_at=now
    )
    wiped = (
        Message.objects.exclude(payload="")
        .filter(status__in=[Status.FAILED, Status.UNKNOWN, Status.SENT, Status.DELIVERED])
        .filter(expires_at__lte=now)
        .update(payload="")
    )
    wiped += (
        Message.objects.exclude(payload="")
        .filter(status__in=[Status.FAILED, Status.UNKNOWN], expires_at__isnull=True)
        .filter(updated_at__lte=now - timedelta(days=1))
        .update(payload="")
    )
    counts = {
        "republished": published,
        "due": len(due),
        "stuck": stuck,
        "expired": expired,
        "wiped": wiped,
        "reconciled": messages_reconcile(now=now),
    }
    if any(counts.values()):
        logger.info("outbox sweep: %s", counts)
    return counts


def messages_reconcile(*, now) -> int:
    """Ask the provider what became of "unknown" messages it gave an id for, and move them on; never resend.
    Those without an id (the answer never came back) are left to the callback that carries our message id."""
    backend = get_backend()
    if not backend.fetches_status:
        return 0
    unsettled = list(
        Message.objects.filter(status=Status.UNKNOWN, channel__in=[Channel.SMS, Channel.VOICE])
        .exclude(provider_id="")
        .filter(updated_at__lte=now - timedelta(seconds=settings.MESSAGING_RECONCILE_AFTER_SECONDS))
        .filter(created_at__gte=now - timedelta(days=1))
        .order_by("updated_at")[: settings.MESSAGING_RECONCILE_BATCH]
    )
    settled = 0
    for message in unsettled:
        try:
            answer = backend.fetch_status(channel=message.channel, provider_id=message.provider_id)
        except SendError as error:
            logger.warning("outbox: reconciling stopped, provider unavailable (%s)", error)
            break
        # Asked: the next sweep asks again only MESSAGING_RECONCILE_AFTER_SECONDS later.
        Message.objects.filter(pk=message.pk, status=Status.UNKNOWN).update(updated_at=now)
        if answer and message_status_from_provider(
            message_id=message.pk,
            provider_id=message.provider_id,
            provider_status=answer.status,
            error_code=answer.error_code,
        ):
            settled += 1
            logger.info("outbox: message %s reconciled from the provider: %s", message.pk, answer.status)
    return settled


# Handing messages to workers -------------------------------------------------------------------------------

CODES_QUEUE = "codes"
# Retries of one task while the database is away, about 6 minutes at most; then it waits for the sweeper.
DATABASE_MAX_RETRIES = 100
tasks_logger = logging.getLogger("messaging.tasks")  # the tasks log under their module name, as before


def message_queue_name(kind: str) -> str:
    """The Celery queue for a kind of message: codes have their own, so no bulk message can hold one up."""
    return CODES_QUEUE if kind in settings.MESSAGING_CODE_KINDS else settings.CELERY_TASK_DEFAULT_QUEUE


def message_publish(message_id: int, *, kind: str, countdown: float | None = None) -> bool:
    """Hand a queued message to a worker of its kind's queue: ring the queue's bell, or (a retry's back-off, eager
    mode) publish a task for it. A broker outage leaves it queued for the sweeper: nothing is lost."""
    queue = message_queue_name(kind)
    try:
        if countdown is not None or settings.CELERY_TASK_ALWAYS_EAGER:
            deliver_message.apply_async((message_id,), countdown=countdown, retry=False, queue=queue)
        else:
            outbox_bell_ring(queue)
    except Exception as error:  # kombu and redis-py raise several types for a broker that is down or slow
        logger.warning("outbox: message %s stays queued, broker unavailable (%s)", message_id, type(error).__name__)
        return False
    return True


def outbox_bell_ring(queue: str) -> None:
    """Wake a worker of the queue: one drain task, unless a drain is already woken and has not cleared the bell
    yet (its first claim comes after that, so it sees every message committed before the bell was rung)."""
    bell = outbox_bell_key(queue)
    broker = _broker_redis()
    # The bell expires: should its task be lost (a broker restart), new messages ring again after that long.
    if not broker.set(bell, "1", nx=True, ex=settings.MESSAGING_BELL_SECONDS):
        return
    try:
        drain_outbox.apply_async((queue,), retry=False, queue=queue)
    except Exception:
        with contextlib.suppress(Exception):
            broker.delete(bell)  # no task is on its way: the next message must ring again
        raise


def outbox_bell_key(queue: str) -> str:
    return f"deadbolt:outbox-bell:{queue}"


_BROKER_CLIENTS: dict[str, redis.Redis] = {}


def _broker_redis() -> redis.Redis:
    """The broker's Redis (the bells live beside the queues they wake), with the broker's short timeouts."""
    url = current_app.conf.broker_write_url or current_app.conf.broker_url
    client = _BROKER_CLIENTS.get(url)
    if client is None:
        timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
        client = _BROKER_CLIENTS.setdefault(
            url, redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        )
    return client


# The tasks take a message id or a queue's name only: never a code, a number or an address. Their names are the
# ones routes, beat and tasks already in a broker know.
@shared_task(name="messaging.tasks.deliver_message", bind=True, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> None:
    """A message's own task (a retry after its back-off; eager mode). In a worker it drains the message's queue,
    so a redelivered or duplicate task sends nothing twice; eager, inside a web request, it sends only its own."""
    try:
        if self.request.is_eager:
            message_deliver(message_id=message_id)
            return
        kind = Message.objects.filter(pk=message_id).values_list("kind", flat=True).first()
        if kind is not None:
            outbox_drain(queue=message_queue_name(kind))
    except DATABASE_ERRORS as error:
        _retry_when_database_is_back(self, error, what=f"message {message_id}")


@shared_task(name="messaging.tasks.drain_outbox", bind=True, acks_late=True, ignore_result=True)
def drain_outbox(self, queue: str) -> None:
    """Rung by a commit: clear the queue's bell, then send what is due on it until nothing is."""
    try:
        _broker_redis().delete(outbox_bell_key(queue))  # from here on, every commit rings again
    except Exception as error:  # the bell expires on its own; draining now is safe either way
        tasks_logger.warning("outbox: the %s bell stays rung, broker unavailable (%s)", queue, type(error).__name__)
    try:
        outbox_drain(queue=queue)
    except DATABASE_ERRORS as error:
        _retry_when_database_is_back(self, error, what=f"the {queue} queue")


def _retry_when_database_is_back(task, error: Exception, *, what: str) -> None:
    """A task that met a database error tries again after a back-off, up to DATABASE_MAX_RETRIES times, then leaves
    its messages to the sweeper. A message is claimed once only (queued -> sending): trying again never sends twice."""
    database_connections_close()
    if task.request.is_eager or task.request.retries >= DATABASE_MAX_RETRIES:
        tasks_logger.warning("outbox: %s left for the sweeper, database unavailable", what)
        return
    delay = database_retry_delay(task.request.retries + 1)
    tasks_logger.warning("outbox: %s retried in %.1fs, database unavailable (%s)", what, delay, type(error).__name__)
    raise task.retry(countdown=delay, max_retries=DATABASE_MAX_RETRIES) from None


@signals.worker_ready.connect
def _backend_warm(**_kwargs) -> None:
    """A worker loads its provider's client before its first task, not during someone's first code."""
    get_backend().warm()


@shared_task(name="messaging.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    try:
        messages_sweep()
    except DATABASE_ERRORS as error:
        database_connections_close()
        tasks_logger.warning("outbox sweep skipped, database unavailable (%s)", type(error).__name__)
