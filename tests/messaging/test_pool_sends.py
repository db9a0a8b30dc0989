"""Sends that do not wait on the network one at a time (issue 20): a commit rings its queue's bell, one drain task
claims the queue's due messages a batch at a time and sends each batch at once, and the outbox's promises hold:
each message claimed once, sent once, none lost, a code never behind bulk."""

import threading
import time
from unittest import mock

import pytest
import redis
from django.db import connections

from messaging.backends import locmem
from messaging.models import Message, Status
from messaging.sending import outbox_bell_key, outbox_drain
from tests.messaging.real_worker import broker_url, number, queue_sms, status, wait_for

# A drain sends in threads that record each outcome at once: PostgreSQL's concurrency, which the embedded SQLite
# (eager tasks, one message at a time, no drain) never needs.
pytestmark = pytest.mark.postgresql
BACKLOG = 40


def queue_unpublished(numbers, *, kind: str = "code") -> list[Message]:
    """Messages in the outbox whose tasks have not reached a worker yet (the broker holds them)."""
    context = {"code": "736251", "purpose": "signin"} if kind == "code" else {"event": "out_for_delivery"}
    with mock.patch("messaging.outbox.message_publish"):
        return [queue_sms(number(n), kind=kind, context=context) for n in numbers]


def tasks_waiting(queue: str) -> int:
    return redis.Redis.from_url(broker_url()).llen(queue)


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


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_many_commits_ring_the_bell_once_and_every_message_still_goes(fake, start_worker, clean_broker):
    backlog = [queue_sms(number(n)) for n in range(BACKLOG)]  # no worker yet: the tasks wait in the broker

    assert tasks_waiting("codes") == 1  # one drain task for 40 commits, not 40 tasks
    start_worker(queues="codes")
    wait_for(
        lambda: Message.objects.filter(pk__in=[m.pk for m in backlog], status=Status.SENT).count() == BACKLOG,
        message="the backlog to be sent",
    )
    assert not redis.Redis.from_url(broker_url()).exists(outbox_bell_key("codes"))  # cleared: the next rings again
    late = queue_sms(number(BACKLOG))
    wait_for(lambda: status(late) == Status.SENT, message="a message committed after the drain")
    assert sorted(r.form["To"] for r in fake.sms()) == sorted(m.destination for m in [*backlog, late])


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_bell_whose_task_was_lost_lets_commits_ring_again_once_it_expires(fake, start_worker, clean_broker, settings):
    settings.MESSAGING_BELL_SECONDS = 1
    first = queue_sms(number(1))
    redis.Redis.from_url(broker_url()).delete("codes")  # the broker lost the drain task; the bell is still rung
    start_worker(queues="codes")
    time.sleep(1.5)  # the bell has expired

    second = queue_sms(number(2))
    wait_for(lambda: status(second) == Status.SENT, message="the next commit to wake a worker")
    assert status(first) == Status.SENT  # the drain it woke took the earlier message along


@pytest.mark.django_db(transaction=True)
def test_a_drain_takes_only_its_own_queue_so_a_code_never_waits_for_bulk_sends(settings):
    bulk = queue_unpublished(range(5), kind="delivery_update")
    codes = queue_unpublished(range(5, 10))

    assert outbox_drain(queue="bulk") == 5

    assert [status(m) for m in bulk] == [Status.SENT] * 5
    assert [status(m) for m in codes] == [Status.QUEUED] * 5  # left for the codes worker
    assert outbox_drain(queue="codes") == 5
    assert [status(m) for m in codes] == [Status.SENT] * 5
    assert len(locmem.outbox) == 10


@pytest.mark.django_db(transaction=True)
def test_a_drain_claims_a_batch_at_a_time_and_never_a_message_not_yet_due(settings):
    settings.MESSAGING_SEND_BATCH = 4
    messages = queue_unpublished(range(11))
    later = messages[10]
    Message.objects.filter(pk=later.pk).update(next_attempt_at=later.next_attempt_at.replace(year=2999))

    with mock.patch("messaging.sending.outbox_bell_ring") as ring:
        assert outbox_drain(queue="codes") == 10
        assert outbox_drain(queue="codes") == 0  # a second drain (a duplicate task) finds nothing to send

    assert ring.call_count == 2  # two full batches of 4 asked for help; the last, of 2, did not
    assert [status(m) for m in messages[:10]] == [Status.SENT] * 10
    assert status(later) == Status.QUEUED  # a retry waiting out its back-off is not sent early
    assert sorted(sent.to for sent in locmem.outbox) == sorted(m.destination for m in messages[:10])


@pytest.mark.django_db(transaction=True)
def test_drains_racing_over_one_backlog_claim_each_message_once_and_send_it_once(settings):
    settings.MESSAGING_SEND_BATCH = 8
    messages = queue_unpublished(range(60))
    go = threading.Barrier(6)

    def worker() -> None:
        try:
            go.wait()
            for _ in range(3):
                outbox_drain(queue="codes")
        finally:
            connections.close_all()  # this thread's own connection

    # Six drains (three times each) race for the same rows, as six worker threads woken at once would.
    with mock.patch("messaging.sending.outbox_bell_ring"):
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    sent = sorted(m.to for m in locmem.outbox)
    assert sent == sorted(m.destination for m in messages)  # every one, none twice
    rows = Message.objects.filter(pk__in=[m.pk for m in messages])
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_a_worker_told_to_stop_claims_no_more_and_wakes_another_for_what_is_due(monkeypatch):
    from celery.worker import state

    messages = queue_unpublished(range(5))
    monkeypatch.setattr(state, "should_stop", 0)  # a warm shutdown (exit code 0), as a deploy sends

    with mock.patch("messaging.sending.outbox_bell_ring") as ring:
        assert outbox_drain(queue="codes") == 0

    ring.assert_called_once_with("codes")
    assert [status(m) for m in messages] == [Status.QUEUED] * 5  # left for the next worker, none lost


@pytest.mark.django_db(transaction=True)
def test_a_drain_that_cannot_hand_a_claimed_message_to_a_sender_puts_it_back_instead_of_losing_it(
    settings, monkeypatch
):
    # A process out of threads ("can't start new thread") after the claim committed "sending": what never reached
    # a sender was never sent, so it must go back to the queue, not wait as "sending" to be called "unknown".
    from messaging import sending

    settings.MESSAGING_SEND_BATCH = 5
    messages = queue_unpublished(range(5))
    submit, handed = sending._SENDERS.submit, []

    def submit_two_then_fail(function, *args):
        if len(handed) == 2:
            raise RuntimeError("can't start new thread")
        handed.append(args[0].pk)
        return submit(function, *args)

    monkeypatch.setattr(sending._SENDERS, "submit", submit_two_then_fail)
    with mock.patch("messaging.sending.outbox_bell_ring"), pytest.raises(RuntimeError):
        outbox_drain(queue="codes")

    rows = {row.pk: row for row in Message.objects.filter(pk__in=[m.pk for m in messages])}
    assert [rows[pk].status for pk in handed] == [Status.SENT] * 2  # what was handed over is recorded
    unsent = [m.pk for m in messages if m.pk not in handed]
    assert {(rows[pk].status, rows[pk].attempts) for pk in unsent} == {(Status.QUEUED, 0)}
    assert sending._SENDERS.reserve(settings.MESSAGING_SEND_CONCURRENCY) == settings.MESSAGING_SEND_CONCURRENCY
    sending._SENDERS.release(settings.MESSAGING_SEND_CONCURRENCY)  # no send place was kept by the failure

    monkeypatch.setattr(sending._SENDERS, "submit", submit)
    with mock.patch("messaging.sending.outbox_bell_ring"):
        assert outbox_drain(queue="codes") == 3
    assert sorted(sent.to for sent in locmem.outbox) == sorted(m.destination for m in messages)  # each once
