"""Benchmark: messages through the outbox, Redis, one Celery worker process and a fake Twilio on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.messaging

Prints, from one run: messages per second through one worker (a burst queued as fast as the web side can), and
the p50/p99 time from the commit that queued a message to the provider receiving it, at a steady 50 per second.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
SID, TOKEN, FROM = "AC" + "e" * 32, "bench-token", "+15005550006"


def number(n: int) -> str:
    return f"+447911{n:06d}"  # distinct UK mobiles: the per-destination cap never applies


def queue_one(n: int) -> tuple[int, float]:
    from django.db import transaction

    from messaging.models import Channel
    from messaging.outbox import message_queue

    with transaction.atomic():
        message = message_queue(
            channel=Channel.SMS,
            destination=number(n),
            kind="code",
            language="en-GB",
            context={"code": f"{n % 1_000_000:06d}", "purpose": "signin"},
            expires_in=600,
        )
    return message.pk, time.time()  # committed: the task is published on commit


def wait_until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=1000, help="messages queued at once for throughput")
    parser.add_argument("--rate", type=float, default=50, help="messages per second for the latency run")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake Twilio takes to answer")
    parser.add_argument("--jitter", type=float, default=0.0, help="give or take this many seconds")
    args = parser.parse_args()
    url, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not broker:
        sys.exit("Set DATABASE_URL (PostgreSQL; created if missing) and REDIS_URL.")
    from tests.bench.signin import ensure_database

    ensure_database(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import connection

    from config.celery import app
    from messaging.models import Message
    from tests.messaging.fake_twilio import FakeTwilio

    app.conf.task_always_eager = False
    app.control.purge()
    Message.objects.all().delete()
    connection.close()
    fake = FakeTwilio(latency=args.latency, jitter=args.jitter).start()
    arrivals: dict[str, float] = {}
    original_received = fake.received

    class Recorder(list):
        def append(self, item):
            arrivals[item.form["To"]] = time.time()
            super().append(item)

    fake.received = Recorder(original_received)
    worker_env = {
        **env,
        "MESSAGING_BACKEND": "messaging.backends.twilio.TwilioBackend",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": FROM,
        "TWILIO_API_BASE_URL": fake.url,
        "DJANGO_SETTINGS_MODULE": "tests.bench.worker_settings",
    }
    log = open(ROOT / "var" / "bench-worker.log", "wb")  # noqa: SIM115 -- closed below
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        queue_one(9_999_999 % 1_000_000)  # warm the worker: first task imports and connects
        wait_until(lambda: len(arrivals) == 1, 30)
        arrivals.clear()

        # Throughput: a backlog already in the outbox and the broker, drained by one worker process.
        from unittest import mock

        from messaging.tasks import deliver_message

        started = time.time()
        with mock.patch("messaging.outbox.message_publish"):  # queue first, publish in one go below
            ids = [queue_one(n)[0] for n in range(args.burst)]
        queued_in = time.time() - started
        started = time.time()
        for message_id in ids:
            deliver_message.apply_async((message_id,), retry=False)
        wait_until(lambda: len(arrivals) >= args.burst, 120)
        drained = max(arrivals.values()) - started
        throughput = len(arrivals) / drained

        # Latency: a steady rate, each message's commit to its arrival at the provider.
        arrivals.clear()
        committed: dict[str, float] = {}
        total = int(args.rate * args.seconds)
        start = time.monotonic()
        for i in range(total):
            n = 100_000 + i
            _pk, at = queue_one(n)
            committed[number(n)] = at
            sleep_for = start + (i + 1) / args.rate - time.monotonic()
            if sleep_for > 0:
                time.sleep(sleep_for)
        wait_until(lambda: len(arrivals) >= total, 60)
        latencies = sorted((arrivals[to] - at) * 1000 for to, at in committed.items() if to in arrivals)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        log.close()
        fake.stop()

    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"fake Twilio answers in {args.latency * 1000:.0f} ms (give or take {args.jitter * 1000:.0f} ms)")
    print(f"backlog: {args.burst} queued in {queued_in:.2f} s, drained by one worker process in {drained:.2f} s")
    print(f"throughput:            {throughput:7.1f} messages/s per worker process   (aim: at least 100)")
    print(f"steady {args.rate:.0f}/s for {args.seconds:.0f} s: {len(latencies)}/{total} delivered")
    print(f"commit -> provider:    p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   (aim: p99 under 250 ms)")


if __name__ == "__main__":
    main()
