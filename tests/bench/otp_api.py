"""Benchmark: VerifyOTPMessage calls per second and latency with boto3's pinpoint client, against gunicorn on
PostgreSQL (Redis for the limits), beside a bare request (GET of the OpenAPI file: no signature, no database) in
the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.otp_api --calls 2000 --threads 8
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from tests.bench.signin import ROOT, bench_database_prepare, free_port

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.otp_api_settings"
CODE = "123456"


def codes_make(count: int):
    """An application, a key, and `count` live codes (one per destination and reference), stored as sent ones are."""
    import uuid

    from django.utils import timezone

    from otpapi.codes import code_hash
    from otpapi.keys import access_key_create, application_create
    from otpapi.models import OtpApplication, OtpCode

    OtpApplication.objects.filter(name="bench").delete()
    application = application_create(name="bench")
    key, secret = access_key_create(application=application)
    now, rows = timezone.now(), []
    for number in range(count):
        row, destination, reference = uuid.uuid4(), f"+447911{number:06d}", f"bench-{number}"
        rows.append(
            OtpCode(
                id=row,
                application=application,
                access_key=key,
                channel="sms",
                destination=destination,
                reference_id=reference,
                code_hash=code_hash(
                    application=application, destination=destination, reference_id=reference, row=row, code=CODE
                ),
                code_length=6,
                language="en-GB",
                brand_name="Bench",
                allowed_attempts=3,
                created_at=now,
                expires_at=now + timedelta(minutes=30),
            )
        )
    OtpCode.objects.bulk_create(rows, batch_size=1000)
    return application.application_id, key.key_id, secret


def timed_run(calls: list, threads: int) -> tuple[list[float], float]:
    """Run the calls over `threads` threads; each call's seconds and the wall time of the whole run."""
    latencies, lock, queue = [], threading.Lock(), list(reversed(calls))

    def worker():
        mine = []
        while True:
            with lock:
                if not queue:
                    break
                call = queue.pop()
            started = time.perf_counter()
            call()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, time.perf_counter() - started


def report(name: str, latencies: list[float], wall: float) -> None:
    ordered = sorted(latencies)
    p50, p95 = statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000
    print(f"{name:<34} {len(ordered) / wall:7.0f}/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({len(ordered)} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = bench_database_prepare(collectstatic=True)  # WhiteNoise wants the folder

    import boto3
    import django
    import requests
    from botocore.config import Config

    django.setup()
    from django.conf import settings

    warm = 50 * args.threads
    application_id, key_id, secret = codes_make(args.calls + warm)
    port = free_port()
    server = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"),
            *("-b", f"127.0.0.1:{port}", "-w", str(args.workers), "--log-level", "warning"),
            *("--access-logfile", "/dev/null"),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    local = threading.local()

    def client():
        if not hasattr(local, "pinpoint"):
            local.pinpoint = boto3.client(
                "pinpoint",
                region_name="us-east-1",
                endpoint_url=base + settings.PINPOINT_API_PREFIX,
                aws_access_key_id=key_id,
                aws_secret_access_key=secret,
                config=Config(retries={"total_max_attempts": 1}, max_pool_connections=args.threads),
            )
            local.session = requests.Session()
        return local

    def verify(number: int):
        def call():
            answer = client().pinpoint.verify_otp_message(
                ApplicationId=application_id,
                VerifyOTPMessageRequestParameters={
                    "DestinationIdentity": f"+447911{number:06d}",
                    "ReferenceId": f"bench-{number}",
                    "Otp": CODE,
                },
            )
            assert answer["VerificationResponse"]["Valid"] is True, answer

        return call

    def bare():
        response = client().session.get(f"{base}{settings.PINPOINT_API_PREFIX}/v1/openapi.json", timeout=10)
        assert response.status_code == 200

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        timed_run([verify(n) for n in range(warm)], args.threads)  # every worker thread opens its connections
        timed_run([bare] * warm, args.threads)
        bare_latencies, bare_wall = timed_run([bare] * args.calls, args.threads)
        verify_latencies, verify_wall = timed_run([verify(n) for n in range(warm, warm + args.calls)], args.threads)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"gunicorn ({args.workers} processes, config/gunicorn.py), PostgreSQL, {args.threads} client threads")
    report("bare request (GET openapi.json)", bare_latencies, bare_wall)
    report("VerifyOTPMessage (boto3, Valid)", verify_latencies, verify_wall)


if __name__ == "__main__":
    main()
