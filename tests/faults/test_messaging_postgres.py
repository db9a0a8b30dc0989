"""PostgreSQL restarting under real workers: every message sent exactly once, none lost, none failed, and all
of them soon after the database is back (the sweeper, 30 s and more away, plays no part)."""

import time

import pytest

from messaging.models import Message, Status
from tests.messaging.fake_twilio import slow
from tests.messaging.real_worker import database_url, number, queue_sms, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]
OUTAGE_SECONDS = 3


def test_postgresql_restarting_under_workers_loses_nothing_and_sends_nothing_twice(fake, start_worker, postgres_proxy):
    fake.set_latency(0.05, jitter=0.02)
    through_proxy = database_url(host="127.0.0.1", port=postgres_proxy.port)
    workers = [start_worker(database=through_proxy, queues="codes") for _ in range(2)]
    before = [queue_sms(number(n)) for n in range(5)]
    wait_for(lambda: Message.objects.filter(status=Status.SENT).count() == 5, message="the first sends")

    fake.will_answer(slow(1))
    in_flight = queue_sms(number(5))
    wait_for(lambda: len(fake.sms()) == 6, message="a send to be under way")
    postgres_proxy.cut()  # every connection dropped, new ones refused: a restart, while one worker waits on Twilio
    during = [queue_sms(number(n)) for n in range(6, 20)]  # requests go on queueing (their own connection)
    time.sleep(OUTAGE_SECONDS)
    sent_during_outage = len(fake.sms())
    postgres_proxy.restore()
    restored = time.monotonic()

    messages = [*before, in_flight, *during]
    ids = [m.pk for m in messages]
    wait_for(
        lambda: Message.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids),
        timeout=20,
        message="every message to be sent",
    )
    recovered_in = time.monotonic() - restored

    assert recovered_in < 10, f"took {recovered_in:.1f} s after the restore"
    assert sent_during_outage == 6  # nothing was claimed without the database
    assert sorted(r.form["To"] for r in fake.sms()) == sorted(m.destination for m in messages)  # each once
    rows = Message.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}  # claimed once, none failed
    assert {row.provider_id for row in rows} == {r.sid for r in fake.sms()}
    log = "".join(worker.log.read_text() for worker in workers)
    assert "outcome waits" in log  # Twilio's answer held until the database was back
    assert "database unavailable" in log  # tasks retried before they claimed anything
    assert "Traceback" not in log
