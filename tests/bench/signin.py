"""Benchmark: sign N users in with password + authenticator code against gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.signin --users 40

Prints, from one run on gunicorn (config/gunicorn.py: gthread workers) and PostgreSQL: the median full sign-in
with an authenticator code (its four requests, a new browser each), the median Argon2 check, the median bare
request (/bench/bare/ of tests/bench/urls.py, through the same middleware), the overhead = sign-in - Argon2 -
4 x bare request, and the SQL queries of each of the four requests; then, measured in this process, the time
the four spend in their SQL statements (the part of the overhead that is the database's round trips).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
PASSWORD = "bench sign-in passphrase 42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def make_users(count: int):
    import pyotp

    from accounts.models import User
    from security.codes import totp_secret
    from security.methods import authenticator_add, backup_codes_create, two_step_enable
    from security.models import FailureStreak

    User.objects.filter(email__startswith="bench-").delete()
    users = []
    for number in range(count):
        user = User.objects.create_user(f"bench-{number}@example.com", PASSWORD, name=f"Bench {number}")
        secret = totp_secret()
        device = authenticator_add(user=user, secret=secret, primary=True, confirmed=False, request=None)
        backup_codes_create(user=user, confirmed=False, request=None)
        two_step_enable(user=user, device_ids=[device.persistent_id], request=None)
        FailureStreak.objects.create(user=user)  # as for anyone who has signed in before
        users.append((user.email, pyotp.TOTP(secret)))
    return users


STEPS = ("password page (GET)", "password post", "code page (GET)", "code post")


def sign_in(base: str, email: str, app) -> list[float]:
    """One whole sign-in with a new browser (a fresh client): the seconds of each of its four requests."""
    import requests

    session, times = requests.Session(), []

    def timed(method, path, **kwargs):
        started = time.perf_counter()
        response = session.request(method, f"{base}{path}", allow_redirects=False, **kwargs)
        times.append(time.perf_counter() - started)
        return response

    page = timed("GET", "/account/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    step = timed("POST", "/account/signin/", data={"csrfmiddlewaretoken": token, "email": email, "password": PASSWORD})
    assert step.headers["Location"] == "/account/signin/code/", step.status_code
    page = timed("GET", "/account/signin/code/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = timed(
        "POST", "/account/signin/code/", data={"csrfmiddlewaretoken": token, "do": "verify", "code": app.now()}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/", (done.status_code, done.text[:300])
    return times


def bare_times(base: str, count: int) -> list[float]:
    """The floor: /bench/bare/ (a view that only answers "ok") through the same middleware stack, four requests
    per fresh client like a sign-in."""
    import requests

    times = []
    for _ in range(count):
        session = requests.Session()
        for _ in range(4):
            started = time.perf_counter()
            response = session.get(f"{base}/bench/bare/")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    return times


def password_check_time(encoded: str) -> float:
    """One check of the benchmark's password with the configured hasher (Argon2), in seconds."""
    from django.contrib.auth.hashers import check_password

    started = time.perf_counter()
    assert check_password(PASSWORD, encoded)
    return time.perf_counter() - started


def request_queries(accounts) -> tuple[list[int], list[float]]:
    """In this process, through Django's test client: the SQL queries (not counting transaction statements) of
    each of the four requests, and the median seconds each spends in its statements (transaction ones included:
    a COMMIT waits for the disk), over `accounts`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    class Stopwatch:
        seconds = 0.0

        def __call__(self, execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.seconds += time.perf_counter() - started

    def counted(call, *args, **kwargs):
        """The response, its SQL queries, and its seconds in SQL statements."""
        stopwatch = Stopwatch()
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(stopwatch):
            response = call(*args, **kwargs)
        control = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")
        return response, sum(1 for q in queries.captured_queries if not q["sql"].startswith(control)), stopwatch.seconds

    counts, waits = [], [[] for _ in STEPS]
    for email, app in accounts:
        client = Client()
        steps = [
            counted(client.get, "/account/signin/"),
            counted(client.post, "/account/signin/", {"email": email, "password": PASSWORD}),
            counted(client.get, "/account/signin/code/"),
            counted(client.post, "/account/signin/code/", {"do": "verify", "code": app.now()}),
        ]
        assert steps[-1][0].status_code == 302, steps[-1][0].status_code
        counts = [count for _response, count, _seconds in steps]
        for number, (_response, _count, seconds) in enumerate(steps):
            waits[number].append(seconds)
    return counts, [statistics.median(times) for times in waits]


def bench_database_prepare(*, collectstatic: bool = True) -> dict:
    """The benchmark's PostgreSQL database (DATABASE_URL; created if missing), migrated; and the environment for
    the processes the benchmark starts."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    ensure_database(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if collectstatic:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = bench_database_prepare(collectstatic=True)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    warm = 4 * args.workers
    users = make_users(args.users + warm + 10)
    queries, sql_waits = request_queries([users.pop() for _ in range(10)])

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
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for email, app in users[:warm]:  # every worker compiles its templates and opens its connections first
            sign_in(base, email, app)
        bare_times(base, warm)
        # Interleaved, so that a machine busier in one part of the run weighs on all three figures alike.
        signins, bares, checks, encoded = [], [], [], make_password(PASSWORD)
        for email, app in users[warm:]:
            bares += bare_times(base, 1)
            signins.append(sign_in(base, email, app))
            checks.append(password_check_time(encoded))
    finally:
        server.terminate()
        server.wait(timeout=10)

    ms = 1000
    whole = statistics.median(sum(times) for times in signins) * ms
    check, bare = statistics.median(checks) * ms, statistics.median(bares) * ms
    overhead = whole - check - 4 * bare
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[1]
    print(f"gunicorn -c config/gunicorn.py ({args.workers} workers, gthread), PostgreSQL, one client at a time")
    print(f"users signed in:                      {len(signins)} (password + authenticator code, a new browser each)")
    print(f"full sign-in (4 requests), median:    {whole:7.1f} ms")
    print(f"Argon2 check ({hasher}), median:  {check:7.1f} ms")
    print(f"bare request (/bench/bare/), median:  {bare:7.1f} ms")
    print(f"overhead = sign-in - Argon2 - 4 bare: {overhead:7.1f} ms   (aim: under 7 ms)")
    for number, (name, count) in enumerate(zip(STEPS, queries, strict=True)):
        median = statistics.median(times[number] for times in signins) * ms
        aim = "   (aim: at most 8; includes the new-sign-in alert)" if number == 3 else ""
        print(f"  {name + ':':<22} {count:2d} SQL queries, median {median:6.1f} ms{aim}")
    print(f"time in SQL statements, all four:     {sum(sql_waits) * ms:7.1f} ms   (in this process, median per step)")


if __name__ == "__main__":
    main()
