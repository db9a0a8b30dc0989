"""Sends that do not wait on the network one at a time (issue 20): a worker claims a batch of due messages of its
queue and sends them at once, and the outbox's promises hold: each message claimed once, sent once, none lost."""

import threading
import time
from unittest import mock

import pytest
from django.db import connections

from messaging.backends import locmem
from messaging.models import Message, Status
from messaging.sending import message_deliver
from tests.messaging.real_worker import number, queue_sms, status, wait_for

BACKLOG = 40


def queue_unpublished(numbers, *, kind: str = "code") -> list[Message]:
    """Messages in the outbox whose tasks have not reached a worker yet (the broker holds them)."""
    context = {"code": "736251", "purpose": "signin"} if kind == "code" else {"event": "out_for_delivery"}
    with mock.patch("messaging.outbox.message_publish"):
        return [queue_sms(number(n), kind=kind, context=context) for n in numbers]


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_a_backlog_at_once_when_twilio_takes_200_ms_each_and_each_only_once(fake, start_worker):
    fake.set_latency(0.2)
    start_worker(queues="codes")
    started = time.monotonic()
    backlog = [queue_sms(number(n)) for n in range(BACKLOG)]
    wait_for(
        lambda: Message.objects.filter(pk__in=[m.pk for m in backlog], status=Status.SENT).count() == BACKLOG,
        timeout=10,
        message="the backlog to be sent",
    )
    took = time.monotonic() - started

    # One at a time this is 40 x 200 ms = 8 s; at once, about one round trip per batch.
    assert took < 4, f"{BACKLOG} sends took {took:.1f} s"
    arrivals = sorted(received.at for received in fake.sms())
    most_at_once = max(sum(1 for at in arrivals if first <= at < first + 0.2) for first in arrivals)
    assert most_at_once >= 10, f"at most {most_at_once} requests reached Twilio within one answer's time"
    assert sorted(r.form["To"] for r in fake.sms()) == sorted(m.destination for m in backlog)  # each once
    rows = Message.objects.filter(pk__in=[m.pk for m in backlog])
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}
    assert {row.provider_id for row in rows} == {r.sid for r in fake.sms()}


@pytest.mark.django_db(transaction=True)
def test_a_batch_takes_only_its_own_queue_so_a_code_never_waits_for_bulk_sends(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    bulk = queue_unpublished(range(5), kind="delivery_update")
    codes = queue_unpublished(range(5, 10))

    message_deliver(message_id=bulk[0].pk, batch=16)

    assert [status(m) for m in bulk] == [Status.SENT] * 5
    assert [status(m) for m in codes] == [Status.QUEUED] * 5  # left for the codes worker
    message_deliver(message_id=codes[2].pk, batch=16)
    assert [status(m) for m in codes] == [Status.SENT] * 5
    assert len(locmem.outbox) == 10


@pytest.mark.django_db(transaction=True)
def test_a_batch_never_takes_a_message_not_yet_due_nor_a_duplicate_task_sends_again(settings):
    messages = queue_unpublished(range(6))
    later = messages[5]
    Message.objects.filter(pk=later.pk).update(next_attempt_at=later.next_attempt_at.replace(year=2999))

    message_deliver(message_id=messages[0].pk, batch=16)
    for message in messages:  # every task of the batch's messages still arrives, once or twice
        message_deliver(message_id=message.pk, batch=16)
        message_deliver(message_id=message.pk, batch=16)

    assert [status(m) for m in messages[:5]] == [Status.SENT] * 5
    assert status(later) == Status.QUEUED  # a retry waiting out its back-off is not sent early
    assert sorted(sent.to for sent in locmem.outbox) == sorted(m.destination for m in messages[:5])


@pytest.mark.django_db(transaction=True)
def test_workers_racing_over_one_backlog_claim_each_message_once_and_send_it_once(settings):
    messages = queue_unpublished(range(60))
    go = threading.Barrier(6)

    def worker(mine: list[Message]) -> None:
        try:
            go.wait()
            for message in mine:
                message_deliver(message_id=message.pk, batch=8)
        finally:
            connections.close_all()  # this thread's own connection

    # Six workers, each with the tasks of every message, in a different order: all race for the same rows.
    threads = [threading.Thread(target=worker, args=(messages[i::6] + messages,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    sent = sorted(m.to for m in locmem.outbox)
    assert sent == sorted(m.destination for m in messages)  # every one, none twice
    rows = Message.objects.filter(pk__in=[m.pk for m in messages])
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}
