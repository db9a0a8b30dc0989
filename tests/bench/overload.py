"""Benchmark: sign-in at twice its capacity against gunicorn (config/gunicorn.py) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.overload --seconds 30

First measures sign-in capacity (whole sign-ins per second: page, password, code page, authenticator code) with
a few clients back to back; then starts sign-ins at twice that rate for --seconds, each with an 8-second client
timeout, as impatient people would. Prints the share finished within 2 s, the share shed with 503 (and how
fast), the p95 of those admitted, and the false "someone knows your password" alerts once every abandoned
sign-in has expired (aim: 0).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.bench.signin import PASSWORD, bench_database_prepare, free_port

ROOT = Path(__file__).resolve().parents[2]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
PREFIX = "overload-"
CLIENT_TIMEOUT = 8.0
PATIENCE = 2.0
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Attempt:
    outcome: str  # done | shed | timeout | error <status>
    elapsed: float  # whole sign-in, or until the answer that ended it
    post_elapsed: float = 0.0  # the password POST alone


class Shed(Exception):
    pass


def make_users(first: int, count: int) -> list[tuple[str, object]]:
    """`count` accounts with 2SV by authenticator; one password hash for all (creating them stays quick)."""
    import pyotp
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from security.codes import totp_secret
    from security.methods import authenticator_add, backup_codes_create, two_step_enable
    from security.models import FailureStreak

    encoded, now = make_password(PASSWORD), timezone.now()
    made = User.objects.bulk_create(
        [
            User(
                email=f"{PREFIX}{number}@example.com",
                name=f"Overload {number}",
                password=encoded,
                email_verified_at=now,
            )
            for number in range(first, first + count)
        ]
    )
    users = []
    for user in made:
        secret = totp_secret()
        device = authenticator_add(user=user, secret=secret, primary=True, confirmed=False, request=None)
        backup_codes_create(user=user, confirmed=False, request=None)
        two_step_enable(user=user, device_ids=[device.persistent_id], request=None)
        FailureStreak.objects.create(user=user)
        users.append((user.email, pyotp.TOTP(secret)))
    return users


def sign_in(base: str, email: str, app, *, timeout: float = CLIENT_TIMEOUT) -> Attempt:
    """The four requests of a whole sign-in, all within `timeout` seconds (a person's patience)."""
    import requests

    started = time.perf_counter()

    def left() -> float:
        remaining = timeout - (time.perf_counter() - started)
        if remaining <= 0:
            raise requests.Timeout
        return remaining

    session = requests.Session()
    post_elapsed = 0.0
    try:
        page = session.get(f"{base}/account/signin/", timeout=left())
        posted_at = time.perf_counter()
        step = session.post(
            f"{base}/account/signin/",
            data={"csrfmiddlewaretoken": TOKEN.search(page.text).group(1), "email": email, "password": PASSWORD},
            allow_redirects=False,
            timeout=left(),
        )
        post_elapsed = time.perf_counter() - posted_at
        if step.status_code == 503:
            assert step.headers.get("Retry-After"), "a shed answer says when to come back"
            raise Shed
        if step.headers.get("Location") != "/account/signin/code/":
            return Attempt(f"error {step.status_code}", time.perf_counter() - started, post_elapsed)
        page = session.get(f"{base}/account/signin/code/", timeout=left())
        done = session.post(
            f"{base}/account/signin/code/",
            data={"csrfmiddlewaretoken": TOKEN.search(page.text).group(1), "do": "verify", "code": app.now()},
            allow_redirects=False,
            timeout=left(),
        )
        if done.status_code != 302 or done.headers.get("Location") != "/":
            return Attempt(f"error {done.status_code}", time.perf_counter() - started, post_elapsed)
        return Attempt("done", time.perf_counter() - started, post_elapsed)
    except Shed:
        return Attempt("shed", time.perf_counter() - started, post_elapsed)
    except requests.Timeout:
        return Attempt("timeout", time.perf_counter() - started, post_elapsed)
    except requests.ConnectionError:
        return Attempt("error connection", time.perf_counter() - started, post_elapsed)
    finally:
        session.close()


def measure_capacity(base: str, users: list, *, clients: int, seconds: float) -> float:
    """Whole sign-ins per second with `clients` people signing in back to back (a shed one tries again)."""
    lock, done = threading.Lock(), []
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if not users:
                    return
                email, app = users.pop()
            attempt = sign_in(base, email, app, timeout=30)
            if attempt.outcome == "done":
                with lock:
                    done.append(time.perf_counter())
            elif attempt.outcome == "shed":
                time.sleep(0.05)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done) / (time.perf_counter() - started)


def overload(base: str, users: list, *, rate: float, seconds: float) -> list[Attempt]:
    """Start one sign-in every 1/rate seconds for `seconds`, whatever the answers so far (an open loop)."""
    count = int(rate * seconds)
    interval = 1.0 / rate
    with ThreadPoolExecutor(max_workers=int(rate * CLIENT_TIMEOUT * 1.5) + 16) as pool:
        futures = []
        started = time.perf_counter()
        for number in range(count):
            pause = started + number * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            email, app = users[number]
            futures.append(pool.submit(sign_in, base, email, app))
        return [future.result() for future in futures]


def false_alerts() -> tuple[int, int]:
    """Abandoned-sign-in events and "someone knows your password" alerts of the bench's accounts, after letting
    every half-done sign-in expire and running the sweep beat would run."""
    import time_machine
    from django.conf import settings

    from config.crypto import decrypt_text
    from messaging.models import Message
    from security.models import SecurityEvent
    from security.signin_watch import signins_abandoned_sweep

    later = timedelta(seconds=settings.SECURITY_SIGNIN_PENDING_SECONDS + settings.SECURITY_CODE_LIFETIME_SECONDS + 60)
    with time_machine.travel(later, tick=True):
        signins_abandoned_sweep()
    events = SecurityEvent.objects.filter(
        user__email__startswith=PREFIX, kind=SecurityEvent.Kind.SIGNIN_CODE_ABANDONED
    ).count()
    alerts = 0
    for payload in Message.objects.filter(user__email__startswith=PREFIX, kind="security_alert").values_list(
        "payload", flat=True
    ):
        if payload and '"password_maybe_known"' in decrypt_text(payload):
            alerts += 1
    return events, alerts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="how long the overload lasts (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--capacity-seconds", type=float, default=8)
    args = parser.parse_args()
    env = bench_database_prepare(collectstatic=True)

    import django

    django.setup()
    from django.conf import settings

    from accounts.models import User

    User.objects.filter(email__startswith=PREFIX).delete()
    clients = args.workers * settings.SIGNIN_ADMISSION_CONCURRENCY
    warm = 2 * args.workers * 8
    users = make_users(0, warm + 200)

    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-c", "config/gunicorn.py", "-b", f"127.0.0.1:{port}", "-w", str(args.workers), "config.wsgi"]
    server = subprocess.Popen([*command, "--log-level", "warning", "--access-logfile", "/dev/null"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        import socket

        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        warm_users, users = users[:warm], users[warm:]
        with ThreadPoolExecutor(max_workers=clients) as pool:  # every thread opens its connections first
            list(pool.map(lambda user: sign_in(base, *user, timeout=30), warm_users))
        capacity = measure_capacity(base, users, clients=clients, seconds=args.capacity_seconds)
        if capacity <= 0:
            sys.exit("No sign-in finished while measuring capacity: is gunicorn running? (see its log above)")
        rate = 2 * capacity
        overload_users = make_users(10_000, int(rate * args.seconds) + 10)
        attempts = overload(base, overload_users, rate=rate, seconds=args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=15)
    events, alerts = false_alerts()

    total = len(attempts)
    done = [a for a in attempts if a.outcome == "done"]
    shed = [a for a in attempts if a.outcome == "shed"]
    timeouts = [a for a in attempts if a.outcome == "timeout"]
    errors = [a for a in attempts if a.outcome.startswith("error")]
    within = [a for a in done if a.elapsed <= PATIENCE]

    def share(part: list) -> str:
        return f"{len(part):4d} of {total} ({100 * len(part) / max(1, total):5.1f} %)"

    print(f"gunicorn: {args.workers} gthread workers, config/gunicorn.py; PostgreSQL; Argon2")
    print(
        f"admission per worker: {settings.SIGNIN_ADMISSION_CONCURRENCY} at once, {settings.SIGNIN_ADMISSION_QUEUE}"
        f" waiting at most {settings.SIGNIN_ADMISSION_WAIT_SECONDS:g} s"
    )
    print(f"capacity (whole sign-ins, {clients} clients back to back): {capacity:5.1f} /s")
    print(f"offered: {rate:5.1f} sign-ins/s for {args.seconds:g} s, {CLIENT_TIMEOUT:g} s client timeout")
    print(f"finished within {PATIENCE:g} s:        {share(within)}")
    shed_times = [a.post_elapsed * 1000 for a in shed]
    print(
        f"shed with 503 + Retry-After:  {share(shed)}   answered in p50 {statistics.median(shed_times or [0]):.0f} ms,"
        f" p95 {percentile(shed_times, 0.95):.0f} ms"
    )
    admitted = [a.elapsed * 1000 for a in done]
    print(
        f"admitted and signed in:       {share(done)}   whole sign-in p50"
        f" {statistics.median(admitted or [0]):.0f} ms, p95 {percentile(admitted, 0.95):.0f} ms"
    )
    print(f"timed out at the client:      {share(timeouts)}")
    print(f"other errors:                 {share(errors)}   {sorted({a.outcome for a in errors})}")
    print(f"false 'someone knows your password': {alerts} alerts, {events} abandoned-sign-in events (aim: 0)")


if __name__ == "__main__":
    main()
