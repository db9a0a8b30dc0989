"""Benchmark: messages through the outbox, Redis, the Procfile's Celery workers and a fake Twilio on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.messaging

The workers are the Procfile's `worker-codes` and `worker-bulk` commands, run as they are written there. For each
provider latency (0 ms and 200 ms by default; the fake Twilio waits that long before each answer), one run prints:

- throughput: a backlog of codes already in the outbox and the broker, drained by the one codes worker process,
  in messages per second per worker process;
- commit -> provider: the p50/p99 time from the commit that queued a code to Twilio (the fake) receiving it, at a
  steady 50 codes per second, while a bulk backlog of 400 messages (delivery updates) is queued at the same time;
  the codes committed while that backlog was still waiting are shown on their own.
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
AIM_THROUGHPUT, AIM_P99_MS = 200, 300  # at 200 ms provider latency (issue 20)


def number(n: int) -> str:
    return f"+447911{n:06d}"  # distinct UK mobiles: the per-destination cap never applies


def queue_one(n: int, *, kind: str = "code") -> tuple[int, float]:
    from django.db import transaction

    from messaging.models import Channel
    from messaging.outbox import message_queue

    context = {"code": f"{n % 1_000_000:06d}", "purpose": "signin"} if kind == "code" else {"event": "out_for_delivery"}
    with transaction.atomic():
        message = message_queue(
            channel=Channel.SMS,
            destination=number(n),
            kind=kind,
            language="en-GB",
            context=context,
            expires_in=600,
        )
    return message.pk, time.time()  # committed: the task is published on commit


def queue_unpublished(numbers, *, kind: str) -> list[int]:
    """Messages in the outbox that no worker may take yet: committed as due tomorrow, all in one transaction (a
    drain takes every due message of its queue, woken or not), to be made due and published all at once later."""
    from datetime import timedelta
    from unittest import mock

    from django.db import transaction
    from django.utils import timezone

    from messaging.models import Message

    with mock.patch("messaging.outbox.message_publish"), transaction.atomic():
        ids = [queue_one(n, kind=kind)[0] for n in numbers]
        Message.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() + timedelta(days=1))
    return ids


def publish(ids: list[int], *, kind: str) -> None:
    """Make the messages due at once, then hand each to the broker as its commit would."""
    from django.utils import timezone

    from messaging.models import Message
    from messaging.sending import message_publish

    Message.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    for message_id in ids:
        message_publish(message_id, kind=kind)


def wait_until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"The Procfile has no {name} process.")


def start_worker(name: str, env: dict, log: Path) -> subprocess.Popen:
    # The Procfile's command as written (sh expands its ${...:-default}), quieter and without the cluster chatter.
    command = procfile_command(name) + " --loglevel WARNING --without-heartbeat --without-gossip --without-mingle"
    venv_bin = str(Path(sys.executable).parent)
    return subprocess.Popen(
        ["sh", "-c", "exec " + command],
        cwd=ROOT,
        env={**env, "PATH": venv_bin + os.pathsep + env.get("PATH", "")},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def cpu_seconds(process: subprocess.Popen) -> float:
    """User and system CPU a worker process has used (Linux /proc): what each message costs, whatever else runs."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_at(latency: float, *, args, fake, arrivals: dict[str, float], first: int, worker) -> dict:
    """One latency's figures. Numbers from `first` on, so no destination is used twice in a run."""
    from messaging.models import Message, Status

    fake.set_latency(latency, args.jitter / 1000)
    queue_one(first)  # warm both the codes worker and the client's connections
    wait_until(lambda: number(first) in arrivals, 30)

    # Throughput: a backlog of codes already in the outbox and the broker, drained by one worker process.
    burst = range(first + 1, first + 1 + args.burst)
    ids = queue_unpublished(burst, kind="code")
    started, cpu = time.time(), cpu_seconds(worker)
    publish(ids, kind="code")
    wait_until(lambda: all(number(n) in arrivals for n in burst), 120)
    wait_until(lambda: Message.objects.filter(pk__in=ids, status=Status.QUEUED).count() == 0, 10)
    cpu = cpu_seconds(worker) - cpu
    delivered = [arrivals[number(n)] for n in burst if number(n) in arrivals]
    drained = max(delivered) - started
    throughput = len(delivered) / drained

    # Latency: 400 bulk messages published at once, and from the same moment a steady rate of codes.
    backlog = range(first + 1 + args.burst, first + 1 + args.burst + args.backlog)
    bulk_ids = queue_unpublished(backlog, kind="delivery_update")
    steady = range(backlog.stop, backlog.stop + int(args.rate * args.seconds))
    committed: dict[str, float] = {}
    bulk_published = time.time()
    publish(bulk_ids, kind="delivery_update")
    start = time.monotonic()
    for i, n in enumerate(steady):
        _pk, committed[number(n)] = queue_one(n)
        sleep_for = start + (i + 1) / args.rate - time.monotonic()
        if sleep_for > 0:
            time.sleep(sleep_for)
    wait_until(lambda: all(number(n) in arrivals for n in [*steady, *backlog]), 60)
    latencies = {to: (arrivals[to] - at) * 1000 for to, at in committed.items() if to in arrivals}
    bulk_done = max((arrivals[number(n)] for n in backlog if number(n) in arrivals), default=float("nan"))
    behind_backlog = [ms for to, ms in latencies.items() if committed[to] < bulk_done]
    values = list(latencies.values())
    return {
        "latency": latency,
        "burst_drained": drained,
        "throughput": throughput,
        "cpu_ms": cpu * 1000 / args.burst,
        "delivered": len(values),
        "total": len(steady),
        "p50": statistics.median(values) if values else float("nan"),
        "p99": percentile(values, 0.99),
        "backlog_drained": bulk_done - bulk_published,
        "backlog_sent": sum(number(n) in arrivals for n in backlog),
        "behind": len(behind_backlog),
        "behind_p99": percentile(behind_backlog, 0.99),
        "behind_max": max(behind_backlog, default=float("nan")),
        "next": steady.stop,
    }


def report(figures: dict, *, args) -> None:
    aims = figures["latency"] >= 0.2
    print(f"--- fake Twilio answers in {figures['latency'] * 1000:.0f} ms (give or take {args.jitter:.0f} ms) ---")
    print(
        f"throughput:          {figures['throughput']:7.1f} messages/s per worker process"
        f"   ({args.burst} codes drained by one worker process in {figures['burst_drained']:.2f} s,"
        f" {figures['cpu_ms']:.1f} ms of its CPU each)" + (f"   aim: at least {AIM_THROUGHPUT}" if aims else "")
    )
    print(
        f"commit -> provider:  p50 {figures['p50']:6.1f} ms   p99 {figures['p99']:6.1f} ms"
        f"   (steady {args.rate:.0f} codes/s for {args.seconds:.0f} s: {figures['delivered']}/{figures['total']} sent)"
        + (f"   aim: p99 under {AIM_P99_MS} ms" if aims else "")
    )
    print(
        f"bulk backlog:        {figures['backlog_sent']}/{args.backlog} sent by the bulk worker in "
        f"{figures['backlog_drained']:.2f} s; the {figures['behind']} codes committed before it was through: "
        f"p99 {figures['behind_p99']:6.1f} ms, slowest {figures['behind_max']:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latencies", default="0,200", help="provider latencies to run at, in ms (comma-separated)")
    parser.add_argument("--jitter", type=float, default=0.0, help="give or take this many ms at each latency")
    parser.add_argument("--burst", type=int, default=2000, help="codes queued at once for throughput")
    parser.add_argument("--backlog", type=int, default=400, help="bulk messages queued with the steady codes")
    parser.add_argument("--rate", type=float, default=50, help="codes per second for the latency run")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL; created if missing) and REDIS_URL.")
    from tests.bench.signin import bench_database_prepare

    env = bench_database_prepare(collectstatic=False)

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from config.celery import app
    from messaging.models import Message
    from tests.messaging.fake_twilio import FakeTwilio

    app.conf.task_always_eager = False
    app.control.purge()
    cache.clear()  # the send caps' counters of earlier runs (the benchmark's own Redis database)
    Message.objects.all().delete()
    connection.close()
    fake = FakeTwilio(latency=0.0).start()
    arrivals: dict[str, float] = {}

    class Recorder(list):
        def append(self, item):
            arrivals[item.form["To"]] = time.time()
            super().append(item)

    fake.received = Recorder()
    worker_env = {
        **env,
        "MESSAGING_BACKEND": "messaging.backends.twilio.TwilioBackend",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": FROM,
        "TWILIO_API_BASE_URL": fake.url,
        "DJANGO_SETTINGS_MODULE": "tests.bench.worker_settings",
    }
    (ROOT / "var").mkdir(exist_ok=True)
    workers = [
        start_worker(name, worker_env, ROOT / "var" / f"bench-{name}.log") for name in ("worker-codes", "worker-bulk")
    ]
    print("workers, as the Procfile runs them:")
    for name in ("worker-codes", "worker-bulk"):
        print(f"  {name}: {procfile_command(name)}")
    results, first = [], 0
    try:
        for latency_ms in (float(part) for part in args.latencies.split(",")):
            figures = run_at(latency_ms / 1000, args=args, fake=fake, arrivals=arrivals, first=first, worker=workers[0])
            first = figures["next"]
            report(figures, args=args)
            results.append(figures)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        fake.stop()
    for figures in results:
        if figures["latency"] >= 0.2:
            met = figures["throughput"] >= AIM_THROUGHPUT and figures["p99"] < AIM_P99_MS
            print(f"aims at {figures['latency'] * 1000:.0f} ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
